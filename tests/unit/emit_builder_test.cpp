// Tests of the builders the lowering writes through (emit/builder.h): fed the
// same calls, YamlBuilder and JsonBuilder write exactly what the YAML and
// JSON writers write for the tree TreeBuilder builds. The determinism test
// compares them on every example and golden input; these cases cover what
// those inputs may not: collections that end up empty (known only at their
// End), lists in lists, keys that need quotes or an explicit entry, block
// strings in lists, and every scalar in both positions.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "compiler/emit/builder.h"
#include "compiler/emit/lower.h"
#include "compiler/emit/manifest.h"

namespace {

using kstate::emit::ApplyRank;
using kstate::emit::JsonBuilder;
using kstate::emit::KeyRef;
using kstate::emit::Object;
using kstate::emit::ObjectHead;
using kstate::emit::TreeBuilder;
using kstate::emit::YamlBuilder;

const std::string kLongKey(1200, 'k');

// One ConfigMap-shaped object with every shape a builder must get right.
template <class B>
void Script(B& b) {
  b.BeginObject(ObjectHead{"v1", "ConfigMap", "odd", "ns", "odd", {}});
  b.Str("apiVersion", "v1");
  b.Str("kind", "ConfigMap");
  b.Map("metadata");
  b.Str("name", "odd");
  b.Map("labels");  // empty
  b.End();
  b.End();
  b.Map("empty-map");
  b.End();
  b.List("empty-list");
  b.End();
  b.List("items");
  b.ItemStr("plain");
  b.ItemStr("true");       // quoted: a boolean to YAML 1.1
  b.ItemStr("two\nlines\n");  // a literal block in a list
  b.ItemInt(-42);
  b.ItemBool(false);
  b.ItemNull();
  b.ItemMap();  // an empty map item
  b.End();
  b.ItemList();  // an empty list item
  b.End();
  b.ItemList();  // a list in a list, with a list in it
  b.ItemStr("a");
  b.ItemList();
  b.ItemInt(1);
  b.End();
  b.End();
  b.ItemMap();
  b.Str("first", "inline after the dash");
  b.Map("nested");
  b.Str("block", "x\ny");
  b.End();
  b.End();
  b.End();
  b.Map("yes");  // a key that needs quotes, opening a map
  b.Str("no", "off");
  b.End();
  b.List(std::string("needs: quotes"));
  b.ItemStr("x");
  b.End();
  b.Map(KeyRef(kLongKey));  // an explicit "? key" entry, opening an empty map
  b.End();
  b.Str(KeyRef(kLongKey), "long key, scalar value");
  b.Int("int", 7);
  b.Bool("bool", true);
  b.Null("null");
  b.Str("quoted", "a: b");
  b.Str("literal", "line one\nline two\n");
  b.EndObject();
}

// The same object through a tree and AppendYaml / AppendJsonListItem, in the
// chunk the text builders use.
std::vector<std::string> ThroughTree(bool json) {
  std::vector<Object> objects;
  TreeBuilder tree(objects);
  Script(tree);
  REQUIRE(objects.size() == 1);
  std::vector<std::string> chunks(ApplyRank("") + 3);
  std::string& chunk = chunks[ApplyRank("ConfigMap") + 1];
  if (json) {
    kstate::emit::AppendJsonListItem(chunk, objects.front().root);
  } else {
    kstate::emit::AppendYaml(chunk, objects.front().root);
    chunk += "---\n";
  }
  return chunks;
}

}  // namespace

TEST_CASE("builders: YamlBuilder writes what AppendYaml writes for TreeBuilder's tree", "[emit][yaml]") {
  std::vector<std::string> direct(ApplyRank("") + 3);
  {
    YamlBuilder b(direct);
    Script(b);
  }
  std::vector<std::string> expected = ThroughTree(false);
  CHECK(direct == expected);
  const std::string& text = direct[ApplyRank("ConfigMap") + 1];
  // A few of the shapes, spelled out.
  CHECK(text.find("  labels: {}\n") != std::string::npos);
  CHECK(text.find("empty-map: {}\nempty-list: []\n") != std::string::npos);
  CHECK(text.find("- {}\n- []\n- - a\n  - - 1\n- first: inline after the dash\n  nested:\n    block: |-\n") !=
        std::string::npos);
  CHECK(text.find("\"yes\":\n  \"no\": \"off\"\n") != std::string::npos);
  CHECK(text.find("? " + kLongKey + "\n: {}\n") != std::string::npos);
  CHECK(text.ends_with("literal: |\n  line one\n  line two\n---\n"));
}

TEST_CASE("builders: JsonBuilder writes what AppendJsonListItem writes for TreeBuilder's tree", "[emit][json]") {
  std::vector<std::string> direct(ApplyRank("") + 3);
  {
    JsonBuilder b(direct);
    Script(b);
  }
  std::vector<std::string> expected = ThroughTree(true);
  CHECK(direct == expected);
  const std::string& text = direct[ApplyRank("ConfigMap") + 1];
  CHECK(text.starts_with(",\n    {\n      \"apiVersion\": \"v1\",\n"));
  CHECK(text.find("\"empty-map\": {},\n      \"empty-list\": [],\n") != std::string::npos);
  CHECK(text.ends_with("\"literal\": \"line one\\nline two\\n\"\n    }"));
}

TEST_CASE("builders: TreeBuilder keeps source ranges and sizes collections exactly", "[emit]") {
  std::vector<Object> objects;
  TreeBuilder b(objects);
  kstate::base::SourceRange at{0, 3, 9};
  b.BeginObject(ObjectHead{"v1", "Service", "s", "", "c", at});
  b.Map("spec", at);
  b.List("ports");
  for (int i = 0; i < 5; ++i) b.ItemInt(i, at);
  b.End();
  b.End();
  b.EndObject();
  REQUIRE(objects.size() == 1);
  const Object& o = objects.front();
  CHECK(o.kind == "Service");
  CHECK(o.namespace_.empty());
  CHECK(o.component == "c");
  CHECK(o.root.source == at);
  const kstate::emit::Node* spec = o.root.Find("spec");
  REQUIRE(spec);
  CHECK(spec->source == at);
  const kstate::emit::Node* ports = spec->Find("ports");
  REQUIRE(ports);
  CHECK(ports->items.size() == 5);
  CHECK(ports->items.capacity() == 5);
  CHECK(ports->items[4].integer == 4);
  CHECK(ports->items[4].source == at);
}
