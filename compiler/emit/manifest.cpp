// Construction and lookup helpers of the manifest tree.
#include "compiler/emit/manifest.h"

namespace kstate::emit {

Node Node::Bool(bool v, base::SourceRange src) {
  Node n;
  n.kind = Kind::Bool;
  n.boolean = v;
  n.source = src;
  return n;
}

Node Node::Int(int64_t v, base::SourceRange src) {
  Node n;
  n.kind = Kind::Int;
  n.integer = v;
  n.source = src;
  return n;
}

Node Node::Str(std::string v, base::SourceRange src) {
  Node n;
  n.kind = Kind::String;
  n.string = std::move(v);
  n.source = src;
  return n;
}

Node Node::Map(base::SourceRange src) {
  Node n;
  n.kind = Kind::Map;
  n.source = src;
  return n;
}

Node Node::List(base::SourceRange src) {
  Node n;
  n.kind = Kind::List;
  n.source = src;
  return n;
}

Node& Node::Set(std::string_view key, Node value) {
  if (Node* existing = Find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  members.emplace_back(std::string(key), std::move(value));
  return members.back().second;
}

Node& Node::Add(std::string_view key, Node value) {
  members.emplace_back(std::string(key), std::move(value));
  return members.back().second;
}

Node* Node::Find(std::string_view key) {
  for (auto& [k, v] : members) {
    if (k == key) return &v;
  }
  return nullptr;
}

const Node* Node::Find(std::string_view key) const {
  for (const auto& [k, v] : members) {
    if (k == key) return &v;
  }
  return nullptr;
}

Node& Node::Child(std::string_view key, base::SourceRange src) {
  if (Node* existing = Find(key)) return *existing;
  return Set(key, Map(src));
}

Node& Node::Push(Node value) {
  items.push_back(std::move(value));
  return items.back();
}

}  // namespace kstate::emit
