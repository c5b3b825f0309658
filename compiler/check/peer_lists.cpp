// Detection of hand-written peer lists in literal strings and list literals.
#include "compiler/check/peer_lists.h"

#include <cctype>
#include <set>
#include <vector>

namespace kstate::check {

namespace {

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; }

// The ordinals N of every `<component>-N` standing as a whole word in `text`.
void Ordinals(std::string_view text, std::string_view component, std::set<int64_t>& out) {
  if (component.empty() || text.size() < component.size() + 2) return;
  for (size_t at = text.find(component); at != std::string_view::npos; at = text.find(component, at + 1)) {
    // `<component>-`, not preceded by a name character.
    size_t dash = at + component.size();
    if (dash >= text.size() || text[dash] != '-') continue;
    if (at > 0 && IsNameChar(text[at - 1])) continue;
    size_t i = dash + 1;
    int64_t n = 0;
    size_t digits = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && digits < 6) {
      n = n * 10 + (text[i++] - '0');
      ++digits;
    }
    if (digits > 0 && (i == text.size() || !IsNameChar(text[i]))) out.insert(n);
  }
}

// True when `ordinals` is 0, 1, ..., k-1 with k >= 2: a list of every pod.
bool IsPeerList(const std::set<int64_t>& ordinals) {
  return ordinals.size() >= 2 && *ordinals.begin() == 0 &&
         *ordinals.rbegin() == static_cast<int64_t>(ordinals.size()) - 1;
}

// Calls visit(e) for every expression in `body`, and for the expressions
// below e when it returns false. An explicit stack: chains such as `a.b.c...`
// or `f()()...` can be as long as the file, too deep for recursion.
template <typename Visit>
void ForEachExpr(const syntax::Block& body, Visit visit) {
  std::vector<const syntax::Expr*> work;
  work.reserve(64);
  auto push_block = [&work](const syntax::Block& b, auto& self) -> void {
    for (const syntax::Stmt* s : b.stmts) {
      if (s->value) work.push_back(s->value);
      if (s->body) self(*s->body, self);
    }
  };
  push_block(body, push_block);
  while (!work.empty()) {
    const syntax::Expr& e = *work.back();
    work.pop_back();
    if (visit(e)) continue;
    for (const syntax::StringPart& p : e.parts) {
      if (p.expr) work.push_back(p.expr);
    }
    for (const syntax::Expr* item : e.items) work.push_back(item);
    for (const syntax::Arg& a : e.args) work.push_back(a.value);
    for (const syntax::RecordEntry& r : e.entries) work.push_back(r.value);
    if (e.base) work.push_back(e.base);
    if (e.block) push_block(*e.block, push_block);
  }
}

class Scanner {
 public:
  Scanner(std::string_view component, diag::Diagnostics& diags) : component_(component), diags_(diags) {}

  void Run(const syntax::Block& body) {
    ForEachExpr(body, [this](const syntax::Expr& e) { return Check(e); });
  }

 private:
  void Warn(const syntax::Expr& e, size_t count) {
    diag::Diagnostic& d = diags_.Report(diag::Kind::CopiedReplicas, e.range, count, component_);
    d.help = "compute it from `replicas`: `join(peers(self), \",\")` lists every pod's DNS name, or "
             "`[for i in 0 .. self.replicas: \"NAME-${i}...\"]` for another shape";
  }

  // Warns about `e` itself; true when its children need no look.
  bool Check(const syntax::Expr& e) {
    if (const std::string* text = syntax::LiteralText(e)) {
      std::set<int64_t> ordinals;
      Ordinals(*text, component_, ordinals);
      if (IsPeerList(ordinals)) Warn(e, ordinals.size());
      return true;
    }
    if (e.kind != syntax::ExprKind::List) return false;
    // ["http://db-0.db/data", "http://db-1.db/data"]: one pod per element.
    std::set<int64_t> ordinals;
    bool one_each = true;
    for (const syntax::Expr* item : e.items) {
      const std::string* text = syntax::LiteralText(*item);
      if (!text) continue;
      std::set<int64_t> mine;
      Ordinals(*text, component_, mine);
      if (mine.size() > 1) one_each = false;
      ordinals.insert(mine.begin(), mine.end());
    }
    if (!one_each || !IsPeerList(ordinals)) return false;
    Warn(e, ordinals.size());
    return true;
  }

  std::string_view component_;
  diag::Diagnostics& diags_;
};

}  // namespace

void CheckHandWrittenPeers(const syntax::Block& body, std::string_view component, diag::Diagnostics& diags) {
  Scanner(component, diags).Run(body);
}

std::vector<std::string_view> LiteralTexts(const syntax::Block& body) {
  std::vector<std::string_view> out;
  ForEachExpr(body, [&out](const syntax::Expr& e) {
    if (const std::string* text = syntax::LiteralText(e)) out.push_back(*text);
    return false;
  });
  return out;
}

bool MayNamePods(std::span<const std::string_view> texts, std::string_view component) {
  for (std::string_view text : texts) {
    for (size_t at = text.find(component); at != std::string_view::npos; at = text.find(component, at + 1)) {
      if (at + component.size() < text.size() && text[at + component.size()] == '-') return true;
    }
  }
  return false;
}

}  // namespace kstate::check
