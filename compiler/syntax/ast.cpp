// Small queries on syntax nodes.
#include "compiler/syntax/ast.h"

namespace kstate::syntax {

std::string_view OpSpelling(Op op) {
  switch (op) {
    case Op::Add: return "+";
    case Op::Sub: return "-";
    case Op::Mul: return "*";
    case Op::Div: return "/";
    case Op::Mod: return "%";
    case Op::Range: return "..";
    case Op::Eq: return "==";
    case Op::Ne: return "!=";
    case Op::Lt: return "<";
    case Op::Le: return "<=";
    case Op::Gt: return ">";
    case Op::Ge: return ">=";
    case Op::And: return "and";
    case Op::Or: return "or";
    case Op::Neg: return "-";
    case Op::Not: return "not";
  }
  return "?";
}

const std::string* LiteralText(const Expr& e) {
  static const std::string kEmpty;
  if (e.kind != ExprKind::String) return nullptr;
  if (e.parts.empty()) return &kEmpty;
  if (e.parts.size() == 1 && e.parts[0].expr == nullptr) return &e.parts[0].text;
  return nullptr;
}

}  // namespace kstate::syntax
