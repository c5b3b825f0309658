// Where one statement ends and the next begins: a statement needs no
// terminator, so a line break or a value followed by a new name ends it
// unless an operator, keyword or bracket says the statement goes on.
#include "compiler/format/entries.h"

#include <array>
#include <utility>

namespace kstate::format {

namespace {

// `import PATH as NAME` and `mount NAME at PATH`: whether `n`, in `stmt` or
// the word after it, is that statement's `as` or `at` (its first one), which
// anywhere else is a name.
bool IsStatementKeyword(const std::vector<const Node*>& stmt, const Node& n) {
  if (stmt.empty()) return false;
  std::string_view word = IsWord(*stmt.front(), "import") ? "as" : IsWord(*stmt.front(), "mount") ? "at" : "";
  if (word.empty() || !IsWord(n, word)) return false;
  for (const Node* e : stmt) {
    if (e == &n) return true;
    if (e != stmt.front() && IsWord(*e, word)) return false;
  }
  return true;
}

// Words that continue the statement above when they start a line.
bool ContinuesAtLineStart(const std::vector<const Node*>& stmt, const Node& n) {
  static constexpr std::array<std::string_view, 8> kWords = {"and", "else", "for", "if", "in", "not", "or", "then"};
  if (n.group() || n.token->kind != TokenKind::Ident) return false;
  for (std::string_view w : kWords) {
    if (n.token->text == w) return true;
  }
  return IsStatementKeyword(stmt, n);
}

bool IsDeclarationWord(const Node& n) {
  for (std::string_view w : {"import", "template", "component", "namespace"}) {
    if (IsWord(n, w)) return true;
  }
  return false;
}

// Whether `next` starts a declaration after `stmt`. `let` is reserved; the
// other declaration words are keywords only at the top level of a file, and
// not as the name a declaration word waits for (`component template { }`).
bool StartsDeclaration(const std::vector<const Node*>& stmt, const Node& next, bool top_level) {
  if (IsWord(next, "let")) return true;
  if (!top_level || (stmt.size() == 1 && IsDeclarationWord(*stmt.front()))) return false;
  return IsDeclarationWord(next);
}

bool IsSeparator(const Node& n, Role role) {
  return role == Role::Block ? IsPunct(n, ";") : HasCommas(role) && IsPunct(n, ",");
}

// After `=` (or a mount's `at`, or `assert`) a statement is in its value, where a new name starts the next
// statement. `assert = ...` and `assert.x = ...` are assignments.
bool InValue(const std::vector<const Node*>& stmt) {
  if (stmt.size() >= 2 && IsWord(*stmt[0], "assert") && !IsPunct(*stmt[1], "=") && !IsPunct(*stmt[1], ".")) {
    return true;
  }
  for (const Node* n : stmt) {
    if (IsPunct(*n, "=") || IsStatementKeyword(stmt, *n)) return true;
  }
  return false;
}

// `next` starts a line after `last`, the last token of `stmt`: does the statement go on?
bool ContinuesOnNextLine(const std::vector<const Node*>& stmt, const Node& last, const Node& next) {
  if (next.group() && (next.role == Role::Block || next.role == Role::Args || next.role == Role::TypeArgs)) return true;
  if (!next.group() && (next.token->kind == TokenKind::Punct || ContinuesAtLineStart(stmt, next))) return true;
  if (last.group()) return false;
  if (last.token->kind == TokenKind::Punct || IsOperatorWord(last) || IsStatementKeyword(stmt, last)) return true;
  // A statement's first word alone (`storage`, `port`, `component`) is never a whole statement.
  return &last == stmt.front() && last.token->kind == TokenKind::Ident;
}

// `next` follows `last` on the same line: does it start a new statement?
bool StartsOnSameLine(const std::vector<const Node*>& stmt, const Node& last, const Node& next, bool top_level) {
  if (next.group() || next.token->kind == TokenKind::Punct || ContinuesAtLineStart(stmt, next)) return false;
  if (!EndsOperand(last) || IsStatementKeyword(stmt, last)) return false;
  return StartsDeclaration(stmt, next, top_level) || last.role == Role::Block || InValue(stmt);
}

bool EndsStatement(const std::vector<const Node*>& stmt, const Node& next, bool top_level) {
  bool newline = NewlinesBefore(next) > 0;
  for (auto it = stmt.rbegin(); it != stmt.rend(); ++it) {
    if (!IsCommentNode(**it)) {
      return newline ? !ContinuesOnNextLine(stmt, **it, next) : StartsOnSameLine(stmt, **it, next, top_level);
    }
    newline = newline || NewlinesBefore(**it) > 0 || (*it)->token->kind == TokenKind::LineComment;
  }
  return false;
}

class Splitter {
 public:
  explicit Splitter(const Node& group) : group_(group) {}

  Body Run() {
    const std::vector<Node>& kids = group_.kids;
    for (size_t i = 0; i < kids.size(); ++i) {
      const Node& kid = kids[i];
      if (IsCommentNode(kid)) {
        if (!cur_.elems.empty() || OpensItem(kid, i + 1 < kids.size() ? &kids[i + 1] : nullptr)) {
          Push(kid);
        } else {
          AddComment(kid);
        }
      } else if (IsSeparator(kid, group_.role)) {
        Finish();
      } else {
        bool top_level = group_.token == nullptr;
        if (group_.role == Role::Block && !cur_.elems.empty() && EndsStatement(cur_.elems, kid, top_level)) {
          // A block comment that starts a line and shares it with the new statement belongs to that statement.
          const Node* lead = cur_.elems.back();
          bool leads = lead->token->kind == TokenKind::BlockComment && NewlinesBefore(*lead) > 0 &&
                       NewlinesBefore(kid) == 0;
          if (leads) cur_.elems.pop_back();
          Finish();
          if (leads) Push(*lead);
        }
        Push(kid);
      }
    }
    Finish();
    return std::move(body_);
  }

 private:
  void Push(const Node& n) {
    if (cur_.elems.empty()) cur_.blank_before = NewlinesBefore(n) > 1;
    cur_.elems.push_back(&n);
  }

  // A block comment on its own line that shares it with what follows is part of that.
  bool OpensItem(const Node& comment, const Node* next) const {
    bool own_line = NewlinesBefore(comment) > 0 || (body_.entries.empty() && group_.token == nullptr);
    return own_line && comment.token->kind == TokenKind::BlockComment && next != nullptr && !IsCommentNode(*next) &&
           !IsSeparator(*next, group_.role) && NewlinesBefore(*next) == 0;
  }

  // A comment between entries: on the line of what precedes it, or on a line
  // of its own. What follows a line comment cannot share its line (`a // x`,
  // then `, /* y */` on the next line): it gets a line of its own.
  void AddComment(const Node& c) {
    auto ends_line = [](const std::vector<const Node*>& comments) {
      return !comments.empty() && comments.back()->token->kind == TokenKind::LineComment;
    };
    if (NewlinesBefore(c) == 0) {
      if (!body_.entries.empty()) {
        Entry& last = body_.entries.back();
        std::vector<const Node*>& line = last.comment_only ? last.elems : last.trailing;
        if (!ends_line(line)) {
          line.push_back(&c);
          return;
        }
      } else if (group_.token != nullptr && !ends_line(body_.open_trailing)) {
        body_.open_trailing.push_back(&c);
        return;
      }
    }
    Entry e;
    e.elems.push_back(&c);
    e.comment_only = true;
    e.blank_before = NewlinesBefore(c) > 1;
    body_.entries.push_back(std::move(e));
  }

  // Ends the current entry; comments at its end trail it or stand alone.
  void Finish() {
    if (cur_.elems.empty()) return;
    size_t end = cur_.elems.size();
    while (end > 0 && IsCommentNode(*cur_.elems[end - 1])) --end;
    std::vector<const Node*> tail(cur_.elems.begin() + static_cast<std::ptrdiff_t>(end), cur_.elems.end());
    cur_.elems.resize(end);
    if (!cur_.elems.empty()) body_.entries.push_back(std::move(cur_));
    cur_ = Entry{};
    for (const Node* c : tail) AddComment(*c);
  }

  const Node& group_;
  Body body_;
  Entry cur_;
};

}  // namespace

Body SplitBody(const Node& group) { return Splitter(group).Run(); }

bool HasCommas(Role role) { return role == Role::Record || role == Role::List || role == Role::Args; }

}  // namespace kstate::format
