// Lowering of components into objects: metadata and labels, the service account
// and its RBAC roles, the ConfigMaps, the headless and client Services, the
// StatefulSet and its disruption budget.
#include "compiler/emit/lower.h"

#include <algorithm>
#include <unordered_map>

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

// The generated labels, then the user's (which the checker keeps from
// repeating a generated key), each key once.
StringPairs ObjectLabels(const Component& c) {
  StringPairs labels = SelectorLabels(c);
  labels.emplace_back("app.kubernetes.io/managed-by", "kstatec");
  size_t generated = labels.size();
  for (const auto& [k, v] : c.labels) {
    auto end = labels.begin() + static_cast<std::ptrdiff_t>(generated);
    auto it = std::find_if(labels.begin(), end, [&](const auto& p) { return p.first == k; });
    if (it == end) labels.emplace_back(k, v);
    else it->second = v;
  }
  return labels;
}

Object NewObject(const Component& c, std::string api_version, std::string kind, std::string name, SourceRange src) {
  Object o;
  o.api_version = std::move(api_version);
  o.kind = std::move(kind);
  o.name = std::move(name);
  o.namespace_ = c.namespace_;
  o.component = c.name;
  o.source = src;
  o.root = Node::Map(src);
  o.root.Set("apiVersion", Node::Str(o.api_version));
  o.root.Set("kind", Node::Str(o.kind));
  Node& meta = o.root.Child("metadata");
  meta.Set("name", Node::Str(o.name, src));
  if (!o.namespace_.empty()) meta.Set("namespace", Node::Str(o.namespace_));
  meta.Set("labels", LabelsNode(ObjectLabels(c)));
  if (!c.annotations.empty()) meta.Set("annotations", LabelsNode(c.annotations));
  return o;
}

Node ServicePorts(const Component& c, const std::vector<std::string>& only) {
  Node ports = Node::List();
  auto add = [&](const Container& k) {
    for (const Port& p : k.ports) {
      if (!p.expose) continue;
      if (!only.empty() && std::find(only.begin(), only.end(), p.name) == only.end()) continue;
      Node port = Node::Map(p.range);
      port.Set("name", Node::Str(p.name));
      port.Set("port", Node::Int(p.number));
      port.Set("targetPort", Node::Str(p.name));
      port.Set("protocol", Node::Str(p.protocol));
      ports.Push(std::move(port));
    }
  };
  add(c.main);
  for (const Container& k : c.sidecars) add(k);
  return ports;
}

void LowerServices(const Component& c, std::vector<Object>& out) {
  Object headless = NewObject(c, "v1", "Service", c.name, c.name_range);
  if (!c.service_annotations.empty()) {
    Node& annotations = headless.root.Child("metadata").Child("annotations");
    for (const auto& [k, v] : c.service_annotations) annotations.Set(k, Node::Str(v));
  }
  Node& spec = headless.root.Child("spec");
  spec.Set("clusterIP", Node::Str("None"));
  if (c.publish_not_ready) spec.Set("publishNotReadyAddresses", Node::Bool(true));
  spec.Set("selector", LabelsNode(SelectorLabels(c)));
  Node ports = ServicePorts(c, {});
  if (!ports.empty()) spec.Set("ports", std::move(ports));
  out.push_back(std::move(headless));

  for (const ClientService& cs : c.clients) {
    Object client = NewObject(c, "v1", "Service", cs.name, cs.range);
    Node& meta = client.root.Child("metadata");
    for (const auto& [k, v] : cs.labels) meta.Child("labels").Set(k, Node::Str(v));
    for (const auto& [k, v] : cs.annotations) meta.Child("annotations").Set(k, Node::Str(v));
    Node& cspec = client.root.Child("spec");
    cspec.Set("type", Node::Str(cs.type));
    StringPairs selector = SelectorLabels(c);
    selector.insert(selector.end(), cs.selector.begin(), cs.selector.end());
    cspec.Set("selector", LabelsNode(selector));
    Node cports = ServicePorts(c, cs.ports);
    if (!cports.empty()) cspec.Set("ports", std::move(cports));
    out.push_back(std::move(client));
  }
}

Node RulesNode(const std::vector<RbacRule>& rules) {
  Node list = Node::List();
  for (const RbacRule& r : rules) {
    Node rule = Node::Map(r.range);
    auto add = [&](std::string_view key, const std::vector<std::string>& items) {
      if (items.empty()) return;
      Node& n = rule.Add(key, Node::List());
      for (const std::string& item : items) n.Push(Node::Str(item));
    };
    add("apiGroups", r.api_groups);
    add("resources", r.resources);
    add("resourceNames", r.resource_names);
    add("nonResourceURLs", r.non_resource_urls);
    add("verbs", r.verbs);
    list.Push(std::move(rule));
  }
  return list;
}

// A Role (or ClusterRole) with `rules` and its binding to the component's
// service account. Cluster-scoped objects carry no namespace.
void LowerRole(const Component& c, const std::vector<RbacRule>& rules, bool cluster, std::vector<Object>& out) {
  if (rules.empty()) return;
  const ServiceAccount& sa = c.service_account;
  std::string name = cluster ? check::ClusterRoleName(c) : sa.name;
  std::string_view kind = cluster ? "ClusterRole" : "Role";
  Object role = NewObject(c, "rbac.authorization.k8s.io/v1", std::string(kind), name, sa.range);
  role.root.Set("rules", RulesNode(rules));
  Object binding = NewObject(c, "rbac.authorization.k8s.io/v1", std::string(kind) + "Binding", name, sa.range);
  Node& ref = binding.root.Child("roleRef");
  ref.Set("apiGroup", Node::Str("rbac.authorization.k8s.io"));
  ref.Set("kind", Node::Str(std::string(kind)));
  ref.Set("name", Node::Str(name));
  Node subject = Node::Map();
  subject.Set("kind", Node::Str("ServiceAccount"));
  subject.Set("name", Node::Str(sa.name));
  if (!c.namespace_.empty()) subject.Set("namespace", Node::Str(c.namespace_));
  binding.root.Set("subjects", Node::List()).Push(std::move(subject));
  for (Object* o : {&role, &binding}) {
    if (!cluster) continue;
    o->namespace_.clear();
    std::erase_if(o->root.Child("metadata").members, [](const auto& m) { return m.first == "namespace"; });
  }
  out.push_back(std::move(role));
  out.push_back(std::move(binding));
}

void LowerStatefulSet(const Component& c, std::vector<Object>& out) {
  Object sts = NewObject(c, "apps/v1", "StatefulSet", c.name, c.name_range);
  Node& spec = sts.root.Child("spec", c.range);
  spec.Set("serviceName", Node::Str(c.name));
  spec.Set("replicas", Node::Int(c.replicas, c.replicas_range));
  Node& selector = spec.Child("selector", c.selector_range);
  selector.Set("matchLabels", LabelsNode(SelectorLabels(c)));
  spec.Set("podManagementPolicy", Node::Str(c.ordering, c.ordering_range));
  Node& update = spec.Child("updateStrategy", c.update.range);
  update.Set("type", Node::Str(c.update.on_delete ? "OnDelete" : "RollingUpdate"));
  if (!c.update.on_delete && (c.update.partition || c.update.max_unavailable)) {
    Node& rolling = update.Child("rollingUpdate");
    if (c.update.partition) rolling.Set("partition", Node::Int(*c.update.partition));
    if (c.update.max_unavailable) rolling.Set("maxUnavailable", internal::ValueToNode(*c.update.max_unavailable));
  }
  if (c.min_ready) spec.Set("minReadySeconds", Node::Int(*c.min_ready));
  if (c.revision_history) spec.Set("revisionHistoryLimit", Node::Int(*c.revision_history));
  if (c.retention) {
    Node& policy = spec.Child("persistentVolumeClaimRetentionPolicy");
    policy.Set("whenDeleted", Node::Str(c.retention->first));
    policy.Set("whenScaled", Node::Str(c.retention->second));
  }
  Node& tmpl = spec.Child("template");
  Node& meta = tmpl.Child("metadata");
  StringPairs pod_labels = ObjectLabels(c);
  // podLabels add to the object labels and win where both name a key.
  std::unordered_map<std::string_view, size_t> position;
  for (size_t i = 0; i < pod_labels.size(); ++i) position.emplace(pod_labels[i].first, i);
  for (const auto& [k, v] : c.pod_labels) {
    if (auto it = position.find(k); it != position.end()) pod_labels[it->second].second = v;
    else pod_labels.emplace_back(k, v);
  }
  meta.Set("labels", LabelsNode(pod_labels));
  if (!c.pod_annotations.empty()) meta.Set("annotations", LabelsNode(c.pod_annotations));
  tmpl.Set("spec", internal::PodSpec(c));
  if (!c.storage.empty()) {
    Node& claims = spec.Set("volumeClaimTemplates", Node::List());
    for (const Storage& s : c.storage) {
      Node claim = Node::Map(s.range);
      Node& cmeta = claim.Child("metadata");
      cmeta.Set("name", Node::Str(s.name));
      if (!s.labels.empty()) cmeta.Set("labels", LabelsNode(s.labels));
      if (!s.annotations.empty()) cmeta.Set("annotations", LabelsNode(s.annotations));
      Node& cspec = claim.Child("spec");
      Node& modes = cspec.Set("accessModes", Node::List(s.access_range));
      for (const std::string& m : s.access) modes.Push(Node::Str(m));
      if (s.storage_class) cspec.Set("storageClassName", Node::Str(*s.storage_class));
      cspec.Child("resources").Child("requests").Set("storage", Node::Str(base::FormatBytes(s.size), s.size_range));
      claims.Push(std::move(claim));
    }
  }
  out.push_back(std::move(sts));
}

}  // namespace

namespace {

void LowerDisruptionBudget(const Component& c, std::vector<Object>& out) {
  const Disruption& d = c.disruption;
  bool pdb = d.mode == Disruption::Mode::MaxUnavailable || d.mode == Disruption::Mode::MinAvailable ||
             (d.mode == Disruption::Mode::Default && c.replicas > 1);
  if (!pdb) return;
  Object budget = NewObject(c, "policy/v1", "PodDisruptionBudget", c.name, d.range.valid() ? d.range : c.name_range);
  Node& spec = budget.root.Child("spec");
  if (d.mode == Disruption::Mode::MinAvailable) spec.Set("minAvailable", internal::ValueToNode(d.amount));
  else if (d.mode == Disruption::Mode::MaxUnavailable) spec.Set("maxUnavailable", internal::ValueToNode(d.amount));
  else spec.Set("maxUnavailable", Node::Int(1));
  spec.Child("selector").Set("matchLabels", LabelsNode(SelectorLabels(c)));
  out.push_back(std::move(budget));
}

}  // namespace

void LowerComponent(const Component& c, std::vector<Object>& out, diag::Diagnostics* patch_diags) {
  size_t first = out.size();
  if (c.service_account.create) {
    Object sa = NewObject(c, "v1", "ServiceAccount", c.service_account.name, c.service_account.range);
    if (c.service_account.automount) sa.root.Set("automountServiceAccountToken", Node::Bool(*c.service_account.automount));
    out.push_back(std::move(sa));
    LowerRole(c, c.service_account.rules, false, out);
    LowerRole(c, c.service_account.cluster_rules, true, out);
  }
  for (const Config& cfg : c.configs) {
    Object cm = NewObject(c, "v1", "ConfigMap", cfg.object_name, cfg.range);
    Node& data = cm.root.Child("data");
    for (const ConfigFile& f : cfg.files) data.Set(f.name, Node::Str(f.content, f.range));
    out.push_back(std::move(cm));
  }
  LowerServices(c, out);
  LowerStatefulSet(c, out);
  LowerDisruptionBudget(c, out);
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
