// Patches: target lookup, typed merging into the generated trees, and the
// fields kstate knows without generating them.
#include "compiler/emit/patch.h"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>

#include "compiler/base/quantity.h"
#include "compiler/emit/lower_internal.h"

namespace kstate::emit {

using check::Value;
using check::ValueKind;
using K = diag::Kind;

namespace {

enum class Type : uint8_t { Bool, Int, String, Map, List };

struct KnownField {
  std::string_view path;  // `*` stands for one element of a list of named objects
  Type type;
};

// Fields kstate does not generate but knows the type of, per object kind
// (paths relative to the object). Fields it generates are typed by the
// generated tree itself.
constexpr KnownField kPodFields[] = {
    {"activeDeadlineSeconds", Type::Int}, {"dnsConfig", Type::Map}, {"dnsPolicy", Type::String},
    {"enableServiceLinks", Type::Bool}, {"hostAliases", Type::List}, {"hostIPC", Type::Bool},
    {"hostNetwork", Type::Bool}, {"hostPID", Type::Bool}, {"hostUsers", Type::Bool}, {"hostname", Type::String},
    {"nodeName", Type::String}, {"os", Type::Map}, {"overhead", Type::Map}, {"preemptionPolicy", Type::String},
    {"readinessGates", Type::List}, {"resourceClaims", Type::List}, {"runtimeClassName", Type::String},
    {"schedulerName", Type::String}, {"schedulingGates", Type::List}, {"setHostnameAsFQDN", Type::Bool},
    {"shareProcessNamespace", Type::Bool}, {"subdomain", Type::String}, {"affinity", Type::Map},
    {"topologySpreadConstraints", Type::List}, {"tolerations", Type::List}, {"nodeSelector", Type::Map},
    {"volumes", Type::List}, {"initContainers", Type::List}, {"securityContext", Type::Map},
    {"priorityClassName", Type::String}, {"serviceAccountName", Type::String},
    {"automountServiceAccountToken", Type::Bool}, {"terminationGracePeriodSeconds", Type::Int},
    {"imagePullSecrets", Type::List},
};
constexpr KnownField kContainerFields[] = {
    {"args", Type::List}, {"command", Type::List}, {"env", Type::List}, {"envFrom", Type::List},
    {"image", Type::String}, {"imagePullPolicy", Type::String}, {"lifecycle", Type::Map},
    {"livenessProbe", Type::Map}, {"ports", Type::List}, {"readinessProbe", Type::Map}, {"resizePolicy", Type::List},
    {"resources", Type::Map}, {"restartPolicy", Type::String}, {"securityContext", Type::Map},
    {"startupProbe", Type::Map}, {"stdin", Type::Bool}, {"stdinOnce", Type::Bool},
    {"terminationMessagePath", Type::String}, {"terminationMessagePolicy", Type::String}, {"tty", Type::Bool},
    {"volumeDevices", Type::List}, {"volumeMounts", Type::List}, {"workingDir", Type::String},
};
constexpr KnownField kContainerPortFields[] = {{"containerPort", Type::Int}, {"hostIP", Type::String},
                                              {"hostPort", Type::Int}, {"name", Type::String},
                                              {"protocol", Type::String}};
constexpr KnownField kMetadataFields[] = {{"annotations", Type::Map}, {"labels", Type::Map}, {"finalizers", Type::List}};
constexpr KnownField kStatefulSetSpec[] = {
    {"minReadySeconds", Type::Int}, {"ordinals", Type::Map}, {"persistentVolumeClaimRetentionPolicy", Type::Map},
    {"revisionHistoryLimit", Type::Int}, {"updateStrategy", Type::Map}, {"volumeClaimTemplates", Type::List},
    {"podManagementPolicy", Type::String}, {"replicas", Type::Int},
};
constexpr KnownField kServiceSpec[] = {
    {"allocateLoadBalancerNodePorts", Type::Bool}, {"externalIPs", Type::List}, {"externalName", Type::String},
    {"externalTrafficPolicy", Type::String}, {"healthCheckNodePort", Type::Int}, {"internalTrafficPolicy", Type::String},
    {"ipFamilies", Type::List}, {"ipFamilyPolicy", Type::String}, {"loadBalancerClass", Type::String},
    {"loadBalancerSourceRanges", Type::List}, {"publishNotReadyAddresses", Type::Bool},
    {"sessionAffinity", Type::String}, {"sessionAffinityConfig", Type::Map}, {"trafficDistribution", Type::String},
    {"type", Type::String}, {"ports", Type::List},
};
constexpr KnownField kPdbSpec[] = {{"maxUnavailable", Type::Int}, {"minAvailable", Type::Int},
                                   {"unhealthyPodEvictionPolicy", Type::String}};

template <size_t N>
const KnownField* Lookup(const KnownField (&table)[N], std::string_view key) {
  for (const KnownField& f : table) {
    if (f.path == key) return &f;
  }
  return nullptr;
}

// The type kstate knows for `path` (dotted, `*` for list elements) in `kind`.
const KnownField* Known(std::string_view kind, std::string_view path) {
  auto strip = [&](std::string_view prefix) {
    if (!path.starts_with(prefix)) return false;
    path.remove_prefix(prefix.size());
    return true;
  };
  if (strip("metadata.")) return Lookup(kMetadataFields, path);
  if (kind == "StatefulSet") {
    if (strip("spec.template.metadata.")) return Lookup(kMetadataFields, path);
    if (strip("spec.template.spec.containers.*.") || strip("spec.template.spec.initContainers.*.")) {
      if (strip("ports.*.")) return Lookup(kContainerPortFields, path);
      return Lookup(kContainerFields, path);
    }
    if (strip("spec.template.spec.")) return Lookup(kPodFields, path);
    if (strip("spec.")) return Lookup(kStatefulSetSpec, path);
  }
  if (kind == "Service" && strip("spec.")) return Lookup(kServiceSpec, path);
  if (kind == "PodDisruptionBudget" && strip("spec.")) return Lookup(kPdbSpec, path);
  return nullptr;
}

// Fields whose change breaks what kstate keeps consistent, and what sets them.
std::string_view Guarded(std::string_view path) {
  if (path == "metadata.name" || path == "metadata.namespace") return "the component's name and namespace";
  if (path.starts_with("spec.selector")) return "the component's selector labels";
  if (path == "spec.serviceName") return "the component's name (the governing Service)";
  if (path == "spec.template.metadata.labels" || path.starts_with("spec.template.metadata.labels."))
    return "the selector and `podLabels`";
  return {};
}

// Maps whose keys are data, not fields: anything may be added to them.
bool FreeForm(std::string_view path) {
  std::string_view last = path.substr(path.rfind('.') == std::string_view::npos ? 0 : path.rfind('.') + 1);
  for (std::string_view word : {"labels", "annotations", "matchLabels", "nodeSelector", "data", "binaryData",
                                "requests", "limits", "overhead"}) {
    if (last == word) return true;
  }
  return false;
}

Type TypeOf(const Value& v) {
  switch (v.kind) {
    case ValueKind::Bool: return Type::Bool;
    case ValueKind::Int: return Type::Int;
    case ValueKind::List: return Type::List;
    case ValueKind::Record: return Type::Map;
    default: return Type::String;  // text and quantities
  }
}

Type TypeOf(const Node& n) {
  switch (n.kind) {
    case Node::Kind::Bool: return Type::Bool;
    case Node::Kind::Int: return Type::Int;
    case Node::Kind::List: return Type::List;
    case Node::Kind::Map: return Type::Map;
    default: return Type::String;
  }
}

std::string_view TypeWord(Type t) {
  switch (t) {
    case Type::Bool: return "a boolean";
    case Type::Int: return "a whole number";
    case Type::String: return "text";
    case Type::Map: return "a record";
    case Type::List: return "a list";
  }
  return "a value";
}


// An int-or-string field (maxUnavailable, ports' targetPort) takes either.
bool Compatible(Type want, Type have, std::string_view key) {
  if (want == have) return true;
  bool int_or_string = key == "maxUnavailable" || key == "minAvailable" || key == "targetPort" || key == "port";
  return int_or_string && (want == Type::Int || want == Type::String) && (have == Type::Int || have == Type::String);
}

class Patcher {
 public:
  Patcher(const Object& object, diag::Diagnostics* diags) : kind_(object.kind), diags_(diags) {}

  void Merge(Node& target, const Value& changes, const std::string& path, const std::string& pattern) {
    for (size_t i = 0; i < changes.keys.size(); ++i) {
      const std::string& key = changes.keys[i];
      const Value& value = changes.items[i];
      std::string sub = path.empty() ? key : path + "." + key;
      std::string sub_pattern = pattern.empty() ? key : pattern + "." + key;
      Node* existing = nullptr;
      if (target.kind == Node::Kind::List) {
        existing = Element(target, key);
        sub_pattern = pattern + ".*";
        if (!existing) {
          ReportNoElement(target, key, changes.items[i].key_range, path);
          continue;
        }
      } else {
        existing = target.Find(key);
      }
      if (std::string_view why = Guarded(sub); !why.empty() && Guarded(path).empty() && diags_) {
        diags_->Report(K::PatchOverridesModel, changes.items[i].key_range, sub, why);
      }
      if (existing && value.kind == ValueKind::Record && value.section &&
          (existing->kind == Node::Kind::Map || existing->kind == Node::Kind::List)) {
        Merge(*existing, value, sub, sub_pattern);  // `a.b.c = v`: walk into what exists
        continue;
      }
      if (existing && existing->kind != Node::Kind::Null) {
        if (!Compatible(TypeOf(*existing), TypeOf(value), key)) {
          Report(K::TypeMismatch, value.range, fmt::format("`{}` in the {}", sub, kind_), TypeWord(TypeOf(*existing)),
                 check::Describe(value));
          continue;
        }
        if (existing->kind == Node::Kind::Map && value.kind == ValueKind::Record) {
          Merge(*existing, value, sub, sub_pattern);  // records merge, as in a JSON merge patch
        } else {
          *existing = internal::ValueToNode(value);
        }
        continue;
      }
      const KnownField* known = Known(kind_, sub_pattern);
      if (known && !Compatible(known->type, TypeOf(value), key)) {
        Report(K::TypeMismatch, value.range, fmt::format("`{}` in the {}", sub, kind_), TypeWord(known->type),
               check::Describe(value));
        continue;
      }
      if (!known && value.kind == ValueKind::Record && value.section) {
        Node& child = target.kind == Node::Kind::Map ? target.Child(key, changes.items[i].key_range) : *existing;
        Merge(child, value, sub, sub_pattern);  // an intermediate record of a dotted path
        continue;
      }
      if (!known && !FreeForm(path) && diags_) diags_->Report(K::PatchUnchecked, changes.items[i].key_range, sub, kind_);
      target.Set(key, internal::ValueToNode(value));
    }
  }

 private:
  // The element of a list of named objects called `name`.
  static Node* Element(Node& list, std::string_view name) {
    for (Node& item : list.items) {
      const Node* n = item.Find("name");
      if (n && n->kind == Node::Kind::String && n->string == name) return &item;
    }
    return nullptr;
  }

  void ReportNoElement(const Node& list, std::string_view key, base::SourceRange at, const std::string& path) {
    if (!diags_) return;
    std::vector<std::string_view> names;
    for (const Node& item : list.items) {
      const Node* n = item.Find("name");
      if (n && n->kind == Node::Kind::String) names.push_back(n->string);
    }
    std::string shown;
    for (std::string_view n : names) shown += fmt::format("{}`{}`", shown.empty() ? "" : ", ", n);
    diag::Diagnostic& d = diags_->Report(
        K::UnknownField, at, key,
        fmt::format("`{}`, a list addressed by element name ({})", path, shown.empty() ? "it has none" : shown));
    diag::SuggestClosest(d, key, names);
  }

  template <typename... Args>
  void Report(K kind, base::SourceRange range, Args&&... args) {
    if (diags_) diags_->Report(kind, range, std::forward<Args>(args)...);
  }

  std::string kind_;
  diag::Diagnostics* diags_;
};

// The words `patch` takes, and the kind each names (`service` and `client`
// are both Services, told apart by name).
struct TargetWord {
  std::string_view word, kind;
};
constexpr TargetWord kTargets[] = {
    {"statefulset", "StatefulSet"}, {"service", "Service"}, {"client", "Service"},
    {"pdb", "PodDisruptionBudget"}, {"serviceaccount", "ServiceAccount"}, {"configmap", "ConfigMap"},
    {"role", "Role"}, {"rolebinding", "RoleBinding"}, {"clusterrole", "ClusterRole"},
    {"clusterrolebinding", "ClusterRoleBinding"},
};

// The objects of `c` that `target` names.
std::vector<Object*> Targets(std::string_view target, const check::Component& c, std::span<Object> objects) {
  std::vector<Object*> out;
  for (const TargetWord& t : kTargets) {
    if (t.word != target) continue;
    for (Object& o : objects) {
      bool headless = o.kind == "Service" && o.name == c.name;
      if (o.kind == t.kind && (t.word != "service" || headless) && (t.word != "client" || !headless)) out.push_back(&o);
    }
  }
  return out;
}

}  // namespace

void ApplyPatches(const check::Component& c, std::span<Object> objects, diag::Diagnostics* diags) {
  for (const check::Patch& p : c.patches) {
    std::vector<Object*> targets = Targets(p.target, c, objects);
    if (targets.size() != 1) {
      if (!diags) continue;
      std::vector<std::string_view> present;
      for (const TargetWord& t : kTargets) {
        if (Targets(t.word, c, objects).size() == 1) present.push_back(t.word);
      }
      std::string list;
      for (std::string_view w : present) list += fmt::format("{}`{}`", list.empty() ? "" : ", ", w);
      diag::Diagnostic& d = diags->Report(K::UnknownPatchTarget, p.target_range, p.target, list);
      diag::SuggestClosest(d, p.target, present);
      if (targets.size() > 1) {
        d.help = p.target == "client" ? "the component has several client Services; a patch changes one object"
                                      : "the component has several ConfigMaps; patch them through `config` instead";
      }
      continue;
    }
    Patcher(*targets.front(), diags).Merge(targets.front()->root, p.changes, "", "");
  }
}

}  // namespace kstate::emit
