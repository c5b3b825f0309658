// Built-in functions. Most build a tagged record from their arguments (a
// probe, an anti-affinity rule, a secret reference) that the component model
// interprets; a few compute values (join, len, lower, upper, range).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "compiler/base/text.h"
#include "compiler/check/eval.h"
#include "compiler/check/schema.h"

namespace kstate::check {

using K = diag::Kind;

namespace {

struct Spec {
  std::string_view name;
  std::string_view tag;                        // the record tag it builds; empty for computing built-ins
  std::vector<std::string_view> positional;    // parameter names, in order
  std::vector<std::string_view> named_only;    // parameters only accepted by name
  size_t required = 0;                         // how many leading positional parameters are required
  bool variadic = false;                       // extra positional arguments collect into the first parameter
  // The name a caller gives the first positional parameter, where the result
  // stores it under another key: `tcp(port: 5432)` is kept as field `tcp`.
  std::string_view first_named = {};
  std::string_view signature = {};             // from the schema, which documents every built-in
};

[[noreturn]] void SchemaDisagrees(const std::string& why) {
  std::fprintf(stderr, "kstatec: internal error: %s\n", why.c_str());
  std::abort();
}

// Takes each signature from the schema; a built-in missing there, or one
// there that is missing here, is a bug that must not reach a user.
std::vector<Spec> WithSignatures(std::vector<Spec> specs) {
  for (Spec& s : specs) {
    const schema::Builtin* b = schema::FindBuiltin(s.name);
    if (!b) SchemaDisagrees(fmt::format("built-in `{}` is not in the schema", s.name));
    s.signature = b->signature;
  }
  if (specs.size() != schema::Builtins().size()) {
    SchemaDisagrees(
        fmt::format("the schema lists {} built-ins, the checker {}", schema::Builtins().size(), specs.size()));
  }
  return specs;
}

const std::vector<Spec>& Specs() {
  static const std::vector<Spec> kSpecs = WithSignatures({
      {"exec", "probe", {"exec"}, {}, 1, true, "command"},
      {"http", "probe", {"http", "port"}, {"scheme", "host", "headers"}, 1, false, "path"},
      {"tcp", "probe", {"tcp"}, {}, 1, false, "port"},
      {"grpc", "probe", {"grpc"}, {"service"}, 1, false, "port"},
      {"required", "required", {"topology"}, {}, 1, false},
      {"preferred", "preferred", {"topology", "weight"}, {}, 1, false},
      {"secret", "secret", {"name", "key"}, {"optional", "prefix"}, 1, false},
      {"configMap", "configMap", {"name", "key"}, {"optional", "prefix"}, 1, false},
      {"field", "field", {"path"}, {}, 1, false},
      {"resource", "resource", {"resource"}, {"container", "divisor"}, 1, false},
      {"spread", "spread", {"topology", "maxSkew"}, {"whenUnsatisfiable", "minDomains"}, 1, false},
      {"toleration", "toleration", {"key"}, {"value", "operator", "effect", "seconds"}, 0, false},
      {"join", "", {"list", "separator"}, {}, 2, false},
      {"len", "", {"value"}, {}, 1, false},
      {"lower", "", {"text"}, {}, 1, false},
      {"upper", "", {"text"}, {}, 1, false},
      {"range", "", {"from", "to"}, {}, 1, false},
      {"peers", "", {"component"}, {"port", "scheme"}, 1, false},
  });
  return kSpecs;
}

const Spec* FindSpec(std::string_view name) {
  for (const Spec& s : Specs()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace

Value Evaluator::EvalCall(const syntax::Expr& e, const Scope& scope) {
  std::string_view name = e.base->kind == syntax::ExprKind::Name ? e.base->name.text : std::string_view{};
  const Spec* spec = FindSpec(name);
  if (!spec) {
    diag::Diagnostic& d = diags_.Report(K::BadCall, e.base->range,
                                        name.empty() ? std::string("only built-in functions can be called")
                                                     : fmt::format("unknown function `{}`", name));
    std::vector<std::string_view> names;
    for (const Spec& s : Specs()) names.push_back(s.name);
    if (!name.empty()) diag::SuggestClosest(d, name, names);
    return Value{};
  }
  // Bind arguments to parameter names.
  Value args = Value::Record(std::string(spec->tag), e.range);
  size_t position = 0;
  bool ok = true;
  for (const syntax::Arg& arg : e.args) {
    if (arg.name.text.empty()) {
      if (position < spec->positional.size()) {
        std::string_view param = spec->positional[position++];
        if (args.Get(param)) {  // named before it: `tcp(port: 80, 81)`
          std::string_view shown = position == 1 && !spec->first_named.empty() ? spec->first_named : param;
          diag::Diagnostic& d =
              diags_.Report(K::BadCall, arg.value->range, fmt::format("argument `{}` is given twice", shown));
          d.notes.push_back({args.KeyRange(param), "first given here, by name"});
          d.help = "positional arguments fill the parameters in order; give this one by name too, or drop one";
          ok = false;
          continue;
        }
        args.Set(std::string(param), arg.value->range, Eval(*arg.value, scope));
      } else if (spec->variadic) {
        Value* list = args.Get(spec->positional[0]);
        if (list->kind != ValueKind::List) {
          Value first = std::move(*list);
          list->kind = ValueKind::List;
          list->items.clear();
          list->items.push_back(std::move(first));  // (a braced list would copy it)
        }
        list->items.push_back(Eval(*arg.value, scope));
        list->range.end = arg.value->range.end;
      } else {
        diags_.Report(K::BadCall, arg.value->range,
                      fmt::format("`{}` takes at most {} positional argument{}: `{}`", spec->name,
                                  spec->positional.size(), spec->positional.size() == 1 ? "" : "s", spec->signature));
        ok = false;
      }
      continue;
    }
    std::string_view key = arg.name.text;
    bool renamed = !spec->first_named.empty();
    bool known = false;
    if (renamed && key == spec->first_named) {
      key = spec->positional[0];
      known = true;
    } else if (!(renamed && key == spec->positional[0])) {
      known = std::find(spec->positional.begin(), spec->positional.end(), key) != spec->positional.end() ||
              std::find(spec->named_only.begin(), spec->named_only.end(), key) != spec->named_only.end();
    }
    if (!known) {
      diag::Diagnostic& d = diags_.Report(K::BadCall, arg.name.range,
                                          fmt::format("`{}` has no parameter `{}`", spec->name, arg.name.text));
      std::vector<std::string_view> params(spec->positional.begin(), spec->positional.end());
      if (renamed) params.front() = spec->first_named;
      params.insert(params.end(), spec->named_only.begin(), spec->named_only.end());
      diag::SuggestClosest(d, arg.name.text, params);
      if (d.help.empty()) d.help = fmt::format("it is called as `{}`", spec->signature);
      ok = false;
      continue;
    }
    if (args.Get(key)) {
      diags_.Report(K::BadCall, arg.name.range, fmt::format("argument `{}` is given twice", arg.name.text))
          .notes.push_back({args.KeyRange(key), "first given here"});
      ok = false;
      continue;
    }
    args.Set(std::string(key), arg.name.range, Eval(*arg.value, scope));
  }
  for (size_t i = 0; i < spec->required; ++i) {
    if (!args.Get(spec->positional[i])) {
      diags_.Report(K::BadCall, e.range,
                    fmt::format("`{}` is missing an argument; it is called as `{}`", spec->name, spec->signature));
      ok = false;
    }
  }
  if (!ok) return Value{};
  if (spec->variadic) {  // exec("a", "b") and exec(["a", "b"]) are the same
    Value* first = args.Get(spec->positional[0]);
    if (first->kind != ValueKind::List) {
      Value single = std::move(*first);
      first->kind = ValueKind::List;
      first->items.clear();
      first->items.push_back(std::move(single));
    }
  }
  if (!spec->tag.empty()) return args;

  // Computing built-ins.
  auto type_error = [&](const Value& v, std::string_view what, std::string_view expected) {
    if (v.kind == ValueKind::Null) return Value{};  // already reported
    if (v.kind == ValueKind::Symbol) ReportUnknownName(v, scope);
    else diags_.Report(K::TypeMismatch, v.range, what, expected, Describe(v));
    return Value{};
  };
  if (name == "join") {
    const Value& list = *args.Get("list");
    const Value& sep = *args.Get("separator");
    if (list.kind != ValueKind::List) return type_error(list, "the first argument of `join`", "a list");
    if (sep.kind != ValueKind::String) return type_error(sep, "the separator of `join`", "a string");
    // The separators are text the result copies: counted like the elements'
    // text (Stringify), so a long separator cannot build an unbounded string.
    if (list.items.size() > 1 && !Spend((list.items.size() - 1) * (sep.text.size() / 8 + 1), e.range)) return Value{};
    Value out = Value::Str({}, e.range);
    for (size_t i = 0; i < list.items.size(); ++i) {
      if (i) out.text += sep.text;
      if (!Stringify(list.items[i], out.text, scope)) return Value{};
    }
    return out;
  }
  if (name == "len") {
    const Value& v = *args.Get("value");
    if (v.kind == ValueKind::String) return Value::Int(static_cast<int64_t>(v.text.size()), e.range);
    if (v.kind == ValueKind::List || v.kind == ValueKind::Record) return Value::Int(static_cast<int64_t>(v.items.size()), e.range);
    return type_error(v, "the argument of `len`", "a list, a string or a record");
  }
  if (name == "lower" || name == "upper") {
    Value v = *args.Get("text");
    if (v.kind != ValueKind::String) return type_error(v, fmt::format("the argument of `{}`", name), "a string");
    for (char& c : v.text) c = name == "lower" ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                                               : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    v.range = e.range;
    return v;
  }
  if (name == "peers") {
    const Value& self = *args.Get("component");
    if (self.kind != ValueKind::Record || self.text != "self") {
      return type_error(self, "the argument of `peers`", "`self`, the component being declared");
    }
    std::string scheme, port;
    if (const Value* s = args.Get("scheme")) {
      if (s->kind != ValueKind::String || s->text.empty()) {
        return type_error(*s, "the scheme of `peers`", "a string such as \"http\" (leave it out for none)");
      }
      scheme = s->text + "://";
    }
    if (const Value* p = args.Get("port")) {
      if (p->kind != ValueKind::Int || p->integer < 1 || p->integer > 65535) {
        return type_error(*p, "the port of `peers`", "a port number (1..65535)");
      }
      port = ":" + base::IntText(p->integer);
    }
    const std::string& pod = self.Get("name")->text;
    const std::string& ns = self.Get("namespace")->text;
    std::string domain = "." + self.Get("service")->text + (ns.empty() ? "" : "." + ns + ".svc.cluster.local");
    int64_t replicas = self.Get("replicas")->integer;
    if (!Spend(static_cast<uint64_t>(std::max<int64_t>(replicas, 0)), e.range)) return Value{};
    Value out;
    out.kind = ValueKind::List;
    out.range = e.range;
    out.items.reserve(static_cast<size_t>(std::max<int64_t>(replicas, 0)));
    for (int64_t i = 0; i < replicas; ++i) {
      out.items.push_back(Value::Str(base::Cat({scheme, pod, "-", base::IntText(i), domain, port}), e.range));
    }
    return out;
  }
  // range(to) or range(from, to)
  const Value* from = args.Get("from");
  const Value* to = args.Get("to");
  if (!to) std::swap(from, to);
  int64_t lo = from ? from->integer : 0;
  if ((from && from->kind != ValueKind::Int)) return type_error(*from, "the arguments of `range`", "whole numbers");
  if (to->kind != ValueKind::Int) return type_error(*to, "the arguments of `range`", "whole numbers");
  Value out;
  out.kind = ValueKind::List;
  out.range = e.range;
  if (RangeSize(lo, to->integer) > 100000) {
    diags_.Report(K::ArithmeticError, e.range, "the range has more than 100000 elements");
    return Value{};
  }
  if (!Spend(RangeSize(lo, to->integer), e.range)) return Value{};
  for (int64_t i = lo; i < to->integer; ++i) out.items.push_back(Value::Int(i, e.range));
  return out;
}

}  // namespace kstate::check
