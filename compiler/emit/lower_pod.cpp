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
  for (const auto& [k, v] : labels) n.AddStr(k, v);
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
  n.items.reserve(items.size());
  for (const std::string& s : items) n.PushStr(s);
  return n;
}

// [{name: k, value: v}, ...] (or any two field names) from pairs.
Node PairList(const StringPairs& pairs, const Key& first, const Key& second) {
  Node list = Node::List();
  list.items.reserve(pairs.size());
  for (const auto& [a, b] : pairs) {
    Node& item = list.PushMap();
    item.members.reserve(2);
    item.AddStr(first, a);
    item.AddStr(second, b);
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

// The handler's map; `more`: how many members the caller adds.
Node HandlerNode(const Probe& p, const Container& k, size_t more = 0) {
  Node n = Node::Map(p.range);
  n.members.reserve(1 + more);
  switch (p.handler) {
    case Probe::Handler::Exec: n.AddMap("exec").Add("command", StringList(p.command)); break;
    case Probe::Handler::Http: {
      Node& h = n.AddMap("httpGet");
      h.members.reserve(5);
      h.AddStr("path", p.path);
      h.Add("port", PortNode(p.port, k, false));
      if (!p.scheme.empty()) h.AddStr("scheme", p.scheme);
      if (!p.host.empty()) h.AddStr("host", p.host);
      if (!p.headers.empty()) h.Add("httpHeaders", PairList(p.headers, "name", "value"));
      break;
    }
    case Probe::Handler::Tcp: n.AddMap("tcpSocket").Add("port", PortNode(p.port, k, false)); break;
    case Probe::Handler::Grpc: {
      Node& g = n.AddMap("grpc");
      g.members.reserve(2);
      g.Add("port", PortNode(p.port, k, true));
      if (!p.service.empty()) g.AddStr("service", p.service);
      break;
    }
  }
  return n;
}

Node ProbeNode(const Probe& p, const Container& k) {
  size_t more = bool(p.initial_delay) + bool(p.period) + bool(p.timeout) + bool(p.success) + bool(p.failure) +
                bool(p.termination_grace);
  Node n = HandlerNode(p, k, more);
  if (p.initial_delay) n.AddInt("initialDelaySeconds", *p.initial_delay);
  if (p.period) n.AddInt("periodSeconds", *p.period);
  if (p.timeout) n.AddInt("timeoutSeconds", *p.timeout);
  if (p.success) n.AddInt("successThreshold", *p.success);
  if (p.failure) n.AddInt("failureThreshold", *p.failure);
  if (p.termination_grace) n.AddInt("terminationGracePeriodSeconds", *p.termination_grace);
  return n;
}

Node EnvNode(const EnvVar& e) {
  Node n = Node::Map(e.range);
  n.members.reserve(2);
  n.AddStr("name", e.name, e.range);
  if (e.source == EnvVar::Source::Literal) {
    n.AddStr("value", e.value);
    return n;
  }
  Node& from = n.AddMap("valueFrom");
  switch (e.source) {
    case EnvVar::Source::SecretKey:
    case EnvVar::Source::ConfigMapKey: {
      Node& ref = from.AddMap(e.source == EnvVar::Source::SecretKey ? Key("secretKeyRef") : Key("configMapKeyRef"));
      ref.members.reserve(3);
      ref.AddStr("name", e.ref_name);
      ref.AddStr("key", e.ref_key);
      if (e.optional) ref.Add("optional", Node::Bool(*e.optional));
      break;
    }
    case EnvVar::Source::PodField: from.AddMap("fieldRef").AddStr("fieldPath", e.value); break;
    case EnvVar::Source::ResourceField: {
      Node& ref = from.AddMap("resourceFieldRef");
      ref.members.reserve(3);
      if (!e.ref_name.empty()) ref.AddStr("containerName", e.ref_name);
      ref.AddStr("resource", e.value);
      if (!e.ref_key.empty()) ref.AddStr("divisor", e.ref_key);
      break;
    }
    case EnvVar::Source::Literal: break;
  }
  return n;
}

bool HasResources(const Resources& r) {
  return r.cpu_request || r.memory_request || r.ephemeral_request || r.cpu_limit || r.memory_limit ||
         r.ephemeral_limit;
}

Node ResourcesNode(const Resources& r) {
  Node n = Node::Map(r.range);
  auto group = [&](Key name, const std::optional<int64_t>& cpu, const std::optional<int64_t>& memory,
                   const std::optional<int64_t>& ephemeral) {
    if (!cpu && !memory && !ephemeral) return;
    Node& g = n.AddMap(std::move(name));
    g.members.reserve(bool(cpu) + bool(memory) + bool(ephemeral));
    if (cpu) g.AddStr("cpu", base::FormatMillicores(*cpu));
    if (memory) g.AddStr("memory", base::FormatBytes(*memory));
    if (ephemeral) g.AddStr("ephemeral-storage", base::FormatBytes(*ephemeral));
  };
  n.members.reserve(2);
  group("requests", r.cpu_request, r.memory_request, r.ephemeral_request);
  group("limits", r.cpu_limit, r.memory_limit, r.ephemeral_limit);
  return n;
}

// How many members ContainerNode gives `k`.
size_t ContainerFields(const Container& k) {
  return 2 + !k.pull_policy.empty() + bool(k.command) + bool(k.args) + !k.working_dir.empty() + !k.ports.empty() +
         !k.env.empty() + !k.env_from.empty() + HasResources(k.resources) + !k.mounts.empty() + bool(k.liveness) +
         bool(k.readiness) + bool(k.startup) + (k.pre_stop || k.post_start) + bool(k.security_context) +
         !k.restart_policy.empty();
}

Node ContainerNode(const Container& k) {
  Node n = Node::Map(k.range);
  n.members.reserve(ContainerFields(k));
  n.AddStr("name", k.name, k.name_range);
  n.AddStr("image", k.image, k.image_range);
  if (!k.pull_policy.empty()) n.AddStr("imagePullPolicy", k.pull_policy);
  if (k.command) n.Add("command", StringList(*k.command));
  if (k.args) n.Add("args", StringList(*k.args));
  if (!k.working_dir.empty()) n.AddStr("workingDir", k.working_dir);
  if (!k.ports.empty()) {
    Node& ports = n.AddList("ports");
    ports.items.reserve(k.ports.size());
    for (const Port& p : k.ports) {
      Node& port = ports.PushMap(p.range);
      port.members.reserve(3);
      port.AddStr("name", p.name);
      port.AddInt("containerPort", p.number);
      port.AddStr("protocol", p.protocol);
    }
  }
  if (!k.env.empty()) {
    Node& env = n.AddList("env");
    env.items.reserve(k.env.size());
    for (const EnvVar& e : k.env) env.Push(EnvNode(e));
  }
  if (!k.env_from.empty()) {
    Node& list = n.AddList("envFrom");
    list.items.reserve(k.env_from.size());
    for (const EnvFrom& e : k.env_from) {
      Node& item = list.PushMap(e.range);
      item.members.reserve(2);
      if (!e.prefix.empty()) item.AddStr("prefix", e.prefix);
      Node& ref = item.AddMap(e.secret ? Key("secretRef") : Key("configMapRef"));
      ref.members.reserve(2);
      ref.AddStr("name", e.name);
      if (e.optional) ref.Add("optional", Node::Bool(*e.optional));
    }
  }
  if (HasResources(k.resources)) n.Add("resources", ResourcesNode(k.resources));
  if (!k.mounts.empty()) {
    Node& mounts = n.AddList("volumeMounts");
    mounts.items.reserve(k.mounts.size());
    for (const Mount& m : k.mounts) {
      Node& mount = mounts.PushMap(m.range);
      mount.members.reserve(2 + !m.sub_path.empty() + m.read_only);
      mount.AddStr("name", m.volume, m.volume_range);
      mount.AddStr("mountPath", m.path, m.path_range);
      if (!m.sub_path.empty()) mount.AddStr("subPath", m.sub_path);
      if (m.read_only) mount.Add("readOnly", Node::Bool(true));
    }
  }
  if (k.liveness) n.Add("livenessProbe", ProbeNode(*k.liveness, k));
  if (k.readiness) n.Add("readinessProbe", ProbeNode(*k.readiness, k));
  if (k.startup) n.Add("startupProbe", ProbeNode(*k.startup, k));
  if (k.pre_stop || k.post_start) {
    Node& lifecycle = n.AddMap("lifecycle");
    lifecycle.members.reserve(2);
    if (k.post_start) lifecycle.Add("postStart", HandlerNode(*k.post_start, k));
    if (k.pre_stop) lifecycle.Add("preStop", HandlerNode(*k.pre_stop, k));
  }
  if (k.security_context) n.Add("securityContext", ValueToNode(*k.security_context));
  if (!k.restart_policy.empty()) n.AddStr("restartPolicy", k.restart_policy);
  return n;
}

// {matchLabels: the selector}
Node MatchLabels(const Node& selector) {
  Node n = Node::Map();
  n.Add("matchLabels", selector);
  return n;
}

void AddAntiAffinity(const Component& c, const Node& selector, Node& spec) {
  Node& anti = spec.AddMap("affinity").AddMap("podAntiAffinity");
  anti.members.reserve(2);
  for (const AntiAffinity& a : c.anti_affinity) {
    Node term = Node::Map(a.range);
    term.members.reserve(2);
    term.Add("labelSelector", MatchLabels(selector));
    term.AddStr("topologyKey", a.topology_key, a.range);
    if (a.required) {
      Node* list = anti.Find("requiredDuringSchedulingIgnoredDuringExecution");
      if (!list) list = &anti.AddList("requiredDuringSchedulingIgnoredDuringExecution");
      list->Push(std::move(term));
    } else {
      Node* list = anti.Find("preferredDuringSchedulingIgnoredDuringExecution");
      if (!list) list = &anti.AddList("preferredDuringSchedulingIgnoredDuringExecution");
      Node& weighted = list->Push(Node::Map(a.range));
      weighted.members.reserve(2);
      weighted.AddInt("weight", a.weight);
      weighted.Add("podAffinityTerm", std::move(term));
    }
  }
}

void AddScheduling(const Component& c, const Node& selector, Node& spec) {
  if (!c.anti_affinity.empty()) AddAntiAffinity(c, selector, spec);
  if (!c.spread.empty()) {
    Node& list = spec.AddList("topologySpreadConstraints");
    list.items.reserve(c.spread.size());
    for (const Spread& s : c.spread) {
      Node& n = list.PushMap(s.range);
      n.members.reserve(5);
      n.AddInt("maxSkew", s.max_skew);
      n.AddStr("topologyKey", s.topology_key);
      n.AddStr("whenUnsatisfiable", s.when_unsatisfiable);
      n.Add("labelSelector", MatchLabels(selector));
      if (s.min_domains) n.AddInt("minDomains", *s.min_domains);
    }
  }
  if (!c.node_selector.empty()) spec.Add("nodeSelector", LabelsNode(c.node_selector));
  if (!c.tolerations.empty()) {
    Node& list = spec.AddList("tolerations");
    list.items.reserve(c.tolerations.size());
    for (const Toleration& t : c.tolerations) {
      Node& n = list.PushMap(t.range);
      n.members.reserve(5);
      if (!t.key.empty()) n.AddStr("key", t.key);
      n.AddStr("operator", t.op);
      if (!t.value.empty()) n.AddStr("value", t.value);
      if (!t.effect.empty()) n.AddStr("effect", t.effect);
      if (t.seconds) n.AddInt("tolerationSeconds", *t.seconds);
    }
  }
  if (!c.priority_class.empty()) spec.AddStr("priorityClassName", c.priority_class);
}

// {name: ..., <kind>: {}} for a volume; the caller fills the inner map.
Node& Volume(Node& list, SourceRange range, const std::string& name, Key kind) {
  Node& v = list.PushMap(range);
  v.members.reserve(2);
  v.AddStr("name", name);
  Node& inner = v.AddMap(std::move(kind));
  inner.members.reserve(4);
  return inner;
}

Node VolumesNode(const Component& c) {
  Node list = Node::List();
  list.items.reserve(c.configs.size() + c.secrets.size() + c.scratch.size());
  for (const Config& cfg : c.configs) {
    Node& cm = Volume(list, cfg.range, cfg.name, "configMap");
    cm.AddStr("name", cfg.object_name);
    if (cfg.mode) cm.AddInt("defaultMode", *cfg.mode);
  }
  for (const SecretVolume& s : c.secrets) {
    Node& sec = Volume(list, s.range, s.name, "secret");
    sec.AddStr("secretName", s.secret_name);
    if (s.mode) sec.AddInt("defaultMode", *s.mode);
    if (!s.items.empty()) sec.Add("items", PairList(s.items, "key", "path"));
    if (s.optional) sec.Add("optional", Node::Bool(*s.optional));
  }
  for (const Scratch& s : c.scratch) {
    Node& dir = Volume(list, s.range, s.name, "emptyDir");
    if (!s.medium.empty()) dir.AddStr("medium", s.medium);
    if (s.size) dir.AddStr("sizeLimit", base::FormatBytes(*s.size));
  }
  return list;
}

// How many members PodSpec gives the pod spec of `c`.
size_t PodFields(const Component& c) {
  return 1 + !c.service_account.name.empty() + bool(c.service_account.automount) + bool(c.pod_security_context) +
         !c.anti_affinity.empty() + !c.spread.empty() + !c.node_selector.empty() + !c.tolerations.empty() +
         !c.priority_class.empty() + bool(c.termination_grace) + !c.image_pull_secrets.empty() + !c.init.empty() +
         !(c.configs.empty() && c.secrets.empty() && c.scratch.empty());
}

}  // namespace

Node PodSpec(const Component& c, const Node& selector) {
  Node spec = Node::Map(c.range);
  spec.members.reserve(PodFields(c));
  const ServiceAccount& account = c.service_account;
  if (!account.name.empty()) spec.AddStr("serviceAccountName", account.name, account.range);
  if (account.automount) spec.Add("automountServiceAccountToken", Node::Bool(*account.automount));
  if (c.pod_security_context) spec.Add("securityContext", ValueToNode(*c.pod_security_context));
  AddScheduling(c, selector, spec);
  if (c.termination_grace) spec.AddInt("terminationGracePeriodSeconds", *c.termination_grace);
  if (!c.image_pull_secrets.empty()) {
    Node& list = spec.AddList("imagePullSecrets");
    list.items.reserve(c.image_pull_secrets.size());
    for (const std::string& s : c.image_pull_secrets) list.PushMap().AddStr("name", s);
  }
  if (!c.init.empty()) {
    Node& list = spec.AddList("initContainers");
    list.items.reserve(c.init.size());
    for (const Container& k : c.init) list.Push(ContainerNode(k));
  }
  Node& containers = spec.AddList("containers");
  containers.items.reserve(1 + c.sidecars.size());
  containers.Push(ContainerNode(c.main));
  for (const Container& k : c.sidecars) containers.Push(ContainerNode(k));
  Node volumes = VolumesNode(c);
  if (!volumes.empty()) spec.Add("volumes", std::move(volumes));
  return spec;
}

}  // namespace kstate::emit::internal
