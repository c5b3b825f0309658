// What the lowering writes objects through: a stream of nested maps, lists
// and scalars, in output order. Three builders take the stream:
//
//   TreeBuilder   builds manifest trees (emit::Object, emit::Node) with the
//                 source range of every node: what patches change, and what
//                 the runtime, the language server and single objects'
//                 texts are made from.
//   YamlBuilder   writes YAML text straight away, with no tree in between:
//                 what `kstatec build` writes for components without patches.
//   JsonBuilder   the same for `kstatec build --format json`.
//
// The lowering (lower.cpp, lower_pod.cpp) is written once, as templates over
// the builder, so that they cannot disagree: the text builders write exactly
// what AppendYaml and AppendJsonListItem write for the tree TreeBuilder
// builds from the same calls. There is one writer per format: AppendYaml and
// the JSON writers walk a tree into YamlBuilder and JsonBuilder. tests/unit/determinism_test.cpp holds them to
// that on every example and golden input ("Yaml() is the same before and
// after the objects are listed").
//
// A map's members and a list's items are written between the call that
// opens it (Map, List, ItemMap, ItemList) and the matching End. Whether a
// collection is empty is only known at its End, where an empty one is
// written `{}` or `[]`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/base/source.h"
#include "compiler/emit/manifest.h"

namespace kstate::emit {

// A map key as the lowering writes it: a string literal (remembered by
// address, as emit::Key does) or a view of any other text, which must live
// until the builder call returns.
class KeyRef {
 public:
  template <size_t N>
  KeyRef(const char (&literal)[N]) : text_(literal, N - 1), literal_(true) {}  // NOLINT(google-explicit-constructor)
  template <size_t N>
  KeyRef(char (&)[N]) = delete;
  KeyRef(std::string_view text) : text_(text) {}    // NOLINT(google-explicit-constructor)
  KeyRef(const std::string& text) : text_(text) {}  // NOLINT(google-explicit-constructor)
  // Text with static storage duration that is not an array, such as
  // emit::Key::literal().
  enum LiteralTag { kLiteral };
  KeyRef(LiteralTag, std::string_view text) : text_(text), literal_(true) {}

  std::string_view text() const { return text_; }
  bool literal() const { return literal_; }
  // The key a tree keeps: a view for a literal, an owned copy otherwise.
  Key ToKey() const;

 private:
  std::string_view text_;
  bool literal_ = false;
};

// An object's identity, given when it starts.
struct ObjectHead {
  std::string_view api_version;
  std::string_view kind;
  std::string_view name;
  std::string_view namespace_;  // empty for cluster-scoped objects
  std::string_view component;
  base::SourceRange source;
};

// Builds emit::Objects, appended to `out`. A collection's members or items
// are gathered in a vector kept for its depth and moved into the node at its
// End, with exactly the room they need: the trees are as compact as if each
// collection had been reserved, without the lowering counting ahead.
class TreeBuilder {
 public:
  explicit TreeBuilder(std::vector<Object>& out) : out_(&out) {}
  // Builds into the members of `root` (a map), which End() closes; for a lone
  // value, which is the caller's to take from there.
  explicit TreeBuilder(Node& root) { Push(&root); }

  void BeginObject(const ObjectHead& head);
  void EndObject() { End(); }

  // Members of the innermost open map.
  void Str(KeyRef key, std::string_view value, base::SourceRange src = {});
  void Int(KeyRef key, int64_t value, base::SourceRange src = {}) { Member(key, Node::Int(value, src)); }
  void Bool(KeyRef key, bool value, base::SourceRange src = {}) { Member(key, Node::Bool(value, src)); }
  void Null(KeyRef key, base::SourceRange src = {});
  void Map(KeyRef key, base::SourceRange src = {}) { Push(&Member(key, Node::Map(src))); }
  void List(KeyRef key, base::SourceRange src = {}) { Push(&Member(key, Node::List(src))); }

  // Items of the innermost open list.
  void ItemStr(std::string_view value, base::SourceRange src = {});
  void ItemInt(int64_t value, base::SourceRange src = {}) { Item(Node::Int(value, src)); }
  void ItemBool(bool value, base::SourceRange src = {}) { Item(Node::Bool(value, src)); }
  void ItemNull(base::SourceRange src = {});
  void ItemMap(base::SourceRange src = {}) { Push(&Item(Node::Map(src))); }
  void ItemList(base::SourceRange src = {}) { Push(&Item(Node::List(src))); }

  // Closes the innermost open map or list.
  void End();

 private:
  Node& Member(KeyRef key, Node value);
  Node& Item(Node value);
  void Push(Node* node);

  std::vector<Object>* out_ = nullptr;
  // The open collections, innermost last, and what each has gathered (by
  // depth; the vectors are kept for the next collection at that depth). An
  // open node's address is stable: only the innermost collection grows.
  std::vector<Node*> stack_;
  std::vector<std::vector<std::pair<Key, Node>>> members_;
  std::vector<std::vector<Node>> items_;
};

// Writes YAML: block style, deterministic, each string in the first style
// that every YAML 1.1 and 1.2 parser reads back as that string (yaml.cpp).
class YamlBuilder {
 public:
  // Objects go to `chunks[ApplyRank(kind) + 1]` (lower.h), each document
  // followed by a "---" line.
  explicit YamlBuilder(std::vector<std::string>& chunks) : chunks_(&chunks) {}
  // Documents written with Document() are appended to `out`.
  explicit YamlBuilder(std::string& out) : out_(&out), pos_(out.size()) {}
  YamlBuilder(const YamlBuilder&) = delete;
  YamlBuilder& operator=(const YamlBuilder&) = delete;
  ~YamlBuilder();

  // A whole tree as one document (without a "---" line).
  void Document(const Node& root);

  void BeginObject(const ObjectHead& head);
  void EndObject();

  void Str(KeyRef key, std::string_view value, base::SourceRange src = {});
  void Int(KeyRef key, int64_t value, base::SourceRange src = {});
  void Bool(KeyRef key, bool value, base::SourceRange src = {});
  void Null(KeyRef key, base::SourceRange src = {});
  void Map(KeyRef key, base::SourceRange src = {});
  void List(KeyRef key, base::SourceRange src = {});

  void ItemStr(std::string_view value, base::SourceRange src = {});
  void ItemInt(int64_t value, base::SourceRange src = {});
  void ItemBool(bool value, base::SourceRange src = {});
  void ItemNull(base::SourceRange src = {});
  void ItemMap(base::SourceRange src = {});
  void ItemList(base::SourceRange src = {});

  void End();

 private:
  // An open map or list.
  struct Frame {
    bool list = false;
    // Opened under a key ("key:" written): its first member or item goes on
    // the next line, and an empty collection is " {}" after the key. Else
    // (the document, or an item after its "- ") the first one continues the
    // current line, and an empty one is "{}" there.
    bool keyed = false;
    uint32_t count = 0;  // members or items written
    size_t indent = 0;   // the column of its keys, or of its items' "- "
  };

  void WalkMember(const Key& key, const Node& value);
  void WalkItem(const Node& item);
  // The column the next member or item of the innermost collection starts
  // at, after the line break that its first one may need.
  size_t NextLead();
  // `lead` spaces and "key:"; `indent` is the column of the map's keys.
  void KeyColon(KeyRef key, size_t lead, size_t indent);
  void SpecialKey(std::string_view key, size_t lead, size_t indent);
  // "key: text" and "- text" for a scalar written as it is.
  void PlainMember(KeyRef key, std::string_view text);
  void PlainItem(std::string_view text);
  void Dash(size_t lead);
  // A string in `style` (yaml.cpp's Style) that ends the line.
  void InlineString(std::string_view s, size_t indent, uint8_t style);
  // Where the next n bytes go; valid until the next call.
  char* Room(size_t n);
  void Done(char* end) { pos_ = static_cast<size_t>(end - out_->data()); }
  void Put(std::string_view s);

  std::vector<std::string>* chunks_ = nullptr;
  std::string* out_ = nullptr;  // the chunk or string being written
  size_t pos_ = 0;              // the end of what was written; *out_ may be longer
  std::vector<Frame> frames_;
  std::string scratch_;  // quoted strings, literal blocks and special keys
};

// Writes JSON: RFC 8259 string escaping, keys in member order, two-space
// indentation when pretty (json.cpp).
class JsonBuilder {
 public:
  // Objects go to `chunks[ApplyRank(kind) + 1]` (lower.h) as items of
  // WriteJson's `v1` `List`, as AppendJsonListItem writes them: a comma, a
  // line break and the object, indented to its place.
  explicit JsonBuilder(std::vector<std::string>& chunks) : chunks_(&chunks) {}
  // Values written with Value() are appended to `out`.
  JsonBuilder(std::string& out, bool pretty) : out_(&out), pretty_(pretty) {}

  // A whole tree as a value whose first line is already indented; nested
  // lines at `indent` + 2.
  void Value(const Node& node, size_t indent);

  void BeginObject(const ObjectHead& head);
  void EndObject() { End(); }

  void Str(KeyRef key, std::string_view value, base::SourceRange src = {});
  void Int(KeyRef key, int64_t value, base::SourceRange src = {});
  void Bool(KeyRef key, bool value, base::SourceRange src = {});
  void Null(KeyRef key, base::SourceRange src = {});
  void Map(KeyRef key, base::SourceRange src = {});
  void List(KeyRef key, base::SourceRange src = {});

  void ItemStr(std::string_view value, base::SourceRange src = {});
  void ItemInt(int64_t value, base::SourceRange src = {});
  void ItemBool(bool value, base::SourceRange src = {});
  void ItemNull(base::SourceRange src = {});
  void ItemMap(base::SourceRange src = {});
  void ItemList(base::SourceRange src = {});

  void End();

 private:
  struct Frame {
    bool list = false;
    uint32_t count = 0;  // members or items written
    size_t indent = 0;   // the column of the line that opens it
  };
  // The comma and (when pretty) line break before the next member or item.
  void Next();
  void Key(KeyRef key);
  // Opens a map or list whose first line is at column `indent`.
  void Open(bool list, size_t indent);
  // The indent of a collection opened as the next member or item.
  size_t Inner() const { return frames_.back().indent + 2; }

  std::vector<std::string>* chunks_ = nullptr;
  std::string* out_ = nullptr;
  bool pretty_ = true;
  std::vector<Frame> frames_;
};

// The calls the lowering makes, which every builder above takes.
template <class B>
concept Builder = requires(B b, KeyRef k, std::string_view s, int64_t i, bool f, base::SourceRange r,
                           const ObjectHead& h) {
  b.BeginObject(h);
  b.EndObject();
  b.Str(k, s, r);
  b.Int(k, i, r);
  b.Bool(k, f, r);
  b.Null(k, r);
  b.Map(k, r);
  b.List(k, r);
  b.ItemStr(s, r);
  b.ItemInt(i, r);
  b.ItemBool(f, r);
  b.ItemNull(r);
  b.ItemMap(r);
  b.ItemList(r);
  b.End();
};
static_assert(Builder<TreeBuilder> && Builder<YamlBuilder> && Builder<JsonBuilder>);

}  // namespace kstate::emit
