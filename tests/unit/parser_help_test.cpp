// The help and fix-it a syntax error gets for unquoted text (an image
// reference, a path, a flag with a value): given where the text is a value,
// and only there.
#include <catch2/catch.hpp>

#include <string>

#include "compiler/base/source.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/parser.h"

namespace {

// The first diagnostic of parsing `body` as a component's body.
kstate::diag::Diagnostic FirstDiagnostic(const std::string& body) {
  kstate::base::SourceManager sources;
  uint32_t id = sources.Add("t.kstate", "component db {\n  " + body + "\n}\n");
  kstate::diag::Diagnostics diags;
  kstate::syntax::Parser parser(sources, id, diags);
  while (parser.Next()) {
  }
  REQUIRE(!diags.list().empty());
  return diags.list().front();
}

std::string Fixed(const std::string& body, const kstate::diag::Diagnostic& d) {
  std::string text = "component db {\n  " + body + "\n}\n";
  REQUIRE(d.fixes.size() == 1);
  const kstate::diag::FixIt& f = d.fixes.front();
  return text.replace(f.range.begin, f.range.end - f.range.begin, f.replacement);
}

}  // namespace

TEST_CASE("unquoted text with `:` or `/` gets a help and a fix-it that quotes all of it", "[parser]") {
  struct Case {
    const char* body;
    const char* fixed;
  };
  for (const Case& c : {
           Case{"image = mariadb:11.4", "image = \"mariadb:11.4\""},
           Case{"image = docker.io/bitnami/mariadb:10.3.22", "image = \"docker.io/bitnami/mariadb:10.3.22\""},
           Case{"mount data at /var/lib/mysql", "mount data at \"/var/lib/mysql\""},
           Case{"env { URL = http://db:5432 }", "env { URL = \"http://db:5432\" }"},
           Case{"labels = { a: b:c }", "labels = { a: \"b:c\" }"},
           Case{"args = [--port=3306]", "args = [\"--port=3306\"]"},
           Case{"command = [\"mysqld\", --user=mysql]", "command = [\"mysqld\", \"--user=mysql\"]"},
       }) {
    INFO(c.body);
    kstate::diag::Diagnostic d = FirstDiagnostic(c.body);
    CHECK(d.kind == kstate::diag::Kind::SyntaxExpected);
    CHECK(d.help.find("quote it") != std::string::npos);
    CHECK(Fixed(c.body, d) == "component db {\n  " + std::string(c.fixed) + "\n}\n");
  }
}

TEST_CASE("a `:` or `/` that is not in a bare value gets no quoting help", "[parser]") {
  // A key written as in a record, numbers alone, and a call's result.
  // A record's key written with `=`, which is no flag.
  for (const char* body :
       {"labels { app: db }", "port mysql = 3306:3307", "x = f(a):b", "x = 8 / / 2", "labels = { a=b }"}) {
    INFO(body);
    kstate::diag::Diagnostic d = FirstDiagnostic(body);
    CHECK(d.help.find("quote it") == std::string::npos);
    CHECK(d.fixes.empty());
  }
}
