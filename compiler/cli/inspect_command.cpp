// `kstatec diff` compares each live object with the server's dry-run result
// of applying the file (so defaults both sides share cancel out), without the
// fields the server manages, Secret values masked. `kstatec status` prints
// the live state of the file's components.
#include "inspect_command.h"

#include <fmt/format.h>

#include "line_diff.h"
#include "runtime/plan/inspect.h"

namespace kstate::cli {



int RunDiff(const InspectOptions& o) {
  std::optional<Compilation> c = CompileForCluster(o.files, o.root);
  if (!c) return 2;
  std::unique_ptr<Connection> connection = Connect(o.cluster, "diff");
  if (!connection) return 2;
  runtime::api::ApiClient& api = Api(*connection);
  std::vector<runtime::plan::PlannedObject> objects;
  std::string error;
  if (!runtime::plan::PlanObjects(*c, api, DefaultNamespace(*connection), objects, error)) {
    fmt::print(stderr, "kstatec diff: {}\n", error);
    return 2;
  }
  bool changed = false;
  for (const runtime::plan::PlannedObject& p : objects) {
    std::string label = fmt::format("{} {}{}", p.object.kind, p.ns.empty() ? "" : p.ns + "/", p.object.name);
    runtime::api::Result<runtime::api::Json> live = api.Get(p.resource, p.ns, p.object.name);
    if (!live.ok() && live.error.status != 404) {
      fmt::print(stderr, "kstatec diff: {}: {}\n", label, live.error.Describe());
      return 2;
    }
    runtime::api::Json body = runtime::api::Json::parse(emit::NodeToJson(p.object.root, false), nullptr, false);
    runtime::api::Json after;
    runtime::api::ApiClient::ApplyOptions options;
    options.dry_run = true;
    options.force = o.force_conflicts;
    runtime::api::Result<runtime::api::Json> dry = api.Apply(p.resource, p.ns, p.object.name, body, options);
    if (dry.ok()) {
      after = runtime::plan::WithoutServerFields(*dry.value);
    } else if (dry.error.status == 404 && !live.ok()) {
      after = body;  // its namespace does not exist yet: the object as the file has it
    } else {
      fmt::print(stderr, "kstatec diff: {}: {}\n", label, dry.error.Describe());
      return 2;
    }
    runtime::api::Json before = live.ok() ? runtime::plan::WithoutServerFields(*live.value) : runtime::api::Json();
    if (p.object.kind == "Secret") runtime::plan::MaskSecrets(before, after);
    std::string a = before.is_null() ? "" : runtime::plan::ToYaml(before);
    std::string b = runtime::plan::ToYaml(after);
    std::string diff = UnifiedDiff(live.ok() ? "live " + label : "/dev/null", a, "applied " + label, b);
    if (diff.empty()) continue;
    changed = true;
    std::fwrite(diff.data(), 1, diff.size(), stdout);
  }
  return changed ? 1 : 0;
}

int RunStatus(const InspectOptions& o) {
  std::optional<Compilation> c = CompileForCluster(o.files, o.root);
  if (!c) return 1;
  std::unique_ptr<Connection> connection = Connect(o.cluster, "status");
  if (!connection) return 1;
  return runtime::plan::PrintStatus(*c, Api(*connection), DefaultNamespace(*connection), stdout) ? 0 : 1;
}

}  // namespace kstate::cli
