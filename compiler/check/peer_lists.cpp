// Detection of hand-written peer lists in literal strings and list literals.
#include "compiler/check/peer_lists.h"

#include <cctype>
#include <set>

namespace kstate::check {

namespace {

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; }

// The ordinals N of every `<component>-N` standing as a whole word in `text`.
void Ordinals(std::string_view text, std::string_view component, std::set<int64_t>& out) {
  std::string prefix = std::string(component) + "-";
  for (size_t at = text.find(prefix); at != std::string_view::npos; at = text.find(prefix, at + 1)) {
    if (at > 0 && IsNameChar(text[at - 1])) continue;
    size_t i = at + prefix.size();
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

class Scanner {
 public:
  Scanner(std::string_view component, diag::Diagnostics& diags) : component_(component), diags_(diags) {}

  void Block(const syntax::Block& b) {
    for (const syntax::Stmt* s : b.stmts) {
      if (s->value) Expr(*s->value);
      if (s->body) Block(*s->body);
    }
  }

 private:
  void Warn(const syntax::Expr& e, size_t count) {
    diag::Diagnostic& d = diags_.Report(diag::Kind::CopiedReplicas, e.range, count, component_);
    d.help = "compute it from the replica count, e.g. "
             "`join([for i in 0 .. n: \"NAME-${i}.NAME\"], \",\")` with `let n = 3` and `replicas = n`";
  }

  void Expr(const syntax::Expr& e) {
    if (const std::string* text = syntax::LiteralText(e)) {
      std::set<int64_t> ordinals;
      Ordinals(*text, component_, ordinals);
      if (IsPeerList(ordinals)) Warn(e, ordinals.size());
      return;
    }
    if (e.kind == syntax::ExprKind::List) {
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
      if (one_each && IsPeerList(ordinals)) {
        Warn(e, ordinals.size());
        return;
      }
    }
    for (const syntax::StringPart& p : e.parts) {
      if (p.expr) Expr(*p.expr);
    }
    for (const syntax::Expr* item : e.items) Expr(*item);
    for (const syntax::Arg& a : e.args) Expr(*a.value);
    for (const syntax::RecordEntry& r : e.entries) Expr(*r.value);
    if (e.base) Expr(*e.base);
    if (e.block) Block(*e.block);
  }

  std::string_view component_;
  diag::Diagnostics& diags_;
};

}  // namespace

void CheckHandWrittenPeers(const syntax::Block& body, std::string_view component, diag::Diagnostics& diags) {
  Scanner(component, diags).Block(body);
}

}  // namespace kstate::check
