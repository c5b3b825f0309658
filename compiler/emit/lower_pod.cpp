// Lowering of the pod template: containers, probes, env, resources, mounts,
// volumes and scheduling.
#include <fmt/format.h>

#include "compiler/base/quantity.h"
#include "compiler/emit/lower.h"
#include "compiler/emit/lower_internal.h"

namespace kstate::emit::internal {

using namespace check;  // NOLINT(google-build-using-namespace): the model's vocabulary

Node LabelsNode(const std::vector<std::pair<std::string, std::string>>& labels) {
  // Keys are unique: labels come from records, whose keys the checker keeps unique.
  Node n = Node::Map();
  n.members.reserve(labels.size());
  for (const auto& [k, v] : labels) n.Add(k, Node::Str(v));
  return n;
}

Node ValueToNode(const Value& v) {
  switch (v.kind) {
    case ValueKind::Bool: return Node::Bool(v.boolean, v.range);
    case ValueKind::Int: return Node::Int(v.integer, v.range);
    case ValueKind::String:
    case ValueKind::Symbol: return Node::Str(v.text, v.range);
    case ValueKind::Bytes: return Node::Str(base::FormatBytes(v.integer), v.range);
    case ValueKind::Milli: return Node::Str(base::FormatMillicores(v.integer), v.range);
    case ValueKind::List: {
      Node n = Node::List(v.range);
      for (const Value& item : v.items) n.Push(ValueToNode(item));
      return n;
    }
    case ValueKind::Record: {
      Node n = Node::Map(v.range);
      for (size_t i = 0; i < v.keys.size(); ++i) n.Set(v.keys[i], ValueToNode(v.items[i]));
      return n;
    }
    default: return Node{};
  }
}

namespace {

Node StringList(const std::vector<std::string>& items) {
  Node n = Node::List();
  for (const std::string& s : items) n.Push(Node::Str(s));
  return n;
}

// [{name: k, value: v}, ...] (or any two field names) from pairs.
Node PairList(const StringPairs& pairs, std::string_view first, std::string_view second) {
  Node list = Node::List();
  for (const auto& [a, b] : pairs) {
    Node item = Node::Map();
    item.Add(first, Node::Str(a));
    item.Add(second, Node::Str(b));
    list.Push(std::move(item));
  }
  return list;
}

Node PortNode(const PortRef& p, const Container& k, bool numeric) {
  if (p.number) return Node::Int(p.number, p.range);
  if (numeric) {  // gRPC probes take numbers only
    for (const Port& port : k.ports) {
      if (port.name == p.name) return Node::Int(port.number, p.range);
    }
  }
  return Node::Str(p.name, p.range);
}

Node HandlerNode(const Probe& p, const Container& k) {
  Node n = Node::Map(p.range);
  switch (p.handler) {
    case Probe::Handler::Exec: n.Child("exec").Set("command", StringList(p.command)); break;
    case Probe::Handler::Http: {
      Node& h = n.Child("httpGet");
      h.Set("path", Node::Str(p.path));
      h.Set("port", PortNode(p.port, k, false));
      if (!p.scheme.empty()) h.Set("scheme", Node::Str(p.scheme));
      if (!p.host.empty()) h.Set("host", Node::Str(p.host));
      if (!p.headers.empty()) h.Set("httpHeaders", PairList(p.headers, "name", "value"));
      break;
    }
    case Probe::Handler::Tcp: n.Child("tcpSocket").Set("port", PortNode(p.port, k, false)); break;
    case Probe::Handler::Grpc: {
      Node& g = n.Child("grpc");
      g.Set("port", PortNode(p.port, k, true));
      if (!p.service.empty()) g.Set("service", Node::Str(p.service));
      break;
    }
  }
  return n;
}

Node ProbeNode(const Probe& p, const Container& k) {
  Node n = HandlerNode(p, k);
  if (p.initial_delay) n.Set("initialDelaySeconds", Node::Int(*p.initial_delay));
  if (p.period) n.Set("periodSeconds", Node::Int(*p.period));
  if (p.timeout) n.Set("timeoutSeconds", Node::Int(*p.timeout));
  if (p.success) n.Set("successThreshold", Node::Int(*p.success));
  if (p.failure) n.Set("failureThreshold", Node::Int(*p.failure));
  if (p.termination_grace) n.Set("terminationGracePeriodSeconds", Node::Int(*p.termination_grace));
  return n;
}

Node EnvNode(const EnvVar& e) {
  Node n = Node::Map(e.range);
  n.Set("name", Node::Str(e.name, e.range));
  if (e.source == EnvVar::Source::Literal) {
    n.Set("value", Node::Str(e.value));
    return n;
  }
  Node& from = n.Child("valueFrom");
  switch (e.source) {
    case EnvVar::Source::SecretKey:
    case EnvVar::Source::ConfigMapKey: {
      Node& ref = from.Child(e.source == EnvVar::Source::SecretKey ? "secretKeyRef" : "configMapKeyRef");
      ref.Set("name", Node::Str(e.ref_name));
      ref.Set("key", Node::Str(e.ref_key));
      if (e.optional) ref.Set("optional", Node::Bool(*e.optional));
      break;
    }
    case EnvVar::Source::PodField: from.Child("fieldRef").Set("fieldPath", Node::Str(e.value)); break;
    case EnvVar::Source::ResourceField: {
      Node& ref = from.Child("resourceFieldRef");
      if (!e.ref_name.empty()) ref.Set("containerName", Node::Str(e.ref_name));
      ref.Set("resource", Node::Str(e.value));
      if (!e.ref_key.empty()) ref.Set("divisor", Node::Str(e.ref_key));
      break;
    }
    case EnvVar::Source::Literal: break;
  }
  return n;
}

Node ResourcesNode(const Resources& r) {
  Node n = Node::Map(r.range);
  auto put = [&](const char* group, const char* key, const std::optional<int64_t>& v, bool cpu) {
    if (!v) return;
    n.Child(group).Set(key, Node::Str(cpu ? base::FormatMillicores(*v) : base::FormatBytes(*v)));
  };
  put("requests", "cpu", r.cpu_request, true);
  put("requests", "memory", r.memory_request, false);
  put("requests", "ephemeral-storage", r.ephemeral_request, false);
  put("limits", "cpu", r.cpu_limit, true);
  put("limits", "memory", r.memory_limit, false);
  put("limits", "ephemeral-storage", r.ephemeral_limit, false);
  return n;
}

Node ContainerNode(const Container& k) {
  Node n = Node::Map(k.range);
  n.Set("name", Node::Str(k.name, k.name_range));
  n.Set("image", Node::Str(k.image, k.image_range));
  if (!k.pull_policy.empty()) n.Set("imagePullPolicy", Node::Str(k.pull_policy));
  if (k.command) n.Set("command", StringList(*k.command));
  if (k.args) n.Set("args", StringList(*k.args));
  if (!k.working_dir.empty()) n.Set("workingDir", Node::Str(k.working_dir));
  if (!k.ports.empty()) {
    Node& ports = n.Set("ports", Node::List());
    for (const Port& p : k.ports) {
      Node port = Node::Map(p.range);
      port.Set("name", Node::Str(p.name));
      port.Set("containerPort", Node::Int(p.number));
      port.Set("protocol", Node::Str(p.protocol));
      ports.Push(std::move(port));
    }
  }
  if (!k.env.empty()) {
    Node& env = n.Set("env", Node::List());
    for (const EnvVar& e : k.env) env.Push(EnvNode(e));
  }
  if (!k.env_from.empty()) {
    Node& list = n.Set("envFrom", Node::List());
    for (const EnvFrom& e : k.env_from) {
      Node item = Node::Map(e.range);
      if (!e.prefix.empty()) item.Set("prefix", Node::Str(e.prefix));
      Node& ref = item.Child(e.secret ? "secretRef" : "configMapRef");
      ref.Set("name", Node::Str(e.name));
      if (e.optional) ref.Set("optional", Node::Bool(*e.optional));
      list.Push(std::move(item));
    }
  }
  Node resources = ResourcesNode(k.resources);
  if (!resources.empty()) n.Set("resources", std::move(resources));
  if (!k.mounts.empty()) {
    Node& mounts = n.Set("volumeMounts", Node::List());
    for (const Mount& m : k.mounts) {
      Node mount = Node::Map(m.range);
      mount.Set("name", Node::Str(m.volume, m.volume_range));
      mount.Set("mountPath", Node::Str(m.path, m.path_range));
      if (!m.sub_path.empty()) mount.Set("subPath", Node::Str(m.sub_path));
      if (m.read_only) mount.Set("readOnly", Node::Bool(true));
      mounts.Push(std::move(mount));
    }
  }
  if (k.liveness) n.Set("livenessProbe", ProbeNode(*k.liveness, k));
  if (k.readiness) n.Set("readinessProbe", ProbeNode(*k.readiness, k));
  if (k.startup) n.Set("startupProbe", ProbeNode(*k.startup, k));
  if (k.pre_stop || k.post_start) {
    Node& lifecycle = n.Child("lifecycle");
    if (k.post_start) lifecycle.Set("postStart", HandlerNode(*k.post_start, k));
    if (k.pre_stop) lifecycle.Set("preStop", HandlerNode(*k.pre_stop, k));
  }
  if (k.security_context) n.Set("securityContext", ValueToNode(*k.security_context));
  if (!k.restart_policy.empty()) n.Set("restartPolicy", Node::Str(k.restart_policy));
  return n;
}

Node SelectorNode(const Component& c) {
  Node n = Node::Map();
  n.Set("matchLabels", LabelsNode(SelectorLabels(c)));
  return n;
}

void AddScheduling(const Component& c, Node& spec) {
  if (!c.anti_affinity.empty()) {
    Node& anti = spec.Child("affinity").Child("podAntiAffinity");
    for (const AntiAffinity& a : c.anti_affinity) {
      Node term = Node::Map(a.range);
      term.Set("labelSelector", SelectorNode(c));
      term.Set("topologyKey", Node::Str(a.topology_key, a.range));
      if (a.required) {
        Node* list = anti.Find("requiredDuringSchedulingIgnoredDuringExecution");
        if (!list) list = &anti.Set("requiredDuringSchedulingIgnoredDuringExecution", Node::List());
        list->Push(std::move(term));
      } else {
        Node* list = anti.Find("preferredDuringSchedulingIgnoredDuringExecution");
        if (!list) list = &anti.Set("preferredDuringSchedulingIgnoredDuringExecution", Node::List());
        Node weighted = Node::Map(a.range);
        weighted.Set("weight", Node::Int(a.weight));
        weighted.Set("podAffinityTerm", std::move(term));
        list->Push(std::move(weighted));
      }
    }
  }
  if (!c.spread.empty()) {
    Node& list = spec.Set("topologySpreadConstraints", Node::List());
    for (const Spread& s : c.spread) {
      Node n = Node::Map(s.range);
      n.Set("maxSkew", Node::Int(s.max_skew));
      n.Set("topologyKey", Node::Str(s.topology_key));
      n.Set("whenUnsatisfiable", Node::Str(s.when_unsatisfiable));
      n.Set("labelSelector", SelectorNode(c));
      if (s.min_domains) n.Set("minDomains", Node::Int(*s.min_domains));
      list.Push(std::move(n));
    }
  }
  if (!c.node_selector.empty()) spec.Set("nodeSelector", LabelsNode(c.node_selector));
  if (!c.tolerations.empty()) {
    Node& list = spec.Set("tolerations", Node::List());
    for (const Toleration& t : c.tolerations) {
      Node n = Node::Map(t.range);
      if (!t.key.empty()) n.Set("key", Node::Str(t.key));
      n.Set("operator", Node::Str(t.op));
      if (!t.value.empty()) n.Set("value", Node::Str(t.value));
      if (!t.effect.empty()) n.Set("effect", Node::Str(t.effect));
      if (t.seconds) n.Set("tolerationSeconds", Node::Int(*t.seconds));
      list.Push(std::move(n));
    }
  }
  if (!c.priority_class.empty()) spec.Set("priorityClassName", Node::Str(c.priority_class));
}

Node VolumesNode(const Component& c) {
  Node list = Node::List();
  for (const Config& cfg : c.configs) {
    Node v = Node::Map(cfg.range);
    v.Set("name", Node::Str(cfg.name));
    Node& cm = v.Child("configMap");
    cm.Set("name", Node::Str(cfg.object_name));
    if (cfg.mode) cm.Set("defaultMode", Node::Int(*cfg.mode));
    list.Push(std::move(v));
  }
  for (const SecretVolume& s : c.secrets) {
    Node v = Node::Map(s.range);
    v.Set("name", Node::Str(s.name));
    Node& sec = v.Child("secret");
    sec.Set("secretName", Node::Str(s.secret_name));
    if (s.mode) sec.Set("defaultMode", Node::Int(*s.mode));
    if (!s.items.empty()) sec.Set("items", PairList(s.items, "key", "path"));
    if (s.optional) sec.Set("optional", Node::Bool(*s.optional));
    list.Push(std::move(v));
  }
  for (const Scratch& s : c.scratch) {
    Node v = Node::Map(s.range);
    v.Set("name", Node::Str(s.name));
    Node& dir = v.Child("emptyDir");
    if (!s.medium.empty()) dir.Set("medium", Node::Str(s.medium));
    if (s.size) dir.Set("sizeLimit", Node::Str(base::FormatBytes(*s.size)));
    list.Push(std::move(v));
  }
  return list;
}

}  // namespace

Node PodSpec(const Component& c) {
  Node spec = Node::Map(c.range);
  if (!c.service_account.name.empty()) spec.Set("serviceAccountName", Node::Str(c.service_account.name, c.service_account.range));
  if (c.service_account.automount) spec.Set("automountServiceAccountToken", Node::Bool(*c.service_account.automount));
  if (c.pod_security_context) spec.Set("securityContext", ValueToNode(*c.pod_security_context));
  AddScheduling(c, spec);
  if (c.termination_grace) spec.Set("terminationGracePeriodSeconds", Node::Int(*c.termination_grace));
  if (!c.image_pull_secrets.empty()) {
    Node& list = spec.Set("imagePullSecrets", Node::List());
    for (const std::string& s : c.image_pull_secrets) {
      Node ref = Node::Map();
      ref.Set("name", Node::Str(s));
      list.Push(std::move(ref));
    }
  }
  if (!c.init.empty()) {
    Node& list = spec.Set("initContainers", Node::List());
    for (const Container& k : c.init) list.Push(ContainerNode(k));
  }
  Node& containers = spec.Set("containers", Node::List());
  containers.Push(ContainerNode(c.main));
  for (const Container& k : c.sidecars) containers.Push(ContainerNode(k));
  Node volumes = VolumesNode(c);
  if (!volumes.empty()) spec.Set("volumes", std::move(volumes));
  return spec;
}

}  // namespace kstate::emit::internal
