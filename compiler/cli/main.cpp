// kstatec: the command line. `build` and `check` compile `.kstate` files;
// exit codes are 0 (ok), 1 (errors in the input) and 2 (usage).
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "kstate/compiler.h"
#include "compiler/lsp/lsp.h"
#include "cluster_flags.h"
#include "fmt_command.h"
#include "output.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitInput = 1;
constexpr int kExitUsage = 2;

struct CommonOptions {
  std::vector<std::string> files;
  std::string diagnostics = "text";
  std::string color = "auto";
  size_t error_limit = 20;
  bool werror = false;
  std::string root;
};

void AddCommon(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("files", o.files, "The .kstate files to compile, together")->required()->type_name("FILE");
  cmd->add_option("--diagnostics", o.diagnostics, "How to print diagnostics: text (for people) or json (for tools)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--color", o.color, "Colour diagnostics: auto (when stderr is a terminal and NO_COLOR is unset), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  cmd->add_option("--error-limit", o.error_limit, "Stop showing errors after this many (0: no limit)")
      ->check(CLI::Range(0, 1000000000))
      ->capture_default_str();
  cmd->add_flag("--werror", o.werror, "Treat warnings as errors");
  cmd->add_option("--root", o.root,
                  "The directory relative imports may not leave (default: each entry file's own directory)")
      ->type_name("DIR")
      ->check(CLI::ExistingDirectory);
}

bool UseColor(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  return isatty(STDERR_FILENO) && (no_color == nullptr || no_color[0] == '\0');
}

// Prints diagnostics and returns the exit code the input deserves.
int Report(const kstate::Compilation& c, const CommonOptions& o) {
  if (o.diagnostics == "json") {
    std::string json = c.DiagnosticsJson();
    std::fwrite(json.data(), 1, json.size(), stderr);
  } else {
    std::string text = c.DiagnosticsText({UseColor(o.color), o.error_limit});
    if (!text.empty() && (c.error_count() || c.warning_count())) {
      text += fmt::format("{}{}\n", c.error_count() ? fmt::format("{} error{}", c.error_count(), c.error_count() == 1 ? "" : "s") : "",
                          c.warning_count() ? fmt::format("{}{} warning{}", c.error_count() ? ", " : "", c.warning_count(),
                                                          c.warning_count() == 1 ? "" : "s")
                                            : "");
    }
    std::fwrite(text.data(), 1, text.size(), stderr);
  }
  if (!c.ok() || (o.werror && c.warning_count())) return kExitInput;
  return kExitOk;
}

// The cluster commands live in `kstatec-cluster`, beside this program, so
// that `kstatec` itself does not load libcurl and OpenSSL at every start.
int RunClusterProgram(int argc, char** argv) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  std::string program = "kstatec-cluster";
  if (n > 0) {
    self[n] = '\0';
    std::string dir(self);
    program = dir.substr(0, dir.rfind('/') + 1) + program;
  }
  std::vector<char*> args;
  args.push_back(program.data());
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  execv(program.c_str(), args.data());
  std::fprintf(stderr, "kstatec: cannot run %s: %s (it is built and installed beside kstatec)\n", program.c_str(),
               std::strerror(errno));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kstatec: compile stateful components written in .kstate into Kubernetes manifests, and apply them."};
  app.set_version_flag("--version", std::string("kstatec ") + kstate::Version());
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  kstatec build examples/mariadb/mariadb.kstate            print the manifests as YAML\n"
      "  kstatec build db.kstate --format json                     print them as JSON\n"
      "  kstatec build db.kstate -o out/                           one file per object, in apply order\n"
      "  kstatec check db.kstate --diagnostics json                check only; diagnostics for tools\n"
      "  kstatec apply db.kstate --context prod                    apply to a cluster and wait for the rollout\n"
      "  kstatec plan db.kstate                                    what apply would do, in words\n"
      "  kstatec diff db.kstate                                    what apply would change, field by field\n"
      "  kstatec delete db.kstate                                  delete the objects, keep the data\n"
      "\nExit codes: 0 ok, 1 errors (in the input, or on the cluster), 2 wrong usage; `diff` exits 1 when there are\n"
      "changes and 2 on errors. Each command's --help says more.");

  CommonOptions build_opts;
  std::string format = "yaml";
  std::string out_dir;
  CLI::App* build = app.add_subcommand("build", "Check the files and print the Kubernetes objects they compile to");
  AddCommon(build, build_opts);
  build->add_option("--format,-f", format, "Output format: yaml (multi-document) or json (a List when several)")
      ->check(CLI::IsMember({"yaml", "json"}))
      ->capture_default_str();
  build->add_option("-o,--output-dir", out_dir,
                    "Write one file per object into DIR instead of printing them; files of the last build into DIR "
                    "that this one does not write again are removed (DIR/.kstatec-files lists them)")
      ->type_name("DIR")
      ->check([](const std::string& dir) { return dir.empty() ? std::string("DIR is empty") : std::string(); });
  build->footer("Objects come in apply order: Namespaces, ServiceAccounts, Roles, RoleBindings, ClusterRoles, "
                "ClusterRoleBindings, ConfigMaps, Services, StatefulSets, PodDisruptionBudgets.\n"
                "Nothing is written when there are errors.");

  CommonOptions check_opts;
  CLI::App* check = app.add_subcommand("check", "Check the files and print diagnostics only");
  AddCommon(check, check_opts);

  kstate::cli::FmtOptions fmt_opts;
  CLI::App* fmt_cmd = kstate::cli::AddFmtCommand(app, fmt_opts);

  kstate::cli::ClusterCommands cluster(app);

  CLI::App* lsp_cmd = app.add_subcommand("lsp", "Serve the Language Server Protocol on standard input and output");
  lsp_cmd->footer("Editors start this themselves; see editors/README.md. It publishes diagnostics as you type and "
                  "answers hover, completion, go-to-definition, references, document symbols, formatting, quick "
                  "fixes and semantic tokens.\n"
                  "initializationOptions: {\"diagnosticsDelay\": MS} waits MS milliseconds of quiet after a change "
                  "before checking (default 0: check as soon as no message is waiting).\n"
                  "Exit codes: 0 after `shutdown` and `exit`, 1 when the editor exits without `shutdown` or closes the "
                  "input.");

  // Leaves without destroying the compilation: freeing a large program object
  // by object takes longer than the operating system reclaiming it at once.
  auto finish = [](int code) {
    std::fflush(stdout);
    std::fflush(stderr);
    std::_Exit(code);
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  if (lsp_cmd->parsed()) finish(kstate::lsp::RunStdio());
  // Every other command compiles once and exits (the language server keeps
  // running, and gives memory back after a large file is closed).
  kstate::TuneAllocatorForOneShot();
  if (cluster.Parsed()) finish(RunClusterProgram(argc, argv));
  // A closed standard output (`kstatec build | head -1`) is a write error
  // reported as KS4002 with exit 1, as a full disk is, not a silent death.
  std::signal(SIGPIPE, SIG_IGN);
  if (fmt_cmd->parsed()) finish(kstate::cli::RunFmt(fmt_opts));
  if (check->parsed()) {
    kstate::Compilation c = kstate::Compilation::FromFiles(check_opts.files, {check_opts.root});
    finish(Report(c, check_opts));
  }
  kstate::Compilation c = kstate::Compilation::FromFiles(build_opts.files, {build_opts.root});
  // Nothing is written when the input fails (errors, or warnings under --werror).
  if (!c.ok() || (build_opts.werror && c.warning_count())) finish(Report(c, build_opts));
  // A build that makes nothing is almost always a mistake (the wrong file,
  // a library of templates): said, though it is not an error.
  if (c.component_count() == 0) {
    std::fprintf(stderr, "kstatec build: the files declare no components, so there are no objects to write (a "
                         "template makes objects only where a component uses it)\n");
  }
  // Output first; then the warnings, or the write error, as one report.
  bool json = format == "json";
  if (!out_dir.empty()) {
    if (auto error = kstate::cli::WriteObjectFiles(c, out_dir, json)) c.ReportWriteError(error->path, error->reason);
  } else if (!(json ? c.WriteJson(stdout) : c.WriteYaml(stdout))) {
    c.ReportWriteError("standard output", std::strerror(errno));
  }
  finish(Report(c, build_opts));
}
