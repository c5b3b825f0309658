// Lowering of components into objects: metadata and labels, the service account
// and its RBAC roles, the ConfigMaps, the headless and client Services, the
// StatefulSet and its disruption budget.
#include "compiler/emit/lower.h"

#include <algorithm>

#include "compiler/base/quantity.h"
#include "compiler/check/rules.h"
#include "compiler/emit/lower_internal.h"
#include "compiler/emit/patch.h"

namespace kstate::emit {

using namespace check;  // NOLINT(google-build-using-namespace): the model's vocabulary
using internal::LabelsNode;

std::vector<std::pair<std::string, std::string>> SelectorLabels(const Component& c) {
  if (c.selector) return *c.selector;
  return {{"app.kubernetes.io/name", c.name}, {"app.kubernetes.io/instance", c.name}};
}

// Apply order: what others refer to goes first.
int ApplyRank(std::string_view kind) {
  static constexpr std::string_view kOrder[] = {"Namespace", "ServiceAccount", "Role", "RoleBinding",
                                                "ClusterRole", "ClusterRoleBinding", "ConfigMap", "Secret",
                                                "Service", "StatefulSet", "PodDisruptionBudget"};
  for (int i = 0; i < static_cast<int>(std::size(kOrder)); ++i) {
    if (kOrder[i] == kind) return i;
  }
  return static_cast<int>(std::size(kOrder));
}

namespace {

Node SelectorLabelsNode(const Component& c) {
  if (c.selector) return LabelsNode(*c.selector);
  Node n = Node::Map();
  n.members.reserve(2);
  n.AddStr("app.kubernetes.io/name", c.name);
  n.AddStr("app.kubernetes.io/instance", c.name);
  return n;
}

// The member named `key` among the first `n` members of `map`.
Node* FindFirst(Node& map, size_t n, std::string_view key) {
  for (size_t i = 0; i < n; ++i) {
    if (map.members[i].first == key) return &map.members[i].second;
  }
  return nullptr;
}

// The generated labels, then the user's (which the checker keeps from
// repeating a generated key), each key once.
Node ObjectLabels(const Component& c) {
  Node labels = SelectorLabelsNode(c);
  labels.members.reserve(labels.members.size() + 1 + c.labels.size());
  labels.AddStr("app.kubernetes.io/managed-by", "kstatec");
  size_t generated = labels.members.size();
  for (const auto& [k, v] : c.labels) {
    if (Node* existing = FindFirst(labels, generated, k)) existing->string = v;
    else labels.AddStr(k, v);
  }
  return labels;
}

// What the objects of one component share, built once for all of them.
struct Shared {
  explicit Shared(const Component& component)
      : c(component), labels(ObjectLabels(component)), selector(SelectorLabelsNode(component)) {}
  const Component& c;
  Node labels;    // every object's labels
  Node selector;  // the selector's labels
};

// An object with apiVersion, kind and metadata; `more` is how many members
// the caller adds to its root.
Object NewObject(const Shared& s, std::string api_version, std::string kind, std::string name, SourceRange src,
                 size_t more) {
  const Component& c = s.c;
  Object o;
  o.api_version = std::move(api_version);
  o.kind = std::move(kind);
  o.name = std::move(name);
  o.namespace_ = c.namespace_;
  o.component = c.name;
  o.source = src;
  o.root = Node::Map(src);
  o.root.members.reserve(3 + more);
  o.root.AddStr("apiVersion", o.api_version);
  o.root.AddStr("kind", o.kind);
  Node& meta = o.root.AddMap("metadata");
  meta.members.reserve(4);
  meta.AddStr("name", o.name, src);
  if (!o.namespace_.empty()) meta.AddStr("namespace", o.namespace_);
  meta.Add("labels", s.labels);
  if (!c.annotations.empty()) meta.Add("annotations", LabelsNode(c.annotations));
  return o;
}

// {matchLabels: the selector}
Node MatchLabels(const Shared& s) {
  Node n = Node::Map();
  n.Add("matchLabels", s.selector);
  return n;
}

Node ServicePorts(const Component& c, const std::vector<std::string>& only) {
  Node ports = Node::List();
  auto add = [&](const Container& k) {
    for (const Port& p : k.ports) {
      if (!p.expose) continue;
      if (!only.empty() && std::find(only.begin(), only.end(), p.name) == only.end()) continue;
      Node& port = ports.PushMap(p.range);
      port.members.reserve(4);
      port.AddStr("name", p.name);
      port.AddInt("port", p.number);
      port.AddStr("targetPort", p.name);
      port.AddStr("protocol", p.protocol);
    }
  };
  size_t most = c.main.ports.size();
  for (const Container& k : c.sidecars) most += k.ports.size();
  ports.items.reserve(most);
  add(c.main);
  for (const Container& k : c.sidecars) add(k);
  return ports;
}

void LowerServices(const Shared& s, std::vector<Object>& out) {
  const Component& c = s.c;
  Object& headless = out.emplace_back(NewObject(s, "v1", "Service", c.name, c.name_range, 1));
  if (!c.service_annotations.empty()) {
    Node& annotations = headless.root.Child("metadata").Child("annotations");
    for (const auto& [k, v] : c.service_annotations) annotations.Set(k, Node::Str(v));
  }
  Node& spec = headless.root.AddMap("spec");
  spec.members.reserve(4);
  spec.AddStr("clusterIP", "None");
  if (c.publish_not_ready) spec.Add("publishNotReadyAddresses", Node::Bool(true));
  spec.Add("selector", s.selector);
  Node ports = ServicePorts(c, {});
  if (!ports.empty()) spec.Add("ports", std::move(ports));

  for (const ClientService& cs : c.clients) {
    Object& client = out.emplace_back(NewObject(s, "v1", "Service", cs.name, cs.range, 1));
    Node& meta = client.root.members.back().second;
    for (const auto& [k, v] : cs.labels) meta.Child("labels").Set(k, Node::Str(v));
    for (const auto& [k, v] : cs.annotations) meta.Child("annotations").Set(k, Node::Str(v));
    Node& cspec = client.root.AddMap("spec");
    cspec.members.reserve(3);
    cspec.AddStr("type", cs.type);
    Node& selector = cspec.Add("selector", s.selector);
    selector.members.reserve(selector.members.size() + cs.selector.size());
    for (const auto& [k, v] : cs.selector) selector.AddStr(k, v);
    Node cports = ServicePorts(c, cs.ports);
    if (!cports.empty()) cspec.Add("ports", std::move(cports));
  }
}

Node RulesNode(const std::vector<RbacRule>& rules) {
  Node list = Node::List();
  list.items.reserve(rules.size());
  for (const RbacRule& r : rules) {
    Node& rule = list.PushMap(r.range);
    rule.members.reserve(5);
    auto add = [&](Key key, const std::vector<std::string>& items) {
      if (items.empty()) return;
      Node& n = rule.AddList(std::move(key));
      n.items.reserve(items.size());
      for (const std::string& item : items) n.PushStr(item);
    };
    add("apiGroups", r.api_groups);
    add("resources", r.resources);
    add("resourceNames", r.resource_names);
    add("nonResourceURLs", r.non_resource_urls);
    add("verbs", r.verbs);
  }
  return list;
}

// A Role (or ClusterRole) with `rules` and its binding to the component's
// service account. Cluster-scoped objects carry no namespace.
void LowerRole(const Shared& s, const std::vector<RbacRule>& rules, bool cluster, std::vector<Object>& out) {
  if (rules.empty()) return;
  const Component& c = s.c;
  const ServiceAccount& sa = c.service_account;
  std::string name = cluster ? check::ClusterRoleName(c) : sa.name;
  std::string_view kind = cluster ? "ClusterRole" : "Role";
  Object role = NewObject(s, "rbac.authorization.k8s.io/v1", std::string(kind), name, sa.range, 1);
  role.root.Add("rules", RulesNode(rules));
  Object binding = NewObject(s, "rbac.authorization.k8s.io/v1", std::string(kind) + "Binding", name, sa.range, 2);
  Node& ref = binding.root.AddMap("roleRef");
  ref.members.reserve(3);
  ref.AddStr("apiGroup", "rbac.authorization.k8s.io");
  ref.AddStr("kind", kind);
  ref.AddStr("name", name);
  Node& subject = binding.root.AddList("subjects").PushMap();
  subject.members.reserve(3);
  subject.AddStr("kind", "ServiceAccount");
  subject.AddStr("name", sa.name);
  if (!c.namespace_.empty()) subject.AddStr("namespace", c.namespace_);
  for (Object* o : {&role, &binding}) {
    if (!cluster) continue;
    o->namespace_.clear();
    std::erase_if(o->root.Child("metadata").members, [](const auto& m) { return m.first == "namespace"; });
  }
  out.push_back(std::move(role));
  out.push_back(std::move(binding));
}

// The pod template's labels: the object labels, and podLabels, which win
// where both name a key.
Node PodLabels(const Shared& s) {
  Node labels = s.labels;
  size_t generated = labels.members.size();
  labels.members.reserve(generated + s.c.pod_labels.size());
  for (const auto& [k, v] : s.c.pod_labels) {
    if (Node* existing = FindFirst(labels, generated, k)) existing->string = v;
    else labels.AddStr(k, v);
  }
  return labels;
}

Node ClaimTemplate(const Storage& s) {
  Node claim = Node::Map(s.range);
  claim.members.reserve(2);
  Node& cmeta = claim.AddMap("metadata");
  cmeta.members.reserve(3);
  cmeta.AddStr("name", s.name);
  if (!s.labels.empty()) cmeta.Add("labels", LabelsNode(s.labels));
  if (!s.annotations.empty()) cmeta.Add("annotations", LabelsNode(s.annotations));
  Node& cspec = claim.AddMap("spec");
  cspec.members.reserve(3);
  Node& modes = cspec.AddList("accessModes", s.access_range);
  modes.items.reserve(s.access.size());
  for (const std::string& m : s.access) modes.PushStr(m);
  if (s.storage_class) cspec.AddStr("storageClassName", *s.storage_class);
  cspec.AddMap("resources").AddMap("requests").AddStr("storage", base::FormatBytes(s.size), s.size_range);
  return claim;
}

void LowerStatefulSet(const Shared& s, std::vector<Object>& out) {
  const Component& c = s.c;
  Object& sts = out.emplace_back(NewObject(s, "apps/v1", "StatefulSet", c.name, c.name_range, 1));
  Node& spec = sts.root.AddMap("spec", c.range);
  spec.members.reserve(10);
  spec.AddStr("serviceName", c.name);
  spec.AddInt("replicas", c.replicas, c.replicas_range);
  spec.AddMap("selector", c.selector_range).Add("matchLabels", s.selector);
  spec.AddStr("podManagementPolicy", c.ordering, c.ordering_range);
  Node& update = spec.AddMap("updateStrategy", c.update.range);
  update.AddStr("type", c.update.on_delete ? "OnDelete" : "RollingUpdate");
  if (!c.update.on_delete && (c.update.partition || c.update.max_unavailable)) {
    Node& rolling = update.AddMap("rollingUpdate");
    if (c.update.partition) rolling.AddInt("partition", *c.update.partition);
    if (c.update.max_unavailable) rolling.Add("maxUnavailable", internal::ValueToNode(*c.update.max_unavailable));
  }
  if (c.min_ready) spec.AddInt("minReadySeconds", *c.min_ready);
  if (c.revision_history) spec.AddInt("revisionHistoryLimit", *c.revision_history);
  if (c.retention) {
    Node& policy = spec.AddMap("persistentVolumeClaimRetentionPolicy");
    policy.members.reserve(2);
    policy.AddStr("whenDeleted", c.retention->first);
    policy.AddStr("whenScaled", c.retention->second);
  }
  Node& tmpl = spec.AddMap("template");
  tmpl.members.reserve(2);
  Node& meta = tmpl.AddMap("metadata");
  meta.members.reserve(2);
  meta.Add("labels", PodLabels(s));
  if (!c.pod_annotations.empty()) meta.Add("annotations", LabelsNode(c.pod_annotations));
  tmpl.Add("spec", internal::PodSpec(c, s.selector));
  if (!c.storage.empty()) {
    Node& claims = spec.AddList("volumeClaimTemplates");
    claims.items.reserve(c.storage.size());
    for (const Storage& st : c.storage) claims.Push(ClaimTemplate(st));
  }
}

void LowerDisruptionBudget(const Shared& s, std::vector<Object>& out) {
  const Component& c = s.c;
  const Disruption& d = c.disruption;
  bool pdb = d.mode == Disruption::Mode::MaxUnavailable || d.mode == Disruption::Mode::MinAvailable ||
             (d.mode == Disruption::Mode::Default && c.replicas > 1);
  if (!pdb) return;
  Object& budget = out.emplace_back(
      NewObject(s, "policy/v1", "PodDisruptionBudget", c.name, d.range.valid() ? d.range : c.name_range, 1));
  Node& spec = budget.root.AddMap("spec");
  spec.members.reserve(2);
  if (d.mode == Disruption::Mode::MinAvailable) spec.Add("minAvailable", internal::ValueToNode(d.amount));
  else if (d.mode == Disruption::Mode::MaxUnavailable) spec.Add("maxUnavailable", internal::ValueToNode(d.amount));
  else spec.AddInt("maxUnavailable", 1);
  spec.Add("selector", MatchLabels(s));
}

}  // namespace

void LowerComponent(const Component& c, std::vector<Object>& out, diag::Diagnostics* patch_diags) {
  size_t first = out.size();
  Shared s(c);
  if (c.service_account.create) {
    const ServiceAccount& account = c.service_account;
    Object& sa = out.emplace_back(NewObject(s, "v1", "ServiceAccount", account.name, account.range, 1));
    if (account.automount) sa.root.Add("automountServiceAccountToken", Node::Bool(*account.automount));
    LowerRole(s, c.service_account.rules, false, out);
    LowerRole(s, c.service_account.cluster_rules, true, out);
  }
  for (const Config& cfg : c.configs) {
    Object& cm = out.emplace_back(NewObject(s, "v1", "ConfigMap", cfg.object_name, cfg.range, 1));
    Node& data = cm.root.AddMap("data");
    data.members.reserve(cfg.files.size());
    for (const ConfigFile& f : cfg.files) data.Set(f.name, Node::Str(f.content, f.range));
  }
  LowerServices(s, out);
  LowerStatefulSet(s, out);
  LowerDisruptionBudget(s, out);
  if (!c.patches.empty()) ApplyPatches(c, std::span(out).subspan(first), patch_diags);
}

std::vector<Object> LowerNamespaces(const Program& program) {
  std::vector<Object> out;
  for (const NamespaceDecl& ns : program.namespaces) {
    if (!ns.create) continue;
    Object o;
    o.api_version = "v1";
    o.kind = "Namespace";
    o.name = ns.name;
    o.source = ns.range;
    o.root = Node::Map(ns.range);
    o.root.Set("apiVersion", Node::Str("v1"));
    o.root.Set("kind", Node::Str("Namespace"));
    Node& meta = o.root.Child("metadata");
    meta.Set("name", Node::Str(ns.name, ns.range));
    StringPairs labels = {{"app.kubernetes.io/managed-by", "kstatec"}};
    labels.insert(labels.end(), ns.labels.begin(), ns.labels.end());
    meta.Set("labels", LabelsNode(labels));
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<Object> Lower(const Program& program) {
  std::vector<Object> out = LowerNamespaces(program);
  out.reserve(program.components.size() * 4 + out.size());
  for (const Component& c : program.components) LowerComponent(c, out);
  std::stable_sort(out.begin(), out.end(),
                   [](const Object& a, const Object& b) { return ApplyRank(a.kind) < ApplyRank(b.kind); });
  return out;
}

}  // namespace kstate::emit
