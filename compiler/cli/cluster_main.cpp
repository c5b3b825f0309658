// kstatec-cluster: the commands that talk to a cluster (apply, plan,
// diff, status, delete). It links libcurl, OpenSSL and the runtime, which `kstatec` does
// not, so that compiling a file starts in a millisecond; `kstatec apply ...`
// runs this program with the same arguments.
#include <cstdio>
#include <cstdlib>
#include <exception>

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
  kstate::cli::ClusterCommands commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  int code = 2;
  try {
    if (commands.apply_cmd->parsed()) code = kstate::cli::RunApply(commands.apply);
    if (commands.diff_cmd->parsed()) code = kstate::cli::RunDiff(commands.diff);
    if (commands.status_cmd->parsed()) code = kstate::cli::RunStatus(commands.status);
    if (commands.plan_cmd->parsed()) code = kstate::cli::RunPlan(commands.plan);
    if (commands.delete_cmd->parsed()) code = kstate::cli::RunDelete(commands.del);
  } catch (const std::exception& e) {
    // The last line of defence: an API server answer of a shape no reader
    // expected (a string where an object belongs) ends the command with an
    // error, not an abort. What was done before it is reported above.
    std::fflush(stdout);
    std::fprintf(stderr,
                 "kstatec: error: an answer of the API server does not have the shape Kubernetes documents (%s); "
                 "stopped\n",
                 e.what());
    code = commands.diff_cmd->parsed() ? 2 : 1;  // `diff` exits 2 on errors, the others 1
  }
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(code);
}
