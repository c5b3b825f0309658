// Lookups over the component model (its tables are in schema_fields.cpp), and
// the built-in functions, units and keywords of the language.
#include "compiler/check/schema.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

namespace kstate::check::schema {

namespace {

// In the checker's order, which its "did you mean" for an unknown function follows.
constexpr Builtin kBuiltins[] = {
    {"exec", "exec(command, args...)",
     "A probe or hook that runs a command in the container; healthy when it exits 0."},
    {"http", "http(path, port, scheme: HTTPS, host: \"h\", headers: {...})",
     "A probe or hook that sends an HTTP GET; healthy on a 2xx or 3xx answer."},
    {"tcp", "tcp(port)", "A probe that opens a TCP connection to a port."},
    {"grpc", "grpc(port, service: \"name\")", "A probe that calls the gRPC health-checking protocol on a port."},
    {"required", "required(topology)",
     "Anti-affinity that the scheduler must obey: no two pods share a topology domain."},
    {"preferred", "preferred(topology, weight: 1..100)",
     "Anti-affinity that the scheduler tries to obey, with a weight from 1 to 100."},
    {"secret", "secret(name, key)",
     "A value from a Secret: one key (env), or all keys (envFrom) when `key` is left out."},
    {"configMap", "configMap(name, key)",
     "A value from a ConfigMap: one key (env), or all keys (envFrom) when `key` is left out."},
    {"field", "field(name | namespace | ip | node | serviceAccount | hostIP | uid)",
     "A fact about the pod, from the downward API."},
    {"resource", "resource(\"limits.memory\", container: \"c\", divisor: 1Mi)",
     "A container's resource request or limit, from the downward API."},
    {"spread", "spread(topology, maxSkew: 1, whenUnsatisfiable: doNotSchedule)",
     "A topology spread constraint over the component's pods."},
    {"toleration", "toleration(key, value: \"v\", operator: equal, effect: noSchedule, seconds: 300)",
     "Lets pods run on nodes with a matching taint."},
    {"join", "join(list, separator)", "The list's elements as text, with the separator between them."},
    {"len", "len(list | string | record)", "The number of elements or characters."},
    {"lower", "lower(text)", "The text in lower case (ASCII)."},
    {"upper", "upper(text)", "The text in upper case (ASCII)."},
    {"range", "range(to) | range(from, to)", "The whole numbers from `from` (default 0) up to, not including, `to`."},
    {"peers", "peers(self, port: 2380, scheme: \"http\")",
     "The stable DNS names of the component's pods, one per replica: `NAME-0.SERVICE.NAMESPACE.svc.cluster.local` "
     "(`NAME-0.SERVICE` without a namespace), with `scheme://` and `:port` when given."},
};

constexpr Unit kUnits[] = {
    {"Ki", "bytes", "2^10 = 1,024 bytes", int64_t{1} << 10},
    {"Mi", "bytes", "2^20 = 1,048,576 bytes", int64_t{1} << 20},
    {"Gi", "bytes", "2^30 = 1,073,741,824 bytes", int64_t{1} << 30},
    {"Ti", "bytes", "2^40 = 1,099,511,627,776 bytes", int64_t{1} << 40},
    {"Pi", "bytes", "2^50 bytes", int64_t{1} << 50},
    {"Ei", "bytes", "2^60 bytes", int64_t{1} << 60},
    {"k", "bytes", "10^3 = 1,000 bytes", 1000},
    {"M", "bytes", "10^6 = 1,000,000 bytes", 1000000},
    {"G", "bytes", "10^9 = 1,000,000,000 bytes", 1000000000},
    {"T", "bytes", "10^12 bytes", 1000000000000},
    {"P", "bytes", "10^15 bytes", 1000000000000000},
    {"E", "bytes", "10^18 bytes", 1000000000000000000},
    {"m", "cpu", "a thousandth of a core; in a duration field, a minute", 1},
    {"ms", "duration", "milliseconds", 1},
    {"s", "duration", "seconds", 1000},
    {"m", "duration", "minutes (alone, `30m` is a milli-quantity: minutes in a duration field)", 60000},
    {"h", "duration", "hours", 3600000},
};

constexpr Keyword kKeywords[] = {
    {"component", "Declares a stateful component: `component NAME { ... }`, or `component NAME : TEMPLATE(ARGS)`."},
    {"template", "Declares a component with parameters: `template NAME(PARAM: TYPE = DEFAULT) { ... }`."},
    {"import", "`import \"PATH\"` makes another file's templates and `let`s available."},
    {"as", "In `import \"PATH\" as NAME`: the name the module's templates and `let`s are reached through."},
    {"namespace", "`namespace \"NAME\"` sets the namespace of the components after it; `{ create = true }` emits it."},
    {"let", "`let NAME = EXPR` binds a name for the rest of the block or file.", true},
    {"port", "`port NAME = NUMBER` declares a container port; options follow in a block: `{ protocol = UDP }`."},
    {"file", "`file \"NAME\" = TEXT` adds a file to a `config` section."},
    {"mount", "`mount NAME at PATH` mounts a volume; in `config`, `mount at DIR` or `mount \"FILE\" at PATH`."},
    {"at", "In `mount ... at PATH`: where the volume is mounted."},
    {"assert", "`assert COND, \"MESSAGE\"` fails the build with MESSAGE when COND is false; in a template, "
               "the error points at the instance."},
    {"if", "`if COND then A else B`: A when COND is true, else B.", true},
    {"then", "In `if COND then A else B`: the value when COND is true.", true},
    {"else", "In `if COND then A else B`: the value when COND is false.", true},
    {"for", "`[for x in SOURCE: EXPR]` builds a list; `[for x in SOURCE if COND: EXPR]` filters it.", true},
    {"in", "In `[for x in SOURCE: EXPR]`: the list or range the variable runs over.", true},
    {"and", "`a and b`: true when both are; b is evaluated only when a is true.", true},
    {"or", "`a or b`: true when either is; b is evaluated only when a is false.", true},
    {"not", "`not a`: the opposite boolean.", true},
    {"true", "The boolean true.", true},
    {"false", "The boolean false.", true},
};

[[noreturn]] void NoSuchPath(const char* what, std::string_view path) {
  std::fprintf(stderr, "kstatec: internal error: the component schema has no %s at `%.*s`\n", what,
               static_cast<int>(path.size()), path.data());
  std::abort();
}

}  // namespace

const Field* FindField(const Section& section, std::string_view name) {
  for (const Field& f : section.fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const Field* FindPath(const Section& root, std::string_view path) {
  const Section* section = &root;
  while (section) {
    size_t dot = path.find('.');
    const Field* field = FindField(*section, path.substr(0, dot));
    if (!field || dot == std::string_view::npos) return field;
    section = field->section;
    path.remove_prefix(dot + 1);
  }
  return nullptr;
}

const std::vector<std::string_view>& Keys(const Section& section) {
  // Node-based, so a returned reference stays valid as other sections are added.
  static std::mutex mutex;
  static std::map<const Section*, std::vector<std::string_view>> cache;
  std::lock_guard lock(mutex);
  auto [it, fresh] = cache.try_emplace(&section);
  if (fresh) {
    if (!section.head_key.empty()) it->second.push_back(section.head_key);
    for (const Field& f : section.fields) it->second.push_back(f.name);
  }
  return it->second;
}

const std::vector<std::string_view>& ComponentKeys(std::string_view path) {
  if (path.empty()) return Keys(Component());
  const Field* field = FindPath(Component(), path);
  if (!field || !field->section) NoSuchPath("section", path);
  return Keys(*field->section);
}

std::span<const EnumWord> ComponentWords(std::string_view path) {
  const Field* field = FindPath(Component(), path);
  if (!field || field->words.empty()) NoSuchPath("enum", path);
  return field->words;
}

std::span<const Builtin> Builtins() {
  return kBuiltins;
}

const Builtin* FindBuiltin(std::string_view name) {
  for (const Builtin& b : kBuiltins) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

std::span<const Unit> Units() {
  return kUnits;
}

std::span<const Keyword> Keywords() {
  return kKeywords;
}

}  // namespace kstate::check::schema
