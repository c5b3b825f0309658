// Templates: finding the one an instance names, checking parameter types and
// binding an instance's arguments to parameters.
#include <algorithm>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "compiler/base/text.h"
#include "compiler/check/convert.h"
#include "compiler/check/module.h"

namespace kstate::check {

using K = diag::Kind;

namespace {

bool TakesElementType(std::string_view word) { return word == "list" || word == "map"; }

// The types that take bounds: numbers and quantities (their value) and
// strings (their length).
bool TakesBounds(std::string_view word) {
  return word == "int" || word == "port" || word == "bytes" || word == "cpu" || word == "duration" || word == "string";
}

bool CheckType(const syntax::TypeRef& t, diag::Diagnostics& diags, bool element = false) {
  bool known = false;
  for (std::string_view w : syntax::kTypeWords) known = known || w == t.word.text;
  if (!known) {
    diag::Diagnostic& d = diags.Report(K::UnknownType, t.word.range, t.word.text,
                                       "does not exist; the types are `int`, `bool`, `string`, `identifier`, `bytes`, "
                                       "`cpu`, `duration`, `port`, `record`, `list[T]` and `map[T]`");
    diag::SuggestClosest(d, t.word.text, {std::begin(syntax::kTypeWords), std::end(syntax::kTypeWords)});
    return false;
  }
  if (t.bounded && (element || !TakesBounds(t.word.text))) {
    diag::Diagnostic& d = diags.Report(K::UnknownType, t.range, t.word.text,
                                       element ? "has bounds, which an element type cannot have" : "takes no bounds");
    d.help = element ? "bound the parameter's own type, or check the elements in the template body"
                     : "`int`, `port`, `bytes`, `cpu` and `duration` take bounds on their value, as in `int(1..)`, "
                       "and `string` on its length, as in `string(1..63)`";
    return false;
  }
  if (TakesElementType(t.word.text) != (t.args.size() == 1)) {
    bool needs = TakesElementType(t.word.text);
    diags.Report(K::UnknownType, t.range, t.word.text, needs ? "needs an element type" : "takes no element type")
        .help = needs ? fmt::format("write `{}[string]`, `{}[int]`, ...", t.word.text, t.word.text)
                      : "only `list` and `map` take an element type";
    return false;
  }
  return t.args.empty() || CheckType(t.args.front(), diags, true);
}

std::string TypeText(const syntax::TypeRef& t) {
  if (t.args.empty()) return std::string(t.word.text);
  return fmt::format("{}[{}]", t.word.text, TypeText(t.args.front()));
}

// What a value of type `t` is, for "must be ...".
std::string Expected(const syntax::TypeRef& t) {
  std::string_view w = t.word.text;
  if (w == "int") return "a whole number";
  if (w == "bool") return "a boolean";
  if (w == "string") return "a string";
  if (w == "identifier") {
    return "an identifier (1 to 63 letters, digits, `_`, `-` and `.`, starting with a letter or `_`)";
  }
  if (w == "bytes") return "a byte size such as `8Gi`";
  if (w == "cpu") return "a CPU amount such as `500m` or `2`";
  if (w == "duration") return "a duration such as `30s`";
  if (w == "port") return "a port number (1..65535)";
  if (w == "record") return "a record";
  return fmt::format("`{}`", TypeText(t));
}

// `identifier`: a word that can be pasted unquoted into configuration files,
// shell words and SQL (user, replica set and master names): 1 to 63 ASCII
// letters, digits, `_`, `-` and `.`, starting with a letter or `_`.
bool IsIdentifier(std::string_view s) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (s.empty() || s.size() > 63 || !letter(s.front())) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return letter(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; });
}

// True when `v` is a value of type `t`.
bool Fits(const syntax::TypeRef& t, const Value& v) {
  std::string_view w = t.word.text;
  if (w == "int") return v.kind == ValueKind::Int;
  if (w == "bool") return v.kind == ValueKind::Bool;
  if (w == "string") return v.kind == ValueKind::String;
  if (w == "identifier") return v.kind == ValueKind::String && IsIdentifier(v.text);
  if (w == "bytes") return v.kind == ValueKind::Bytes;
  if (w == "cpu") return v.kind == ValueKind::Milli || v.kind == ValueKind::Int || v.kind == ValueKind::Decimal;
  if (w == "duration") return v.kind == ValueKind::Duration;
  if (w == "port") return v.kind == ValueKind::Int && v.integer >= 1 && v.integer <= 65535;
  if (w == "record") return v.kind == ValueKind::Record;
  if (v.kind != (w == "list" ? ValueKind::List : ValueKind::Record)) return false;  // list[T], map[T]
  return std::all_of(v.items.begin(), v.items.end(), [&](const Value& item) { return Fits(t.args.front(), item); });
}

// Checks `v` against `t`; on a mismatch, reports it for `what` (or for the
// first element that does not fit) and returns false.
bool Matches(const syntax::TypeRef& t, const Value& v, std::string_view what, Evaluator& eval, const Scope& scope) {
  if (v.kind == ValueKind::Null) return false;  // already reported
  if (v.kind == ValueKind::Symbol && t.word.text != "record") {
    eval.ReportUnknownName(v, scope);
    return false;
  }
  if (Fits(t, v)) return true;
  std::string_view w = t.word.text;
  if ((w == "list" && v.kind == ValueKind::List) || (w == "map" && v.kind == ValueKind::Record)) {
    for (size_t i = 0; i < v.items.size(); ++i) {
      if (Fits(t.args.front(), v.items[i])) continue;
      std::string item = w == "list" ? fmt::format("element {} of {}", i, what)
                                     : fmt::format("`{}` in {}", v.keys[i], what);
      return Matches(t.args.front(), v.items[i], item, eval, scope);
    }
  }
  diag::Diagnostic& d = eval.diags().Report(K::TypeMismatch, v.range, what, Expected(t), Describe(v));
  AddQuotingHelp(d, v, w == "string");
  return false;
}

// `5m` is minutes where a duration is expected (it reads as milli-units elsewhere).
void Coerce(const syntax::TypeRef& t, Value& v) {
  if (t.word.text == "duration" && v.kind == ValueKind::Milli && !__builtin_mul_overflow(v.integer, 60000, &v.integer)) {
    v.kind = ValueKind::Duration;
  }
}

// Where a value of a bounded type sits on its scale: the number itself, a
// CPU amount in millicores, a string's length in characters. Empty when the
// value has no exact place (a CPU amount finer than 1m, reported elsewhere).
std::optional<int64_t> Measure(std::string_view word, const Value& v) {
  if (word == "string") {
    int64_t chars = 0;
    for (char c : v.text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return chars;
  }
  if (word != "cpu" || v.kind == ValueKind::Milli) return v.integer;
  return base::ScaleExact(v.kind == ValueKind::Decimal ? v.decimal : base::Decimal{v.integer, 0}, 1000);
}

// A point on the scale of `word`, as the user writes it.
std::string Show(std::string_view word, int64_t n) {
  if (word == "bytes") return base::FormatBytes(n);
  if (word == "duration") return base::FormatDuration(n);
  if (word == "cpu") return base::FormatMillicores(n);
  return fmt::format("{}", n);
}

// Evaluates the bound `e` of parameter `p` (in the scope of the parameters
// before it) onto the parameter's scale. Empty when it has none or is
// reported as wrong.
std::optional<int64_t> EvalBound(const syntax::Param& p, const syntax::Expr* e, std::string_view which, Evaluator& eval,
                                 const Scope& params) {
  if (!e) return std::nullopt;
  Value b = eval.Eval(*e, params);
  std::string_view w = p.type.word.text;
  syntax::TypeRef scale = p.type;
  if (w == "string") scale.word.text = "int";  // a length
  Coerce(scale, b);
  std::string what = fmt::format("the {} bound of parameter `{}`", which, p.name.text);
  if (!Matches(scale, b, what, eval, params)) return std::nullopt;
  if (w == "port" || w == "string") return b.integer;  // a port number (Matches checked 1..65535), a length
  std::optional<int64_t> n = Measure(w, b);
  if (!n) {
    std::string shown = b.kind == ValueKind::Decimal ? base::FormatDecimal(b.decimal) : fmt::format("{}", b.integer);
    eval.diags().Report(K::InexactQuantity, b.range, shown, "millicores");
  }
  return n;
}

// Checks a value of parameter `p` against the bounds of its type; false when
// it is outside them (and reported).
bool CheckBounds(const syntax::Param& p, const Value& v, std::string_view what, bool is_default, Evaluator& eval,
                 const Scope& params) {
  std::optional<int64_t> low = EvalBound(p, p.type.low, "lower", eval, params);
  std::optional<int64_t> high = EvalBound(p, p.type.high, "upper", eval, params);
  std::string_view w = p.type.word.text;
  std::optional<int64_t> n = Measure(w, v);
  if (!n || (!(low && *n < *low) && !(high && *n > *high))) return true;
  std::string allowed = fmt::format("{}..{}", low ? Show(w, *low) : "", high ? Show(w, *high) : "");
  std::string subject = w == "string" ? fmt::format("the length of {}", what) : std::string(what);
  diag::Diagnostic& d = eval.diags().Report(K::OutOfRange, v.range, subject, Show(w, *n), allowed);
  d.notes.push_back({p.type.range, fmt::format("the bounds of parameter `{}`", p.name.text)});
  if (low && high && *low > *high) {
    d.help = "for this instance the range is empty: its upper bound comes out below its lower bound";
  } else if (is_default) {
    d.help = fmt::format("the default is computed from the arguments before it; pass `{}` yourself", p.name.text);
  }
  return false;
}

}  // namespace

bool CheckParamTypes(const syntax::Decl& templ, diag::Diagnostics& diags) {
  bool ok = true;
  for (size_t i = 0; i < templ.params.size(); ++i) {
    const syntax::Param& p = templ.params[i];
    ok = CheckType(p.type, diags) && ok;
    if (p.name.text == "self") {  // the body's `self` is the component and would hide it
      diag::Diagnostic& d = diags.Report(K::DuplicateName, p.name.range, "parameter", p.name.text);
      d.notes.push_back({templ.name.range, "every template body already has `self`, the component being declared"});
      d.help = "give the parameter another name";
      ok = false;
    }
    for (size_t j = 0; j < i; ++j) {
      if (templ.params[j].name.text != p.name.text) continue;
      diag::Diagnostic& d = diags.Report(K::DuplicateName, p.name.range, "parameter", p.name.text);
      d.notes.push_back({templ.params[j].name.range, "first declared here"});
      ok = false;
    }
  }
  return ok;
}

const Template* FindOpenedTemplate(const std::deque<Module>& modules, const Module& module, std::string_view name,
                                   const std::function<void(const Module&)>& searched, bool& complete) {
  // Plain imports pass on what they import plainly, as they do with `let`s:
  // search them breadth first (imports form no cycles), nearest first.
  std::vector<uint32_t> queue(module.opened.begin(), module.opened.end());
  std::vector<bool> seen(modules.size(), false);
  for (size_t next = 0; next < queue.size(); ++next) {
    if (seen[queue[next]]) continue;
    seen[queue[next]] = true;
    const Module& m = modules[queue[next]];
    if (auto found = m.template_index.find(name); found != m.template_index.end()) return found->second;
    if (searched) searched(m);
    complete = complete && m.complete;
    queue.insert(queue.end(), m.opened.begin(), m.opened.end());
  }
  return nullptr;
}

const Template* FindTemplate(const std::deque<Module>& modules, const Module& module, const syntax::Expr& callee,
                             diag::Diagnostics& diags) {
  std::vector<std::string_view> candidates;
  auto collect = [&](const Module& m) {
    for (const auto& t : m.templates) candidates.push_back(t->decl->name.text);
  };
  if (callee.kind == syntax::ExprKind::Field) {
    const syntax::Expr& alias = *callee.base;
    auto it = module.aliases.find(alias.name.text);
    if (it == module.aliases.end() && module.import_failed) return nullptr;  // the import is reported
    if (it == module.aliases.end()) {
      diag::Diagnostic& d = diags.Report(K::UnknownName, alias.range, alias.name.text);
      for (const auto& [name, _] : module.aliases) candidates.push_back(name);
      diag::SuggestClosest(d, alias.name.text, candidates);
      if (d.help.empty()) d.help = fmt::format("import a module first, as in `import \"std/db/mariadb\" as {}`", alias.name.text);
      return nullptr;
    }
    const Module& m = modules[it->second];
    auto found = m.template_index.find(callee.name.text);
    if (found != m.template_index.end()) return found->second;
    if (!m.complete) return nullptr;  // the module's syntax error is reported
    diag::Diagnostic& d = diags.Report(K::UnknownTemplate, callee.name.range, fmt::format("{}.{}", alias.name.text, callee.name.text));
    collect(m);
    diag::SuggestClosest(d, callee.name.text, candidates);
    return nullptr;
  }
  if (auto found = module.template_index.find(callee.name.text); found != module.template_index.end()) {
    return found->second;
  }
  collect(module);
  bool complete = true;
  if (const Template* t = FindOpenedTemplate(modules, module, callee.name.text, collect, complete)) return t;
  if (!complete || module.import_failed) return nullptr;  // a syntax error or a failed import is reported
  diag::Diagnostic& d = diags.Report(K::UnknownTemplate, callee.range, callee.name.text);
  diag::SuggestClosest(d, callee.name.text, candidates);
  if (d.help.empty()) d.help = "declare or import a template before the components that use it";
  return nullptr;
}

bool BindArguments(const Template& t, const syntax::Expr& call, Evaluator& eval, const Scope& caller, Scope& params) {
  const syntax::Decl& decl = *t.decl;
  size_t errors = eval.diags().error_count();
  std::string_view tname = decl.name.text;
  std::vector<const syntax::Arg*> given(decl.params.size(), nullptr);
  size_t positional = 0;
  for (const syntax::Arg& arg : call.args) {
    size_t index = decl.params.size();
    if (arg.name.text.empty()) {
      index = positional++;
      if (index >= decl.params.size()) {
        eval.diags().Report(K::BadCall, arg.value->range,
                            fmt::format("template `{}` takes {} argument{}, found more", tname, decl.params.size(),
                                        decl.params.size() == 1 ? "" : "s"));
        continue;
      }
    } else {
      for (size_t i = 0; i < decl.params.size(); ++i) {
        if (decl.params[i].name.text == arg.name.text) index = i;
      }
      if (index == decl.params.size()) {
        diag::Diagnostic& d = eval.diags().Report(K::UnknownParameter, arg.name.range, tname, arg.name.text);
        std::vector<std::string_view> names;
        for (const syntax::Param& p : decl.params) names.push_back(p.name.text);
        diag::SuggestClosest(d, arg.name.text, names);
        d.notes.push_back({decl.name.range, "the template is declared here"});
        continue;
      }
    }
    if (given[index]) {
      diag::Diagnostic& d = eval.diags().Report(K::DuplicateField, arg.value->range, decl.params[index].name.text,
                                                fmt::format("the arguments of `{}`", tname));
      d.notes.push_back({given[index]->value->range, "first given here"});
      continue;
    }
    given[index] = &arg;
  }
  params.names.reserve(params.names.size() + decl.params.size());
  for (size_t i = 0; i < decl.params.size(); ++i) {
    const syntax::Param& p = decl.params[i];
    Value v;
    // Checks `v` against the parameter's type and bounds. Every instance
    // passes every argument through here, so the description for messages is
    // built only when there may be something to report.
    auto check = [&](const Scope& scope, bool is_default) {
      bool fits = v.kind != ValueKind::Null && v.kind != ValueKind::Symbol && Fits(p.type, v);
      if (fits && !p.type.bounded) return;
      std::string what = is_default ? base::Cat({"the default of parameter `", p.name.text, "`"})
                                    : base::Cat({"argument `", p.name.text, "` of `", tname, "`"});
      // A value reported here is left out (null), so that what is computed
      // from it (a default, the body) adds no follow-on errors.
      if (!Matches(p.type, v, what, eval, scope)) v = Value{};
      else if (p.type.bounded && !CheckBounds(p, v, what, is_default, eval, params)) v = Value{};
    };
    if (given[i]) {
      v = eval.Eval(*given[i]->value, caller);
      Coerce(p.type, v);
      check(caller, false);
    } else if (p.default_value) {
      v = eval.Eval(*p.default_value, params);
      Coerce(p.type, v);
      check(params, true);
    } else {
      diag::Diagnostic& d = eval.diags().Report(K::MissingArgument, call.range, tname, p.name.text);
      d.notes.push_back({p.name.range, fmt::format("parameter `{}: {}` has no default", p.name.text, TypeText(p.type))});
      d.help = fmt::format("pass it, as in `{}({}: ...)`", tname, p.name.text);
    }
    params.Bind(Binding{p.name.text, p.name.range, std::move(v)});
  }
  return eval.diags().error_count() == errors;
}

namespace {

// For each `let` of a template's body: how often its value names each
// parameter, directly or through the `let`s before it.
using LetUses = std::unordered_map<std::string_view, std::vector<int>>;
// Each `let` of a template's body: the expression it names.
using LetValues = std::unordered_map<std::string_view, const syntax::Expr*>;

// How often each parameter is named in `root` (and in the blocks of override
// expressions below it); a name bound by a `let` in `lets` counts as the
// parameters its value names. A `let` statement itself counts nothing (its
// uses count where it is named), nor does an `assert`, which checks a value
// but puts none in the output. Iterative: a long flat chain `a + b + ...` is
// as deep as it is long.
void CountParams(const syntax::Expr* root, const syntax::Block* root_block, const std::vector<syntax::Param>& params,
                 const LetUses& lets, std::vector<int>& counts) {
  std::vector<const syntax::Expr*> exprs;
  std::vector<const syntax::Block*> blocks;
  if (root) exprs.push_back(root);
  if (root_block) blocks.push_back(root_block);
  while (!exprs.empty() || !blocks.empty()) {
    if (!blocks.empty()) {
      const syntax::Block* b = blocks.back();
      blocks.pop_back();
      for (const syntax::Stmt* st : b->stmts) {
        if (st->kind == syntax::StmtKind::Assert || st->kind == syntax::StmtKind::Let) continue;
        exprs.push_back(st->key);
        exprs.push_back(st->value);
        if (st->body) blocks.push_back(st->body);
      }
      continue;
    }
    const syntax::Expr* e = exprs.back();
    exprs.pop_back();
    if (!e) continue;
    if (e->kind == syntax::ExprKind::Name) {
      if (auto it = lets.find(e->name.text); it != lets.end()) {
        for (size_t i = 0; i < params.size(); ++i) counts[i] += it->second[i];
      } else {
        for (size_t i = 0; i < params.size(); ++i) counts[i] += params[i].name.text == e->name.text;
      }
    }
    for (const syntax::Expr* item : e->items) exprs.push_back(item);
    for (const syntax::Arg& a : e->args) exprs.push_back(a.value);
    for (const syntax::RecordEntry& r : e->entries) {
      exprs.push_back(r.key);
      exprs.push_back(r.value);
    }
    for (const syntax::StringPart& part : e->parts) {
      if (part.expr) exprs.push_back(part.expr);
    }
    if (e->base) exprs.push_back(e->base);
    if (e->block) blocks.push_back(e->block);
  }
}

// The `let`s of `b` and of the sections inside it, in source order, each
// resolved through the ones before it; `values` gets each one's expression. A
// name is matched without scopes: a `let` stands for its name in every
// statement of the body, also outside its section and, for a `let` that
// reuses a parameter's name, before it. That is close enough for a warning.
void CollectLets(const syntax::Block& b, const std::vector<syntax::Param>& params, LetUses& lets,
                 LetValues& values) {
  for (const syntax::Stmt* st : b.stmts) {
    if (st->kind == syntax::StmtKind::Let) {
      std::vector<int> uses(params.size(), 0);
      CountParams(st->value, nullptr, params, lets, uses);
      lets[st->name.text] = std::move(uses);
      values[st->name.text] = st->value;
    } else if (st->body) {
      CollectLets(*st->body, params, lets, values);
    }
  }
}

// Calls `f(path, stmt)` for every statement of `b` that sets a value, with
// the path an override would use for it: `resources.memory`,
// `storage data.size`, `port kafka`, `file "server.properties"`.
void ForEachSetting(const syntax::Block& b, const std::string& prefix,
                    const std::function<void(const std::string&, const syntax::Stmt&)>& f) {
  for (const syntax::Stmt* st : b.stmts) {
    switch (st->kind) {
      case syntax::StmtKind::Assign: {
        std::string path = prefix;
        if (st->key) {
          const std::string* key = syntax::LiteralText(*st->key);
          if (!key) break;
          path += "\"" + *key + "\"";
        } else {
          for (size_t i = 0; i < st->path.size(); ++i) path += (i ? "." : "") + std::string(st->path[i].text);
        }
        f(path, *st);
        break;
      }
      case syntax::StmtKind::Section: {
        std::string inner = prefix + std::string(st->head.text);
        if (!st->name.text.empty()) inner += " " + std::string(st->name.text);
        if (st->body) ForEachSetting(*st->body, inner + ".", f);
        break;
      }
      case syntax::StmtKind::Port: f(prefix + "port " + std::string(st->name.text), *st); break;
      case syntax::StmtKind::File: {
        const std::string* name = st->key ? syntax::LiteralText(*st->key) : nullptr;
        if (name) f(prefix + "file \"" + *name + "\"", *st);
        break;
      }
      default: break;
    }
  }
}

using EntryFn = std::function<void(const std::string& path, const syntax::Expr* value, const syntax::Block* body)>;

// The walks below follow `let`s and both branches of `if`s, so a hostile body
// (`let a = if c then b else b`, `let b = if c then d else d`, ...) could
// make them exponential. Each field's walk shares one budget of steps: far
// more than any template written by hand needs, and a bound on the work and
// on the depth of recursion.
struct ListWalk {
  const LetValues& lets;
  int budget = 512;
  bool Step() { return --budget >= 0; }
};

// The name a list item gives itself (`{ name: "data", ... }`), through `let`s,
// `if`s whose branches agree and overrides of a named record; nullptr when
// it has none that is written out.
const std::string* ItemName(const syntax::Expr* e, ListWalk& walk) {
  if (!e || !walk.Step()) return nullptr;
  switch (e->kind) {
    case syntax::ExprKind::Name: {
      auto it = walk.lets.find(e->name.text);
      return it == walk.lets.end() ? nullptr : ItemName(it->second, walk);
    }
    case syntax::ExprKind::If: {
      if (e->items.size() != 3) return nullptr;
      const std::string* a = ItemName(e->items[1], walk);
      const std::string* b = ItemName(e->items[2], walk);
      return a && b && *a == *b ? a : nullptr;
    }
    case syntax::ExprKind::Override: return ItemName(e->base, walk);
    case syntax::ExprKind::Record:
      for (const syntax::RecordEntry& r : e->entries) {
        const std::string* key = r.key ? syntax::LiteralText(*r.key) : nullptr;
        if (key && *key == "name") return r.value ? syntax::LiteralText(*r.value) : nullptr;
      }
      return nullptr;
    default: return nullptr;
  }
}

// Calls `f` for each expression `e` may stand for: itself, or through `let`s
// and both branches of `if`s, what they name.
void ForEachAlternative(const syntax::Expr* e, ListWalk& walk, const std::function<void(const syntax::Expr&)>& f) {
  if (!e || !walk.Step()) return;
  if (e->kind == syntax::ExprKind::Name) {
    if (auto it = walk.lets.find(e->name.text); it != walk.lets.end()) ForEachAlternative(it->second, walk, f);
  } else if (e->kind == syntax::ExprKind::If) {
    if (e->items.size() != 3) return;
    ForEachAlternative(e->items[1], walk, f);
    ForEachAlternative(e->items[2], walk, f);
  } else {
    f(*e);
  }
}

// Calls `f` for each field of a named list item with the path a named
// section would write it as: item `{ name: "data", size: storage }` of field
// `storage` gives `storage data.size`.
void ForEachItemEntry(const syntax::Expr* item, const std::string& field, ListWalk& walk, const EntryFn& f) {
  ForEachAlternative(item, walk, [&](const syntax::Expr& e) {
    const std::string* name = ItemName(&e, walk);
    if (!name) return;
    if (e.kind == syntax::ExprKind::Record) {
      for (const syntax::RecordEntry& r : e.entries) {
        const std::string* key = r.key ? syntax::LiteralText(*r.key) : nullptr;
        if (key && *key != "name") f(base::Cat({field, " ", *name, ".", *key}), r.value, nullptr);
      }
    } else if (e.kind == syntax::ExprKind::Override && e.block) {
      ForEachItemEntry(e.base, field, walk, f);
      ForEachSetting(*e.block, base::Cat({field, " ", *name, "."}),
                     [&](const std::string& path, const syntax::Stmt& st) { f(path, st.value, st.body); });
    }
  });
}

// ForEachItemEntry over every item of a list value: a list literal, through
// `let`s, `if`s and `+`.
void ForEachListEntry(const syntax::Expr* list, const std::string& field, ListWalk& walk, const EntryFn& f) {
  ForEachAlternative(list, walk, [&](const syntax::Expr& e) {
    if (e.kind == syntax::ExprKind::List) {
      for (const syntax::Expr* item : e.items) ForEachItemEntry(item, field, walk, f);
    } else if (e.kind == syntax::ExprKind::Binary && e.op == syntax::Op::Add) {
      for (const syntax::Expr* side : e.items) ForEachListEntry(side, field, walk, f);
    }
  });
}

// What `decl`'s body sets from a parameter that it also uses for other values.
std::vector<DerivedSetting> FindDerivedSettings(const syntax::Decl& decl) {
  // Every use of each parameter: in the body, and in the defaults and bounds
  // of the parameters.
  LetUses lets;
  LetValues let_values;
  CollectLets(*decl.body, decl.params, lets, let_values);
  std::vector<int> total(decl.params.size(), 0);
  CountParams(nullptr, decl.body, decl.params, lets, total);
  for (const syntax::Param& p : decl.params) {
    for (const syntax::Expr* e : {p.default_value, p.type.low, p.type.high}) {
      if (e) CountParams(e, nullptr, decl.params, {}, total);
    }
  }
  // What the body sets from a parameter that it also uses for other values.
  std::vector<DerivedSetting> derived;
  ForEachSetting(*decl.body, "", [&](const std::string& path, const syntax::Stmt& st) {
    std::vector<int> here(decl.params.size(), 0);
    CountParams(st.value, st.body, decl.params, lets, here);
    for (size_t i = 0; i < here.size(); ++i) {
      if (here[i] > 0 && total[i] > here[i]) derived.push_back({path, i, &st});
    }
    // A list of named items (`storage = [{ name: "data", size: storage }]`)
    // is overridden item by item, as `storage data { size = ... }`. Such an
    // entry counts as derived when its parameter is also used outside the
    // whole field: the branches of an `if` that picks the item name it twice.
    if (st.kind != syntax::StmtKind::Assign || !st.value) return;
    ListWalk walk{let_values};
    ForEachListEntry(st.value, path, walk,
                     [&](const std::string& entry_path, const syntax::Expr* value, const syntax::Block* body) {
                       std::vector<int> entry(decl.params.size(), 0);
                       CountParams(value, body, decl.params, lets, entry);
                       for (size_t i = 0; i < entry.size(); ++i) {
                         if (entry[i] > 0 && total[i] > here[i]) derived.push_back({entry_path, i, &st});
                       }
                     });
  });
  return derived;
}

// True when an override of `path` replaces `derived`: the same path, or one
// that holds it (`resources = {...}` replaces `resources.memory`, and
// `storage = [...]` replaces `storage data.size`).
bool Replaces(std::string_view path, std::string_view derived) {
  if (!derived.starts_with(path)) return false;
  return derived.size() == path.size() || derived[path.size()] == '.' || derived[path.size()] == ' ';
}

}  // namespace

void WarnOverriddenDerivations(const Template& t, const syntax::Expr& callee, const syntax::Block& overrides,
                               diag::Diagnostics& diags) {
  const syntax::Decl& decl = *t.decl;
  if (!decl.body || decl.params.empty()) return;
  if (!t.derived) t.derived = FindDerivedSettings(decl);
  const std::vector<DerivedSetting>& derived = *t.derived;
  if (derived.empty()) return;
  ForEachSetting(overrides, "", [&](const std::string& path, const syntax::Stmt& st) {
    for (const DerivedSetting& d : derived) {
      if (!Replaces(path, d.path)) continue;
      std::string_view param = decl.params[d.param].name.text;
      diag::Diagnostic& w = diags.Report(K::OverrideLeavesDerived, st.range, path, decl.name.text, param);
      w.notes.push_back({d.stmt->range, fmt::format("the template sets `{}` from `{}` here", d.path, param)});
      std::string written = callee.kind == syntax::ExprKind::Field  // `kafka.server` or `server`
                                ? fmt::format("{}.{}", callee.base->name.text, callee.name.text)
                                : std::string(callee.name.text);
      w.help = fmt::format("pass the argument instead, as in `{}({}: ...)`, and drop this override", written, param);
      break;
    }
  });
}

}  // namespace kstate::check
