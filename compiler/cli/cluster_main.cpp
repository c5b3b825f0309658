// kstatec-cluster: the commands that talk to a cluster (apply, plan,
// diff, status, delete). It links libcurl, OpenSSL and the runtime, which `kstatec` does
// not, so that compiling a file starts in a millisecond; `kstatec apply ...`
// runs this program with the same arguments.
#include <cstdio>
#include <cstdlib>

#include <CLI/CLI.hpp>

#include "apply_command.h"
#include "cluster_flags.h"
#include "delete_command.h"
#include "inspect_command.h"
#include "kstate/compiler.h"

int main(int argc, char** argv) {
  CLI::App app{"kstatec-cluster: the cluster commands of kstatec (run as `kstatec apply|plan|diff|status|delete`)."};
  app.set_version_flag("--version", std::string("kstatec ") + kstate::Version());
  app.require_subcommand(1);
  kstate::cli::ApplyOptions apply_opts;
  kstate::cli::InspectOptions diff_opts, status_opts;
  CLI::App* apply_cmd = kstate::cli::AddApplyCommand(app, apply_opts);
  CLI::App* diff_cmd = kstate::cli::AddDiffCommand(app, diff_opts);
  CLI::App* status_cmd = kstate::cli::AddStatusCommand(app, status_opts);
  kstate::cli::InspectOptions plan_opts;
  CLI::App* plan_cmd = kstate::cli::AddPlanCommand(app, plan_opts);
  kstate::cli::DeleteOptions delete_opts;
  CLI::App* delete_cmd = kstate::cli::AddDeleteCommand(app, delete_opts);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  int code = 2;
  if (apply_cmd->parsed()) code = kstate::cli::RunApply(apply_opts);
  if (diff_cmd->parsed()) code = kstate::cli::RunDiff(diff_opts);
  if (status_cmd->parsed()) code = kstate::cli::RunStatus(status_opts);
  if (plan_cmd->parsed()) code = kstate::cli::RunPlan(plan_opts);
  if (delete_cmd->parsed()) code = kstate::cli::RunDelete(delete_opts);
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(code);
}
