// The component's own fields: replicas, ordering, updates, labels, scheduling,
// disruption budget, patches; and the order in which all fields are read.
#include <algorithm>

#include <fmt/format.h>


#include "compiler/base/text.h"
#include "compiler/check/interpret.h"
#include "compiler/check/schema.h"

namespace kstate::check {

using K = diag::Kind;

void ComponentBuilder::Build(const Value& rec) {
  static const std::vector<std::string_view>& kKeys = schema::ComponentKeys("");
  const std::string what = base::Cat({"component `", c_.name, "`"});
  r_.CheckKeys(rec, what, kKeys);
  c_.main.name = c_.name;
  c_.main.name_range = c_.name_range;
  if (const Value* v = rec.Get("replicas")) {
    c_.replicas_range = v->range;
    r_.Int(*v, "`replicas`", c_.replicas, 0, INT32_MAX);
  }
  // Volumes first: their shorthand mounts belong to the main container.
  if (const Value* v = rec.Get("storage")) ReadStorage(*v);
  if (const Value* v = rec.Get("config")) ReadConfigs(*v);
  if (const Value* v = rec.Get("secret")) ReadSecrets(*v);
  if (const Value* v = rec.Get("scratch")) ReadScratch(*v);
  ReadContainer(rec, c_.main, what, true);
  for (const char* kind : {"init", "container"}) {
    const Value* list = rec.Get(kind);
    if (!list) continue;
    if (list->kind != ValueKind::List) {
      r_.Mismatch(*list, fmt::format("`{}`", kind), fmt::format("a named section `{} NAME {{ ... }}`", kind));
      continue;
    }
    for (const Value& section : list->items) {
      Container c;
      c.name = section.Get("name")->text;
      c.name_range = section.KeyRange("name");
      ReadContainer(section, c, base::Cat({kind == std::string_view("init") ? "init" : "sidecar", " container `", c.name, "`"}), false);
      (kind == std::string_view("init") ? c_.init : c_.sidecars).push_back(std::move(c));
    }
  }
  if (const Value* v = rec.Get("ordering")) {
    static const std::span<const EnumWord> kWords = schema::ComponentWords("ordering");
    r_.Enum(*v, "ordering", kWords, c_.ordering);
    c_.ordering_range = v->range;
  }
  if (const Value* v = rec.Get("update")) ReadUpdate(*v);
  int64_t n = 0;
  if (const Value* v = rec.Get("minReady"); v && r_.Seconds(*v, "`minReady`", n, 0)) c_.min_ready = n;
  if (const Value* v = rec.Get("revisionHistory"); v && r_.Int(*v, "`revisionHistory`", n, 0, INT32_MAX)) c_.revision_history = n;
  if (const Value* v = rec.Get("terminationGrace"); v && r_.Seconds(*v, "`terminationGrace`", n, 0)) c_.termination_grace = n;
  if (const Value* v = rec.Get("labels")) r_.Labels(*v, "`labels`", c_.labels);
  if (const Value* v = rec.Get("annotations")) r_.Annotations(*v, "`annotations`", c_.annotations);
  if (const Value* v = rec.Get("podLabels")) r_.Labels(*v, "`podLabels`", c_.pod_labels);
  if (const Value* v = rec.Get("podAnnotations")) r_.Annotations(*v, "`podAnnotations`", c_.pod_annotations);
  if (const Value* v = rec.Get("serviceAnnotations")) r_.Annotations(*v, "`serviceAnnotations`", c_.service_annotations);
  if (const Value* v = rec.Get("selector")) {
    StringPairs sel;
    c_.selector_range = v->range;
    if (r_.Labels(*v, "`selector`", sel)) {
      for (const auto& [key, value] : sel) c_.selector_key_ranges.push_back(v->KeyRange(key));
      c_.selector = std::move(sel);
    }
  }
  CheckGeneratedLabels(rec);
  if (const Value* v = rec.Get("retention")) ReadRetention(*v);
  if (const Value* v = rec.Get("antiAffinity")) ReadAntiAffinity(*v);
  if (const Value* v = rec.Get("spread")) ReadSpread(*v);
  if (const Value* v = rec.Get("nodeSelector")) r_.Labels(*v, "`nodeSelector`", c_.node_selector);
  if (const Value* v = rec.Get("tolerations")) ReadTolerations(*v);
  if (const Value* v = rec.Get("priorityClass")) r_.String(*v, "`priorityClass`", c_.priority_class);
  if (const Value* v = rec.Get("serviceAccount")) ReadServiceAccount(*v);
  if (const Value* v = rec.Get("securityContext")) c_.pod_security_context = ReadSecurityContext(*v, "pod security context", true);
  if (const Value* v = rec.Get("imagePullSecrets")) r_.StringList(*v, "`imagePullSecrets`", c_.image_pull_secrets);
  if (const Value* v = rec.Get("publishNotReady")) r_.Bool(*v, "`publishNotReady`", c_.publish_not_ready);
  if (const Value* v = rec.Get("client")) ReadClients(*v);
  if (const Value* v = rec.Get("disruption")) ReadDisruption(*v);
  if (const Value* v = rec.Get("patch")) ReadPatches(*v);
  if (const Value* v = rec.Get("dependsOn")) {
    std::span<const Value> names = OneOrMany(*v);
    for (const Value& name : names) {
      if (name.kind == ValueKind::Symbol || name.kind == ValueKind::String) c_.depends_on.emplace_back(name.text, name.range);
      else r_.Mismatch(name, "each element of `dependsOn`", "a component name");
    }
  }
}

// Labels kstatec generates (and the selector, which must keep matching the
// pods) cannot be overridden by `labels` or `podLabels`.
std::vector<std::string_view> ComponentBuilder::SelectorKeys() const {
  if (!c_.selector) return {"app.kubernetes.io/name", "app.kubernetes.io/instance"};
  std::vector<std::string_view> keys;
  keys.reserve(c_.selector->size() + 1);
  for (const auto& [key, value] : *c_.selector) keys.push_back(key);
  return keys;
}

void ComponentBuilder::CheckGeneratedLabels(const Value& rec) {
  std::vector<std::string_view> reserved = SelectorKeys();
  reserved.emplace_back("app.kubernetes.io/managed-by");
  for (const char* field : {"labels", "podLabels"}) {
    const Value* v = rec.Get(field);
    if (!v || v->kind != ValueKind::Record) continue;
    for (size_t i = 0; i < v->keys.size(); ++i) {
      if (std::find(reserved.begin(), reserved.end(), v->keys[i]) == reserved.end()) continue;
      r_.diags().Report(K::InvalidLabel, v->items[i].key_range, "label key", v->keys[i],
                        "kstatec sets it, and the StatefulSet selector relies on it")
          .help = "choose another key; to adopt an existing StatefulSet, set `selector` to its labels";
    }
  }
}

void ComponentBuilder::ReadUpdate(const Value& v) {
  c_.update.range = v.range;
  std::string kind = v.kind == ValueKind::Symbol || v.kind == ValueKind::Record ? v.text : std::string();
  if (kind != "rolling" && kind != "onDelete") {
    if (v.kind == ValueKind::Symbol || (v.kind == ValueKind::Record && !v.text.empty())) {
      std::string ignored;
      Value word = v;
      word.kind = ValueKind::Symbol;
      r_.Enum(word, "update strategy", schema::ComponentWords("update"), ignored);
    } else {
      r_.Mismatch(v, "`update`", "`rolling`, `rolling { partition = N }` or `onDelete`");
    }
    return;
  }
  c_.update.on_delete = kind == "onDelete";
  if (v.kind != ValueKind::Record) return;
  if (c_.update.on_delete) {
    r_.CheckKeys(v, "`onDelete`", {});
    return;
  }
  static const std::vector<std::string_view>& kKeys = schema::ComponentKeys("update");
  r_.CheckKeys(v, "`rolling`", kKeys);
  int64_t n = 0;
  if (const Value* p = v.Get("partition"); p && r_.Int(*p, "`partition`", n, 0, INT32_MAX)) {
    c_.update.partition = n;
    c_.update.partition_range = p->range;
  }
  if (const Value* m = v.Get("maxUnavailable")) {
    Value amount;
    if (r_.IntOrPercent(*m, "`maxUnavailable`", amount)) {
      bool zero = (amount.kind == ValueKind::Int && amount.integer == 0) ||
                  (amount.kind == ValueKind::String && amount.text == "0%");
      if (zero) r_.diags().Report(K::MaxUnavailableZero, m->range).help = "remove it for one pod at a time, or set 1 or more";
      else c_.update.max_unavailable = amount;
    }
  }
}

bool ComponentBuilder::ReadTopology(const Value& v, std::string& key) {
  if (v.kind == ValueKind::Symbol) {
    static const std::span<const EnumWord> kWords = schema::ComponentWords("antiAffinity.topology");
    return r_.Enum(v, "topology", kWords, key);
  }
  if (v.kind != ValueKind::String) {
    r_.Mismatch(v, "the topology", "`hostname`, `zone`, `region` or a quoted node label key");
    return false;
  }
  if (v.text.empty()) {
    r_.diags().Report(K::TopologyKeyEmpty, v.range).help = "use `hostname` for one pod per node, or `zone`";
    return false;
  }
  std::string why = base::CheckLabelKey(v.text);
  if (!why.empty()) {
    r_.diags().Report(K::TopologyKeyInvalid, v.range, v.text, why).help =
        "a topology key is a node label key such as `kubernetes.io/hostname`";
    return false;
  }
  key = v.text;
  return true;
}

void ComponentBuilder::ReadAntiAffinity(const Value& v) {
  std::span<const Value> rules = OneOrMany(v);
  for (const Value& rule : rules) {
    if (rule.kind != ValueKind::Record || (rule.text != "required" && rule.text != "preferred")) {
      r_.Mismatch(rule, "`antiAffinity`", "`required(topology)` or `preferred(topology, weight: N)`");
      continue;
    }
    AntiAffinity a;
    a.required = rule.text == "required";
    a.range = rule.range;
    a.weight = 100;
    if (!ReadTopology(*rule.Get("topology"), a.topology_key)) continue;
    if (const Value* w = rule.Get("weight"); w && !r_.Int(*w, "anti-affinity weight", a.weight, 1, 100)) continue;
    c_.anti_affinity.push_back(std::move(a));
  }
}

void ComponentBuilder::ReadSpread(const Value& v) {
  std::span<const Value> rules = OneOrMany(v);
  for (const Value& rule : rules) {
    if (rule.kind != ValueKind::Record || rule.text != "spread") {
      r_.Mismatch(rule, "`spread`", "`spread(topology, maxSkew: 1)`");
      continue;
    }
    Spread s;
    s.range = rule.range;
    if (!ReadTopology(*rule.Get("topology"), s.topology_key)) continue;
    if (const Value* m = rule.Get("maxSkew")) r_.Int(*m, "`maxSkew`", s.max_skew, 1, INT32_MAX);
    if (const Value* w = rule.Get("whenUnsatisfiable")) {
      static const std::span<const EnumWord> kWords = schema::ComponentWords("spread.whenUnsatisfiable");
      r_.Enum(*w, "`whenUnsatisfiable`", kWords, s.when_unsatisfiable);
    }
    int64_t n = 0;
    if (const Value* m = rule.Get("minDomains"); m && r_.Int(*m, "`minDomains`", n, 1, INT32_MAX)) s.min_domains = n;
    c_.spread.push_back(std::move(s));
  }
}

void ComponentBuilder::ReadTolerations(const Value& v) {
  std::span<const Value> rules = OneOrMany(v);
  for (const Value& rule : rules) {
    if (rule.kind != ValueKind::Record || rule.text != "toleration") {
      r_.Mismatch(rule, "`tolerations`", "a list of `toleration(key, value: ..., effect: ...)`");
      continue;
    }
    Toleration t;
    t.range = rule.range;
    if (const Value* k = rule.Get("key")) r_.String(*k, "the toleration key", t.key);
    if (const Value* x = rule.Get("value")) r_.String(*x, "the toleration value", t.value);
    t.op = t.value.empty() ? "Exists" : "Equal";
    static const std::span<const EnumWord> kOperators = schema::ComponentWords("tolerations.operator");
    static const std::span<const EnumWord> kEffects = schema::ComponentWords("tolerations.effect");
    if (const Value* o = rule.Get("operator")) r_.Enum(*o, "toleration operator", kOperators, t.op);
    if (const Value* e = rule.Get("effect")) r_.Enum(*e, "taint effect", kEffects, t.effect);
    int64_t n = 0;
    if (const Value* s = rule.Get("seconds"); s && r_.Seconds(*s, "toleration seconds", n, 0)) t.seconds = n;
    c_.tolerations.push_back(std::move(t));
  }
}

void ComponentBuilder::ReadDisruption(const Value& v) {
  c_.disruption.range = v.range;
  if (v.kind == ValueKind::Symbol && v.text == "none") {
    c_.disruption.mode = Disruption::Mode::None;
    return;
  }
  if (v.kind != ValueKind::Record || (!v.text.empty() && v.text != "disruption")) {
    r_.Mismatch(v, "`disruption`", "`none` or a section `disruption { maxUnavailable = 1 }`");
    return;
  }
  static const std::vector<std::string_view>& kKeys = schema::ComponentKeys("disruption");
  r_.CheckKeys(v, "`disruption`", kKeys);
  const Value* max = v.Get("maxUnavailable");
  const Value* min = v.Get("minAvailable");
  if (max && min) {
    r_.diags().Report(K::BadDisruption, v.range, "a disruption budget sets `maxUnavailable` or `minAvailable`, not both");
    return;
  }
  if (!max && !min) {
    r_.diags().Report(K::BadDisruption, v.range, "a disruption budget needs `maxUnavailable` or `minAvailable`")
        .help = "write `disruption { maxUnavailable = 1 }`, or `disruption = none` for no budget";
    return;
  }
  c_.disruption.mode = max ? Disruption::Mode::MaxUnavailable : Disruption::Mode::MinAvailable;
  r_.IntOrPercent(max ? *max : *min, max ? "`maxUnavailable`" : "`minAvailable`", c_.disruption.amount);
}

void ComponentBuilder::ReadRetention(const Value& v) {
  if (v.kind != ValueKind::Record || (!v.text.empty() && v.text != "retention")) {
    r_.Mismatch(v, "`retention`", "a section `retention { whenDeleted = retain; whenScaled = retain }`");
    return;
  }
  static const std::vector<std::string_view>& kKeys = schema::ComponentKeys("retention");
  r_.CheckKeys(v, "`retention`", kKeys);
  std::string deleted = "Retain", scaled = "Retain";
  static const std::span<const EnumWord> kWhenDeleted = schema::ComponentWords("retention.whenDeleted");
  static const std::span<const EnumWord> kWhenScaled = schema::ComponentWords("retention.whenScaled");
  if (const Value* d = v.Get("whenDeleted")) r_.Enum(*d, "retention", kWhenDeleted, deleted);
  if (const Value* s = v.Get("whenScaled")) r_.Enum(*s, "retention", kWhenScaled, scaled);
  c_.retention = std::make_pair(deleted, scaled);
}

// Patch values become JSON as written: text, whole numbers, booleans, byte
// and CPU quantities (as Kubernetes quantities), lists and records.
bool ComponentBuilder::CheckPatchValue(const Value& v, const std::string& path) {
  switch (v.kind) {
    case ValueKind::Bool:
    case ValueKind::Int:
    case ValueKind::String:
    case ValueKind::Bytes:
    case ValueKind::Milli: return true;
    case ValueKind::List:
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (!CheckPatchValue(v.items[i], fmt::format("{}[{}]", path, i))) return false;
      }
      return true;
    case ValueKind::Record:
      if (!v.text.empty() && !v.section) break;  // a built-in's result (a probe, ...) has no JSON form here
      for (size_t i = 0; i < v.keys.size(); ++i) {
        if (!CheckPatchValue(v.items[i], path.empty() ? v.keys[i] : fmt::format("{}.{}", path, v.keys[i]))) return false;
      }
      return true;
    default: break;
  }
  diag::Diagnostic& d = r_.diags().Report(diag::Kind::TypeMismatch, v.range, fmt::format("patch value `{}`", path),
                                          "text, a whole number, a boolean, a quantity, a list or a record",
                                          Describe(v));
  if (v.kind == ValueKind::Duration) d.help = "Kubernetes fields take durations as a number of seconds";
  if (v.kind == ValueKind::Symbol) d.help = fmt::format("for text, quote it: `\"{}\"`", v.text);
  return false;
}

void ComponentBuilder::ReadPatches(const Value& v) {
  if (v.kind != ValueKind::List) {
    r_.Mismatch(v, "`patch`", "a named section `patch statefulset { ... }`");
    return;
  }
  for (const Value& section : v.items) {
    Patch p;
    p.target = section.Get("name")->text;
    p.target_range = section.KeyRange("name");
    p.range = section.range;
    p.changes = Value::Record({}, section.range);
    for (size_t i = 0; i < section.keys.size(); ++i) {
      if (section.keys[i] == "name") continue;
      if (!CheckPatchValue(section.items[i], section.keys[i])) continue;
      p.changes.Set(section.keys[i], section.items[i].key_range, section.items[i]);
    }
    c_.patches.push_back(std::move(p));
  }
}

}  // namespace kstate::check
