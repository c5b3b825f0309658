// Tests of the YAML and JSON writers: layout, quoting of tricky strings, and
// round trips through yaml-cpp, nlohmann-json and (when available) PyYAML.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "compiler/emit/manifest.h"

namespace {

using kstate::emit::Node;
using kstate::emit::NodeToJson;
using kstate::emit::NodeToYaml;
using kstate::emit::Object;
using kstate::emit::WriteJson;
using kstate::emit::WriteYaml;

Node S(std::string s) { return Node::Str(std::move(s)); }

Node M(std::initializer_list<std::pair<std::string, Node>> members) {
  Node map = Node::Map();
  for (const auto& [key, value] : members) map.Set(key, value);
  return map;
}

Node L(std::initializer_list<Node> items) {
  Node list = Node::List();
  for (const Node& item : items) list.Push(item);
  return list;
}

Object Obj(Node root) {
  Object object;
  object.root = std::move(root);
  return object;
}

enum class Expect { Plain, Quoted, Literal };

struct Tricky {
  std::string text;
  Expect style;  // the style a value of this text must get
};

// Strings a careless writer gets wrong, with the style each must get.
std::vector<Tricky> TrickyStrings() {
  using enum Expect;
  return {
      {"", Quoted},
      {"yes", Quoted},
      {"No", Quoted},
      {"on", Quoted},
      {"OFF", Quoted},
      {"y", Quoted},
      {"N", Quoted},
      {"True", Quoted},
      {"false", Quoted},
      {"~", Quoted},
      {"null", Quoted},
      {"NULL", Quoted},
      {"<<", Quoted},
      {"=", Quoted},
      {"1", Quoted},
      {"-1", Quoted},
      {"+1", Quoted},
      {"0644", Quoted},
      {"0x1F", Quoted},
      {"0o17", Quoted},
      {"0b101", Quoted},
      {"1_000", Quoted},
      {"1e3", Quoted},
      {"1.5", Quoted},
      {"1.", Quoted},
      {".5", Quoted},
      {"1:20", Quoted},
      {"190:20:30.15", Quoted},
      {"2026-11-23", Quoted},
      {"2001-12-14t21:59:43.10-05:00", Quoted},
      {"2001-12-14 21:59:43.10 -5", Quoted},
      {".inf", Quoted},
      {"-.Inf", Quoted},
      {"+.inf", Quoted},
      {".NaN", Quoted},
      {".hidden", Quoted},
      {"- a", Quoted},
      {"-a", Quoted},
      {"-", Quoted},
      {"---", Quoted},
      {"...", Quoted},
      {"?x", Quoted},
      {":x", Quoted},
      {"a: b", Quoted},
      {"a #b", Quoted},
      {"trailing ", Quoted},
      {" leading", Quoted},
      {"a:", Quoted},
      {"@x", Quoted},
      {"*x", Quoted},
      {"&x", Quoted},
      {"!x", Quoted},
      {"%x", Quoted},
      {"|x", Quoted},
      {">x", Quoted},
      {"#x", Quoted},
      {"`x", Quoted},
      {"'x'", Quoted},
      {"\"x\"", Quoted},
      {"[a]", Quoted},
      {"{a}", Quoted},
      {",a", Quoted},
      {"a\tb", Quoted},
      {"a\rb", Quoted},
      {"a\r\nb\r\n", Quoted},
      {"bell\a", Quoted},
      {std::string("nul\0byte", 8), Quoted},
      {"del\x7f", Quoted},
      {"\\back", Plain},
      {"back\\slash \"quote\"", Plain},
      {"caf\xc3\xa9", Quoted},
      {"\xe2\x82\xac 5", Quoted},
      {"emoji \xf0\x9f\x98\x80", Quoted},
      {"nel\xc2\x85", Quoted},
      {"ls\xe2\x80\xa8", Quoted},
      {"\xef\xbb\xbf" "bom", Quoted},
      {"\n", Quoted},
      {"\n\n", Quoted},
      {"8Gi", Plain},
      {"500m", Plain},
      {"1Gi", Plain},
      {"docker.io/bitnami/mariadb:10.3.22-debian-10-r27", Plain},
      {"$MARIADB_ROOT_PASSWORD", Plain},
      {"app.kubernetes.io/name", Plain},
      {"my.cnf", Plain},
      {"http://example.com:8080/a?b=c#d", Plain},
      {"a:b", Plain},
      {"a#b", Plain},
      {"a,b", Plain},
      {"a-b", Plain},
      {"a b", Plain},
      {"~x", Plain},
      {"yesterday", Plain},
      {"nullable", Plain},
      {"10.3.22-debian", Plain},
      {"1.2.3.4/32", Plain},
      {"key=value", Plain},
      {"line1\nline2\n", Literal},
      {"line1\nline2", Literal},
      {"line1\nline2\n\n", Literal},
      {"line1\n\nline3\n", Literal},
      {"  indented\nnext\n", Literal},
      {"\nleading blank\n", Literal},
      {"a\n\tb\n", Quoted},
      {"a\tb\nc\td\n", Literal},
      {"caf\xc3\xa9\nna\xc3\xafve\n", Literal},
      {"[mysqld]\nport=3306 # comment\n---\n...\n", Literal},
      {"trailing space \nx\n", Quoted},
      {"\ttab first\n", Quoted},
      {"a\r\nb", Quoted},
  };
}

// Where a string can land: a value, a key, list items, nested lists, and maps
// inside lists (the kubectl layout).
Node EveryPosition(const std::string& s) {
  return M({
      {"value", S(s)},
      {"keyed", M({{s, S("k")}})},
      {"list", L({S(s), L({S(s), S(s)}), M({{"k", S(s)}, {"k2", S(s)}})})},
      {"nested", M({{"deeper", M({{"leaf", S(s)}, {"after", S("x")}})}})},
  });
}

// True when yaml-cpp would decode the plain scalar as something other than a
// string.
bool YamlCppSeesNonString(const YAML::Node& y) {
  bool b = false;
  int64_t i = 0;
  double d = 0;
  return y.IsNull() || YAML::convert<bool>::decode(y, b) || YAML::convert<int64_t>::decode(y, i) ||
         YAML::convert<double>::decode(y, d);
}

// Compares a parsed yaml-cpp tree with the node it was written from.
void RequireSame(const YAML::Node& y, const Node& n) {
  switch (n.kind) {
    case Node::Kind::Map: {
      REQUIRE(y.IsMap());
      REQUIRE(y.size() == n.members.size());
      size_t i = 0;
      for (const auto& kv : y) {
        REQUIRE(kv.first.as<std::string>() == n.members[i].first);
        RequireSame(kv.second, n.members[i].second);
        ++i;
      }
      return;
    }
    case Node::Kind::List:
      REQUIRE(y.IsSequence());
      REQUIRE(y.size() == n.items.size());
      for (size_t i = 0; i < n.items.size(); ++i) RequireSame(y[i], n.items[i]);
      return;
    case Node::Kind::String:
      REQUIRE(y.IsScalar());
      REQUIRE(y.as<std::string>() == n.string);
      if (y.Tag() == "?") REQUIRE_FALSE(YamlCppSeesNonString(y));
      return;
    case Node::Kind::Null: REQUIRE(y.IsNull()); return;
    case Node::Kind::Bool: REQUIRE(y.as<bool>() == n.boolean); return;
    case Node::Kind::Int: REQUIRE(y.as<int64_t>() == n.integer); return;
  }
}

// Strings built from pieces that stress the classifier; valid UTF-8 only.
std::vector<std::string> RandomStrings(size_t count, uint32_t seed) {
  static const std::vector<std::string> kPieces = {
      "a", "Z", "e", "x", "o", "y", "n", "0", "1", "7", "9", ".", "-", "+", "_", ":", " ", "  ", "#", "\n",
      "\n\n", "\t", "\r", "\"", "'", "\\", "?", "!", "&", "*", "|", ">", "%", "@", "`", "{", "}", "[", "]",
      ",", "~", "=", "<<", "yes", "null", "On", "0x", "---", "...", "\xc3\xa9", "\xe2\x82\xac",
      "\xf0\x9f\x98\x80", "\xc2\x85", "\xc2\xa0", "\xe2\x80\xa8", "\xef\xbb\xbf", std::string(1, '\0'),
      "\x7f", "\x1b", "2026-", "1:2", "1e5", ".inf"};
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> length(0, 7), piece(0, kPieces.size() - 1);
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    std::string s;
    for (size_t n = length(rng); n > 0; --n) s += kPieces[piece(rng)];
    out.push_back(std::move(s));
  }
  return out;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("YAML writer: nested maps and the kubectl list layout", "[emit][yaml]") {
  Node root = M({
      {"apiVersion", S("apps/v1")},
      {"kind", S("Deployment")},
      {"metadata", M({{"name", S("db")}, {"labels", M({{"app.kubernetes.io/name", S("mariadb")}})}})},
      {"spec",
       M({{"replicas", Node::Int(3)},
          {"template",
           M({{"spec",
               M({{"containers",
                   L({M({{"name", S("x")},
                         {"image", S("nginx:1.25")},
                         {"args", L({S("--port"), S("3306")})},
                         {"ports", L({M({{"containerPort", Node::Int(3306)}})})}})})}})}})}})},
  });
  CHECK(NodeToYaml(root) ==
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        "  name: db\n"
        "  labels:\n"
        "    app.kubernetes.io/name: mariadb\n"
        "spec:\n"
        "  replicas: 3\n"
        "  template:\n"
        "    spec:\n"
        "      containers:\n"
        "      - name: x\n"
        "        image: nginx:1.25\n"
        "        args:\n"
        "        - \"--port\"\n"
        "        - \"3306\"\n"
        "        ports:\n"
        "        - containerPort: 3306\n");
  RequireSame(YAML::Load(NodeToYaml(root)), root);
}

TEST_CASE("YAML writer: scalars and empty collections", "[emit][yaml]") {
  Node root = M({
      {"null", Node()},
      {"t", Node::Bool(true)},
      {"f", Node::Bool(false)},
      {"zero", Node::Int(0)},
      {"min", Node::Int(INT64_MIN)},
      {"max", Node::Int(INT64_MAX)},
      {"emptyMap", Node::Map()},
      {"emptyList", Node::List()},
      {"list", L({Node(), Node::Map(), Node::List(), Node::Int(-4), Node::Bool(false)})},
  });
  CHECK(NodeToYaml(root) ==
        "\"null\": null\n"
        "t: true\n"
        "f: false\n"
        "zero: 0\n"
        "min: -9223372036854775808\n"
        "max: 9223372036854775807\n"
        "emptyMap: {}\n"
        "emptyList: []\n"
        "list:\n"
        "- null\n"
        "- {}\n"
        "- []\n"
        "- -4\n"
        "- false\n");
  RequireSame(YAML::Load(NodeToYaml(root)), root);
  CHECK(NodeToYaml(Node::Map()) == "{}\n");
  CHECK(NodeToYaml(Node::List()) == "[]\n");
  CHECK(NodeToYaml(Node()) == "null\n");
  CHECK(NodeToYaml(S("plain")) == "plain\n");
  CHECK(NodeToYaml(S("1")) == "\"1\"\n");
}

TEST_CASE("YAML writer: lists inside lists", "[emit][yaml]") {
  Node root = L({L({S("a"), S("b")}), S("c"), L({L({S("d")}), M({{"k", S("v")}, {"k2", L({S("w")})}})})});
  CHECK(NodeToYaml(root) ==
        "- - a\n"
        "  - b\n"
        "- c\n"
        "- - - d\n"
        "  - k: v\n"
        "    k2:\n"
        "    - w\n");
  RequireSame(YAML::Load(NodeToYaml(root)), root);
  Node in_map = M({{"matrix", L({L({Node::Int(1), Node::Int(2)}), L({Node::Int(3)})})}});
  CHECK(NodeToYaml(in_map) == "matrix:\n- - 1\n  - 2\n- - 3\n");
  RequireSame(YAML::Load(NodeToYaml(in_map)), in_map);
}

TEST_CASE("YAML writer: documents", "[emit][yaml]") {
  CHECK(WriteYaml({}).empty());
  std::vector<Object> objects = {Obj(M({{"kind", S("A")}})), Obj(M({{"kind", S("B")}})),
                                 Obj(M({{"s", S("x\n\n")}}))};
  std::string yaml = WriteYaml(objects);
  CHECK(yaml ==
        "kind: A\n"
        "---\n"
        "kind: B\n"
        "---\n"
        "s: |+\n"
        "  x\n"
        "\n");
  std::vector<YAML::Node> docs = YAML::LoadAll(yaml);
  REQUIRE(docs.size() == 3);
  for (size_t i = 0; i < docs.size(); ++i) RequireSame(docs[i], objects[i].root);
}

TEST_CASE("YAML writer: map keys follow the quoting rules", "[emit][yaml]") {
  Node root = M({{"app.kubernetes.io/name", S("a")},
                 {"my.cnf", S("b")},
                 {"on", S("c")},
                 {"1", S("d")},
                 {"a: b", S("e")},
                 {"multi\nline", S("f")},
                 {"", S("g")}});
  CHECK(NodeToYaml(root) ==
        "app.kubernetes.io/name: a\n"
        "my.cnf: b\n"
        "\"on\": c\n"
        "\"1\": d\n"
        "\"a: b\": e\n"
        "\"multi\\nline\": f\n"
        "\"\": g\n");
  RequireSame(YAML::Load(NodeToYaml(root)), root);
}

TEST_CASE("YAML writer: very long keys become explicit entries", "[emit][yaml]") {
  std::string key(1500, 'k');
  Node root = M({{key, S("v")}, {key + "2", M({{"a", L({S("b")})}})}, {"list", L({M({{key, S("w")}})})}});
  std::string yaml = NodeToYaml(root);
  CHECK(yaml.rfind("? " + key + "\n: v\n", 0) == 0);
  RequireSame(YAML::Load(yaml), root);
}

TEST_CASE("YAML writer: literal block scalars", "[emit][yaml]") {
  auto yaml_of = [](const std::string& s) { return NodeToYaml(M({{"k", S(s)}})); };
  CHECK(yaml_of("a\nb\n") == "k: |\n  a\n  b\n");
  CHECK(yaml_of("a\nb") == "k: |-\n  a\n  b\n");
  CHECK(yaml_of("a\nb\n\n") == "k: |+\n  a\n  b\n\n");
  CHECK(yaml_of("a\n\nb\n") == "k: |\n  a\n\n  b\n");
  CHECK(yaml_of("  a\nb\n") == "k: |2\n    a\n  b\n");
  CHECK(yaml_of("  a\nb") == "k: |2-\n    a\n  b\n");
  CHECK(yaml_of("\na\n") == "k: |2\n\n  a\n");
  CHECK(NodeToYaml(L({S("a\nb\n"), L({S("c\nd")}), M({{"k", S("e\n")}})})) ==
        "- |\n  a\n  b\n"
        "- - |-\n    c\n    d\n"
        "- k: |\n    e\n");
  CHECK(NodeToYaml(M({{"l", L({S(" x\ny\n")})}})) == "l:\n- |2\n   x\n  y\n");
  CHECK(NodeToYaml(S("a\nb\n")) == "|\n  a\n  b\n");
}

TEST_CASE("YAML writer: tricky strings keep their style and round-trip through yaml-cpp", "[emit][yaml]") {
  for (const Tricky& t : TrickyStrings()) {
    CAPTURE(t.text);
    std::string yaml = NodeToYaml(M({{"k", S(t.text)}}));
    CAPTURE(yaml);
    std::string_view value = std::string_view(yaml).substr(3);
    switch (t.style) {
      case Expect::Plain: CHECK(value == t.text + "\n"); break;
      case Expect::Quoted: CHECK(value.front() == '"'); break;
      case Expect::Literal: CHECK(value.front() == '|'); break;
    }
    YAML::Node parsed = YAML::Load(yaml)["k"];
    CHECK(parsed.as<std::string>() == t.text);
    CHECK(parsed.Tag() == (t.style == Expect::Plain ? "?" : "!"));
    Node every = EveryPosition(t.text);
    RequireSame(YAML::Load(NodeToYaml(every)), every);
  }
}

TEST_CASE("YAML writer: escapes in double quotes", "[emit][yaml]") {
  auto yaml_of = [](const std::string& s) { return NodeToYaml(S(s)); };
  CHECK(yaml_of("a\tb") == "\"a\\tb\"\n");
  CHECK(yaml_of("a\rb\n") == "\"a\\rb\\n\"\n");
  CHECK(yaml_of(std::string("\0\x1b\x7f", 3)) == "\"\\0\\x1B\\x7F\"\n");
  CHECK(yaml_of("\"q\\") == "\"\\\"q\\\\\"\n");
  CHECK(yaml_of("caf\xc3\xa9") == "\"caf\xc3\xa9\"\n");
  CHECK(yaml_of("\xc2\x85\xe2\x80\xa8\xef\xbb\xbf") == "\"\\u0085\\u2028\\uFEFF\"\n");
  CHECK(yaml_of("bad\xff") == "\"bad\\uFFFD\"\n");
}

TEST_CASE("YAML writer: random strings round-trip through yaml-cpp", "[emit][yaml]") {
  for (const std::string& s : RandomStrings(3000, 20261123)) {
    CAPTURE(s);
    Node every = EveryPosition(s);
    std::string yaml = NodeToYaml(every);
    CAPTURE(yaml);
    RequireSame(YAML::Load(yaml), every);
  }
}

TEST_CASE("YAML writer: documents round-trip through PyYAML", "[emit][yaml][python]") {
  if (std::system("python3 -c 'import yaml' >/dev/null 2>&1") != 0) {
    WARN("python3 with PyYAML not available; skipped");
    return;
  }
#ifdef KSTATE_SOURCE_DIR
  std::filesystem::path script = std::filesystem::path(KSTATE_SOURCE_DIR) / "tests/unit/yaml_pyyaml_roundtrip.py";
#else
  std::filesystem::path script = std::filesystem::path(__FILE__).parent_path() / "yaml_pyyaml_roundtrip.py";
#endif
  if (!std::filesystem::exists(script)) {
    WARN(script.string() << " not found; skipped");
    return;
  }
  std::vector<Object> objects;
  for (const Tricky& t : TrickyStrings()) objects.push_back(Obj(EveryPosition(t.text)));
  for (const std::string& s : RandomStrings(3000, 7)) objects.push_back(Obj(EveryPosition(s)));
  objects.push_back(Obj(M({{"ints", L({Node::Int(0), Node::Int(-7), Node::Int(INT64_MAX)})},
                           {"bools", L({Node::Bool(true), Node::Bool(false)})},
                           {"null", Node()},
                           {"empty", L({Node::Map(), Node::List()})}})));
  std::string long_key(1500, 'k');
  objects.push_back(Obj(M({{long_key, L({S("b")})}, {long_key + "\n", M({{"a", S("on")}})}})));
  objects.push_back(Obj(S("a root scalar")));
  objects.push_back(Obj(S("  a root\nblock\n\n")));

  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("kstate_emit_writer_test_" + std::to_string(std::random_device()()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "docs.yaml", std::ios::binary) << WriteYaml(objects);
  std::string expected = "[";
  for (size_t i = 0; i < objects.size(); ++i) expected += (i ? "," : "") + NodeToJson(objects[i].root, false);
  std::ofstream(dir / "expected.json", std::ios::binary) << expected << "]";
  std::string command = "python3 '" + script.string() + "' '" + (dir / "docs.yaml").string() + "' '" +
                        (dir / "expected.json").string() + "' >'" + (dir / "out.txt").string() + "' 2>&1";
  int status = std::system(command.c_str());
  std::string report = ReadFile(dir / "out.txt");
  INFO(report);
  CHECK(status == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("JSON writer: layout", "[emit][json]") {
  Node root = M({{"a", Node::Int(1)},
                 {"b", L({S("x"), Node::Map(), Node::List(), Node()})},
                 {"c", M({{"d", Node::Bool(true)}})},
                 {"e", Node::Map()}});
  CHECK(NodeToJson(root) ==
        "{\n"
        "  \"a\": 1,\n"
        "  \"b\": [\n"
        "    \"x\",\n"
        "    {},\n"
        "    [],\n"
        "    null\n"
        "  ],\n"
        "  \"c\": {\n"
        "    \"d\": true\n"
        "  },\n"
        "  \"e\": {}\n"
        "}");
  CHECK(NodeToJson(root, false) == R"({"a":1,"b":["x",{},[],null],"c":{"d":true},"e":{}})");
  CHECK(NodeToJson(Node::Int(INT64_MIN)) == "-9223372036854775808");
}

TEST_CASE("JSON writer: one object, several, none", "[emit][json]") {
  Object a = Obj(M({{"kind", S("A")}}));
  Object b = Obj(M({{"kind", S("B")}}));
  CHECK(WriteJson({a}) == "{\n  \"kind\": \"A\"\n}\n");
  CHECK(WriteJson({}) == "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": []\n}\n");
  CHECK(WriteJson({a, b}) ==
        "{\n"
        "  \"apiVersion\": \"v1\",\n"
        "  \"kind\": \"List\",\n"
        "  \"items\": [\n"
        "    {\n"
        "      \"kind\": \"A\"\n"
        "    },\n"
        "    {\n"
        "      \"kind\": \"B\"\n"
        "    }\n"
        "  ]\n"
        "}\n");
  nlohmann::json parsed = nlohmann::json::parse(WriteJson({a, b}));
  CHECK(parsed["items"][1]["kind"] == "B");
}

TEST_CASE("JSON writer: strings escape and round-trip through nlohmann-json", "[emit][json]") {
  CHECK(NodeToJson(S(std::string("q\"\\\n\r\t\b\f\x01\x1f\0", 11))) ==
        R"("q\"\\\n\r\t\b\f\u0001\u001f\u0000")");
  CHECK(NodeToJson(S("caf\xc3\xa9 \xe2\x80\xa8")) == "\"caf\xc3\xa9 \xe2\x80\xa8\"");
  CHECK(NodeToJson(S("bad\xff\xc3")) == R"("bad\ufffd\ufffd")");
  std::vector<std::string> strings = RandomStrings(2000, 99);
  for (const Tricky& t : TrickyStrings()) strings.push_back(t.text);
  for (const std::string& s : strings) {
    CAPTURE(s);
    for (bool pretty : {true, false}) {
      nlohmann::json parsed = nlohmann::json::parse(NodeToJson(M({{"v", S(s)}, {s, L({S(s)})}}), pretty));
      CHECK(parsed["v"].get<std::string>() == s);
      CHECK(parsed[s][0].get<std::string>() == s);
    }
  }
}

TEST_CASE("JSON writer: key order is member order", "[emit][json]") {
  Node root = M({{"z", Node::Int(1)}, {"a", Node::Int(2)}, {"m", Node::Int(3)}});
  nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(NodeToJson(root));
  std::vector<std::string> keys;
  for (const auto& [key, value] : parsed.items()) keys.push_back(key);
  CHECK(keys == std::vector<std::string>{"z", "a", "m"});
}
