// Lowering of the pod template: containers, probes, env, resources, mounts,
// volumes and scheduling.
#include "compiler/base/quantity.h"
#include "compiler/emit/lower.h"
#include "compiler/emit/lower_internal.h"

namespace kstate::emit::internal {

using namespace check;  // NOLINT(google-build-using-namespace): the model's vocabulary

namespace {

template <class B>
void WriteItemValue(B& b, const Value& v);

// What WriteValue writes for a value that is neither a list nor a record: a
// scalar, or null for kinds the model never hands the lowering.
template <class B>
void WriteScalar(B& b, KeyRef* key, const Value& v) {
  auto str = [&](std::string_view text) { key ? b.Str(*key, text, v.range) : b.ItemStr(text, v.range); };
  switch (v.kind) {
    case ValueKind::Bool: key ? b.Bool(*key, v.boolean, v.range) : b.ItemBool(v.boolean, v.range); return;
    case ValueKind::Int: key ? b.Int(*key, v.integer, v.range) : b.ItemInt(v.integer, v.range); return;
    case ValueKind::String:
    case ValueKind::Symbol: str(v.text); return;
    case ValueKind::Bytes: str(base::FormatBytes(v.integer)); return;
    case ValueKind::Milli: str(base::FormatMillicores(v.integer)); return;
    default: key ? b.Null(*key) : b.ItemNull(); return;
  }
}

// The items of a list value, or the members of a record value, of the
// collection just opened.
template <class B>
void WriteContents(B& b, const Value& v) {
  if (v.kind == ValueKind::List) {
    for (const Value& item : v.items) WriteItemValue(b, item);
  } else {
    for (size_t i = 0; i < v.keys.size(); ++i) WriteValue(b, v.keys[i], v.items[i]);
  }
  b.End();
}

template <class B>
void WriteItemValue(B& b, const Value& v) {
  if (v.kind == ValueKind::List) {
    b.ItemList(v.range);
    WriteContents(b, v);
  } else if (v.kind == ValueKind::Record) {
    b.ItemMap(v.range);
    WriteContents(b, v);
  } else {
    WriteScalar(b, nullptr, v);
  }
}

}  // namespace

template <class B>
void WriteValue(B& b, KeyRef key, const Value& v) {
  if (v.kind == ValueKind::List) {
    b.List(key, v.range);
    WriteContents(b, v);
  } else if (v.kind == ValueKind::Record) {
    b.Map(key, v.range);
    WriteContents(b, v);
  } else {
    WriteScalar(b, &key, v);
  }
}

Node ValueToNode(const Value& v) {
  Node holder = Node::Map();
  TreeBuilder b(holder);
  WriteValue(b, "value", v);
  b.End();
  return std::move(holder.members.front().second);
}

namespace {

template <class B>
void StringList(B& b, KeyRef key, const std::vector<std::string>& items) {
  b.List(key);
  for (const std::string& s : items) b.ItemStr(s);
  b.End();
}

// [{name: k, value: v}, ...] (or any two field names) from pairs.
template <class B>
void PairList(B& b, KeyRef key, const StringPairs& pairs, KeyRef first, KeyRef second) {
  b.List(key);
  for (const auto& [x, y] : pairs) {
    b.ItemMap();
    b.Str(first, x);
    b.Str(second, y);
    b.End();
  }
  b.End();
}

template <class B>
void WritePort(B& b, const PortRef& p, const Container& k, bool numeric) {
  if (p.number) {
    b.Int("port", p.number, p.range);
    return;
  }
  if (numeric) {  // gRPC probes take numbers only
    for (const Port& port : k.ports) {
      if (port.name == p.name) {
        b.Int("port", port.number, p.range);
        return;
      }
    }
  }
  b.Str("port", p.name, p.range);
}

// The handler of a probe or lifecycle hook, as the members of the open map.
template <class B>
void WriteHandler(B& b, const Probe& p, const Container& k) {
  switch (p.handler) {
    case Probe::Handler::Exec:
      b.Map("exec");
      StringList(b, "command", p.command);
      b.End();
      break;
    case Probe::Handler::Http:
      b.Map("httpGet");
      b.Str("path", p.path);
      WritePort(b, p.port, k, false);
      if (!p.scheme.empty()) b.Str("scheme", p.scheme);
      if (!p.host.empty()) b.Str("host", p.host);
      if (!p.headers.empty()) PairList(b, "httpHeaders", p.headers, "name", "value");
      b.End();
      break;
    case Probe::Handler::Tcp:
      b.Map("tcpSocket");
      WritePort(b, p.port, k, false);
      b.End();
      break;
    case Probe::Handler::Grpc:
      b.Map("grpc");
      WritePort(b, p.port, k, true);
      if (!p.service.empty()) b.Str("service", p.service);
      b.End();
      break;
  }
}

template <class B>
void WriteProbe(B& b, KeyRef key, const Probe& p, const Container& k) {
  b.Map(key, p.range);
  WriteHandler(b, p, k);
  if (p.initial_delay) b.Int("initialDelaySeconds", *p.initial_delay);
  if (p.period) b.Int("periodSeconds", *p.period);
  if (p.timeout) b.Int("timeoutSeconds", *p.timeout);
  if (p.success) b.Int("successThreshold", *p.success);
  if (p.failure) b.Int("failureThreshold", *p.failure);
  if (p.termination_grace) b.Int("terminationGracePeriodSeconds", *p.termination_grace);
  b.End();
}

template <class B>
void WriteEnv(B& b, const EnvVar& e) {
  b.ItemMap(e.range);
  b.Str("name", e.name, e.range);
  if (e.source == EnvVar::Source::Literal) {
    b.Str("value", e.value);
    b.End();
    return;
  }
  b.Map("valueFrom");
  switch (e.source) {
    case EnvVar::Source::SecretKey:
    case EnvVar::Source::ConfigMapKey:
      b.Map(e.source == EnvVar::Source::SecretKey ? KeyRef("secretKeyRef") : KeyRef("configMapKeyRef"));
      b.Str("name", e.ref_name);
      b.Str("key", e.ref_key);
      if (e.optional) b.Bool("optional", *e.optional);
      break;
    case EnvVar::Source::PodField:
      b.Map("fieldRef");
      b.Str("fieldPath", e.value);
      break;
    case EnvVar::Source::ResourceField:
      b.Map("resourceFieldRef");
      if (!e.ref_name.empty()) b.Str("containerName", e.ref_name);
      b.Str("resource", e.value);
      if (!e.ref_key.empty()) b.Str("divisor", e.ref_key);
      break;
    case EnvVar::Source::Literal: break;  // written above
  }
  b.End();  // the reference
  b.End();  // valueFrom
  b.End();  // the item
}

bool HasResources(const Resources& r) {
  return r.cpu_request || r.memory_request || r.ephemeral_request || r.cpu_limit || r.memory_limit ||
         r.ephemeral_limit;
}

template <class B>
void WriteResources(B& b, const Resources& r) {
  b.Map("resources", r.range);
  auto group = [&](KeyRef name, const std::optional<int64_t>& cpu, const std::optional<int64_t>& memory,
                   const std::optional<int64_t>& ephemeral) {
    if (!cpu && !memory && !ephemeral) return;
    b.Map(name);
    if (cpu) b.Str("cpu", base::FormatMillicores(*cpu));
    if (memory) b.Str("memory", base::FormatBytes(*memory));
    if (ephemeral) b.Str("ephemeral-storage", base::FormatBytes(*ephemeral));
    b.End();
  };
  group("requests", r.cpu_request, r.memory_request, r.ephemeral_request);
  group("limits", r.cpu_limit, r.memory_limit, r.ephemeral_limit);
  b.End();
}

template <class B>
void WriteContainer(B& b, const Container& k) {
  b.ItemMap(k.range);
  b.Str("name", k.name, k.name_range);
  b.Str("image", k.image, k.image_range);
  if (!k.pull_policy.empty()) b.Str("imagePullPolicy", k.pull_policy);
  if (k.command) StringList(b, "command", *k.command);
  if (k.args) StringList(b, "args", *k.args);
  if (!k.working_dir.empty()) b.Str("workingDir", k.working_dir);
  if (!k.ports.empty()) {
    b.List("ports");
    for (const Port& p : k.ports) {
      b.ItemMap(p.range);
      b.Str("name", p.name);
      b.Int("containerPort", p.number);
      b.Str("protocol", p.protocol);
      b.End();
    }
    b.End();
  }
  if (!k.env.empty()) {
    b.List("env");
    for (const EnvVar& e : k.env) WriteEnv(b, e);
    b.End();
  }
  if (!k.env_from.empty()) {
    b.List("envFrom");
    for (const EnvFrom& e : k.env_from) {
      b.ItemMap(e.range);
      if (!e.prefix.empty()) b.Str("prefix", e.prefix);
      b.Map(e.secret ? KeyRef("secretRef") : KeyRef("configMapRef"));
      b.Str("name", e.name);
      if (e.optional) b.Bool("optional", *e.optional);
      b.End();
      b.End();
    }
    b.End();
  }
  if (HasResources(k.resources)) WriteResources(b, k.resources);
  if (!k.mounts.empty()) {
    b.List("volumeMounts");
    for (const Mount& m : k.mounts) {
      b.ItemMap(m.range);
      b.Str("name", m.volume, m.volume_range);
      b.Str("mountPath", m.path, m.path_range);
      if (!m.sub_path.empty()) b.Str("subPath", m.sub_path);
      if (m.read_only) b.Bool("readOnly", true);
      b.End();
    }
    b.End();
  }
  if (k.liveness) WriteProbe(b, "livenessProbe", *k.liveness, k);
  if (k.readiness) WriteProbe(b, "readinessProbe", *k.readiness, k);
  if (k.startup) WriteProbe(b, "startupProbe", *k.startup, k);
  if (k.pre_stop || k.post_start) {
    b.Map("lifecycle");
    if (k.post_start) {
      b.Map("postStart", k.post_start->range);
      WriteHandler(b, *k.post_start, k);
      b.End();
    }
    if (k.pre_stop) {
      b.Map("preStop", k.pre_stop->range);
      WriteHandler(b, *k.pre_stop, k);
      b.End();
    }
    b.End();
  }
  if (k.security_context) WriteValue(b, "securityContext", *k.security_context);
  if (!k.restart_policy.empty()) b.Str("restartPolicy", k.restart_policy);
  b.End();
}

// labelSelector: {matchLabels: the selector}
template <class B>
void LabelSelector(B& b, const Pairs& selector) {
  b.Map("labelSelector");
  WritePairs(b, "matchLabels", selector);
  b.End();
}

// One anti-affinity term's members: the selector and the topology key.
template <class B>
void AffinityTerm(B& b, const AntiAffinity& a, const Pairs& selector) {
  LabelSelector(b, selector);
  b.Str("topologyKey", a.topology_key, a.range);
}

// The required and the preferred terms, each group a list in the order of
// the rules, the groups in the order their first rules were written.
template <class B>
void WriteAntiAffinity(B& b, const Component& c, const Pairs& selector) {
  b.Map("affinity");
  b.Map("podAntiAffinity");
  bool required_first = c.anti_affinity.front().required;
  for (bool required : {required_first, !required_first}) {
    bool opened = false;
    for (const AntiAffinity& a : c.anti_affinity) {
      if (a.required != required) continue;
      if (!opened) {
        b.List(required ? KeyRef("requiredDuringSchedulingIgnoredDuringExecution")
                        : KeyRef("preferredDuringSchedulingIgnoredDuringExecution"));
        opened = true;
      }
      b.ItemMap(a.range);
      if (required) {
        AffinityTerm(b, a, selector);
      } else {
        b.Int("weight", a.weight);
        b.Map("podAffinityTerm", a.range);
        AffinityTerm(b, a, selector);
        b.End();
      }
      b.End();
    }
    if (opened) b.End();
  }
  b.End();
  b.End();
}

template <class B>
void WriteScheduling(B& b, const Component& c, const Pairs& selector) {
  if (!c.anti_affinity.empty()) WriteAntiAffinity(b, c, selector);
  if (!c.spread.empty()) {
    b.List("topologySpreadConstraints");
    for (const Spread& s : c.spread) {
      b.ItemMap(s.range);
      b.Int("maxSkew", s.max_skew);
      b.Str("topologyKey", s.topology_key);
      b.Str("whenUnsatisfiable", s.when_unsatisfiable);
      LabelSelector(b, selector);
      if (s.min_domains) b.Int("minDomains", *s.min_domains);
      b.End();
    }
    b.End();
  }
  if (!c.node_selector.empty()) WritePairs(b, "nodeSelector", c.node_selector);
  if (!c.tolerations.empty()) {
    b.List("tolerations");
    for (const Toleration& t : c.tolerations) {
      b.ItemMap(t.range);
      if (!t.key.empty()) b.Str("key", t.key);
      b.Str("operator", t.op);
      if (!t.value.empty()) b.Str("value", t.value);
      if (!t.effect.empty()) b.Str("effect", t.effect);
      if (t.seconds) b.Int("tolerationSeconds", *t.seconds);
      b.End();
    }
    b.End();
  }
  if (!c.priority_class.empty()) b.Str("priorityClassName", c.priority_class);
}

// {name: ..., <kind>: {...}} for a volume: opens the inner map, which the
// caller fills and closes (and then the item).
template <class B>
void OpenVolume(B& b, SourceRange range, const std::string& name, KeyRef kind) {
  b.ItemMap(range);
  b.Str("name", name);
  b.Map(kind);
}

template <class B>
void WriteVolumes(B& b, const Component& c) {
  if (c.configs.empty() && c.secrets.empty() && c.scratch.empty()) return;
  b.List("volumes");
  for (const Config& cfg : c.configs) {
    OpenVolume(b, cfg.range, cfg.name, "configMap");
    b.Str("name", cfg.object_name);
    if (cfg.mode) b.Int("defaultMode", *cfg.mode);
    b.End();
    b.End();
  }
  for (const SecretVolume& s : c.secrets) {
    OpenVolume(b, s.range, s.name, "secret");
    b.Str("secretName", s.secret_name);
    if (s.mode) b.Int("defaultMode", *s.mode);
    if (!s.items.empty()) PairList(b, "items", s.items, "key", "path");
    if (s.optional) b.Bool("optional", *s.optional);
    b.End();
    b.End();
  }
  for (const Scratch& s : c.scratch) {
    OpenVolume(b, s.range, s.name, "emptyDir");
    if (!s.medium.empty()) b.Str("medium", s.medium);
    if (s.size) b.Str("sizeLimit", base::FormatBytes(*s.size));
    b.End();
    b.End();
  }
  b.End();
}

}  // namespace

template <class B>
void WritePodSpec(B& b, const Component& c, const Pairs& selector) {
  b.Map("spec", c.range);
  const ServiceAccount& account = c.service_account;
  if (!account.name.empty()) b.Str("serviceAccountName", account.name, account.range);
  if (account.automount) b.Bool("automountServiceAccountToken", *account.automount);
  if (c.pod_security_context) WriteValue(b, "securityContext", *c.pod_security_context);
  WriteScheduling(b, c, selector);
  if (c.termination_grace) b.Int("terminationGracePeriodSeconds", *c.termination_grace);
  if (!c.image_pull_secrets.empty()) {
    b.List("imagePullSecrets");
    for (const std::string& s : c.image_pull_secrets) {
      b.ItemMap();
      b.Str("name", s);
      b.End();
    }
    b.End();
  }
  if (!c.init.empty()) {
    b.List("initContainers");
    for (const Container& k : c.init) WriteContainer(b, k);
    b.End();
  }
  b.List("containers");
  WriteContainer(b, c.main);
  for (const Container& k : c.sidecars) WriteContainer(b, k);
  b.End();
  WriteVolumes(b, c);
  b.End();
}

#define KSTATE_LOWER_FOR(B)                           \
  template void WriteValue(B&, KeyRef, const Value&); \
  template void WritePodSpec(B&, const Component&, const Pairs&);
KSTATE_LOWER_FOR(TreeBuilder)
KSTATE_LOWER_FOR(YamlBuilder)
KSTATE_LOWER_FOR(JsonBuilder)
#undef KSTATE_LOWER_FOR

}  // namespace kstate::emit::internal
