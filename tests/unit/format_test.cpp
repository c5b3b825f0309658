// The formatter (`kstatec fmt`): the layout rules of compiler/format/format.h,
// comments kept, strings untouched, CRLF, and idempotence over every
// repository file that parses. Syntax the parser may not know goes through
// FormatTokens, which lays out tokens without parsing.
#include "kstate_files.h"
#include <catch2/catch.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <random>
#include <string>

#include "compiler/format/format.h"

namespace {

using kstate::format::Format;
using kstate::format::FormatTokens;

// Formats with the parse check, failing the test when the input does not parse.
std::string Fmt(const std::string& source) {
  kstate::base::SourceManager sources;
  kstate::diag::Diagnostics diags;
  kstate::format::Result r = kstate::format::FormatFile(sources, sources.Add("t.kstate", source), diags);
  INFO(source);
  REQUIRE(r.status == kstate::format::Status::Formatted);
  return r.text;
}

// Formats tokens only (no parse), failing the test when that is impossible.
std::string Tok(const std::string& source) {
  std::optional<std::string> out = FormatTokens(source);
  INFO(source);
  REQUIRE(out.has_value());
  return *out;
}

// `text` with every run of spaces after a line's indentation cut to one.
std::string Squeezed(const std::string& text) {
  std::string out;
  bool indent = true;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' && !indent && i > 0 && text[i - 1] == ' ') continue;
    indent = c == '\n' || (indent && c == ' ');
    out += c;
  }
  return out;
}

struct Case {
  std::string in;
  std::string out;
};

// Each case's input formats to its output.
void Expect(std::initializer_list<Case> cases) {
  for (const Case& c : cases) CHECK(Fmt(c.in) == c.out);
}

// A component with what every component needs, then an empty line and `body` (lines of the block).
std::string Component(const std::string& body) {
  return "component db {\n  image     = \"mariadb:11.4\"\n  readiness = tcp(3306)\n\n" + body + "}\n";
}

}  // namespace

TEST_CASE("fmt: spacing around operators, commas, colons and brackets", "[format]") {
  Expect({
      {"let a=1+2*3-4/2%3\n", "let a = 1 + 2 * 3 - 4 / 2 % 3\n"},
      {"let b=a==1 and(a!=2 or not a<3)\n", "let b = a == 1 and (a != 2 or not a < 3)\n"},
      {"let r=1 ..  3\n", "let r = 1 .. 3\n"},
      {"let l=[ 1 ,2,3 ]\n", "let l = [1, 2, 3]\n"},
      {"let m={a:1,\"b.c/d\" :2}\n", "let m = { a: 1, \"b.c/d\": 2 }\n"},
      {"let c=join( [for i in 0..3 if i>0:\"${i}\"] ,\",\" )\n",
       "let c = join([for i in 0 .. 3 if i > 0: \"${i}\"], \",\")\n"},
      {"let p=preferred(hostname,weight:1)\n", "let p = preferred(hostname, weight: 1)\n"},
      {"let f=self .replicas\n", "let f = self.replicas\n"},
      {"let e={\n}\n", "let e = {}\n"},
      {"let l=[ ]\n", "let l = []\n"},
      {"let i=if a>=1 then\"x\"else\"y\"\n", "let i = if a >= 1 then \"x\" else \"y\"\n"},
  });
}

TEST_CASE("fmt: unary minus stays attached; subtraction gets spaces; dashes in names bind", "[format]") {
  Expect({
      // A comment after a unary minus keeps a space on each side.
      {"let x = - /* why */ 1\nlet y = -/* why */(2)\n", "let x = - /* why */ 1\nlet y = - /* why */ (2)\n"},
      {"let a = - 1\n", "let a = -1\n"},
      {"let b = x -1\n", "let b = x - 1\n"},
      {"let c = x- 1\n", "let c = x - 1\n"},
      {"let d = x--1\n", "let d = x - -1\n"},
      {"let e = 3-1\n", "let e = 3 - 1\n"},
      {"let f = shop-orders\n", "let f = shop-orders\n"},
      {"let g = if c then -1 else -(2 * 3)\n", "let g = if c then -1 else -(2 * 3)\n"},
      {"let h = [-1, - 2]\n", "let h = [-1, -2]\n"},
  });
}

TEST_CASE("fmt: a statement block over several lines has one statement a line", "[format]") {
  Expect({
      {"component db {\n  image = \"a\"; replicas = 3;\n  port mysql = 3306 port admin = 3307\n}\n",
       "component db {\n  image    = \"a\"\n  replicas = 3\n  port mysql = 3306\n  port admin = 3307\n}\n"},
      // A block on one line stays on one line, `;` between its statements.
      {Component("  resources {cpu=500m;memory=1Gi;}\n  storage data { size = 1Gi mount = \"/d\" }\n"),
       Component("  resources { cpu = 500m; memory = 1Gi }\n  storage data { size = 1Gi; mount = \"/d\" }\n")},
      {Component("  scratch tmp { }\n  disruption {\n  }\n"), Component("  scratch tmp {}\n  disruption {}\n")},
      // A section's `{` on the next line joins its head.
      {Component("  storage data\n  {\n    size = 1Gi\n  }\n"), Component("  storage data {\n    size = 1Gi\n  }\n")},
      // Top-level `;` separators become line breaks too.
      {"let a = 1; let b = 2;\n", "let a = 1\nlet b = 2\n"},
  });
}

TEST_CASE("fmt: `=` aligns within runs of one-line statements of one kind", "[format]") {
  std::string want =
      "component db {\n"
      "  image    = \"a\"\n"
      "  replicas = 3\n"
      "  port mysql = 3306\n"
      "  port x     = 1\n"
      "  let short  = 1\n"
      "  let longer = 2\n"
      "  labels = { a: \"b\" }\n"
      "\n"
      "  pullPolicy = always\n"
      "  // a comment does not end the run\n"
      "  ordering   = parallel\n"
      "  command    = [\n"
      "    \"a\",\n"
      "  ]\n"
      "  args = [\"b\"]\n"
      "  resources { cpu = 1 }\n"
      "  update = rolling\n"
      "  patch statefulset {\n"
      "    spec.a.b      = 1\n"
      "    metadata.name = \"x\"\n"
      "  }\n"
      "}\n";
  CHECK(Fmt(Squeezed(want)) == want);
}

TEST_CASE("fmt: brackets stay on one line, or become one element a line with a trailing comma", "[format]") {
  Expect({
      {"let a = [1, 2,]\n", "let a = [1, 2]\n"},
      {"let a = [1,\n  2]\n", "let a = [\n  1,\n  2,\n]\n"},
      {"let r = {\n  a: 1, b: 2 }\n", "let r = {\n  a: 1,\n  b: 2,\n}\n"},
      {"let c = f(a,\n b: 2)\n", "let c = f(\n  a,\n  b: 2,\n)\n"},
      // A broken bracket inside a one-line one keeps the outer one on its line.
      {"let j = join([\n  \"a\",\n  \"b\"], \" \")\n", "let j = join([\n  \"a\",\n  \"b\",\n], \" \")\n"},
      // No comma is added where the grammar allows none: comprehensions and parentheses.
      {"let l = [for i in xs:\n  i]\n", "let l = [\n  for i in xs:\n    i\n]\n"},
      {"let p = (1 +\n  2)\n", "let p = (\n  1 +\n    2\n)\n"},
      {"let e = [\n]\n", "let e = []\n"},
  });
}

TEST_CASE("fmt: line breaks inside a statement are kept as continuation lines", "[format]") {
  Expect({
      {"let a = 1 +\n2 +\n        3\n", "let a = 1 +\n  2 +\n  3\n"},
      {"let b = x\n    + 1\n", "let b = x\n  + 1\n"},
      {"let c = if x\nthen 1\nelse 2\n", "let c = if x\n  then 1\n  else 2\n"},
      {"let d =\n\n  [1]\n", "let d =\n  [1]\n"},
  });
}

TEST_CASE("fmt: blank lines collapse to one, none after `{` or before `}` or at the ends", "[format]") {
  Expect({
      {"\n\n// head\n\n\n\nlet a = 1\n\n\n\nlet b = 2\n\n\n", "// head\n\nlet a = 1\n\nlet b = 2\n"},
      {"let r = [\n\n  1,\n\n\n  2,\n\n]\n", "let r = [\n  1,\n\n  2,\n]\n"},
      {"component db {\n\n\n  replicas = 1\n\n\n  ordering = parallel\n\n}\n",
       "component db {\n  replicas = 1\n\n  ordering = parallel\n}\n"},
      {"let a = 1", "let a = 1\n"},
      {"", ""},
      {"\n  \n", ""},
  });
}

TEST_CASE("fmt: comments stay where they are", "[format]") {
  Expect({
      {"let a = 1   // trailing   \n", "let a = 1 // trailing\n"},
      {"component db { // after the brace\n      // own line\n  replicas = 1\n}   // after\n",
       "component db { // after the brace\n  // own line\n  replicas = 1\n} // after\n"},
      {"component db {\n  replicas = 1 /* block */\n  /* leads */ port mysql = 3306\n"
       "  readiness = tcp( /* inside */ mysql )\n  /* closing */ }\n",
       "component db {\n  replicas = 1 /* block */\n  /* leads */ port mysql = 3306\n"
       "  readiness = tcp(/* inside */ mysql)\n  /* closing */\n}\n"},
      {"let l = [\n  \"a\",   // first\n  // between\n  \"b\" // before the comma\n  , \"c\"\n]\n",
       "let l = [\n  \"a\", // first\n  // between\n  \"b\", // before the comma\n  \"c\",\n]\n"},
      {"/* multi\n     line */\nlet a = 1 // last line, no line break", "/* multi\n     line */\nlet a = 1 // last line, no line break\n"},
  });
}

TEST_CASE("fmt: consecutive trailing line comments line up", "[format]") {
  Expect({
      {Component("  replicas = 3 // three\n  ordering = parallel // at once\n  minReady = 5s\n"),
       Component("  replicas = 3        // three\n  ordering = parallel // at once\n  minReady = 5s\n")},
      {"let a = [\n  1, // one\n  200, // two hundred\n]\n", "let a = [\n  1,   // one\n  200, // two hundred\n]\n"},
  });
}

TEST_CASE("fmt: strings, block strings, interpolations and numbers are copied as written", "[format]") {
  std::string strings =
      "let a = \"x  ${ b +1 }  \\\"q\\\" \\u{e9} $${HOME} // not a comment\"\n"
      "let n = \"${ {k: \"}\"}.k }\"\n"
      "let t = \"\"\"\n"
      "      keep   \n"
      "\t  these ${ \"\"\"nested \"\"\" } lines   /* too */\n"
      "  \"\"\"\n";
  CHECK(Fmt(strings) == strings);
  std::string numbers = "let q = [8Gi, 0o644, 1h30m, 0.25, 500m, 1_000, 0xff, 1.5Gi]\n";
  CHECK(Fmt(numbers) == numbers);
}

TEST_CASE("fmt: CRLF becomes LF, tabs become spaces, a byte-order mark is kept", "[format]") {
  Expect({
      {"component db {\r\n\timage = \"a\" // c\r\n\treadiness = tcp(1)\r\n}\r\n",
       "component db {\n  image     = \"a\" // c\n  readiness = tcp(1)\n}\n"},
      {"let t = \"\"\"\r\n  a\r\n  \"\"\"\r\n", "let t = \"\"\"\n  a\n  \"\"\"\n"},
      {"\xEF\xBB\xBFlet a  = 1", "\xEF\xBB\xBFlet a = 1\n"},
  });
}

TEST_CASE("fmt: imports, templates, instances and patches (token level)", "[format]") {
  std::string in =
      "import   \"./common.kstate\"\n"
      "import \"std/db/mariadb\"as  mariadb\n"
      "template cache(name:string,memory:bytes=1Gi,peers:list [string]=[]){\n"
      "image=\"redis:7.4\";port redis=6379\n"
      "resources{memory=memory..memory}\n"
      "}\n"
      "component orders:mariadb.server(version:\"11.4\",replicas:3){\n"
      "storage data{size=50Gi;class=\"fast-ssd\"}\n"
      "patch statefulset { spec.template.spec.hostNetwork=true }\n"
      "patch service {\n"
      "metadata.annotations={\"a/b\":\"c\"}\n"
      "}\n"
      "}\n"
      "component accounts : mariadb.server(version: \"11.4\")\n";
  std::string want =
      "import \"./common.kstate\"\n"
      "import \"std/db/mariadb\" as mariadb\n"
      "template cache(name: string, memory: bytes = 1Gi, peers: list[string] = []) {\n"
      "  image = \"redis:7.4\"\n"
      "  port redis = 6379\n"
      "  resources { memory = memory .. memory }\n"
      "}\n"
      "component orders : mariadb.server(version: \"11.4\", replicas: 3) {\n"
      "  storage data { size = 50Gi; class = \"fast-ssd\" }\n"
      "  patch statefulset { spec.template.spec.hostNetwork = true }\n"
      "  patch service {\n"
      "    metadata.annotations = { \"a/b\": \"c\" }\n"
      "  }\n"
      "}\n"
      "component accounts : mariadb.server(version: \"11.4\")\n";
  CHECK(Tok(in) == want);
  CHECK(Tok(want) == want);
  // Broken parameter lists get a trailing comma; a type's brackets never do.
  CHECK(Tok("template t(\n  a: list[\n    string],\n  b: int) {\n}\n") ==
        "template t(\n  a: list[\n    string\n  ],\n  b: int,\n) {}\n");
  // Bounds: a `..` with both sides is spaced like a range; one with a side
  // left out stays tight.
  CHECK(Tok("template t(a:int( 1 .. ),b:bytes (..8Gi),c:bytes(64Mi..memory - 1Mi),d:string(1..63)) {\n}\n") ==
        "template t(a: int(1..), b: bytes(..8Gi), c: bytes(64Mi .. memory - 1Mi), d: string(1 .. 63)) {}\n");
  // The head's `(` and `{` join it across line breaks.
  CHECK(Tok("template t\n(a: int)\n{\n  x = a\n}\ncomponent c : t(a: 1)\n{ y = 2 }\n") ==
        "template t(a: int) {\n  x = a\n}\ncomponent c : t(a: 1) { y = 2 }\n");
}

TEST_CASE("fmt: words that are keywords in one place only are names elsewhere", "[format]") {
  // `as` (imports), `at` (mounts) and the declaration words (top level) are
  // names everywhere else; none of them splits or continues a statement there.
  Expect({
      {"let as = 1\nlet at = 5\ncomponent web {\n  image = \"nginx:1.27\"\n  replicas = 3 - as\n"
       "  port http = 80\n  env {\n    A = \"1\"\n    at = \"2\"\n  }\n  let x = at - 1\n}\n",
       "let as = 1\nlet at = 5\ncomponent web {\n  image    = \"nginx:1.27\"\n  replicas = 3 - as\n"
       "  port http = 80\n  env {\n    A  = \"1\"\n    at = \"2\"\n  }\n  let x = at - 1\n}\n"},
      {"component web {\n  image = \"nginx:1.27\"; port component = 81\n  storage template { size = 1Gi }\n"
       "  mount template at \"/data\"\n}\n",
       "component web {\n  image = \"nginx:1.27\"\n  port component = 81\n  storage template { size = 1Gi }\n"
       "  mount template at \"/data\"\n}\n"},
      // The keywords themselves still work, on one line or over two.
      {"import \"./a.kstate\"\n  as a\nimport \"./b.kstate\" as b component c : a.t() { mount data\n at \"/d\" }\n",
       "import \"./a.kstate\"\n  as a\nimport \"./b.kstate\" as b\n"
       "component c : a.t() {\n  mount data\n    at \"/d\"\n}\n"},
  });
}

TEST_CASE("fmt: an assertion ends where its condition or message does", "[format]") {
  // After `assert COND` or `assert COND, MESSAGE` a new name starts the next
  // statement, as it does after a value; `assert = ...` and `assert.x = ...`
  // are assignments, aligned with their neighbours.
  Expect({
      {"component c {\n  assert x == 1 replicas = 3\n  assert true, \"m\" image = \"a\"\n  assert = 4\n"
       "  assert.y = 2 z = 1\n}\n",
       "component c {\n  assert x == 1\n  replicas = 3\n  assert true, \"m\"\n  image    = \"a\"\n  assert   = 4\n"
       "  assert.y = 2\n  z        = 1\n}\n"},
      // A condition or message continued on the next line stays one statement.
      {"component c {\n  assert\n    a and\n    b,\n    \"m\"\n  assert a\n    or b\n}\n",
       "component c {\n  assert\n    a and\n    b,\n    \"m\"\n  assert a\n    or b\n}\n"},
  });
}

TEST_CASE("fmt: a comment after a separator on the line below a line comment gets its own line", "[format]") {
  Expect({
      {"let a = 1 // one\n; // two\n", "let a = 1 // one\n// two\n"},
      {"let l = [\n  \"--a\" // first\n  , /* second */ \"--b\"\n]\n",
       "let l = [\n  \"--a\", // first\n  /* second */\n  \"--b\",\n]\n"},
      {"let r = { a: \"x\" // c1\n, /* c2 */ b: \"y\" }\n",
       "let r = {\n  a: \"x\", // c1\n  /* c2 */\n  b: \"y\",\n}\n"},
  });
}

TEST_CASE("fmt: what cannot be formatted is refused", "[format]") {
  CHECK_FALSE(FormatTokens("let a = \"open\n").has_value());
  CHECK_FALSE(FormatTokens("let a = \"\"\"open\n").has_value());
  CHECK_FALSE(FormatTokens("/* open\n").has_value());
  CHECK_FALSE(FormatTokens("let a = \"${ open\"\n").has_value());
  CHECK_FALSE(FormatTokens("let a = [1, 2\n").has_value());
  CHECK_FALSE(FormatTokens("let a = (1))\n").has_value());
  CHECK_FALSE(FormatTokens(std::string(5000, '(')).has_value());
  // Syntax errors: reported, and Format leaves the text alone.
  std::string broken = "component db {\n  image = \n}\n";
  kstate::base::SourceManager sources;
  kstate::diag::Diagnostics diags;
  kstate::format::Result r = kstate::format::FormatFile(sources, sources.Add("b.kstate", broken), diags);
  CHECK(r.status == kstate::format::Status::SyntaxError);
  CHECK(diags.has_errors());
  CHECK(Format(broken) == broken);
}

TEST_CASE("fmt: formatting twice changes nothing", "[format]") {
  const char* inputs[] = {
      "let a = [1,\n2, [3,\n4]]\n",
      "component c { a = 1; b { c = [1,\n 2] }; d = 3 }\n",
      "let x = f(a, // c\n b)\n",
      "let y = {\n// only a comment\n}\n",
      "let z = [ // open\n]\n",
      "component c {\n  a = x { b = 1 } c = 2\n  storage s { } scratch t { }\n}\n",
      "let w = (\n(\n1))\n",
  };
  for (const char* in : inputs) {
    std::string once = Tok(in);
    CHECK(Tok(once) == once);
  }
}

TEST_CASE("fmt: every repository file that parses formats idempotently and keeps its meaning", "[format]") {
  for (const auto& f : kstate::testing::LoadKstateFiles({"examples", "stdlib", "tests/golden"})) {
    kstate::base::SourceManager sources;
    kstate::diag::Diagnostics diags;
    kstate::format::Result r = kstate::format::FormatFile(sources, sources.Add(f.rel, f.text), diags);
    INFO(f.rel);
    if (r.status == kstate::format::Status::SyntaxError) continue;
    REQUIRE(r.status == kstate::format::Status::Formatted);
    CHECK(Format(r.text) == r.text);
  }
}

TEST_CASE("fmt: damaged inputs never crash the formatter, and what still parses formats stably", "[format]") {
  std::mt19937 rng(20240601);
  const std::string bytes = "{}[](),;:=.-\"\n /*x";
  size_t parsed = 0;
  for (const auto& f : kstate::testing::LoadKstateFiles({"examples", "tests/golden"})) {
    for (int i = 0; i < 40 && !f.text.empty(); ++i) {
      std::string text = f.text;
      size_t at = std::uniform_int_distribution<size_t>(0, text.size() - 1)(rng);
      if (i % 4 == 0) {
        text.resize(at);
      } else {
        text[at] = bytes[std::uniform_int_distribution<size_t>(0, bytes.size() - 1)(rng)];
      }
      (void)FormatTokens(text);
      kstate::base::SourceManager sources;
      kstate::diag::Diagnostics diags;
      kstate::format::Result r = kstate::format::FormatFile(sources, sources.Add(f.rel, text), diags);
      if (r.status == kstate::format::Status::SyntaxError) continue;
      INFO(f.rel << " damaged at " << at);
      REQUIRE(r.status == kstate::format::Status::Formatted);
      CHECK(Format(r.text) == r.text);
      ++parsed;
    }
  }
  CHECK(parsed > 0);
}
