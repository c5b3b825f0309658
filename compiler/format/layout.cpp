// The printer behind `kstatec fmt`. Spacing is decided per pair of adjacent
// tokens; line breaks come from the group structure (entries.h) and from the
// source, whose line breaks inside a statement are kept as continuation lines.
#include "compiler/format/layout.h"

#include <algorithm>

#include "compiler/format/entries.h"

namespace kstate::format {

namespace {

// Statements whose `=` is aligned with that of their neighbours of the same kind.
enum class Kind : uint8_t { None, Assign, Let, Port, File };

Kind KindOf(const std::vector<const Node*>& elems) {
  size_t eq = 0;
  while (eq < elems.size() && !IsPunct(*elems[eq], "=")) ++eq;
  if (eq == elems.size() || eq == 0) return Kind::None;
  auto kind_of = [](const Node& n) { return n.group() ? TokenKind::Other : n.token->kind; };
  if (eq == 2 && kind_of(*elems[1]) == TokenKind::Ident) {
    if (IsWord(*elems[0], "let")) return Kind::Let;
    if (IsWord(*elems[0], "port")) return Kind::Port;
  }
  if (eq == 2 && IsWord(*elems[0], "file") && kind_of(*elems[1]) == TokenKind::String) return Kind::File;
  if (eq == 1 && kind_of(*elems[0]) == TokenKind::String) return Kind::Assign;
  for (size_t i = 0; i < eq; ++i) {  // a path: `a.b.c`
    bool ok = i % 2 == 0 ? kind_of(*elems[i]) == TokenKind::Ident : IsPunct(*elems[i], ".");
    if (!ok) return Kind::None;
  }
  return eq % 2 == 1 ? Kind::Assign : Kind::None;
}

// Where an entry landed, for aligning `=` afterwards.
struct Placed {
  Kind kind = Kind::None;
  size_t line = 0;
  size_t key_end = std::string::npos;  // the end of the text before `=` on `line`
  bool multiline = false;
};

class Layout {
 public:
  explicit Layout(Lines& out) : out_(out) {}

  void File(const Node& root) { Entries(root, SplitBody(root), 0); }

 private:
  void Group(const Node& g) {
    Body body = SplitBody(g);
    std::string_view open = g.token->text;
    std::string_view close = g.close->text;
    if (body.entries.empty() && body.open_trailing.empty()) {
      out_.Write(open);
      out_.Write(close);
      return;
    }
    bool broken = g.close->newlines_before > 0 ||
                  std::any_of(g.kids.begin(), g.kids.end(), [](const Node& k) { return NewlinesBefore(k) > 0; });
    if (!broken) return OneLine(g, body);
    int indent = out_.indent();
    out_.Write(open);
    for (const Node* c : body.open_trailing) WriteSpaced(*c);
    Entries(g, body, indent + 1);
    out_.Start(indent);
    out_.Write(close);
  }

  void OneLine(const Node& g, const Body& body) {
    bool brace = g.token->text == "{";
    std::string_view sep = g.role == Role::Block ? ";" : HasCommas(g.role) ? "," : "";
    out_.Write(g.token->text);
    if (brace) out_.Write(" ");
    bool first = true;
    for (const Node* c : body.open_trailing) {
      if (!first) out_.Write(" ");
      out_.Write(c->token->text);
      first = false;
    }
    for (size_t i = 0; i < body.entries.size(); ++i) {
      const Entry& e = body.entries[i];
      if (!first) out_.Write(" ");
      first = false;
      Item(e, out_.indent(), g.role == Role::Block);
      if (i + 1 < body.entries.size() && !e.comment_only) out_.Write(sep);
      for (const Node* c : e.trailing) WriteSpaced(*c);
    }
    if (brace) out_.Write(" ");
    out_.Write(g.close->text);
  }

  // Each entry on a line of its own at `indent`.
  void Entries(const Node& g, const Body& body, int indent) {
    std::vector<Placed> placed(body.entries.size());
    for (size_t i = 0; i < body.entries.size(); ++i) {
      const Entry& e = body.entries[i];
      if (i > 0 && e.blank_before) out_.Blank();
      out_.Start(indent);
      placed[i] = Item(e, indent, g.role == Role::Block);
      if (HasCommas(g.role) && !e.comment_only) out_.Write(",");
      for (size_t j = 0; j < e.trailing.size(); ++j) {
        out_.Write(" ");
        bool line_comment = e.trailing[j]->token->kind == TokenKind::LineComment;
        if (j == 0 && line_comment && !placed[i].multiline) out_.MarkComment();
        out_.Write(e.trailing[j]->token->text);
      }
    }
    if (g.role == Role::Block) AlignKeys(body, placed);
  }

  // Pads the text before `=` in runs of neighbouring one-line statements of one kind.
  void AlignKeys(const Body& body, const std::vector<Placed>& placed) {
    std::vector<const Placed*> run;
    auto flush = [&] {
      size_t width = 0;
      for (const Placed* p : run) width = std::max(width, Width(out_.at(p->line).text.substr(0, p->key_end)));
      for (const Placed* p : run) {
        out_.Pad(p->line, p->key_end, width - Width(out_.at(p->line).text.substr(0, p->key_end)));
      }
      run.clear();
    };
    for (size_t i = 0; i < placed.size(); ++i) {
      const Placed& p = placed[i];
      if (body.entries[i].blank_before) flush();
      if (body.entries[i].comment_only) continue;
      bool alignable = p.kind != Kind::None && p.key_end != std::string::npos;
      if (!alignable || (!run.empty() && run.front()->kind != p.kind)) flush();
      if (alignable) run.push_back(&p);
      if (p.multiline) flush();
    }
    flush();
  }

  // Writes one entry's tokens from the current position; its own line breaks
  // become continuation lines at `indent + 1`.
  Placed Item(const Entry& e, int indent, bool statement) {
    Placed placed;
    placed.line = out_.size() - 1;
    if (e.comment_only) {
      out_.Write(e.elems.front()->token->text);
      for (size_t i = 1; i < e.elems.size(); ++i) WriteSpaced(*e.elems[i]);
      return placed;
    }
    placed.kind = statement ? KindOf(e.elems) : Kind::None;
    bool component = statement && IsWord(*e.elems.front(), "component");
    const Node* prev = nullptr;
    const Node* prev_value = nullptr;  // the last non-comment, for telling unary minus
    bool unary = false;
    for (const Node* n : e.elems) {
      if (prev != nullptr) {
        bool joins = n->role == Role::Block || n->role == Role::Args || n->role == Role::TypeArgs;
        if (prev->token->kind == TokenKind::LineComment || (NewlinesBefore(*n) > 0 && !joins)) {
          out_.Start(indent + 1);
        } else if (OpenBound(e, *prev, *n)) {
          // `int(1..)`, `bytes(..8Gi)`: a bound left out keeps its `..` tight.
        } else if (NeedsSpace(*prev, unary, *n, component)) {
          out_.Write(" ");
        }
      }
      if (placed.kind != Kind::None && placed.key_end == std::string::npos && IsPunct(*n, "=") &&
          out_.size() - 1 == placed.line) {
        std::string_view text = out_.at(placed.line).text;
        placed.key_end = text.find_last_not_of(' ') + 1;
      }
      n->group() ? Group(*n) : out_.Write(n->token->text);
      if (!IsCommentNode(*n)) {
        unary = IsPunct(*n, "-") && (prev_value == nullptr || !EndsOperand(*prev_value));
        prev_value = n;
      }
      prev = n;
    }
    placed.multiline = out_.size() - 1 != placed.line || out_.at(placed.line).text.find('\n') != std::string::npos;
    return placed;
  }

  // Whether `prev next` is the `..` of a type's bounds with one side left out:
  // the `..` starts or ends its entry.
  static bool OpenBound(const Entry& e, const Node& prev, const Node& next) {
    return (&next == e.elems.back() && IsPunct(next, "..")) || (&prev == e.elems.front() && IsPunct(prev, ".."));
  }

  // Whether a space separates `prev` and `next` on one line.
  static bool NeedsSpace(const Node& prev, bool prev_unary, const Node& next, bool component) {
    // A comment after a unary minus keeps its spaces: `- /* why */ 1`.
    if (prev_unary && (IsCommentNode(prev) || IsCommentNode(next))) return true;
    if (next.group()) {
      if (next.role == Role::Args || next.role == Role::TypeArgs) return IsCommentNode(prev);  // `f(x)`, `list[T]`
      return !prev_unary;
    }
    if (prev_unary || IsPunct(prev, ".")) return false;  // `-1`, `a.b`
    if (IsPunct(next, ",") || IsPunct(next, ";") || IsPunct(next, ".")) return false;
    if (IsPunct(next, ":")) return component;  // `k: v`, but `component x : base(...)`
    return true;
  }

  void WriteSpaced(const Node& n) {
    out_.Write(" ");
    out_.Write(n.token->text);
  }

  Lines& out_;
};

}  // namespace

void LayOut(const Node& root, Lines& out) { Layout(out).File(root); }

}  // namespace kstate::format
