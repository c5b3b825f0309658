// Binary operators with units, and the execution of block statements.
#include <fmt/format.h>

#include "compiler/check/eval.h"

namespace kstate::check {

using syntax::Expr;
using syntax::Op;
using K = diag::Kind;

namespace {

bool IsUnitKind(ValueKind k) {
  return k == ValueKind::Milli || k == ValueKind::Bytes || k == ValueKind::Duration;
}

bool IsNumeric(ValueKind k) { return k == ValueKind::Int || IsUnitKind(k); }

// A unit value as written in source: `8Gi`, `10s`, `500m`.
std::string Spell(const Value& v) {
  switch (v.kind) {
    case ValueKind::Bytes: return base::FormatBytes(v.integer);
    case ValueKind::Duration: return base::FormatDuration(v.integer);
    case ValueKind::Milli: return fmt::format("{}m", v.integer);
    case ValueKind::Decimal: return base::FormatDecimal(v.decimal);
    default: return fmt::format("{}", v.integer);
  }
}

std::string_view UnitWord(ValueKind k) {
  return k == ValueKind::Bytes ? "bytes" : k == ValueKind::Duration ? "milliseconds" : "milli-units";
}

std::string_view Verb(Op op) {
  switch (op) {
    case Op::Add: return "add";
    case Op::Sub: return "subtract";
    case Op::Mul: return "multiply";
    case Op::Div: return "divide";
    case Op::Mod: return "take the remainder of";
    default: return "compare";
  }
}

}  // namespace

// `a or b or c` is a left-deep tree as long as the chain: its left spine is
// walked without recursion, like EvalChain's, so a long flat chain is not
// "nested".
Value Evaluator::EvalBinary(const Expr& e, const Scope& scope) {
  if (e.op != Op::And && e.op != Op::Or) return EvalChain(e, scope);
  // The operand's name is formatted only when it is reported.
  auto boolean = [&](const Value& v, Op op) {
    return v.kind == ValueKind::Bool || Boolean(v, fmt::format("the operand of `{}`", syntax::OpSpelling(op)), scope);
  };
  std::vector<const Expr*> spine;
  const Expr* cur = &e;
  while (cur->kind == syntax::ExprKind::Binary && (cur->op == Op::And || cur->op == Op::Or)) {
    spine.push_back(cur);
    cur = cur->items[0];
  }
  Value acc = Eval(*cur, scope);
  for (auto it = spine.rbegin(); it != spine.rend(); ++it) {
    const Expr& level = **it;
    if (!boolean(acc, level.op)) return Value{};
    // Short-circuit: the right side is evaluated only when it decides the result.
    if (acc.boolean == (level.op == Op::Or)) continue;
    Value b = Eval(*level.items[1], scope);
    if (!boolean(b, level.op)) return Value{};
    b.range = level.range;
    acc = std::move(b);
  }
  return acc;
}

// `1 + 2 + 3 + ...` is a left-deep tree as long as the sum: walk its left
// spine without recursion so a long flat sum cannot exhaust the stack.
Value Evaluator::EvalChain(const Expr& top, const Scope& scope) {
  std::vector<const Expr*> spine;
  const Expr* cur = &top;
  while (cur->kind == syntax::ExprKind::Binary && cur->op != Op::And && cur->op != Op::Or) {
    spine.push_back(cur);
    cur = cur->items[0];
  }
  Value acc = Eval(*cur, scope);
  for (auto it = spine.rbegin(); it != spine.rend(); ++it) {
    Value rhs = Eval(*(*it)->items[1], scope);
    acc = ApplyBinary(**it, std::move(acc), std::move(rhs), scope);
  }
  return acc;
}

Value Evaluator::ApplyBinary(const Expr& e, Value a, Value b, const Scope& scope) {
  Value v;
  v.range = e.range;
  if (e.op == Op::Range) {
    v.kind = ValueKind::Range;
    v.items.reserve(2);  // (a braced list would copy both)
    v.items.push_back(std::move(a));
    v.items.push_back(std::move(b));
    return v;
  }
  for (const Value* side : {&a, &b}) {
    if (side->kind == ValueKind::Symbol) {
      ReportUnknownName(*side, scope);
      return Value{};
    }
    if (side->kind == ValueKind::Null) return Value{};
  }
  auto mismatch = [&]() {
    diag::Diagnostic& d = diags_.Report(K::UnitMismatch, e.range, Verb(e.op), KindName(a.kind), KindName(b.kind));
    if (e.op == Op::Mul) d.help = "multiply a quantity by a plain number, as in `8Gi * 2`";
    else if (e.op == Op::Add || e.op == Op::Sub) d.help = "both sides need the same unit, as in `8Gi + 512Mi`";
    return Value{};
  };
  auto overflow = [&]() {
    diags_.Report(K::ArithmeticError, e.range, "the result does not fit in 64 bits");
    return Value{};
  };
  switch (e.op) {
    case Op::Eq:
    case Op::Ne: {
      if (a.kind != b.kind) return mismatch();
      v.kind = ValueKind::Bool;
      v.boolean = SameValue(a, b) == (e.op == Op::Eq);
      return v;
    }
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: {
      if (a.kind != b.kind || !(IsNumeric(a.kind) || a.kind == ValueKind::String)) return mismatch();
      int c = a.kind == ValueKind::String ? a.text.compare(b.text) : (a.integer < b.integer ? -1 : a.integer > b.integer);
      v.kind = ValueKind::Bool;
      v.boolean = e.op == Op::Lt ? c < 0 : e.op == Op::Le ? c <= 0 : e.op == Op::Gt ? c > 0 : c >= 0;
      return v;
    }
    case Op::Add:
    case Op::Sub: {
      if (e.op == Op::Add && a.kind == b.kind && (a.kind == ValueKind::String || a.kind == ValueKind::List)) {
        if (!Spend(Weight(a) + Weight(b), e.range)) return Value{};
        v = std::move(a);
        v.range = e.range;
        v.text += b.text;
        for (Value& item : b.items) v.items.push_back(std::move(item));
        return v;
      }
      if (a.kind != b.kind || !IsNumeric(a.kind)) return mismatch();
      v.kind = a.kind;
      bool bad = e.op == Op::Add ? __builtin_add_overflow(a.integer, b.integer, &v.integer)
                                 : __builtin_sub_overflow(a.integer, b.integer, &v.integer);
      return bad ? overflow() : v;
    }
    case Op::Mul: {
      if (a.kind == ValueKind::Decimal) std::swap(a, b);
      if (b.kind == ValueKind::Decimal && IsUnitKind(a.kind)) {
        auto scaled = base::ScaleExact(b.decimal, a.integer);
        if (!scaled) {
          diags_.Report(K::InexactQuantity, e.range, fmt::format("{} * {}", Spell(a), Spell(b)), UnitWord(a.kind));
          return Value{};
        }
        v.kind = a.kind;
        v.integer = *scaled;
        return v;
      }
      if (!IsNumeric(a.kind) || !IsNumeric(b.kind) || (IsUnitKind(a.kind) && IsUnitKind(b.kind))) return mismatch();
      v.kind = IsUnitKind(a.kind) ? a.kind : b.kind;
      return __builtin_mul_overflow(a.integer, b.integer, &v.integer) ? overflow() : v;
    }
    case Op::Div:
    case Op::Mod: {
      if (!IsNumeric(a.kind) || !IsNumeric(b.kind) || (a.kind != b.kind && b.kind != ValueKind::Int)) {
        return mismatch();
      }
      if (b.integer == 0) {
        diags_.Report(K::ArithmeticError, e.items[1]->range, "division by zero");
        return Value{};
      }
      if (e.op == Op::Mod) {
        v.kind = a.kind;
        v.integer = b.integer == -1 ? 0 : a.integer % b.integer;  // INT64_MIN % -1 traps in C++; it is 0
        return v;
      }
      if (a.integer == INT64_MIN && b.integer == -1) return overflow();
      if (a.kind == b.kind) {  // 8Gi / 1Gi and 7 / 2 are whole numbers, rounded down
        v.kind = ValueKind::Int;
        v.integer = a.integer / b.integer;
        return v;
      }
      v.kind = a.kind;  // 8Gi / 3 must stay exact
      if (a.integer % b.integer != 0) {
        diags_.Report(K::InexactQuantity, e.range, fmt::format("{} / {}", Spell(a), b.integer), UnitWord(a.kind));
        return Value{};
      }
      v.integer = a.integer / b.integer;
      return v;
    }
    default: return Value{};
  }
}

Value Evaluator::EvalBlock(const syntax::Block& block, const Scope& scope, std::string tag) {
  Value record = Value::Record(std::move(tag), block.range);
  record.Reserve(block.stmts.size());
  Scope inner{&scope, {}, {}};
  for (const syntax::Stmt* s : block.stmts) ExecStmt(*s, inner, record);
  return record;
}

namespace {

// The first `let NAME` after offset `at` in `block`, or in the section
// around `at` inside it (a `let` is visible in its block and the blocks in
// it), in file `file`; nullptr when there is none.
const syntax::Stmt* LetAfter(const syntax::Block& block, std::string_view name, uint32_t file, uint32_t at) {
  const syntax::Block* b = &block;
  while (b) {
    const syntax::Block* inner = nullptr;
    for (const syntax::Stmt* st : b->stmts) {
      if (st->kind == syntax::StmtKind::Let && st->name.text == name && st->name.range.begin > at) return st;
      const syntax::Block* body = st->body;
      if (body && body->range.file == file && body->range.begin <= at && at < body->range.end) inner = body;
    }
    b = inner;  // no `let` here: the section holding `at`, where one may follow it too
  }
  return nullptr;
}

constexpr std::string_view kAfterItsUse = "is declared here, after its use";

}  // namespace

void ExplainLetAfterUse(diag::Diagnostic& d, std::string_view name, SourceRange let_name) {
  d.help = fmt::format("a `let` is visible only after it: move `let {}` above its first use", name);
  d.fixes.clear();  // the name is what was meant: not a close one ("did you mean"), nor text
  // First, before the note naming the template instance (when there is one).
  d.notes.insert(d.notes.begin(), {let_name, fmt::format("`{}` {}", name, kAfterItsUse)});
}

bool IsExplainedLetAfterUse(const diag::Diagnostic& d) {
  return std::any_of(d.notes.begin(), d.notes.end(),
                     [](const diag::Note& n) { return n.message.ends_with(kAfterItsUse); });
}

void Evaluator::ExplainLaterLets(std::initializer_list<const syntax::Block*> bodies) {
  // Each use walks the body's statements: only the first few are explained,
  // so that thousands of unknown names in a long body stay linear.
  constexpr size_t kMaxExplained = 64;
  if (unknown_uses_.size() > kMaxExplained) unknown_uses_.resize(kMaxExplained);
  for (const UnknownUse& u : unknown_uses_) {
    if (u.diag >= diags_.list().size()) continue;
    diag::Diagnostic& d = diags_.list()[u.diag];
    if (d.kind != K::UnknownName || d.range != u.range) continue;
    for (const syntax::Block* body : bodies) {
      if (!body || body->range.file != u.range.file || u.range.begin < body->range.begin ||
          u.range.begin >= body->range.end) {
        continue;
      }
      if (const syntax::Stmt* let = LetAfter(*body, u.name, u.range.file, u.range.begin)) {
        ExplainLetAfterUse(d, u.name, let->name.range);
        break;
      }
    }
  }
  unknown_uses_.clear();
}

namespace {

// "this component", "this block" or "`resources`", for messages about a record being built.
std::string Where(const Value& record) {
  if (record.text.empty()) return "this block";
  if (record.text == "component") return "this component";
  return fmt::format("`{}`", record.text);
}

// Appends `item` to the list under `key`, creating it on first use.
void AppendTo(Value& record, std::string_view key, SourceRange key_range, Value item) {
  Value* list = record.Get(key);
  if (!list) {
    Value fresh;
    fresh.kind = ValueKind::List;
    fresh.range = key_range;
    fresh.section = true;
    record.Set(std::string(key), key_range, std::move(fresh));
    list = record.Get(key);
  }
  if (list->kind != ValueKind::List) return;
  list->items.push_back(std::move(item));
}

}  // namespace

void Evaluator::ExecStmt(const syntax::Stmt& s, Scope& scope, Value& record) {
  using syntax::StmtKind;
  switch (s.kind) {
    case StmtKind::Let:
      DeclareLet(s, scope);
      return;
    case StmtKind::Assign: {
      std::string key;
      SourceRange key_range;
      Value* target = &record;
      if (s.key) {
        Value k = Eval(*s.key, scope);
        key = k.text;
        key_range = s.key->range;
      } else {
        // a.b.c = v sets a nested record field.
        for (size_t i = 0; i + 1 < s.path.size(); ++i) {
          Value* next = target->Get(s.path[i].text);
          if (!next) {
            Value fresh = Value::Record({}, s.path[i].range);
            fresh.section = true;
            target->Set(std::string(s.path[i].text), s.path[i].range, std::move(fresh));
            next = target->Get(s.path[i].text);
          }
          if (next->kind != ValueKind::Record) {
            diags_.Report(K::TypeMismatch, s.path[i].range, fmt::format("`{}`", s.path[i].text), "a record",
                          Describe(*next));
            return;
          }
          target = next;
        }
        key = std::string(s.path.back().text);
        key_range = s.path.back().range;
      }
      if (target->Get(key)) {
        diag::Diagnostic& d = diags_.Report(K::DuplicateField, key_range, key,
                                            Where(record));
        d.notes.push_back({target->KeyRange(key), "first set here"});
        return;
      }
      target->Add(std::move(key), key_range, Eval(*s.value, scope));
      return;
    }
    case StmtKind::Section: {
      std::string head(s.head.text);
      if (s.path.size() > 1) {
        std::string dotted;
        for (const syntax::Ident& part : s.path) {
          if (!dotted.empty()) dotted += '.';
          dotted.append(part.text);
        }
        diags_.Report(K::UnknownSection, s.range, dotted, "this block");
        return;
      }
      Value body = EvalBlock(*s.body, scope, head);
      body.range = s.range;
      body.section = true;
      if (!s.name.text.empty()) {
        Value named = Value::Record(head, s.range);
        named.section = true;
        named.Reserve(1 + body.size());
        named.Set("name", s.name.range, Value::Str(std::string(s.name.text), s.name.range));
        for (size_t i = 0; i < body.keys.size(); ++i) {
          if (body.keys[i] == "name") {
            diag::Diagnostic& d = diags_.Report(K::DuplicateField, body.items[i].key_range, "name", fmt::format("`{}`", head));
            d.notes.push_back({s.name.range, "the section's name is given here"});
            continue;
          }
          named.Set(std::move(body.keys[i]), body.items[i].key_range, std::move(body.items[i]));
        }
        AppendTo(record, head, s.head.range, std::move(named));
        return;
      }
      if (record.Get(head)) {
        diag::Diagnostic& d = diags_.Report(K::DuplicateField, s.head.range, head,
                                            Where(record));
        d.notes.push_back({record.KeyRange(head), "first set here"});
        return;
      }
      record.Add(std::move(head), s.head.range, std::move(body));
      return;
    }
    case StmtKind::Port: {
      Value port = Value::Record("port", s.range);
      port.section = true;
      port.Set("name", s.name.range, Value::Str(std::string(s.name.text), s.name.range));
      // The number and its options (`port dns = 53 { protocol = UDP }`) are
      // kept as one record marked as a section, so that an instance's
      // `port dns = 5353` changes the number and keeps the options.
      Value value = Eval(*s.value, scope);
      if (value.kind != ValueKind::Record) {
        Value options = Value::Record({}, value.range);
        options.Add("value", value.range, std::move(value));
        value = std::move(options);
      }
      if (value.text.empty()) value.section = true;
      port.Set("value", s.value->range, std::move(value));
      AppendTo(record, "port", s.range, std::move(port));
      return;
    }
    case StmtKind::File: {
      Value file = Value::Record("file", s.range);
      file.section = true;
      file.Set("name", s.key->range, Eval(*s.key, scope));
      file.Set("content", s.value->range, Eval(*s.value, scope));
      AppendTo(record, "file", s.range, std::move(file));
      return;
    }
    case StmtKind::Mount: {
      Value mount = Value::Record("mount", s.range);
      if (!s.name.text.empty()) {
        Value source;
        source.kind = ValueKind::Symbol;
        source.text = std::string(s.name.text);
        source.range = s.name.range;
        mount.Set("source", s.name.range, std::move(source));
      } else if (s.key) {
        mount.Set("source", s.key->range, Eval(*s.key, scope));
      }
      mount.Set("at", s.value->range, Eval(*s.value, scope));
      AppendTo(record, "mount", s.range, std::move(mount));
      return;
    }
    case StmtKind::Assert:
      CheckAssert(s, scope);
      return;
  }
}

// `assert COND[, MESSAGE]`: both are evaluated (so that a mistake in the
// message shows before the assertion ever fails); a false condition is KS3024
// with the message as written.
void Evaluator::CheckAssert(const syntax::Stmt& s, const Scope& scope) {
  Value cond = Eval(*s.value, scope);
  std::string message = "assertion failed";
  if (s.key) {
    Value m = Eval(*s.key, scope);
    if (m.kind == ValueKind::Symbol) {
      ReportUnknownName(m, scope);
    } else if (m.kind == ValueKind::String) {
      message = std::move(m.text);
    } else if (m.kind != ValueKind::Null) {
      diags_.Report(K::TypeMismatch, m.range, "the message of `assert`", "a string", Describe(m));
    }
  }
  if (!Boolean(cond, "the condition of `assert`", scope) || cond.boolean) return;
  if (!instance_call_.valid()) {
    diags_.Report(K::AssertionFailed, s.value->range, message);
    return;
  }
  diag::Diagnostic& d = diags_.Report(K::AssertionFailed, instance_call_, message);
  d.notes.push_back({s.value->range, "the template's assertion that fails"});
}

bool Evaluator::Boolean(const Value& v, std::string_view what, const Scope& scope) {
  if (v.kind == ValueKind::Bool) return true;
  if (v.kind == ValueKind::Symbol) {
    ReportUnknownName(v, scope);
  } else if (v.kind != ValueKind::Null) {
    diags_.Report(K::TypeMismatch, v.range, what, "a boolean", Describe(v));
  }
  return false;
}

}  // namespace kstate::check
