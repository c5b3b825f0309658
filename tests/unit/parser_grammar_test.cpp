// The grammar's hand-written white-space rules: `ws` (spaces, line and block
// comments in one loop) and `ahead<...>` (each operator level peeks past the
// white space before skipping it) must accept exactly what the combinator
// rules they replace accepted. And Parser::Recycle: a tree built in a
// recycled tree's memory is the same as a fresh one, and a kept tree is not
// touched.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "compiler/base/source.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/ast.h"
#include "compiler/syntax/parser.h"

namespace {

using kstate::syntax::Expr;
using kstate::syntax::ExprKind;

// Names, numbers and operators in prefix form: `(+ 1 (* 2 3))`.
std::string Show(const Expr& e, const std::string& text) {
  switch (e.kind) {
    case ExprKind::Name:
    case ExprKind::Number: return text.substr(e.range.begin, e.range.end - e.range.begin);
    case ExprKind::Unary:
      return "(" + std::string(e.op == kstate::syntax::Op::Not ? "not" : "neg") + " " + Show(*e.items[0], text) + ")";
    case ExprKind::Binary:
      return "(" + std::string(kstate::syntax::OpSpelling(e.op)) + " " + Show(*e.items[0], text) + " " +
             Show(*e.items[1], text) + ")";
    default: return "?";
  }
}

// The value of `x = ...` in a component's body, shown; "" after a diagnostic.
std::string Parsed(const std::string& value, kstate::diag::Diagnostics& diags) {
  std::string text = "component db {\n  x = " + value + "\n}\n";
  kstate::base::SourceManager sources;
  uint32_t id = sources.Add("t.kstate", text);
  kstate::syntax::Parser parser(sources, id, diags);
  std::unique_ptr<kstate::syntax::File> tree = parser.Next();
  if (!tree || !diags.list().empty()) return "";
  const kstate::syntax::Block& body = *tree->decls.front().body;
  REQUIRE(body.stmts.size() == 1);
  return Show(*body.stmts.front()->value, text);
}

}  // namespace

TEST_CASE("white space and comments between operands and operators", "[parser][grammar]") {
  struct Case {
    const char* value;
    const char* shown;
  };
  for (const Case& c : {
           Case{"1 + 2 * 3", "(+ 1 (* 2 3))"},
           Case{"1 /* note */ + 2", "(+ 1 2)"},
           Case{"1 +/* note */2", "(+ 1 2)"},
           Case{"8 / 2", "(/ 8 2)"},
           Case{"8 // halved below\n    / 2", "(/ 8 2)"},
           Case{"8 // not divided", "8"},
           Case{"1\n    + 2", "(+ 1 2)"},
           Case{"a\n    or b", "(or a b)"},
           Case{"a /* x */ and /* y */ not b", "(and a (not b))"},
           Case{"a == b or c != d", "(or (== a b) (!= c d))"},
           Case{"a <= b and c > d", "(and (<= a b) (> c d))"},
           Case{"1 .. 3", "(.. 1 3)"},
           Case{"n % 2 == 1", "(== (% n 2) 1)"},
           Case{"a - 1 - 2", "(- (- a 1) 2)"},
           Case{"ordered", "ordered"},
           Case{"andrew", "andrew"},
       }) {
    INFO(c.value);
    kstate::diag::Diagnostics diags;
    CHECK(Parsed(c.value, diags) == c.shown);
    CHECK(diags.list().empty());
  }
}

TEST_CASE("an unterminated block comment is reported at its `/*`", "[parser][grammar]") {
  for (const char* value : {"1 /* never closed", "1 + /* never closed", "/* never closed"}) {
    INFO(value);
    kstate::diag::Diagnostics diags;
    CHECK(Parsed(value, diags).empty());
    REQUIRE(diags.list().size() == 1);
    const kstate::diag::Diagnostic& d = diags.list().front();
    CHECK(d.kind == kstate::diag::Kind::UnterminatedComment);
    std::string text = "component db {\n  x = " + std::string(value) + "\n}\n";
    CHECK(d.range.begin == text.find("/*"));
  }
}

TEST_CASE("a tree built in recycled memory is a fresh tree, and a kept tree is untouched", "[parser]") {
  const std::string text =
      "template t(n: int) { replicas = n + 1 }\n"
      "component a { replicas = 1 + 2 * 3 }\n"
      "component b { replicas = (4 - 5) / 6 }\n"
      "component c { replicas = 7 }\n";
  auto values = [&](bool recycle) {
    kstate::base::SourceManager sources;
    uint32_t id = sources.Add("t.kstate", text);
    kstate::diag::Diagnostics diags;
    kstate::syntax::Parser parser(sources, id, diags);
    std::unique_ptr<kstate::syntax::File> kept = parser.Next();  // the template, as the checker keeps it
    std::vector<std::string> shown;
    while (std::unique_ptr<kstate::syntax::File> tree = parser.Next()) {
      const kstate::syntax::Decl& d = tree->decls.front();
      shown.push_back(std::string(d.name.text) + ": " + Show(*d.body->stmts.front()->value, text));
      if (recycle) parser.Recycle(std::move(tree));
    }
    // Built before the others, and never handed back: still whole.
    const kstate::syntax::Decl& t = kept->decls.front();
    shown.push_back(std::string(t.name.text) + ": " + Show(*t.body->stmts.front()->value, text));
    CHECK(diags.list().empty());
    return shown;
  };
  std::vector<std::string> fresh = values(false);
  CHECK(fresh == std::vector<std::string>{"a: (+ 1 (* 2 3))", "b: (/ (- 4 5) 6)", "c: 7", "t: (+ n 1)"});
  CHECK(values(true) == fresh);
}
