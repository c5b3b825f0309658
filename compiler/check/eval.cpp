// Evaluation of expressions and blocks into values.
#include "compiler/check/eval.h"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/base/text.h"

namespace kstate::check {

using syntax::Expr;
using syntax::ExprKind;
using syntax::Op;
using K = diag::Kind;

namespace {
constexpr int kMaxDepth = 256;
constexpr size_t kMaxListSize = 100000;
// Steps of evaluation one declaration may take: thousands of times what a real
// component needs, small enough that a hostile one stops within a second.
constexpr uint64_t kMaxWork = 1'000'000;
}  // namespace

bool Evaluator::Spend(uint64_t steps, SourceRange where) {
  if (exhausted_) return false;
  work_ += steps;
  if (work_ <= kMaxWork) return true;
  exhausted_ = true;
  diags_.Report(K::ArithmeticError, where,
                fmt::format("evaluating this needs more than {} steps; the program builds values too large to emit",
                            kMaxWork))
      .help = "look for lists or text that double in size, or loops inside loops";
  return false;
}

void Scope::Bind(Binding b) {
  names.push_back(std::move(b));
  if (names.size() == 16) {
    for (size_t i = 0; i < names.size(); ++i) index.emplace(names[i].name, i);
  } else if (names.size() > 16) {
    index.emplace(names.back().name, names.size() - 1);
  }
}

const Binding* Scope::FindHere(std::string_view name) const {
  if (!index.empty()) {
    auto it = index.find(name);
    return it == index.end() ? nullptr : &names[it->second];
  }
  for (const Binding& b : names) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

const Value* Scope::Find(std::string_view name) const {
  size_t visible = SIZE_MAX;
  for (const Scope* s = this; s; visible = s->parent_visible, s = s->parent) {
    const Binding* b = s->FindHere(name);
    if (b && static_cast<size_t>(b - s->names.data()) < visible) return &b->value;
  }
  return nullptr;
}

void Scope::Collect(std::vector<std::string_view>& out) const {
  size_t visible = SIZE_MAX;
  for (const Scope* s = this; s; visible = s->parent_visible, s = s->parent) {
    for (size_t i = 0; i < s->names.size() && i < visible; ++i) out.push_back(s->names[i].name);
  }
}

void Evaluator::DeclareLet(const syntax::Stmt& let, Scope& scope) {
  if (const Binding* b = scope.FindHere(let.name.text)) {
    diag::Diagnostic& d = diags_.Report(K::DuplicateName, let.name.range, "let", let.name.text);
    d.notes.push_back({b->name_range, "first declared here"});
    d.help = "give one of them another name";
    return;
  }
  Value v = Eval(*let.value, scope);
  scope.Bind(Binding{let.name.text, let.name.range, std::move(v)});
}

diag::Diagnostic& Evaluator::ReportUnknownName(const Value& symbol, const Scope& scope) {
  diag::Diagnostic& d = diags_.Report(K::UnknownName, symbol.range, symbol.text);
  unknown_uses_.push_back({diags_.list().size() - 1, symbol.text, symbol.range});
  std::vector<std::string_view> names;
  scope.Collect(names);
  diag::SuggestClosest(d, symbol.text, names);
  if (d.help.empty()) {
    if (symbol.text.find('-') != std::string::npos) {
      d.help = "names may contain `-`; to subtract, put spaces around it (`a - 1`); for text, quote it";
    } else {
      d.help = fmt::format("for text, quote it: `\"{}\"`", symbol.text);
    }
  }
  return d;
}

Value Evaluator::Eval(const Expr& e, const Scope& scope) {
  if (!Spend(1, e.range)) return Value{};
  if (++depth_ > kMaxDepth) {
    --depth_;
    diags_.Report(K::ArithmeticError, e.range, fmt::format("the expression is nested more than {} levels deep", kMaxDepth));
    return Value{};
  }
  Value v;
  switch (e.kind) {
    case ExprKind::Number: {
      v.range = e.range;
      if (e.invalid) break;  // Null: reported by the parser
      switch (e.number_class) {
        case base::NumberClass::Plain:
          if (e.number.scale == 0) {
            v.kind = ValueKind::Int;
            v.integer = e.number.mantissa;
            v.radix = e.radix;
          } else {
            v.kind = ValueKind::Decimal;
            v.decimal = e.number;
          }
          break;
        case base::NumberClass::Milli: {
          v.kind = ValueKind::Milli;
          auto whole = base::ScaleExact(e.number, 1);
          if (!whole) {
            diags_.Report(K::InexactQuantity, e.range,
                          fmt::format("{}m", base::FormatDecimal(e.number)),
                          "milli-units");
          }
          v.integer = whole.value_or(0);
          break;
        }
        case base::NumberClass::Bytes: v.kind = ValueKind::Bytes; v.integer = e.exact; break;
        case base::NumberClass::Duration: v.kind = ValueKind::Duration; v.integer = e.exact; break;
      }
      break;
    }
    case ExprKind::String: v = EvalString(e, scope); break;
    case ExprKind::Bool:
      v.kind = ValueKind::Bool;
      v.boolean = e.boolean;
      v.range = e.range;
      break;
    case ExprKind::Name:
      if (const Value* bound = scope.Find(e.name.text)) {
        if (!bound->items.empty() || bound->text.size() > 8) {
          if (!Spend(Weight(*bound), e.range)) break;
        }
        v = *bound;
        v.range = e.range;
      } else {
        v.kind = ValueKind::Symbol;
        v.text = std::string(e.name.text);
        v.range = e.range;
      }
      break;
    case ExprKind::List: v = EvalList(e, scope); break;
    case ExprKind::Comprehension: v = EvalComprehension(e, scope); break;
    case ExprKind::Record: v = EvalRecord(e, scope); break;
    case ExprKind::Call: v = EvalCall(e, scope); break;
    case ExprKind::Field: v = EvalField(e, scope); break;
    case ExprKind::Override: v = EvalOverride(e, scope); break;
    case ExprKind::Unary: v = EvalUnary(e, scope); break;
    case ExprKind::Binary: v = EvalBinary(e, scope); break;
    case ExprKind::If: {
      Value cond = Eval(*e.items[0], scope);
      if (!Boolean(cond, "the condition of `if`", scope) && cond.kind == ValueKind::Null) break;
      v = Eval(*e.items[cond.boolean ? 1 : 2], scope);
      break;
    }
  }
  --depth_;
  return v;
}

bool Evaluator::Stringify(const Value& v, std::string& out, const Scope& scope) {
  switch (v.kind) {
    case ValueKind::String: out += v.text; return true;
    case ValueKind::Int: out += base::IntText(v.integer); return true;
    case ValueKind::Bool: out += v.boolean ? "true" : "false"; return true;
    case ValueKind::Bytes: out += base::FormatBytes(v.integer); return true;
    case ValueKind::Duration: out += base::FormatDuration(v.integer); return true;
    case ValueKind::Milli: out += base::IntText(v.integer) + 'm'; return true;
    case ValueKind::Decimal: out += base::FormatDecimal(v.decimal); return true;
    case ValueKind::Symbol: ReportUnknownName(v, scope); return false;
    case ValueKind::Null: return false;  // already reported where it was computed
    default: {
      diag::Diagnostic& d =
          diags_.Report(K::TypeMismatch, v.range, "an interpolated value", "text or a number", Describe(v));
      if (v.kind == ValueKind::List) d.help = "turn a list into text with `join(list, \",\")`";
      return false;
    }
  }
}

Value Evaluator::EvalString(const Expr& e, const Scope& scope) {
  Value v = Value::Str({}, e.range);
  for (const syntax::StringPart& p : e.parts) {
    if (p.expr == nullptr) {
      v.text += p.text;
    } else {
      Value part = Eval(*p.expr, scope);
      if (!Spend(part.text.size() / 8, e.range)) return Value{};
      // A part that failed (and was reported) spoils the whole text, so
      // that no check reports the damaged result a second time.
      if (!Stringify(part, v.text, scope)) return Value{};
    }
  }
  return v;
}

Value Evaluator::EvalList(const Expr& e, const Scope& scope) {
  Value v;
  v.kind = ValueKind::List;
  v.range = e.range;
  v.items.reserve(e.items.size());
  for (const Expr* item : e.items) v.items.push_back(Eval(*item, scope));
  return v;
}

Value Evaluator::EvalComprehension(const Expr& e, const Scope& scope) {
  Value out;
  out.kind = ValueKind::List;
  out.range = e.range;
  Value source = Eval(*e.items[0], scope);
  std::vector<Value> elements;
  if (source.kind == ValueKind::Range && source.items[0].kind == ValueKind::Int &&
      source.items[1].kind == ValueKind::Int) {
    int64_t from = source.items[0].integer, to = source.items[1].integer;
    if (RangeSize(from, to) > kMaxListSize) {
      diags_.Report(K::ArithmeticError, source.range, fmt::format("the range has more than {} elements", kMaxListSize));
      return Value{};
    }
    if (!Spend(RangeSize(from, to), source.range)) return Value{};
    for (int64_t i = from; i < to; ++i) elements.push_back(Value::Int(i, source.range));
  } else if (source.kind == ValueKind::List) {
    elements = std::move(source.items);
  } else if (source.kind == ValueKind::Null) {
    return Value{};  // already reported
  } else if (source.kind == ValueKind::Symbol) {
    ReportUnknownName(source, scope);
    return Value{};
  } else {
    diags_.Report(K::TypeMismatch, source.range, "what `for` loops over", "a list or a range of whole numbers",
                  Describe(source));
    return Value{};
  }
  Scope inner{&scope, {{e.name.text, e.name.range, Value{}}}, {}};
  for (Value& element : elements) {
    if (exhausted_) return Value{};
    inner.names[0].value = std::move(element);
    if (e.base) {
      Value keep = Eval(*e.base, inner);
      if (!Boolean(keep, "the filter of `for`", inner)) return Value{};
      if (!keep.boolean) continue;
    }
    out.items.push_back(Eval(*e.items[1], inner));
  }
  return out;
}

Value Evaluator::EvalRecord(const Expr& e, const Scope& scope) {
  Value v = Value::Record({}, e.range);
  for (const syntax::RecordEntry& entry : e.entries) {
    Value key = Eval(*entry.key, scope);
    if (key.kind != ValueKind::String) continue;
    if (v.Get(key.text)) {
      diag::Diagnostic& d = diags_.Report(K::DuplicateField, entry.key->range, key.text, "this record");
      d.notes.push_back({v.KeyRange(key.text), "first set here"});
      continue;
    }
    v.Set(key.text, entry.key->range, Eval(*entry.value, scope));
  }
  return v;
}

Value Evaluator::EvalField(const Expr& e, const Scope& scope) {
  Value base = Eval(*e.base, scope);
  if (base.kind == ValueKind::Record) {
    if (const Value* f = base.Get(e.name.text)) {
      Value v = *f;
      v.range = e.range;
      return v;
    }
    diag::Diagnostic& d = diags_.Report(K::UnknownField, e.name.range, e.name.text, Describe(base));
    std::vector<std::string_view> keys(base.keys.begin(), base.keys.end());
    diag::SuggestClosest(d, e.name.text, keys);
    return Value{};
  }
  if (base.kind == ValueKind::Null) return base;  // already reported
  if (base.kind == ValueKind::Symbol) {
    ReportUnknownName(base, scope);
    return Value{};
  }
  diags_.Report(K::TypeMismatch, e.base->range, fmt::format("the left side of `.{}`", e.name.text), "a record",
                Describe(base));
  return Value{};
}

Value Evaluator::EvalOverride(const Expr& e, const Scope& scope) {
  Value base = Eval(*e.base, scope);
  if (base.kind == ValueKind::Null) return base;  // already reported
  Value result;
  if (base.kind == ValueKind::Record) {
    result = std::move(base);
  } else if (base.kind == ValueKind::Symbol) {
    result = Value::Record(base.text, base.range);
  } else {
    result = Value::Record({}, base.range);
    result.Set("value", base.range, base);
  }
  result.range = e.range;
  Value changes = EvalBlock(*e.block, scope, result.text);
  result.Reserve(result.size() + changes.size());
  for (size_t i = 0; i < changes.keys.size(); ++i) {
    result.Set(std::move(changes.keys[i]), changes.items[i].key_range, std::move(changes.items[i]));
  }
  return result;
}

Value Evaluator::EvalUnary(const Expr& e, const Scope& scope) {
  // `--verbose` or `-v` with no such name is most often a command-line flag
  // meant as text; read as minus `verbose`, it is reported with that help.
  if (e.op == Op::Neg) {
    const Expr* x = &e;
    uint32_t minus = 0;
    while (x->kind == ExprKind::Unary && x->op == Op::Neg) {
      x = x->items[0];
      ++minus;
    }
    if (x->kind == ExprKind::Name && x->name.range.begin - e.range.begin == minus && !scope.Find(x->name.text)) {
      Value symbol;
      symbol.kind = ValueKind::Symbol;
      symbol.text = std::string(x->name.text);
      symbol.range = e.range;
      diag::Diagnostic& d = ReportUnknownName(symbol, scope);
      if (d.fixes.empty()) {  // no close name was suggested
        std::string quoted = base::Cat({"\"", std::string(minus, '-'), x->name.text, "\""});
        d.help = base::Cat({"`-` subtracts; if this is a command-line flag or other text, quote it: `", quoted, "`"});
        d.fixes.push_back({e.range, std::move(quoted)});
      }
      return Value{};
    }
  }
  Value v = Eval(*e.items[0], scope);
  if (v.kind == ValueKind::Null) return v;  // already reported
  v.range = e.range;
  if (e.op == Op::Not) {
    if (!Boolean(v, "the operand of `not`", scope)) return Value{};
    v.boolean = !v.boolean;
    return v;
  }
  switch (v.kind) {
    case ValueKind::Int:
    case ValueKind::Milli:
    case ValueKind::Bytes:
    case ValueKind::Duration:
      if (v.integer == INT64_MIN) {
        diags_.Report(K::ArithmeticError, e.range, "the result does not fit in 64 bits");
        return Value{};
      }
      v.integer = -v.integer;
      return v;
    case ValueKind::Decimal: v.decimal.mantissa = -v.decimal.mantissa; return v;
    case ValueKind::Symbol: ReportUnknownName(v, scope); return Value{};
    default:
      diags_.Report(K::TypeMismatch, v.range, "the operand of `-`", "a number", Describe(v));
      return Value{};
  }
}

}  // namespace kstate::check
