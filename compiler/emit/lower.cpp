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

using internal::Pairs;
using internal::WritePairs;

Pairs SelectorPairs(const Component& c) {
  Pairs pairs;
  if (c.selector) {
    pairs.reserve(c.selector->size());
    for (const auto& [k, v] : *c.selector) pairs.emplace_back(k, v);
  } else {
    pairs.emplace_back("app.kubernetes.io/name", c.name);
    pairs.emplace_back("app.kubernetes.io/instance", c.name);
  }
  return pairs;
}

// Sets each of `extra` (whose keys are unique) in `pairs`: in place where
// `pairs` has the key, else added at the end.
void Merge(Pairs& pairs, const StringPairs& extra) {
  const auto before = static_cast<std::ptrdiff_t>(pairs.size());
  for (const auto& [k, v] : extra) {
    auto end = pairs.begin() + before;
    auto it = std::find_if(pairs.begin(), end, [&k](const auto& p) { return p.first.text() == k; });
    if (it != end) it->second = v;
    else pairs.emplace_back(k, v);
  }
}

// The generated labels, then the user's (which the checker keeps from
// repeating a generated key), each key once.
Pairs ObjectLabels(const Component& c) {
  Pairs labels = SelectorPairs(c);
  labels.reserve(labels.size() + 1 + c.labels.size());
  labels.emplace_back("app.kubernetes.io/managed-by", "kstatec");
  Merge(labels, c.labels);
  return labels;
}

// What the objects of one component share, built once for all of them.
struct Shared {
  explicit Shared(const Component& component)
      : c(component), labels(ObjectLabels(component)), selector(SelectorPairs(component)) {}
  const Component& c;
  Pairs labels;    // every object's labels
  Pairs selector;  // the selector's labels
};

// Starts an object: apiVersion, kind and metadata. `labels` and
// `annotations` replace the component's where given. Cluster-scoped objects
// carry no namespace. The caller adds the rest and ends the object.
template <class B>
void BeginObject(B& b, const Shared& s, std::string_view api_version, std::string_view kind, std::string_view name,
                 SourceRange src, bool cluster = false, const Pairs* labels = nullptr,
                 const Pairs* annotations = nullptr) {
  const Component& c = s.c;
  std::string_view ns = cluster ? std::string_view() : std::string_view(c.namespace_);
  b.BeginObject({api_version, kind, name, ns, c.name, src});
  b.Str("apiVersion", api_version);
  b.Str("kind", kind);
  b.Map("metadata");
  b.Str("name", name, src);
  if (!ns.empty()) b.Str("namespace", ns);
  WritePairs(b, "labels", labels ? *labels : s.labels);
  if (annotations) {
    if (!annotations->empty()) WritePairs(b, "annotations", *annotations);
  } else if (!c.annotations.empty()) {
    WritePairs(b, "annotations", c.annotations);
  }
  b.End();
}

// The component's annotations with `extra` set over them.
Pairs AnnotationsWith(const Component& c, const StringPairs& extra) {
  Pairs pairs;
  pairs.reserve(c.annotations.size() + extra.size());
  for (const auto& [k, v] : c.annotations) pairs.emplace_back(k, v);
  Merge(pairs, extra);
  return pairs;
}

template <class B>
void ServicePorts(B& b, const Component& c, const std::vector<std::string>& only) {
  auto shown = [&](const Port& p) {
    return p.expose && (only.empty() || std::find(only.begin(), only.end(), p.name) != only.end());
  };
  bool any = false;
  auto scan = [&](const Container& k) { any = any || std::any_of(k.ports.begin(), k.ports.end(), shown); };
  scan(c.main);
  for (const Container& k : c.sidecars) scan(k);
  if (!any) return;
  b.List("ports");
  auto add = [&](const Container& k) {
    for (const Port& p : k.ports) {
      if (!shown(p)) continue;
      b.ItemMap(p.range);
      b.Str("name", p.name);
      b.Int("port", p.number);
      b.Str("targetPort", p.name);
      b.Str("protocol", p.protocol);
      b.End();
    }
  };
  add(c.main);
  for (const Container& k : c.sidecars) add(k);
  b.End();
}

template <class B>
void LowerServices(B& b, const Shared& s) {
  const Component& c = s.c;
  Pairs annotations;
  if (!c.service_annotations.empty()) annotations = AnnotationsWith(c, c.service_annotations);
  BeginObject(b, s, "v1", "Service", c.name, c.name_range, false, nullptr,
              c.service_annotations.empty() ? nullptr : &annotations);
  b.Map("spec");
  b.Str("clusterIP", "None");
  if (c.publish_not_ready) b.Bool("publishNotReadyAddresses", true);
  WritePairs(b, "selector", s.selector);
  ServicePorts(b, c, {});
  b.End();
  b.EndObject();

  for (const ClientService& cs : c.clients) {
    Pairs labels = s.labels;
    Merge(labels, cs.labels);
    Pairs merged;
    if (!cs.annotations.empty()) merged = AnnotationsWith(c, cs.annotations);
    BeginObject(b, s, "v1", "Service", cs.name, cs.range, false, &labels,
                cs.annotations.empty() ? nullptr : &merged);
    b.Map("spec");
    b.Str("type", cs.type);
    b.Map("selector");
    for (const auto& [k, v] : s.selector) b.Str(k, v);
    for (const auto& [k, v] : cs.selector) b.Str(k, v);
    b.End();
    ServicePorts(b, c, cs.ports);
    b.End();
    b.EndObject();
  }
}

template <class B>
void WriteRules(B& b, const std::vector<RbacRule>& rules) {
  b.List("rules");
  for (const RbacRule& r : rules) {
    b.ItemMap(r.range);
    auto add = [&](KeyRef key, const std::vector<std::string>& items) {
      if (items.empty()) return;
      b.List(key);
      for (const std::string& item : items) b.ItemStr(item);
      b.End();
    };
    add("apiGroups", r.api_groups);
    add("resources", r.resources);
    add("resourceNames", r.resource_names);
    add("nonResourceURLs", r.non_resource_urls);
    add("verbs", r.verbs);
    b.End();
  }
  b.End();
}

// A Role (or ClusterRole) with `rules` and its binding to the component's
// service account. Cluster-scoped objects carry no namespace.
template <class B>
void LowerRole(B& b, const Shared& s, const std::vector<RbacRule>& rules, bool cluster) {
  if (rules.empty()) return;
  const Component& c = s.c;
  const ServiceAccount& sa = c.service_account;
  std::string name = cluster ? check::ClusterRoleName(c) : sa.name;
  std::string_view kind = cluster ? "ClusterRole" : "Role";
  BeginObject(b, s, "rbac.authorization.k8s.io/v1", kind, name, sa.range, cluster);
  WriteRules(b, rules);
  b.EndObject();
  BeginObject(b, s, "rbac.authorization.k8s.io/v1", cluster ? "ClusterRoleBinding" : "RoleBinding", name, sa.range,
              cluster);
  b.Map("roleRef");
  b.Str("apiGroup", "rbac.authorization.k8s.io");
  b.Str("kind", kind);
  b.Str("name", name);
  b.End();
  b.List("subjects");
  b.ItemMap();
  b.Str("kind", "ServiceAccount");
  b.Str("name", sa.name);
  if (!c.namespace_.empty()) b.Str("namespace", c.namespace_);
  b.End();
  b.End();
  b.EndObject();
}

template <class B>
void WriteClaimTemplate(B& b, const Storage& s) {
  b.ItemMap(s.range);
  b.Map("metadata");
  b.Str("name", s.name);
  if (!s.labels.empty()) WritePairs(b, "labels", s.labels);
  if (!s.annotations.empty()) WritePairs(b, "annotations", s.annotations);
  b.End();
  b.Map("spec");
  b.List("accessModes", s.access_range);
  for (const std::string& m : s.access) b.ItemStr(m);
  b.End();
  if (s.storage_class) b.Str("storageClassName", *s.storage_class);
  b.Map("resources");
  b.Map("requests");
  b.Str("storage", base::FormatBytes(s.size), s.size_range);
  b.End();
  b.End();
  b.End();
  b.End();
}

template <class B>
void LowerStatefulSet(B& b, const Shared& s) {
  const Component& c = s.c;
  BeginObject(b, s, "apps/v1", "StatefulSet", c.name, c.name_range);
  b.Map("spec", c.range);
  b.Str("serviceName", c.name);
  b.Int("replicas", c.replicas, c.replicas_range);
  b.Map("selector", c.selector_range);
  WritePairs(b, "matchLabels", s.selector);
  b.End();
  b.Str("podManagementPolicy", c.ordering, c.ordering_range);
  b.Map("updateStrategy", c.update.range);
  b.Str("type", c.update.on_delete ? "OnDelete" : "RollingUpdate");
  if (!c.update.on_delete && (c.update.partition || c.update.max_unavailable)) {
    b.Map("rollingUpdate");
    if (c.update.partition) b.Int("partition", *c.update.partition);
    if (c.update.max_unavailable) internal::WriteValue(b, "maxUnavailable", *c.update.max_unavailable);
    b.End();
  }
  b.End();
  if (c.min_ready) b.Int("minReadySeconds", *c.min_ready);
  if (c.revision_history) b.Int("revisionHistoryLimit", *c.revision_history);
  if (c.retention) {
    b.Map("persistentVolumeClaimRetentionPolicy");
    b.Str("whenDeleted", c.retention->first);
    b.Str("whenScaled", c.retention->second);
    b.End();
  }
  b.Map("template");
  b.Map("metadata");
  // The pod's labels: the object labels, and podLabels, which win where
  // both name a key.
  Pairs pod_labels = s.labels;
  Merge(pod_labels, c.pod_labels);
  WritePairs(b, "labels", pod_labels);
  if (!c.pod_annotations.empty()) WritePairs(b, "annotations", c.pod_annotations);
  b.End();
  internal::WritePodSpec(b, c, s.selector);
  b.End();
  if (!c.storage.empty()) {
    b.List("volumeClaimTemplates");
    for (const Storage& st : c.storage) WriteClaimTemplate(b, st);
    b.End();
  }
  b.End();
  b.EndObject();
}

template <class B>
void LowerDisruptionBudget(B& b, const Shared& s) {
  const Component& c = s.c;
  const Disruption& d = c.disruption;
  bool pdb = d.mode == Disruption::Mode::MaxUnavailable || d.mode == Disruption::Mode::MinAvailable ||
             (d.mode == Disruption::Mode::Default && c.replicas > 1);
  if (!pdb) return;
  BeginObject(b, s, "policy/v1", "PodDisruptionBudget", c.name, d.range.valid() ? d.range : c.name_range);
  b.Map("spec");
  if (d.mode == Disruption::Mode::MinAvailable) internal::WriteValue(b, "minAvailable", d.amount);
  else if (d.mode == Disruption::Mode::MaxUnavailable) internal::WriteValue(b, "maxUnavailable", d.amount);
  else b.Int("maxUnavailable", 1);
  b.Map("selector");
  WritePairs(b, "matchLabels", s.selector);
  b.End();
  b.End();
  b.EndObject();
}

template <class B>
void Lower(B& b, const Component& c) {
  Shared s(c);
  if (c.service_account.create) {
    const ServiceAccount& account = c.service_account;
    BeginObject(b, s, "v1", "ServiceAccount", account.name, account.range);
    if (account.automount) b.Bool("automountServiceAccountToken", *account.automount);
    b.EndObject();
    LowerRole(b, s, c.service_account.rules, false);
    LowerRole(b, s, c.service_account.cluster_rules, true);
  }
  for (const Config& cfg : c.configs) {
    BeginObject(b, s, "v1", "ConfigMap", cfg.object_name, cfg.range);
    // File names are unique (the checker reports a repeated one).
    b.Map("data");
    for (const ConfigFile& f : cfg.files) b.Str(f.name, f.content, f.range);
    b.End();
    b.EndObject();
  }
  LowerServices(b, s);
  LowerStatefulSet(b, s);
  LowerDisruptionBudget(b, s);
}

}  // namespace

void LowerComponent(const Component& c, std::vector<Object>& out, diag::Diagnostics* patch_diags) {
  size_t first = out.size();
  TreeBuilder b(out);
  Lower(b, c);
  if (!c.patches.empty()) ApplyPatches(c, std::span(out).subspan(first), patch_diags);
}

void AppendObject(std::vector<std::string>& chunks, const Object& o, bool json) {
  std::string& chunk = chunks[static_cast<size_t>(ApplyRank(o.kind)) + 1];
  if (json) {
    AppendJsonListItem(chunk, o.root);
  } else {
    AppendYaml(chunk, o.root);
    chunk += "---\n";
  }
}

void WriteComponent(const Component& c, bool json, std::vector<std::string>& chunks) {
  if (!c.patches.empty()) {
    // Patches change the trees: built, patched, then written.
    std::vector<Object> objects;
    LowerComponent(c, objects);
    for (const Object& o : objects) AppendObject(chunks, o, json);
  } else if (json) {
    JsonBuilder b(chunks);
    Lower(b, c);
  } else {
    YamlBuilder b(chunks);
    Lower(b, c);
  }
}

std::vector<Object> LowerNamespaces(const Program& program) {
  std::vector<Object> out;
  TreeBuilder b(out);
  for (const NamespaceDecl& ns : program.namespaces) {
    if (!ns.create) continue;
    b.BeginObject({"v1", "Namespace", ns.name, {}, {}, ns.range});
    b.Str("apiVersion", "v1");
    b.Str("kind", "Namespace");
    b.Map("metadata");
    b.Str("name", ns.name, ns.range);
    b.Map("labels");
    b.Str("app.kubernetes.io/managed-by", "kstatec");
    for (const auto& [k, v] : ns.labels) b.Str(k, v);
    b.End();
    b.End();
    b.EndObject();
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
