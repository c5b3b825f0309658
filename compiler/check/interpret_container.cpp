// Containers: image, command, ports, env, resources, probes, hooks, mounts and
// security contexts, for the main container, init containers and sidecars.
#include <fmt/format.h>

#include "compiler/base/text.h"
#include "compiler/check/interpret.h"
#include "compiler/check/schema.h"

namespace kstate::check {

using K = diag::Kind;

namespace {

// A whole number of cores at or above this in `resources.cpu` is taken for
// millicores written without `m` (KS3114): 100 to 1000 are the usual
// millicore requests, and few nodes have a hundred cores to give one pod.
constexpr int64_t kCoresLikelyMillicores = 100;

// What an environment variable's value may be, for KS2004.
constexpr std::string_view kEnvValueKinds =
    "text, a whole number, a boolean, a byte size, `secret(...)`, `configMap(...)`, `field(...)` or `resource(...)`";

// The Secret or ConfigMap a `secret(...)` / `configMap(...)` names must have a
// name the API server accepts (a DNS subdomain); an empty or invalid one
// passes the API server inside `secretKeyRef` and fails the pod at start.
void ReadRefName(Reader& r, const Value& call, std::string& out) {
  const Value& name = *call.Get("name");
  bool secret = call.text == "secret";
  if (!r.String(name, secret ? "the Secret name" : "the ConfigMap name", out)) return;
  std::string why = base::CheckDns1123Subdomain(out);
  if (!why.empty()) r.diags().Report(K::InvalidObjectName, name.range, secret ? "Secret name" : "ConfigMap name", out, why);
}

}  // namespace

void ComponentBuilder::ReadContainer(const Value& rec, Container& out, std::string_view where, bool is_main) {
  out.range = rec.range;
  if (const Value* v = rec.Get("image")) {
    if (r_.String(*v, "`image`", out.image)) out.image_range = v->range;
  }
  if (const Value* v = rec.Get("command")) {
    std::vector<std::string> list;
    if (v->kind == ValueKind::String) {
      diag::Diagnostic& d = r_.diags().Report(K::TypeMismatch, v->range, "`command`", "a list of strings", Describe(*v));
      d.help = "write each argument as its own string: `[\"sh\", \"-c\", \"...\"]`";
    } else if (r_.StringList(*v, "`command`", list)) {
      out.command = std::move(list);
    }
  }
  if (const Value* v = rec.Get("args")) {
    std::vector<std::string> list;
    if (r_.StringList(*v, "`args`", list)) out.args = std::move(list);
  }
  if (const Value* v = rec.Get("workingDir")) r_.String(*v, "`workingDir`", out.working_dir);
  if (const Value* v = rec.Get("pullPolicy")) {
    static const std::span<const EnumWord> kWords = schema::ComponentWords("pullPolicy");
    r_.Enum(*v, "pull policy", kWords, out.pull_policy);
  }
  if (const Value* v = rec.Get("port")) ReadPorts(*v, out);
  if (const Value* v = rec.Get("env")) ReadEnv(*v, out);
  if (const Value* v = rec.Get("envFrom")) ReadEnvFrom(*v, out);
  if (const Value* v = rec.Get("resources")) {
    out.resources_written = true;
    ReadResources(*v, out.resources);
  }
  out.readiness_written = rec.Get("readiness") != nullptr;
  if (const Value* v = rec.Get("liveness")) out.liveness = ReadProbe(*v, "`liveness`", false);
  if (const Value* v = rec.Get("readiness")) {
    if (v->kind == ValueKind::Record && v->Get("terminationGrace")) {
      r_.diags().Report(K::UnknownField, v->KeyRange("terminationGrace"), "terminationGrace", "a readiness probe")
          .help = "Kubernetes allows `terminationGrace` on liveness and startup probes only";
    }
    out.readiness = ReadProbe(*v, "`readiness`", false);
  }
  if (const Value* v = rec.Get("startup")) out.startup = ReadProbe(*v, "`startup`", false);
  if (const Value* v = rec.Get("preStop")) out.pre_stop = ReadProbe(*v, "`preStop`", true);
  if (const Value* v = rec.Get("postStart")) out.post_start = ReadProbe(*v, "`postStart`", true);
  if (const Value* v = rec.Get("mount")) ReadMounts(*v, out.mounts);
  const char* security_key = is_main ? "containerSecurityContext" : "securityContext";
  if (const Value* v = rec.Get(security_key)) out.security_context = ReadSecurityContext(*v, "container security context", false);
  if (!is_main) {
    bool init = rec.text == "init";
    if (const Value* v = rec.Get("restartPolicy"); v && init) {
      static const std::span<const EnumWord> kWords = schema::ComponentWords("init.restartPolicy");
      r_.Enum(*v, "init container restart policy", kWords, out.restart_policy);
    }
    if (init && out.restart_policy.empty()) {
      // An init container runs to completion: probes and hooks are for native sidecars only.
      for (const char* key : {"liveness", "readiness", "startup", "preStop", "postStart"}) {
        if (!rec.Get(key)) continue;
        r_.diags().Report(K::UnknownField, rec.KeyRange(key), key, where)
            .help = "an init container runs to completion; add `restartPolicy = always` to make it a native sidecar";
      }
    }
    static const std::vector<std::string_view>& kInitKeys = schema::ComponentKeys("init");
    static const std::vector<std::string_view>& kSidecarKeys = schema::ComponentKeys("container");
    r_.CheckKeys(rec, where, init ? kInitKeys : kSidecarKeys);
  }
  if (out.image.empty() && !rec.Get("image")) {
    diag::Diagnostic& d = r_.diags().Report(K::MissingField, is_main ? c_.name_range : out.name_range, where, "image");
    d.help = "add `image = \"registry/name:tag\"`";
  }
}

void ComponentBuilder::ReadPorts(const Value& list, Container& out) {
  if (list.kind != ValueKind::List) {
    r_.Mismatch(list, "`port`", "port declarations `port NAME = NUMBER`");
    return;
  }
  for (const Value& decl : list.items) {
    Port p;
    p.name = decl.Get("name")->text;
    p.range = decl.range;
    std::string why = base::CheckPortName(p.name);
    if (!why.empty()) r_.diags().Report(K::InvalidPortName, decl.KeyRange("name"), p.name, why);
    const Value* v = decl.Get("value");
    if (v->kind == ValueKind::Record) {  // port dns = 53 { protocol = UDP }
      static const std::vector<std::string_view>& kKeys = schema::ComponentKeys("port");
      static const std::span<const EnumWord> kProtocols = schema::ComponentWords("port.protocol");
      r_.CheckKeys(*v, base::Cat({"port `", p.name, "`"}), kKeys);
      if (const Value* proto = v->Get("protocol")) r_.Enum(*proto, "protocol", kProtocols, p.protocol);
      if (const Value* expose = v->Get("expose")) r_.Bool(*expose, "`expose`", p.expose);
      v = v->Get("value");
    }
    if (v && r_.Int(*v, base::Cat({"port `", p.name, "`"}), p.number, 1, 65535)) out.ports.push_back(std::move(p));
  }
}

void ComponentBuilder::ReadEnv(const Value& rec, Container& out) {
  if (rec.kind != ValueKind::Record || (!rec.text.empty() && rec.text != "env")) {
    r_.Mismatch(rec, "`env`", "a section `env { NAME = value }`");
    return;
  }
  for (size_t i = 0; i < rec.keys.size(); ++i) {
    EnvVar e;
    e.name = rec.keys[i];
    e.range = rec.items[i].key_range;
    std::string why = base::CheckEnvName(e.name);
    if (!why.empty()) r_.diags().Report(K::InvalidEnvName, e.range, e.name, why);
    const Value& v = rec.items[i];
    std::string what = base::Cat({"environment variable `", e.name, "`"});
    switch (v.kind) {
      case ValueKind::String: e.value = v.text; break;
      case ValueKind::Int: e.value = base::IntText(v.integer); break;
      case ValueKind::Bool: e.value = v.boolean ? "true" : "false"; break;
      case ValueKind::Bytes: e.value = base::FormatBytes(v.integer); break;
      case ValueKind::Record: {
        if (v.text == "secret" || v.text == "configMap") {
          e.source = v.text == "secret" ? EnvVar::Source::SecretKey : EnvVar::Source::ConfigMapKey;
          ReadRefName(r_, v, e.ref_name);
          if (const Value* key = v.Get("key")) {
            r_.String(*key, "the key", e.ref_key);
          } else {
            diag::Diagnostic& d = r_.diags().Report(K::BadCall, v.range, fmt::format("`{}(...)` for one variable needs a key", v.text));
            d.help = fmt::format("write `{}(\"name\", \"key\")`, or use `envFrom` to import every key", v.text);
          }
          if (const Value* opt = v.Get("optional")) {
            bool b = false;
            if (r_.Bool(*opt, "`optional`", b)) e.optional = b;
          }
          if (v.Get("prefix")) r_.diags().Report(K::BadCall, v.KeyRange("prefix"), "`prefix` only applies in `envFrom`");
        } else if (v.text == "field") {
          e.source = EnvVar::Source::PodField;
          r_.Enum(*v.Get("path"), "pod field",
                  {{"name", "metadata.name"}, {"namespace", "metadata.namespace"}, {"uid", "metadata.uid"},
                   {"ip", "status.podIP"}, {"ips", "status.podIPs"}, {"hostIP", "status.hostIP"},
                   {"node", "spec.nodeName"}, {"serviceAccount", "spec.serviceAccountName"}},
                  e.value);
        } else if (v.text == "resource") {
          e.source = EnvVar::Source::ResourceField;
          r_.Enum(*v.Get("resource"), "resource field",
                  {{"requests.cpu", "requests.cpu"}, {"limits.cpu", "limits.cpu"}, {"requests.memory", "requests.memory"},
                   {"limits.memory", "limits.memory"}, {"requests.ephemeral-storage", "requests.ephemeral-storage"},
                   {"limits.ephemeral-storage", "limits.ephemeral-storage"}},
                  e.value);
          if (const Value* c = v.Get("container")) r_.String(*c, "`container`", e.ref_name);
          if (const Value* d = v.Get("divisor")) {
            int64_t n = 0;
            if (d->kind == ValueKind::Bytes) e.ref_key = base::FormatBytes(d->integer);
            else if (r_.Millicores(*d, "`divisor`", n)) e.ref_key = base::FormatMillicores(n);
          }
        } else {
          r_.Mismatch(v, what, kEnvValueKinds);
          continue;
        }
        break;
      }
      default: {
        diag::Diagnostic* d = r_.Mismatch(v, what, kEnvValueKinds);
        // A fraction, a duration or a milli-quantity has more than one text
        // (`0.5` or `.50`, `90s` or `1m30s`), so none is chosen for the
        // program: the help shows one, to write as the string it expects. No
        // fix-it: the value may be computed, and its source text is not here.
        std::string text;
        switch (v.kind) {
          case ValueKind::Decimal: text = base::FormatDecimal(v.decimal); break;
          case ValueKind::Duration: text = base::FormatDuration(v.integer); break;
          case ValueKind::Milli: text = base::IntText(v.integer) + 'm'; break;
          default: break;
        }
        if (d && !text.empty()) {
          d->help = base::Cat({"an environment variable is text: write the value as the string the program expects, "
                               "such as `\"", text, "\"`"});
        }
        continue;
      }
    }
    out.env.push_back(std::move(e));
  }
}

void ComponentBuilder::ReadEnvFrom(const Value& list, Container& out) {
  const Value* items = &list;
  Value single;
  if (list.kind == ValueKind::Record) {
    single.kind = ValueKind::List;
    single.items = {list};
    items = &single;
  }
  if (items->kind != ValueKind::List) {
    r_.Mismatch(list, "`envFrom`", "a list of `secret(name)` and `configMap(name)`");
    return;
  }
  for (const Value& v : items->items) {
    if (v.kind != ValueKind::Record || (v.text != "secret" && v.text != "configMap")) {
      r_.Mismatch(v, "each element of `envFrom`", "`secret(name)` or `configMap(name)`");
      continue;
    }
    EnvFrom e;
    e.secret = v.text == "secret";
    e.range = v.range;
    ReadRefName(r_, v, e.name);
    if (v.Get("key")) {
      r_.diags().Report(K::BadCall, v.KeyRange("key"), "`envFrom` imports every key; a key is not allowed here")
          .help = "to take one key, set it in `env { NAME = secret(\"name\", \"key\") }`";
    }
    if (const Value* p = v.Get("prefix")) r_.String(*p, "`prefix`", e.prefix);
    if (const Value* opt = v.Get("optional")) {
      bool b = false;
      if (r_.Bool(*opt, "`optional`", b)) e.optional = b;
    }
    out.env_from.push_back(std::move(e));
  }
}

void ComponentBuilder::ReadResources(const Value& rec, Resources& out) {
  if (rec.kind != ValueKind::Record || (!rec.text.empty() && rec.text != "resources")) {
    r_.Mismatch(rec, "`resources`", "a section `resources { cpu = 500m .. 1; memory = 1Gi .. 2Gi }`");
    return;
  }
  out.range = rec.range;
  static const std::vector<std::string_view>& kKeys = schema::ComponentKeys("resources");
  r_.CheckKeys(rec, "`resources`", kKeys);
  auto read = [&](const char* key, std::optional<int64_t>& request, std::optional<int64_t>& limit, bool cpu) {
    const Value* v = rec.Get(key);
    if (!v) return;
    auto one = [&](const Value& x, std::optional<int64_t>& slot, const char* what) {
      int64_t n = 0;
      std::string label = base::Cat({key, " ", what});
      if (!(cpu ? r_.Millicores(x, label, n) : r_.Bytes(x, label, n))) return;
      slot = n;
      // `cpu = 500` is 500 cores: almost always millicores without their `m`.
      if (cpu && x.kind == ValueKind::Int && x.integer >= kCoresLikelyMillicores) {
        std::string cores = base::IntText(x.integer);
        diag::Diagnostic& d = r_.diags().Report(K::CpuInCores, x.range, what, cores, cores);
        d.help = fmt::format("millicores are written with `m`: `{}m` is {} cores", cores,
                             static_cast<double>(x.integer) / 1000);
        d.fixes.push_back({x.range, cores + "m"});
      }
    };
    if (v->kind == ValueKind::Range) {
      one(v->items[0], request, "request");
      one(v->items[1], limit, "limit");
      if (request && limit && *request > *limit) {
        auto fmtq = [&](int64_t n) { return cpu ? base::FormatMillicores(n) : base::FormatBytes(n); };
        r_.diags().Report(K::RequestAboveLimit, v->range, key, fmtq(*request), fmtq(*limit));
      }
    } else {
      one(*v, request, "request");
    }
  };
  read("cpu", out.cpu_request, out.cpu_limit, true);
  read("memory", out.memory_request, out.memory_limit, false);
  read("ephemeral", out.ephemeral_request, out.ephemeral_limit, false);
}

std::optional<Probe> ComponentBuilder::ReadProbe(const Value& v, std::string_view what, bool hook) {
  // A probe with any error is dropped whole, so no advice is given about half of it.
  size_t errors_before = r_.diags().error_count();
  std::optional<Probe> p = ReadProbeFields(v, what, hook);
  if (r_.diags().error_count() != errors_before) return std::nullopt;
  return p;
}

namespace {

// The tags a probe's record may carry: none (`{ tcp: 5432 }`), a built-in's
// (`tcp(pg)`), or a probe or hook section's (`readiness { tcp = pg }`, also
// when a `let` holds it for another field). Any other tag is a name the
// record was built on that is not a probe (`status { period = 5s }` with no
// `status` in scope), or another section.
bool IsProbeTag(std::string_view tag) {
  for (std::string_view ok : {"", "probe", "liveness", "readiness", "startup", "preStop", "postStart"}) {
    if (tag == ok) return true;
  }
  return false;
}

}  // namespace

std::optional<Probe> ComponentBuilder::ReadProbeFields(const Value& v, std::string_view what, bool hook) {
  if (v.kind != ValueKind::Record || !IsProbeTag(v.text)) {
    r_.Mismatch(v, what, "a probe such as `tcp(port)`, `http(\"/path\", port)`, `exec(...)` or `grpc(port)`");
    return std::nullopt;
  }
  Probe p;
  p.range = v.range;
  static const std::vector<std::string_view>& kHookKeys = schema::ComponentKeys("preStop");
  static const std::vector<std::string_view>& kProbeKeys = schema::ComponentKeys("liveness");
  r_.CheckKeys(v, what, hook ? kHookKeys : kProbeKeys);
  int handlers = 0;
  if (const Value* e = v.Get("exec")) {
    ++handlers;
    p.handler = Probe::Handler::Exec;
    std::vector<std::string> cmd;
    if (r_.StringList(*e, "the command of `exec`", cmd)) p.command = std::move(cmd);
  }
  if (const Value* h = v.Get("http")) {
    ++handlers;
    p.handler = Probe::Handler::Http;
    r_.String(*h, "the path of `http`", p.path);
    if (const Value* port = v.Get("port")) {
      r_.PortRefOf(*port, "the port of `http`", p.port);
    } else {
      r_.diags().Report(K::MissingField, v.range, fmt::format("the http {}", hook ? "hook" : "probe"), "port")
          .help = "give the port by name or number: `http(\"/health\", port: web)`";
    }
    static const std::span<const EnumWord> kSchemes = schema::ComponentWords("liveness.scheme");
    if (const Value* s = v.Get("scheme")) r_.Enum(*s, "scheme", kSchemes, p.scheme);
    if (const Value* host = v.Get("host")) r_.String(*host, "`host`", p.host);
    if (const Value* hs = v.Get("headers")) r_.StringMap(*hs, "`headers`", p.headers);
  }
  if (const Value* t = v.Get("tcp")) {
    ++handlers;
    p.handler = Probe::Handler::Tcp;
    r_.PortRefOf(*t, "the port of `tcp`", p.port);
  }
  if (const Value* g = v.Get("grpc")) {
    ++handlers;
    p.handler = Probe::Handler::Grpc;
    r_.PortRefOf(*g, "the port of `grpc`", p.port);
    if (const Value* s = v.Get("service")) r_.String(*s, "`service`", p.service);
  }
  if (handlers != 1) {
    diag::Diagnostic& d = r_.diags().Report(K::ProbeHandlers, v.range, handlers == 0 ? std::string("none") : fmt::format("{}", handlers));
    d.help = "keep exactly one of `exec`, `http`, `tcp` and `grpc`";
    return std::nullopt;
  }
  int64_t n = 0;
  if (const Value* x = v.Get("initialDelay"); x && r_.Seconds(*x, "`initialDelay`", n, 0)) p.initial_delay = n;
  if (const Value* x = v.Get("period"); x && r_.Seconds(*x, "`period`", n, 1)) p.period = n;
  if (const Value* x = v.Get("timeout"); x && r_.Seconds(*x, "`timeout`", n, 1)) p.timeout = n;
  if (const Value* x = v.Get("terminationGrace"); x && r_.Seconds(*x, "`terminationGrace`", n, 1)) p.termination_grace = n;
  if (const Value* x = v.Get("successThreshold"); x && r_.Int(*x, "`successThreshold`", n, 1, INT32_MAX)) {
    p.success = n;
    p.success_range = x->range;
  }
  if (const Value* x = v.Get("failureThreshold"); x && r_.Int(*x, "`failureThreshold`", n, 1, INT32_MAX)) p.failure = n;
  return p;
}

void ComponentBuilder::ReadMounts(const Value& list, std::vector<Mount>& out) {
  if (list.kind != ValueKind::List) {
    r_.Mismatch(list, "`mount`", "mount statements `mount NAME at \"/path\"`");
    return;
  }
  for (const Value& m : list.items) {
    Mount mount;
    mount.range = m.range;
    const Value* source = m.Get("source");
    if (!source || source->kind != ValueKind::Symbol) {
      diag::Diagnostic& d = r_.diags().Report(K::TypeMismatch, source ? source->range : m.range, "what `mount` mounts",
                                              "the name of a storage, config, secret or scratch volume",
                                              source ? Describe(*source) : std::string("nothing"));
      d.help = "mount a single config file inside its `config` section: `mount \"file\" at \"/path\"`";
      continue;
    }
    mount.volume = source->text;
    mount.volume_range = source->range;
    const Value* at = m.Get("at");
    if (at->kind == ValueKind::Record) {  // mount data at "/x" { subPath = "y"; readOnly = true }
      static const std::vector<std::string_view>& kKeys = schema::ComponentKeys("mount");
      r_.CheckKeys(*at, "`mount`", kKeys);
      if (const Value* s = at->Get("subPath"); s && r_.String(*s, "`subPath`", mount.sub_path)) mount.sub_path_range = s->range;
      if (const Value* ro = at->Get("readOnly")) r_.Bool(*ro, "`readOnly`", mount.read_only);
      at = at->Get("value");
    }
    if (at && r_.String(*at, "the mount path", mount.path)) {
      mount.path_range = at->range;
      out.push_back(std::move(mount));
    }
  }
}

std::optional<Value> ComponentBuilder::ReadSecurityContext(const Value& v, std::string_view what, bool pod) {
  if (v.kind != ValueKind::Record || !v.text.empty()) {
    r_.Mismatch(v, what, "a record such as `{ runAsUser: 1001 }`");
    return std::nullopt;
  }
  static const std::vector<std::string_view>& kPodKeys = schema::ComponentKeys("securityContext");
  static const std::vector<std::string_view>& kContainerKeys = schema::ComponentKeys("containerSecurityContext");
  static const std::vector<std::string_view>& kCapabilityKeys =
      schema::ComponentKeys("containerSecurityContext.capabilities");
  static const std::vector<std::string_view>& kSeccompKeys =
      schema::ComponentKeys("containerSecurityContext.seccompProfile");
  static const std::span<const EnumWord> kFsGroupChangePolicies =
      schema::ComponentWords("securityContext.fsGroupChangePolicy");
  static const std::span<const EnumWord> kProcMounts = schema::ComponentWords("containerSecurityContext.procMount");
  r_.CheckKeys(v, what, pod ? kPodKeys : kContainerKeys);
  bool ok = true;
  int64_t n = 0;
  bool b = false;
  std::string s;
  for (size_t i = 0; i < v.keys.size(); ++i) {
    const std::string& k = v.keys[i];
    const Value& x = v.items[i];
    std::string label = base::Cat({"`", k, "`"});
    if (k == "runAsUser" || k == "runAsGroup" || k == "fsGroup") ok &= r_.Int(x, label, n, 0, INT32_MAX * 2LL);
    else if (k == "runAsNonRoot" || k == "readOnlyRootFilesystem" || k == "allowPrivilegeEscalation" || k == "privileged") ok &= r_.Bool(x, label, b);
    else if (k == "fsGroupChangePolicy") ok &= r_.Enum(x, label, kFsGroupChangePolicies, s);
    else if (k == "procMount") ok &= r_.Enum(x, label, kProcMounts, s);
    else if (k == "capabilities" && x.kind == ValueKind::Record) r_.CheckKeys(x, "`capabilities`", kCapabilityKeys);
    else if (k == "seccompProfile" && x.kind == ValueKind::Record) r_.CheckKeys(x, "`seccompProfile`", kSeccompKeys);
  }
  if (!ok) return std::nullopt;
  return v;
}

}  // namespace kstate::check
