// Building the bracket tree and telling apart what brackets mean: a record
// from a statement block, a call's arguments from a parenthesised expression.
#include "compiler/format/tree.h"

#include <algorithm>
#include <array>

namespace kstate::format {

namespace {

constexpr int kMaxDepth = 512;

char Closer(std::string_view open) { return open == "(" ? ')' : open == "[" ? ']' : '}'; }
bool IsOpener(const Token& t) { return t.kind == TokenKind::Punct && (t.text == "(" || t.text == "[" || t.text == "{"); }
bool IsCloser(const Token& t) { return t.kind == TokenKind::Punct && (t.text == ")" || t.text == "]" || t.text == "}"); }

// The kids of `n` other than comments, at most `count` of them.
std::vector<const Node*> Significant(const Node& n, size_t count) {
  std::vector<const Node*> out;
  for (const Node& k : n.kids) {
    if (out.size() == count) break;
    if (!IsCommentNode(k)) out.push_back(&k);
  }
  return out;
}

// What a group means, from the sibling before it (nullptr at the start) and its contents.
Role Classify(const Node& g, const Node* before) {
  std::string_view open = g.token->text;
  bool after_name = before != nullptr && IsCallee(*before);
  if (open == "(") return after_name ? Role::Args : Role::Paren;
  std::vector<const Node*> first = Significant(g, 2);
  if (open == "[") {
    if (after_name) return Role::TypeArgs;
    return !first.empty() && IsWord(*first[0], "for") ? Role::Comprehension : Role::List;
  }
  bool keyed = first.size() == 2 && IsPunct(*first[1], ":") &&
               (first[0]->token->kind == TokenKind::Ident || first[0]->token->kind == TokenKind::String);
  if (keyed) return Role::Record;
  // `{}` where a value belongs (after `=`, `:`, `(`, ...) is an empty record.
  bool value_position = before == nullptr || !EndsOperand(*before);
  return first.empty() && value_position ? Role::Record : Role::Block;
}

class Builder {
 public:
  explicit Builder(const std::vector<Token>& tokens) : tokens_(tokens) {}

  // Appends kids to `parent` up to its closing bracket `close` ('\0': the end of the file).
  bool Fill(Node& parent, char close, int depth) {
    while (next_ < tokens_.size()) {
      const Token& t = tokens_[next_++];
      if (IsCloser(t)) {
        if (t.text[0] != close) return false;
        parent.close = &t;
        return true;
      }
      Node n;
      n.token = &t;
      if (IsOpener(t)) {
        if (depth >= kMaxDepth || !Fill(n, Closer(t.text), depth + 1)) return false;
        const Node* before = nullptr;
        for (auto it = parent.kids.rbegin(); it != parent.kids.rend() && before == nullptr; ++it) {
          if (!IsCommentNode(*it)) before = &*it;
        }
        n.role = Classify(n, before);
      }
      parent.kids.push_back(std::move(n));
    }
    return close == '\0';
  }

 private:
  const std::vector<Token>& tokens_;
  size_t next_ = 0;
};

}  // namespace

std::optional<Node> BuildTree(const std::vector<Token>& tokens) {
  Node root;
  root.role = Role::Block;
  if (!Builder(tokens).Fill(root, '\0', 0)) return std::nullopt;
  return root;
}

bool IsPunct(const Node& n, std::string_view text) {
  return !n.group() && n.token->kind == TokenKind::Punct && n.token->text == text;
}

bool IsWord(const Node& n, std::string_view word) {
  return !n.group() && n.token->kind == TokenKind::Ident && n.token->text == word;
}

bool IsCommentNode(const Node& n) { return !n.group() && IsComment(*n.token); }

bool IsOperatorWord(const Node& n) {
  // The grammar's reserved words but `true` and `false`. `as`, `at`,
  // `import`, `template`, ... are keywords only in one place each and names
  // elsewhere (`storage template { }`, `let at = 5`); the statement splitter
  // tells them apart.
  static constexpr std::array<std::string_view, 9> kWords = {"and", "else", "for", "if",  "in",
                                                             "let", "not",  "or",  "then"};
  return !n.group() && n.token->kind == TokenKind::Ident &&
         std::find(kWords.begin(), kWords.end(), n.token->text) != kWords.end();
}

bool IsCallee(const Node& n) {
  return !n.group() && n.token->kind == TokenKind::Ident && !IsOperatorWord(n) && !IsWord(n, "true") &&
         !IsWord(n, "false");
}

bool EndsOperand(const Node& n) {
  if (n.group()) return true;
  switch (n.token->kind) {
    case TokenKind::Ident: return !IsOperatorWord(n);
    case TokenKind::Number:
    case TokenKind::String:
    case TokenKind::BlockString: return true;
    default: return false;
  }
}

}  // namespace kstate::format
