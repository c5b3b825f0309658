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
#include "runtime/plan/applyset.h"

namespace kstate::cli {

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


int RunApply(const ApplyOptions& o) {
  int64_t timeout = ParseDuration(o.timeout), grace = ParseDuration(o.claim_grace);
  if (timeout <= 0 || grace < 0) {
    std::fprintf(stderr, "kstatec apply: --timeout and --claim-grace take durations such as 10m, 90s or 1h30m\n");
    return 2;
  }
  ClusterInput in;
  if (int code = PrepareCluster(o.files, o.root, o.cluster, o.applyset, "apply", in)) return code;
  runtime::plan::ApplySettings settings;
  settings.dry_run = o.dry_run == "server";
  settings.force_conflicts = o.force_conflicts;
  settings.wait = !o.no_wait;
  settings.timeout = std::chrono::milliseconds(timeout);
  settings.claim_grace = std::chrono::seconds(grace / 1000);
  settings.default_namespace = DefaultNamespace(*in.connection);
  settings.applyset = in.applyset;
  settings.recreate = o.recreate;
  settings.prune = o.prune;
  runtime::plan::OutputMode mode = runtime::plan::OutputMode::Lines;
  if (o.output == "json") mode = runtime::plan::OutputMode::JsonEvents;
  else if (o.output == "live" || (o.output == "auto" && isatty(STDOUT_FILENO))) mode = runtime::plan::OutputMode::Live;
  std::unique_ptr<runtime::plan::Reporter> reporter = runtime::plan::MakeReporter(mode, stdout);
  return runtime::plan::Apply(*in.compilation, Api(*in.connection), settings, *reporter) ? 0 : 1;
}

int PrepareCluster(const std::vector<std::string>& files, const std::string& root, const ClusterFlags& cluster,
                   const std::string& given, const char* command, ClusterInput& out) {
  out.applyset = ApplySetName(files, given, command);
  if (out.applyset.empty()) return 2;
  out.compilation = CompileForCluster(files, root);
  if (!out.compilation) return 1;
  out.connection = Connect(cluster, command);
  return out.connection ? 0 : 1;
}


std::string ApplySetName(const std::vector<std::string>& files, const std::string& given, const char* command) {
  std::string name = given.empty() ? runtime::plan::DefaultSetName(files) : given;
  if (std::string why = runtime::plan::CheckSetName(name); !why.empty()) {
    std::fprintf(stderr, "kstatec %s: --applyset %s: %s\n", command, name.c_str(), why.c_str());
    return {};
  }
  return name;
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
  // Credentials up front: a failing exec plugin is reported before anything
  // is sent, and a client certificate it returns goes into the TLS setup.
  runtime::kube::Credentials::Auth auth = c->access.credentials->Get();
  if (!auth.error.empty()) {
    std::fprintf(stderr, "kstatec %s: %s\n", command, auth.error.c_str());
    return nullptr;
  }
  if (!auth.client_cert_pem.empty()) {
    c->access.tls.client_cert_pem = auth.client_cert_pem;
    c->access.tls.client_key_pem = auth.client_key_pem;
  }
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
