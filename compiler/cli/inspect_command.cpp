// `kstatec diff` compares each live object with the server's dry-run result
// of applying the file (so defaults both sides share cancel out), without the
// fields the server manages, Secret values masked, and reports apart the
// fields other field managers changed (drift). `kstatec status` prints the
// live state of the file's components.
#include "inspect_command.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "line_diff.h"
#include "runtime/plan/apply.h"
#include "runtime/plan/change.h"
#include "runtime/plan/drift.h"
#include "runtime/plan/inspect.h"
#include "runtime/plan/planning.h"

namespace kstate::cli {

namespace {

namespace api = runtime::api;
namespace plan = runtime::plan;

// The server's dry run of applying `body`. A 409 Conflict means another
// manager owns a field the file sets; the diff then shows what
// --force-conflicts would apply (a forced dry run), and `conflict` keeps the
// causes so the drift section can name them.
api::Result<api::Json> DryRun(api::ApiClient& api, const plan::PlannedObject& p, const api::Json& body,
                              std::optional<api::ApiError>& conflict) {
  api::ApiClient::ApplyOptions options;
  options.dry_run = true;
  api::Result<api::Json> dry = api.Apply(p.resource, p.ns, p.object.name, body, options);
  if (dry.ok() || dry.error.status != 409 || dry.error.reason != "Conflict") return dry;
  conflict = dry.error;
  options.force = true;
  return api.Apply(p.resource, p.ns, p.object.name, body, options);
}

// A StatefulSet change the API server refuses in place (an immutable field)
// is what `apply --recreate` makes: the StatefulSet created again from the
// file. The server's dry run of creating it under a name of its own shows
// that object, defaults filled in, to compare with the live one. Null when
// that dry run fails too.
api::Json RecreatedStatefulSet(api::ApiClient& api, const plan::PlannedObject& p, api::Json body) {
  constexpr std::string_view kSuffix = "-kstatec-diff";  // within the 63 characters of a label value
  std::string scratch = p.object.name.substr(0, 63 - kSuffix.size()) + std::string(kSuffix);
  body["metadata"]["name"] = scratch;
  api::ApiClient::ApplyOptions options;
  options.dry_run = true;
  api::Result<api::Json> dry = api.Apply(p.resource, p.ns, scratch, body, options);
  if (!dry.ok() || !dry.value->is_object()) return api::Json();
  api::Json after = plan::WithoutServerFields(*dry.value);
  if (after.contains("metadata") && after["metadata"].is_object()) after["metadata"]["name"] = p.object.name;
  return after;
}

// What other managers changed on the live object, agreed with the server's
// verdict on conflicts, as the section printed before the object's diff.
std::string DriftSection(const Compilation& c, const InspectOptions& o, const plan::PlannedObject& p,
                         const std::string& label, const api::Json& live, const api::Json& body,
                         const std::optional<api::ApiError>& conflict) {
  std::vector<plan::DriftedField> drift = plan::FindDrift(live, body, api::ApiClient::ApplyOptions{}.field_manager);
  plan::AgreeWithServer(drift, !conflict, conflict ? conflict->causes : std::vector<api::ApiError::Cause>{});
  plan::DriftWording wording;
  wording.force_conflicts = o.force_conflicts;
  wording.source = [&](const std::string& path) { return plan::SourceOfField(c, p.object.kind, p.object.name, path); };
  return plan::FormatDrift(label, drift, wording);
}

// Prints one object's drift and diff: 0 neither, 1 either, 2 an error.
int DiffObject(const Compilation& c, const InspectOptions& o, api::ApiClient& api, const plan::Plan& sets,
               const plan::PlannedObject& p) {
  std::string label = fmt::format("{} {}{}", p.object.kind, p.ns.empty() ? "" : p.ns + "/", p.object.name);
  api::Result<api::Json> live = api.Get(p.resource, p.ns, p.object.name);
  if (!live.ok() && live.error.status != 404) {
    fmt::print(stderr, "kstatec diff: {}: {}\n", label, live.error.Describe());
    return 2;
  }
  // The body apply sends (with its ApplySet label), so the diff does not show
  // kstatec's own label going away.
  api::Json body = plan::Body(sets, p);
  std::optional<api::ApiError> conflict;
  api::Result<api::Json> dry = DryRun(api, p, body, conflict);
  api::Json after;
  std::string recreation;  // why the change needs recreation, printed before its diff
  if (dry.ok()) {
    after = plan::WithoutServerFields(*dry.value);
  } else if (dry.error.status == 404 && !live.ok()) {
    after = body;  // its namespace does not exist yet: the object as the file has it
  } else if (live.ok() && p.object.kind == "StatefulSet" && plan::RefusedInPlace(dry.error) &&
             !(after = RecreatedStatefulSet(api, p, body)).is_null()) {
    plan::StatefulSetChange change = plan::ClassifyStatefulSet(body, *live.value, {}, {});
    recreation = fmt::format("{} needs recreation: the API server refuses to change it in place", label);
    if (change.kind == plan::StatefulSetChange::Kind::Recreate && !change.reasons.empty()) {
      recreation += fmt::format(" ({})", fmt::join(change.reasons, "; "));
    }
    recreation += ". `kstatec plan` says what recreating it does; `kstatec apply --recreate` makes the change and "
                  "keeps its pods and claims. The diff shows the StatefulSet as it would be created again.\n";
  } else {
    fmt::print(stderr, "kstatec diff: {}: {}\n", label, dry.error.Describe());
    return 2;
  }
  std::string drift = live.ok() ? DriftSection(c, o, p, label, *live.value, body, conflict) : "";
  api::Json before = live.ok() ? plan::WithoutServerFields(*live.value) : api::Json();
  if (p.object.kind == "Secret") plan::MaskSecrets(before, after);
  std::string a = before.is_null() ? "" : plan::ToYaml(before);
  std::string b = plan::ToYaml(after);
  // Under a conflict the right side is what only --force-conflicts applies.
  std::string applied = !recreation.empty() ? "recreated " : conflict ? "applied with --force-conflicts " : "applied ";
  std::string diff = UnifiedDiff(live.ok() ? "live " + label : "/dev/null", a, applied + label, b);
  std::fwrite(drift.data(), 1, drift.size(), stdout);
  std::fwrite(recreation.data(), 1, recreation.size(), stdout);
  std::fwrite(diff.data(), 1, diff.size(), stdout);
  return drift.empty() && diff.empty() && recreation.empty() ? 0 : 1;
}

}  // namespace

// Drift (fields other managers changed) and changes (what the file changes)
// are printed apart, drift first, because they call for different decisions:
// a conflict stops apply, a kept field survives it.
int RunDiff(const InspectOptions& o) {
  ClusterInput in;
  if (PrepareCluster(o.files, o.root, o.cluster, o.applyset, "diff", in) != 0) return 2;
  const Compilation& c = *in.compilation;
  api::ApiClient& api = Api(*in.connection);
  // Only the objects and their ApplySets: the rest of apply's plan (parents,
  // StatefulSet changes) is `kstatec plan`'s to show.
  plan::Plan sets;
  std::string error;
  if (!plan::PlanObjects(c, api, DefaultNamespace(*in.connection), sets.objects, error)) {
    fmt::print(stderr, "kstatec diff: {}\n", error);
    return 2;
  }
  plan::AssignApplySets(in.applyset, sets);
  int result = 0;
  for (const plan::PlannedObject& p : sets.objects) {
    int r = DiffObject(c, o, api, sets, p);
    if (r == 2) return 2;
    result = std::max(result, r);
  }
  return result;
}

int RunStatus(const InspectOptions& o) {
  std::optional<Compilation> c = CompileForCluster(o.files, o.root);
  if (!c) return 1;
  std::unique_ptr<Connection> connection = Connect(o.cluster, "status");
  if (!connection) return 1;
  return runtime::plan::PrintStatus(*c, Api(*connection), DefaultNamespace(*connection), stdout) ? 0 : 1;
}

}  // namespace kstate::cli
