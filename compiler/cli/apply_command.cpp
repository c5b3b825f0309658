// The command line of `kstatec apply`: flags as kubectl spells them, the
// kubeconfig loaded as kubectl loads it, and the rollout shown as it goes.
#include "apply_command.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "compiler/base/quantity.h"
#include "kstate/compiler.h"
#include "runtime/api/api_client.h"
#include "runtime/kube/credentials.h"
#include "runtime/kube/kubeconfig.h"
#include "runtime/plan/apply.h"

namespace kstate::cli {

namespace {

// "10m", "90s", "1h30m", "45" (seconds) -> milliseconds; -1 when not a duration.
int64_t ParseDuration(const std::string& text) {
  base::NumberLiteral n = base::ParseNumberLiteral(text);
  if (!n.error.empty()) return -1;
  switch (n.cls) {
    case base::NumberClass::Duration: return n.exact;
    case base::NumberClass::Milli: return base::ScaleExact(n.value, 60000).value_or(-1);  // minutes
    case base::NumberClass::Plain: return n.radix == 10 ? base::ScaleExact(n.value, 1000).value_or(-1) : -1;
    default: return -1;
  }
}

}  // namespace

CLI::App* AddApplyCommand(CLI::App& app, ApplyOptions& o) {
  CLI::App* cmd = app.add_subcommand("apply", "Apply the files' objects to a cluster and wait until they are ready");
  cmd->add_option("files", o.files, "The .kstate files to apply, together")->required()->type_name("FILE");
  cmd->add_option("--root", o.root, "The directory relative imports may not leave")->type_name("DIR");
  AddClusterFlags(cmd, o.cluster);
  cmd->add_option("--dry-run", o.dry_run, "server: send everything with dryRun=All; nothing changes")
      ->check(CLI::IsMember({"none", "server"}))
      ->capture_default_str();
  cmd->add_flag("--force-conflicts", o.force_conflicts,
                "Take ownership of fields that another field manager set (server-side apply conflicts)");
  cmd->add_flag("--no-wait", o.no_wait, "Return once everything is applied, without waiting for rollouts");
  cmd->add_option("--timeout", o.timeout, "How long to wait for all rollouts (10m, 90s, 1h30m)")->capture_default_str();
  cmd->add_option("--claim-grace", o.claim_grace, "How long a PersistentVolumeClaim may stay Pending")
      ->capture_default_str();
  cmd->add_option("-o,--output", o.output,
                  "auto (a live view on a terminal, else lines), live, lines, or json (one event per line)")
      ->check(CLI::IsMember({"auto", "live", "lines", "json"}))
      ->capture_default_str();
  cmd->footer(
      "Objects go in order: Namespaces, ServiceAccounts and RBAC, ConfigMaps, Services, StatefulSets,\n"
      "PodDisruptionBudgets, by server-side apply with field manager `kstatec`. Components run in parallel;\n"
      "one that `dependsOn` another starts when that one is ready. A StatefulSet is ready when the\n"
      "controller has seen it, every replica is ready (and available with minReadySeconds) and, for\n"
      "RollingUpdate, every pod at or above the partition runs the new revision. A pod that crash-loops,\n"
      "cannot pull its image, has a bad config or cannot be scheduled fails the rollout at once.\n"
      "Exit codes: 0 applied and ready, 1 errors in the files, the kubeconfig, the API or a rollout, 2 wrong usage.");
  return cmd;
}

int RunApply(const ApplyOptions& o) {
  int64_t timeout = ParseDuration(o.timeout), grace = ParseDuration(o.claim_grace);
  if (timeout <= 0 || grace < 0) {
    std::fprintf(stderr, "kstatec apply: --timeout and --claim-grace take durations such as 10m, 90s or 1h30m\n");
    return 2;
  }
  std::optional<Compilation> c = CompileForCluster(o.files, o.root);
  if (!c) return 1;
  std::unique_ptr<Connection> connection = Connect(o.cluster, "apply");
  if (!connection) return 1;
  runtime::plan::ApplySettings settings;
  settings.dry_run = o.dry_run == "server";
  settings.force_conflicts = o.force_conflicts;
  settings.wait = !o.no_wait;
  settings.timeout = std::chrono::milliseconds(timeout);
  settings.claim_grace = std::chrono::seconds(grace / 1000);
  settings.default_namespace = DefaultNamespace(*connection);
  runtime::plan::OutputMode mode = runtime::plan::OutputMode::Lines;
  if (o.output == "json") mode = runtime::plan::OutputMode::JsonEvents;
  else if (o.output == "live" || (o.output == "auto" && isatty(STDOUT_FILENO))) mode = runtime::plan::OutputMode::Live;
  std::unique_ptr<runtime::plan::Reporter> reporter = runtime::plan::MakeReporter(mode, stdout);
  return runtime::plan::Apply(*c, Api(*connection), settings, *reporter) ? 0 : 1;
}

void AddClusterFlags(CLI::App* cmd, ClusterFlags& f) {
  cmd->add_option("--kubeconfig", f.kubeconfig, "The kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
      ->type_name("FILE");
  cmd->add_option("--context", f.context, "The kubeconfig context (default: its current-context)");
  cmd->add_option("-n,--namespace", f.namespace_name,
                  "The namespace of objects whose file declares none (default: the context's)");
  cmd->add_flag("-v,--verbose", f.verbose, "Log every HTTP request (credentials are never shown)");
}

runtime::api::ApiClient& Api(Connection& c) { return *c.api; }
const std::string& DefaultNamespace(const Connection& c) { return c.access.namespace_name; }

std::unique_ptr<Connection> Connect(const ClusterFlags& f, const char* command) {
  runtime::kube::LoadOptions load;
  load.kubeconfig = f.kubeconfig;
  load.context = f.context;
  load.namespace_override = f.namespace_name;
  auto c = std::make_unique<Connection>();
  try {
    c->access = runtime::kube::LoadClusterAccess(load);
  } catch (const runtime::kube::KubeconfigError& e) {
    std::fprintf(stderr, "kstatec %s: %s\n", command, e.what());
    return nullptr;
  }
  for (const std::string& w : c->access.warnings) std::fprintf(stderr, "kstatec %s: warning: %s\n", command, w.c_str());
  runtime::http::Logger logger;
  if (f.verbose) {
    std::fprintf(stderr, "kstatec %s: %s\n", command, runtime::kube::Describe(c->access).c_str());
    logger = [](std::string_view line) { std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data()); };
  }
  std::shared_ptr<runtime::http::Client> transport = runtime::http::MakeCurlClient(c->access.tls, {}, logger);
  std::shared_ptr<runtime::http::Client> client = runtime::kube::WithCredentials(c->access.credentials, transport);
  c->api = std::make_unique<runtime::api::ApiClient>(client, c->access.server);
  return c;
}

std::optional<Compilation> CompileForCluster(const std::vector<std::string>& files, const std::string& root) {
  BuildOptions build;
  build.root = root;
  Compilation c = Compilation::FromFiles(files, build);
  std::string diagnostics = c.DiagnosticsText({isatty(STDERR_FILENO) != 0, 20});
  std::fwrite(diagnostics.data(), 1, diagnostics.size(), stderr);
  if (!c.ok()) return std::nullopt;
  return c;
}

}  // namespace kstate::cli
