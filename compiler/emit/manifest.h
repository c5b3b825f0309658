// The manifest model: Kubernetes objects as ordered trees whose nodes remember
// the `.kstate` range that produced them, so the runtime can map an API
// server's field error back to a source line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/base/source.h"

namespace kstate::emit {

// A map key: a view of a string literal, or an owned copy of any other
// string. Most keys the lowering writes are literals, and many are longer than
// std::string's inline buffer (`app.kubernetes.io/name`, `podManagementPolicy`),
// so copying them would cost a heap allocation each.
class Key {
 public:
  // Implicit so that `AddStr("name", ...)` stays as written. Only for arrays
  // with static storage duration: string literals and namespace-scope constants
  // (the YAML writer remembers by address whether a literal key needs quotes).
  template <size_t N>
  Key(const char (&literal)[N]) : literal_(literal, N - 1) {}  // NOLINT(google-explicit-constructor)
  // A writable array may change or go away before the key does.
  template <size_t N>
  Key(char (&)[N]) = delete;
  // Text with static storage duration that is not an array (a KeyRef's literal).
  struct StaticText {
    std::string_view text;
  };
  explicit Key(StaticText s) : literal_(s.text) {}
  Key(std::string s) : owned_(std::move(s)) {}  // NOLINT(google-explicit-constructor)
  Key(std::string_view s) : owned_(s) {}        // NOLINT(google-explicit-constructor)

  std::string_view view() const { return literal_.data() ? literal_ : std::string_view(owned_); }
  // A string literal's (or constant's) text, whose address stays the same for
  // the life of the process; null data for an owned key.
  std::string_view literal() const { return literal_; }
  operator std::string_view() const { return view(); }  // NOLINT(google-explicit-constructor)
  friend bool operator==(const Key& a, std::string_view b) { return a.view() == b; }

 private:
  std::string_view literal_;  // no data when the key is owned
  std::string owned_;
};

// One node: a scalar, a map with keys in output order, or a list.
struct Node {
  enum class Kind : uint8_t { Null, Bool, Int, String, Map, List };

  Kind kind = Kind::Null;
  bool boolean = false;
  int64_t integer = 0;
  std::string string;
  std::vector<std::pair<Key, Node>> members;
  std::vector<Node> items;
  base::SourceRange source;

  static Node Bool(bool v, base::SourceRange src = {});
  static Node Int(int64_t v, base::SourceRange src = {});
  static Node Str(std::string v, base::SourceRange src = {});
  static Node Map(base::SourceRange src = {});
  static Node List(base::SourceRange src = {});

  // Map access: Set replaces an existing key in place or appends a new one.
  Node& Set(Key key, Node value);
  // Appends a member whose key the caller knows is new (no search).
  Node& Add(Key key, Node value);
  // Add and Push of a new scalar or empty collection, built in place.
  Node& AddStr(Key key, std::string_view value, base::SourceRange src = {});
  Node& AddInt(Key key, int64_t value, base::SourceRange src = {});
  Node& AddMap(Key key, base::SourceRange src = {});
  Node& AddList(Key key, base::SourceRange src = {});
  Node& PushStr(std::string_view value, base::SourceRange src = {});
  Node& PushMap(base::SourceRange src = {});
  Node* Find(std::string_view key);
  const Node* Find(std::string_view key) const;
  // Find or add a map member (added as an empty map).
  Node& Child(Key key, base::SourceRange src = {});
  // List append.
  Node& Push(Node value);

  bool empty() const { return kind == Kind::Map ? members.empty() : kind == Kind::List ? items.empty() : false; }
  friend bool operator==(const Node&, const Node&) = default;
};

// One Kubernetes object and where it came from.
struct Object {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string namespace_;     // empty for cluster-scoped objects
  std::string component;      // the component that produced it
  base::SourceRange source;   // the component (or section) that produced it
  Node root;                  // the whole object, apiVersion and kind included
};

// Multi-document YAML ("---" between objects), block style, deterministic.
std::string WriteYaml(const std::vector<Object>& objects);
// One object as JSON, or several as a `v1` `List`; two-space indentation.
std::string WriteJson(const std::vector<Object>& objects);
// One node as YAML / JSON, for hover texts and tests.
std::string NodeToYaml(const Node& node);
// Appends one node as a YAML document to `out`.
void AppendYaml(std::string& out, const Node& node);
// Appends one node as an element of WriteJson's `List` items: a comma, a line
// break and the object indented to its place (callers drop the first comma).
void AppendJsonListItem(std::string& out, const Node& node);
// The text WriteJson puts before and after the items of a `List`.
inline constexpr std::string_view kJsonListHead = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [";
inline constexpr std::string_view kJsonListTail = "\n  ]\n}\n";
std::string NodeToJson(const Node& node, bool pretty = true);

}  // namespace kstate::emit
