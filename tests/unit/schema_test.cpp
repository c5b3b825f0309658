// The component schema (compiler/check/schema.h) against what it describes:
// the checker (through the public API), number literal parsing, the grammar's
// reserved words and the language reference.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/base/quantity.h"
#include "compiler/check/schema.h"
#include "kstate/compiler.h"

namespace {

namespace schema = kstate::check::schema;

std::vector<kstate::Diagnostic> Diagnose(const std::string& text) {
  return kstate::Compilation::FromSources({{"schema_test.kstate", text}}).diagnostics();
}

bool AnyMessageContains(const std::vector<kstate::Diagnostic>& diags, const std::string& text) {
  for (const kstate::Diagnostic& d : diags) {
    if (d.message.find(text) != std::string::npos) return true;
  }
  return false;
}

// The words as the checker lists them in a message: `a`, `b`, `c`.
std::string Listed(std::span<const schema::EnumWord> words) {
  std::string out;
  for (const schema::EnumWord& w : words) out += (out.empty() ? "`" : ", `") + std::string(w.word) + "`";
  return out;
}

// Every section reachable from the component and the namespace options.
std::vector<const schema::Section*> AllSections() {
  std::vector<const schema::Section*> out = {&schema::Component(), &schema::NamespaceOptions()};
  std::set<const schema::Section*> seen(out.begin(), out.end());
  for (size_t i = 0; i < out.size(); ++i) {
    for (const schema::Field& f : out[i]->fields) {
      if (f.section && seen.insert(f.section).second) out.push_back(f.section);
    }
  }
  return out;
}

std::string ReadDoc(const char* rel) {
  std::ifstream in(std::string(KSTATE_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// `name` in a code span of the reference: `name`, the start of one (`mount
// NAME at PATH`, `exec(...)`), or a key of a record in one (`{ add, drop }`).
bool Documented(const std::string& doc, std::string_view name) {
  const std::string n(name);
  for (const std::string& form :
       {"`" + n + "`", "`" + n + " ", "`" + n + "(", "`" + n + ".", "{ " + n + ", ", ", " + n + " }"}) {
    if (doc.find(form) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("schema: every field has a type and a doc, and every name is unique in its section", "[schema]") {
  for (const schema::Section* s : AllSections()) {
    INFO("section " << s->name);
    CHECK_FALSE(s->name.empty());
    std::set<std::string_view> names;
    if (!s->head_key.empty()) names.insert(s->head_key);
    for (const schema::Field& f : s->fields) {
      INFO("field " << f.name);
      CHECK_FALSE(f.name.empty());
      CHECK_FALSE(f.type.empty());
      CHECK_FALSE(f.doc.empty());
      CHECK(names.insert(f.name).second);
      std::set<std::string_view> words;
      for (const schema::EnumWord& w : f.words) {
        CHECK_FALSE(w.word.empty());
        CHECK(words.insert(w.word).second);
      }
    }
  }
}

TEST_CASE("schema: the sections fields open exist, and only free-form ones are empty", "[schema]") {
  std::vector<const schema::Section*> sections = AllSections();
  CHECK(sections.size() > 20);
  for (const schema::Section* s : sections) {
    INFO("section " << s->name);
    CHECK(s->free_form == s->fields.empty());
  }
  REQUIRE(schema::FindField(schema::Component(), "env"));
  REQUIRE(schema::FindField(schema::Component(), "env")->section);
  CHECK(schema::FindField(schema::Component(), "env")->section->free_form);
  CHECK(schema::ComponentKeys("env").empty());
  // Sections the checker reads with CheckKeys are all reachable by path.
  for (const char* path : {"update",
                           "disruption",
                           "retention",
                           "init",
                           "container",
                           "port",
                           "resources",
                           "preStop",
                           "liveness",
                           "mount",
                           "securityContext",
                           "containerSecurityContext",
                           "containerSecurityContext.capabilities",
                           "securityContext.seccompProfile",
                           "storage",
                           "config",
                           "config.mount",
                           "secret",
                           "scratch",
                           "serviceAccount",
                           "serviceAccount.rules",
                           "client",
                           "antiAffinity",
                           "spread",
                           "tolerations",
                           "patch"}) {
    INFO("path " << path);
    const schema::Field* f = schema::FindPath(schema::Component(), path);
    REQUIRE(f);
    CHECK(f->section);
  }
  CHECK_FALSE(schema::FindPath(schema::Component(), "storage.nosuch"));
  CHECK_FALSE(schema::FindPath(schema::Component(), "replicas.x"));
}

TEST_CASE("schema: Keys() is the head key, then the fields in table order, built once", "[schema]") {
  for (const schema::Section* s : AllSections()) {
    INFO("section " << s->name);
    std::vector<std::string_view> expected;
    if (!s->head_key.empty()) expected.push_back(s->head_key);
    for (const schema::Field& f : s->fields) expected.push_back(f.name);
    CHECK(schema::Keys(*s) == expected);
    CHECK(&schema::Keys(*s) == &schema::Keys(*s));
  }
  CHECK(schema::ComponentKeys("storage").front() == "name");
  CHECK(schema::ComponentKeys("port").front() == "value");
  CHECK(schema::ComponentKeys("") == schema::Keys(schema::Component()));
}

TEST_CASE("schema: the checker takes its key lists and enum words from the schema", "[schema]") {
  // A misspelt field gets a suggestion from the schema's keys, and an unknown
  // enum word the schema's list.
  std::vector<kstate::Diagnostic> diags = Diagnose(R"(component db {
  image = "mariadb:11.4"
  port mysql = 3306
  readiness = tcp(mysql)
  resources { cpu = 500m; memory = 1Gi }
  storage data { sise = 1Gi }
  ordering = sideways
}
)");
  bool misspelt = false, enum_listed = false;
  const std::string words = Listed(schema::ComponentWords("ordering"));
  for (const kstate::Diagnostic& d : diags) {
    misspelt = misspelt || (d.code == "KS2001" && d.help == "did you mean `size`?");
    enum_listed = enum_listed || (d.code == "KS2005" && d.message.find(words) != std::string::npos);
  }
  CHECK(misspelt);
  CHECK(enum_listed);
}

TEST_CASE("schema: every built-in is one the checker knows, and no other name is", "[schema]") {
  std::set<std::string_view> names;
  for (const schema::Builtin& b : schema::Builtins()) {
    INFO("built-in " << b.name);
    CHECK(names.insert(b.name).second);
    CHECK_FALSE(b.signature.empty());
    CHECK_FALSE(b.doc.empty());
    CHECK(schema::FindBuiltin(b.name) == &b);
    // The checker shows the schema's signature (and aborts at its first call
    // if one of its built-ins is missing from the schema).
    std::vector<kstate::Diagnostic> diags = Diagnose("let x = " + std::string(b.name) + "(zzz: 1)\n");
    CHECK_FALSE(AnyMessageContains(diags, "unknown function"));
    bool shown = false;
    for (const kstate::Diagnostic& d : diags)
      shown = shown || d.help == "it is called as `" + std::string(b.signature) + "`";
    CHECK(shown);
  }
  for (const char* name : {"min", "max", "str", "int", "format", "concat", "merge", "keys", "split", "contains",
                           "probe", "self", "Exec", "ranges", "toleration_"}) {
    INFO("name " << name);
    CHECK_FALSE(schema::FindBuiltin(name));
    CHECK(AnyMessageContains(Diagnose(std::string("let x = ") + name + "(1)\n"),
                             std::string("unknown function `") + name + "`"));
  }
}

TEST_CASE("schema: every unit parses as its kind and scale, and no other suffix parses", "[schema]") {
  using kstate::base::NumberClass;
  std::set<std::string_view> suffixes;
  for (const schema::Unit& u : schema::Units()) {
    INFO("unit " << u.suffix << " (" << u.kind << ")");
    suffixes.insert(u.suffix);
    CHECK_FALSE(u.meaning.empty());
    kstate::base::NumberLiteral n = kstate::base::ParseNumberLiteral("1" + std::string(u.suffix));
    CHECK(n.error.empty());
    if (u.kind == "bytes") {
      CHECK(n.cls == NumberClass::Bytes);
      CHECK(n.exact == u.scale);
    } else if (u.kind == "cpu") {
      CHECK(n.cls == NumberClass::Milli);
      CHECK(u.scale == 1);
    } else {
      REQUIRE(u.kind == "duration");
      // `1m` alone is a milli-quantity; in a compound it is a duration.
      std::string text = u.suffix == "ms" ? "1ms" : "1" + std::string(u.suffix) + "0ms";
      kstate::base::NumberLiteral d = kstate::base::ParseNumberLiteral(text);
      CHECK(d.error.empty());
      CHECK(d.cls == NumberClass::Duration);
      CHECK(d.exact == u.scale);
    }
  }
  const std::string letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::vector<std::string> candidates;
  for (char a : letters) {
    candidates.emplace_back(1, a);
    for (char b : letters) candidates.push_back(std::string{a, b});
  }
  for (const std::string& s : candidates) {
    kstate::base::NumberLiteral n = kstate::base::ParseNumberLiteral("1" + s);
    if (n.error.empty() && n.cls != NumberClass::Plain) {
      INFO("suffix " << s);
      CHECK(suffixes.count(s) == 1);
    }
  }
}

TEST_CASE("schema: reserved keywords are refused as names, the others are not", "[schema]") {
  std::set<std::string_view> words;
  for (const schema::Keyword& k : schema::Keywords()) {
    INFO("keyword " << k.word);
    CHECK(words.insert(k.word).second);
    CHECK_FALSE(k.doc.empty());
    std::vector<kstate::Diagnostic> diags = Diagnose("let " + std::string(k.word) + " = 1\n");
    bool refused = false;
    for (const kstate::Diagnostic& d : diags) refused = refused || d.code == "KS1009";
    CHECK(refused == k.reserved);
    if (!k.reserved) CHECK(diags.empty());
  }
}

TEST_CASE("schema: the patch targets are the objects `patch` can name", "[schema]") {
  const schema::Field* patch = schema::FindField(schema::Component(), "patch");
  REQUIRE(patch);
  REQUIRE_FALSE(patch->words.empty());
  // A component that generates every object a patch may target.
  std::string text = R"(namespace "ns"
component db {
  image = "mariadb:11.4"
  replicas = 3
  port mysql = 3306
  readiness = tcp(mysql)
  resources { cpu = 500m; memory = 1Gi }
  config settings { file "a" = "b" }
  client { type = clusterIP }
  disruption { maxUnavailable = 1 }
  serviceAccount {
    create = true
    rules = [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }]
    clusterRules = [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }]
  }
  patch nosuch { metadata.annotations = { a: "b" } }
)";
  for (const schema::EnumWord& w : patch->words) {
    text += "  patch " + std::string(w.word) + " { metadata.annotations = { a: \"b\" } }\n";
  }
  std::vector<kstate::Diagnostic> diags = Diagnose(text + "}\n");
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].code == "KS2029");
  CHECK(diags[0].message.find("`patch nosuch`") != std::string::npos);
  // The emitter lists the targets it has, in its order: exactly the schema's.
  CHECK(diags[0].message.find("expected one of " + Listed(patch->words)) != std::string::npos);
}

TEST_CASE("schema: the language reference documents every field, built-in, unit and keyword", "[schema]") {
  const std::string doc = ReadDoc("docs/language.md");
  REQUIRE(doc.size() > 10000);
  for (const schema::Section* s : AllSections()) {
    for (const schema::Field& f : s->fields) {
      INFO("field " << f.name << " of " << s->name);
      CHECK(Documented(doc, f.name));
    }
  }
  for (const schema::Builtin& b : schema::Builtins()) {
    INFO("built-in " << b.name);
    CHECK(Documented(doc, b.name));
  }
  for (const schema::Unit& u : schema::Units()) {
    INFO("unit " << u.suffix);
    CHECK(doc.find("`" + std::string(u.suffix) + "`") != std::string::npos);
  }
  // The reserved words, as the reference lists them under "Keywords".
  size_t at = doc.find("**Keywords.**");
  REQUIRE(at != std::string::npos);
  size_t colon = doc.find("):", at);
  size_t end = doc.find('.', colon);
  REQUIRE(end != std::string::npos);
  std::set<std::string> listed, reserved;
  for (size_t i = doc.find('`', colon); i < end; i = doc.find('`', doc.find('`', i + 1) + 1)) {
    listed.insert(doc.substr(i + 1, doc.find('`', i + 1) - i - 1));
  }
  for (const schema::Keyword& k : schema::Keywords()) {
    if (k.reserved) reserved.emplace(k.word);
  }
  CHECK(listed == reserved);
}
