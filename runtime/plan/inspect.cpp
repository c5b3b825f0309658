// Objects for diffs and the status report.
#include "runtime/plan/inspect.h"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/driver/compilation_impl.h"
#include "compiler/emit/lower.h"
#include "runtime/plan/rollout.h"

namespace kstate::runtime::plan {

bool PlanObjects(const Compilation& c, api::ApiClient& api, const std::string& default_namespace,
                 std::vector<PlannedObject>& out, std::string& error) {
  const check::Program& program = c.impl().program;
  std::vector<std::pair<std::string, emit::Object>> objects;
  for (emit::Object& o : emit::LowerNamespaces(program)) objects.emplace_back("", std::move(o));
  for (const check::Component& comp : program.components) {
    std::vector<emit::Object> mine;
    emit::LowerComponent(comp, mine);
    std::stable_sort(mine.begin(), mine.end(), [](const emit::Object& a, const emit::Object& b) {
      return emit::ApplyRank(a.kind) < emit::ApplyRank(b.kind);
    });
    for (emit::Object& o : mine) objects.emplace_back(comp.name, std::move(o));
  }
  for (auto& [component, o] : objects) {
    api::Result<api::Resource> r = api.Find(o.api_version, o.kind);
    if (!r.ok()) {
      error = fmt::format("{} `{}`: {}", o.kind, o.name, r.error.Describe());
      return false;
    }
    std::string ns = r.value->namespaced ? (o.namespace_.empty() ? default_namespace : o.namespace_) : "";
    out.push_back({component, std::move(o), *r.value, ns});
  }
  return true;
}

api::Json WithoutServerFields(api::Json o) {
  if (!o.is_object()) return o;
  o.erase("status");
  if (auto m = o.find("metadata"); m != o.end() && m->is_object()) {
    for (const char* key : {"managedFields", "resourceVersion", "uid", "generation", "creationTimestamp",
                            "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"}) {
      m->erase(key);
    }
    if (auto a = m->find("annotations"); a != m->end() && a->is_object()) {
      a->erase("kubectl.kubernetes.io/last-applied-configuration");
      if (a->empty()) m->erase("annotations");
    }
  }
  return o;
}

void MaskSecrets(api::Json& before, api::Json& after) {
  for (const char* field : {"data", "stringData"}) {
    api::Json* b = before.is_object() && before.contains(field) ? &before[field] : nullptr;
    api::Json* a = after.is_object() && after.contains(field) ? &after[field] : nullptr;
    if (b && a && b->is_object() && a->is_object()) {
      for (auto& [key, value] : b->items()) {
        if (!a->contains(key)) {
          value = "***";
          continue;
        }
        bool same = (*a)[key] == value;
        value = same ? "***" : "*** (before)";
        (*a)[key] = same ? "***" : "*** (after)";
      }
    }
    for (api::Json* side : {b, a}) {
      if (!side || !side->is_object()) continue;
      for (auto& [key, value] : side->items()) {
        if (!value.is_string() || value.get<std::string>().rfind("***", 0) != 0) value = "***";
      }
    }
  }
}

namespace {

emit::Node ToNode(const api::Json& j) {
  switch (j.type()) {
    case api::Json::value_t::object: {
      emit::Node n = emit::Node::Map();
      for (const auto& [k, v] : j.items()) n.Add(k, ToNode(v));
      return n;
    }
    case api::Json::value_t::array: {
      emit::Node n = emit::Node::List();
      for (const api::Json& v : j) n.Push(ToNode(v));
      return n;
    }
    case api::Json::value_t::boolean: return emit::Node::Bool(j.get<bool>());
    case api::Json::value_t::number_integer:
    case api::Json::value_t::number_unsigned: return emit::Node::Int(j.get<int64_t>());
    case api::Json::value_t::string: return emit::Node::Str(j.get<std::string>());
    case api::Json::value_t::null: return emit::Node{};
    default: return emit::Node::Str(j.dump());
  }
}

std::string Field(const api::Json& j, std::initializer_list<const char*> path) {
  const api::Json* at = &j;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) return {};
    at = &(*at)[key];
  }
  return at->is_string() ? at->get<std::string>() : at->is_number() ? at->dump() : std::string();
}

}  // namespace

std::string ToYaml(const api::Json& value) { return emit::NodeToYaml(ToNode(value)); }

bool PrintStatus(const Compilation& c, api::ApiClient& api, const std::string& default_namespace, std::FILE* out) {
  std::vector<PlannedObject> objects;
  std::string error;
  if (!PlanObjects(c, api, default_namespace, objects, error)) {
    fmt::print(stderr, "kstatec status: {}\n", error);
    return false;
  }
  api::Result<api::Resource> pods_r = api.Find("v1", "Pod");
  api::Result<api::Resource> claims_r = api.Find("v1", "PersistentVolumeClaim");
  bool ok = true;
  for (const PlannedObject& p : objects) {
    if (p.object.kind != "StatefulSet") continue;
    api::Result<api::Json> sts = api.Get(p.resource, p.ns, p.object.name);
    if (!sts.ok()) {
      if (sts.error.status == 404) {
        fmt::print(out, "{}: not applied (no StatefulSet {}/{})\n", p.component, p.ns, p.object.name);
        continue;
      }
      fmt::print(stderr, "kstatec status: {}: {}\n", p.component, sts.error.Describe());
      ok = false;
      continue;
    }
    std::string selector;
    const api::Json& match = (*sts.value)["spec"]["selector"]["matchLabels"];
    if (match.is_object()) {
      for (const auto& [k, v] : match.items()) selector += (selector.empty() ? "" : ",") + k + "=" + v.get<std::string>();
    }
    // Pods and claims that cannot be listed are an error, not an empty list:
    // "pod db-0 not created" would be a false statement about the cluster.
    std::vector<api::Json> pods, claims;
    auto list_into = [&](const api::Result<api::Resource>& resource, const std::string& labels,
                         std::vector<api::Json>& items, std::string_view what) {
      api::Result<api::Json> list = resource.ok() ? api.List(*resource.value, p.ns, labels) : api::Result<api::Json>{};
      if (!resource.ok()) list.error = resource.error;
      if (!list.ok()) {
        fmt::print(stderr, "kstatec status: {}: cannot list its {}: {}\n", p.component, what, list.error.Describe());
        return false;
      }
      for (const api::Json& item : (*list.value)["items"]) items.push_back(item);
      return true;
    };
    if (!list_into(pods_r, selector, pods, "pods") || !list_into(claims_r, "", claims, "claims")) {
      ok = false;
      continue;
    }
    Rollout r = Evaluate(*sts.value, pods, claims, {}, std::chrono::system_clock::now(), std::chrono::hours(24 * 365));
    std::string_view state = r.phase == Rollout::Phase::Ready ? "ready" : r.phase == Rollout::Phase::Failed ? "failed" : "rolling out";
    fmt::print(out, "{} ({}/{}): {}: {}\n", p.component, p.ns, p.object.name, state,
               r.phase == Rollout::Phase::Failed ? r.failure : r.summary);
    for (const PodView& pod : r.pods) {
      std::string what = !pod.exists ? "not created" : pod.problem.empty() ? pod.phase : pod.problem;
      fmt::print(out, "  pod {:<24} {:<14} {:<18} {}\n", pod.name, pod.exists ? "rev " + pod.revision : "", what,
                 pod.exists ? (pod.ready ? "ready" : "not ready") : "");
    }
    std::string infix = "-" + p.object.name + "-";
    for (const api::Json& claim : claims) {
      std::string name = Field(claim, {"metadata", "name"});
      if (name.find(infix) == std::string::npos) continue;
      std::string size = Field(claim, {"status", "capacity", "storage"});
      if (size.empty()) size = Field(claim, {"spec", "resources", "requests", "storage"});
      fmt::print(out, "  claim {:<22} {:<10} {}\n", name, Field(claim, {"status", "phase"}), size);
    }
  }
  return ok;
}

}  // namespace kstate::runtime::plan
