// StatefulSet change classification: the immutable parts of the spec compared
// field by field (so the plan can say exactly what forces a recreation), the
// rest described from the server's dry-run result.
#include "runtime/plan/change.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "compiler/base/quantity.h"

namespace kstate::runtime::plan {

namespace {

using Json = api::Json;

std::string Compact(const Json& value, size_t limit = 60) {
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  if (text.size() > limit) text = text.substr(0, limit - 3) + "...";
  return text;
}

Json Selector(const Json& spec) {
  const Json& s = api::Member(spec, "selector");
  Json labels = api::Member(s, "matchLabels").is_object() ? api::Member(s, "matchLabels") : Json::object();
  Json expressions = api::Member(s, "matchExpressions").is_array() ? api::Member(s, "matchExpressions") : Json::array();
  return Json{{"matchLabels", labels}, {"matchExpressions", expressions}};
}

std::map<std::string, Json> Templates(const Json& spec) {
  std::map<std::string, Json> out;
  const Json& list = api::Member(spec, "volumeClaimTemplates");
  if (!list.is_array()) return out;
  for (const Json& t : list) {
    std::string name = api::StringMember(api::Member(t, "metadata"), "name", "");
    if (!name.empty()) out[name] = t;
  }
  return out;
}

std::string RequestOf(const Json& claim_template) {
  return api::StringMember(api::Member(api::Member(api::Member(claim_template, "spec"), "resources"), "requests"), "storage", "");
}

std::set<std::string> AccessModes(const Json& claim_template) {
  std::set<std::string> out;
  const Json& modes = api::Member(api::Member(claim_template, "spec"), "accessModes");
  if (modes.is_array()) {
    for (const Json& m : modes) {
      if (m.is_string()) out.insert(m.get<std::string>());
    }
  }
  return out;
}

// What is left of a claim template once the fields compared one by one, the
// status and the defaults the API server fills in are taken out.
Json Rest(const Json& claim_template) {
  Json meta = Json::object();
  for (const char* key : {"labels", "annotations"}) {
    const Json& v = api::Member(api::Member(claim_template, "metadata"), key);
    if (v.is_object() && !v.empty()) meta[key] = v;
  }
  Json spec = api::Member(claim_template, "spec").is_object() ? api::Member(claim_template, "spec") : Json::object();
  spec.erase("accessModes");
  spec.erase("storageClassName");
  if (spec.contains("resources") && spec["resources"].is_object()) {
    Json& resources = spec["resources"];
    if (resources.contains("requests") && resources["requests"].is_object()) resources["requests"].erase("storage");
    if (resources.contains("requests") && resources["requests"].empty()) resources.erase("requests");
    if (resources.empty()) spec.erase("resources");
  }
  if (api::StringMember(spec, "volumeMode", "Filesystem") == "Filesystem") spec.erase("volumeMode");
  return Json{{"metadata", meta}, {"spec", spec}};
}

std::string Join(const std::set<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return "[" + out + "]";
}

std::string ClaimNames(const std::vector<const Claim*>& claims) {
  std::string out;
  for (const Claim* c : claims) out += (out.empty() ? "" : ", ") + c->name;
  return out;
}

class Classifier {
 public:
  Classifier(const std::vector<Claim>& claims, const std::map<std::string, bool>& expandable)
      : claims_(claims), expandable_(expandable) {}

  void Compare(const Json& desired_spec, const Json& live_spec, StatefulSetChange& out) {
    Json want = Selector(desired_spec), have = Selector(live_spec);
    if (want != have) {
      recreate_.Add(fmt::format("spec.selector: {} -> {}", Compact(have, 80), Compact(want, 80)), "spec.selector");
      out.relabel_pods = !LabelsCover(api::Member(api::Member(api::Member(live_spec, "template"), "metadata"), "labels"),
                                      want["matchLabels"]);
    }
    std::string service = api::StringMember(desired_spec, "serviceName", ""), live_service = api::StringMember(live_spec, "serviceName", "");
    if (service != live_service) {
      recreate_.Add(fmt::format("spec.serviceName: {} -> {} (the pods are restarted afterwards to take the new DNS "
                                "name)", Quoted(live_service), Quoted(service)), "spec.serviceName");
      out.restart_pods = true;
    }
    std::string policy = api::StringMember(desired_spec, "podManagementPolicy", "OrderedReady");
    std::string live_policy = api::StringMember(live_spec, "podManagementPolicy", "OrderedReady");
    if (policy != live_policy) {
      recreate_.Add(fmt::format("spec.podManagementPolicy: {} -> {}", live_policy, policy), "spec.podManagementPolicy");
    }
    CompareTemplates(Templates(desired_spec), Templates(live_spec), out);
  }

  struct Reasons {
    std::vector<std::string> text, fields;
    void Add(std::string reason, std::string field) {
      text.push_back(std::move(reason));
      fields.push_back(std::move(field));
    }
    bool empty() const { return text.empty(); }
  };
  Reasons recreate_, impossible_;

 private:
  static std::string Quoted(const std::string& s) { return s.empty() ? "(none)" : s; }
  static constexpr const char* kSize = ".spec.resources.requests.storage";
  // A claim template's field, in SourceOfField's path syntax.
  static std::string Path(const std::string& name, const std::string& rest) {
    return "spec.volumeClaimTemplates[" + name + "]" + rest;
  }

  static bool LabelsCover(const Json& labels, const Json& match) {
    if (!match.is_object()) return true;
    for (const auto& [k, v] : match.items()) {
      if (!labels.is_object() || !labels.contains(k) || labels[k] != v) return false;
    }
    return true;
  }

  std::vector<const Claim*> ClaimsOfTemplate(const std::string& name) const {
    std::vector<const Claim*> out;
    for (const Claim& c : claims_) {
      if (c.template_name == name) out.push_back(&c);
    }
    return out;
  }

  void CompareTemplates(const std::map<std::string, Json>& want, const std::map<std::string, Json>& have,
                        StatefulSetChange& out) {
    for (const auto& [name, t] : want) {
      if (!have.count(name)) {
        recreate_.Add(fmt::format("volumeClaimTemplates: {} is added (each pod gets a new claim)", name), Path(name, ""));
      }
    }
    for (const auto& [name, t] : have) {
      auto it = want.find(name);
      if (it == want.end()) {
        recreate_.Add(fmt::format("volumeClaimTemplates: {} is removed (its claims are kept, no longer mounted)", name),
                      "spec.volumeClaimTemplates");
        continue;
      }
      CompareTemplate(name, it->second, t, out);
    }
  }

  void CompareTemplate(const std::string& name, const Json& want, const Json& have, StatefulSetChange& out) {
    std::vector<const Claim*> existing = ClaimsOfTemplate(name);
    CompareSize(name, want, have, existing, out);
    std::set<std::string> modes = AccessModes(want), live_modes = AccessModes(have);
    if (modes != live_modes) {
      std::string change = fmt::format("access modes of claim template {}: {} -> {}", name, Join(live_modes), Join(modes));
      if (existing.empty()) recreate_.Add(change, Path(name, ".spec.accessModes"));
      else impossible_.Add(change + fmt::format(": the existing claims ({}) cannot change theirs", ClaimNames(existing)),
                           Path(name, ".spec.accessModes"));
    }
    std::string cls = api::StringMember(api::Member(want, "spec"), "storageClassName", "");
    std::string live_cls = api::StringMember(api::Member(have, "spec"), "storageClassName", "");
    if (cls != live_cls) {
      std::string change = fmt::format("storage class of claim template {}: {} -> {}", name, Quoted(live_cls), Quoted(cls));
      if (existing.empty()) recreate_.Add(change, Path(name, ".spec.storageClassName"));
      else impossible_.Add(change + fmt::format(": the existing claims ({}) keep theirs; move the data to new claims "
                                                "instead", ClaimNames(existing)), Path(name, ".spec.storageClassName"));
    }
    if (Rest(want) != Rest(have)) {
      recreate_.Add(fmt::format("claim template {}: labels, annotations or other claim fields change (new claims only)",
                                name), Path(name, ""));
    }
  }

  void CompareSize(const std::string& name, const Json& want, const Json& have,
                   const std::vector<const Claim*>& existing, StatefulSetChange& out) {
    std::string size = RequestOf(want), live_size = RequestOf(have);
    std::optional<int64_t> bytes = StorageBytes(size), live_bytes = StorageBytes(live_size);
    if (!bytes || !live_bytes) {
      if (size != live_size) recreate_.Add(fmt::format("storage of {}: {} -> {}", name, live_size, size), Path(name, kSize));
      return;
    }
    // A claim may be larger than its template (grown before): shrinking below it is impossible too.
    std::vector<const Claim*> larger;
    for (const Claim* c : existing) {
      std::optional<int64_t> has = StorageBytes(c->request), cap = StorageBytes(c->capacity);
      if ((has && *has > *bytes) || (cap && *cap > *bytes)) larger.push_back(c);
    }
    if (*bytes < *live_bytes || !larger.empty()) {
      std::string which = larger.empty() ? "" : fmt::format(" (claims {} are larger)", ClaimNames(larger));
      impossible_.Add(fmt::format("storage of {}: {} -> {}: a volume cannot shrink{}", name, live_size, size, which),
                      Path(name, kSize));
      return;
    }
    if (*bytes == *live_bytes) return;
    out.grow[name] = size;
    recreate_.Add(fmt::format("storage of {}: {} -> {} (each existing claim is resized first: {})", name, live_size, size,
                              existing.empty() ? "none yet" : ClaimNames(existing)), Path(name, kSize));
    for (const Claim* c : existing) {
      auto it = expandable_.find(c->storage_class);
      if (it != expandable_.end() && it->second) continue;
      impossible_.Add(
          c->storage_class.empty()
              ? fmt::format("claim {} has no StorageClass, so it cannot be resized", c->name)
              : fmt::format("StorageClass {} of claim {} does not allow volume expansion (allowVolumeExpansion is not "
                            "true)", c->storage_class, c->name),
          Path(name, kSize));
      break;
    }
  }

  const std::vector<Claim>& claims_;
  const std::map<std::string, bool>& expandable_;
};

void Describe(const Json& before, const Json& after, const std::string& path, std::vector<std::string>& out) {
  if (before == after) return;
  if (before.is_object() && after.is_object()) {
    std::set<std::string> keys;
    for (const auto& [k, v] : before.items()) keys.insert(k);
    for (const auto& [k, v] : after.items()) keys.insert(k);
    for (const std::string& k : keys) {
      Json b = before.contains(k) ? before[k] : Json(), a = after.contains(k) ? after[k] : Json();
      Describe(b, a, path.empty() ? k : path + "." + k, out);
    }
    return;
  }
  auto named = [](const Json& list) {
    return list.is_array() && !list.empty() &&
           std::all_of(list.begin(), list.end(), [](const Json& i) { return i.is_object() && i.contains("name"); });
  };
  if (named(before) && named(after)) {
    std::map<std::string, Json> b, a;
    for (const Json& i : before) b[Compact(i["name"], 200)] = i;
    for (const Json& i : after) a[Compact(i["name"], 200)] = i;
    std::set<std::string> keys;
    for (const auto& [k, v] : b) keys.insert(k);
    for (const auto& [k, v] : a) keys.insert(k);
    for (const std::string& k : keys) Describe(b.count(k) ? b[k] : Json(), a.count(k) ? a[k] : Json(), path + "[" + k + "]", out);
    return;
  }
  if (before.is_array() && after.is_array() && before.size() == after.size()) {
    for (size_t i = 0; i < before.size(); ++i) Describe(before[i], after[i], fmt::format("{}[{}]", path, i), out);
    return;
  }
  out.push_back(fmt::format("{}: {} -> {}", path, before.is_null() ? "(none)" : Compact(before),
                            after.is_null() ? "(none)" : Compact(after)));
}

}  // namespace

const char* KindWord(StatefulSetChange::Kind kind) {
  switch (kind) {
    case StatefulSetChange::Kind::Create: return "create";
    case StatefulSetChange::Kind::Unchanged: return "unchanged";
    case StatefulSetChange::Kind::InPlace: return "in place";
    case StatefulSetChange::Kind::Recreate: return "needs recreation";
    case StatefulSetChange::Kind::Impossible: return "impossible";
  }
  return "";
}

std::optional<int64_t> StorageBytes(const std::string& quantity) {
  if (quantity.empty()) return std::nullopt;
  base::NumberLiteral n = base::ParseNumberLiteral(quantity);
  if (!n.error.empty()) return std::nullopt;
  if (n.cls == base::NumberClass::Bytes) return n.exact;
  if (n.cls == base::NumberClass::Plain && n.radix == 10) return base::ScaleExact(n.value, 1);
  return std::nullopt;
}

std::string RetentionOf(const api::Json& statefulset) {
  const Json& policy = api::Member(api::Member(statefulset, "spec"), "persistentVolumeClaimRetentionPolicy");
  return fmt::format("whenDeleted={}, whenScaled={}", api::StringMember(policy, "whenDeleted", "Retain"),
                     api::StringMember(policy, "whenScaled", "Retain"));
}

StatefulSetChange ClassifyStatefulSet(const api::Json& desired, const api::Json& live, const std::vector<Claim>& claims,
                                      const std::map<std::string, bool>& expandable) {
  StatefulSetChange out;
  out.retention = RetentionOf(desired);
  out.claims = claims;
  if (live.is_null()) return out;
  Classifier c(claims, expandable);
  c.Compare(api::Member(desired, "spec"), api::Member(live, "spec"), out);
  if (!c.impossible_.empty()) {
    out.kind = StatefulSetChange::Kind::Impossible;
    out.reasons = c.impossible_.text;
    out.fields = c.impossible_.fields;
  } else if (!c.recreate_.empty()) {
    out.kind = StatefulSetChange::Kind::Recreate;
    out.reasons = c.recreate_.text;
    out.fields = c.recreate_.fields;
  } else {
    out.kind = StatefulSetChange::Kind::InPlace;
  }
  return out;
}

std::vector<std::string> DescribeChanges(const api::Json& before, const api::Json& after, size_t limit) {
  std::vector<std::string> all;
  Describe(before, after, "", all);
  if (all.size() > limit) {
    size_t more = all.size() - limit;
    all.resize(limit);
    all.push_back(fmt::format("and {} more", more));
  }
  return all;
}

}  // namespace kstate::runtime::plan
