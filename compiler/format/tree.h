// The bracket tree the formatter lays out: tokens nested by `()`, `[]` and
// `{}`, each group with the role that decides its separators and spacing.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "compiler/format/lexer.h"

namespace kstate::format {

enum class Role : uint8_t {
  Leaf,           // one token
  Block,          // `{ statements }`, and the file itself
  Record,         // `{ key: value, ... }`
  List,           // `[a, b]`
  Comprehension,  // `[for x in xs: e]`
  Args,           // `f(a, b)`, `template t(p: T)`: a name's parenthesised list
  TypeArgs,       // `list[string]`
  Paren,          // `(a + b)`
};

struct Node {
  const Token* token = nullptr;  // the token, or a group's opening bracket; nullptr for the file
  const Token* close = nullptr;  // a group's closing bracket
  Role role = Role::Leaf;
  std::vector<Node> kids;
  bool group() const { return role != Role::Leaf; }
};

// Nests `tokens` by their brackets; the root is the file (a Block without
// brackets). Nullopt when brackets do not match or nest too deeply.
std::optional<Node> BuildTree(const std::vector<Token>& tokens);

bool IsPunct(const Node& n, std::string_view text);
bool IsWord(const Node& n, std::string_view word);
bool IsCommentNode(const Node& n);
// Words that join or start expressions and statements, never values: `and`, `then`, `let`, ...
bool IsOperatorWord(const Node& n);
// A name that a call's `(` or a type's `[` may follow.
bool IsCallee(const Node& n);
// True when `n` can be the last token of a value: a name, literal or bracket group.
bool EndsOperand(const Node& n);
// Line breaks in the source before `n` (for a group, before its opening bracket).
inline int NewlinesBefore(const Node& n) { return n.token == nullptr ? 0 : n.token->newlines_before; }

}  // namespace kstate::format
