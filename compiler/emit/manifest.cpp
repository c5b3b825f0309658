// Construction and lookup helpers of the manifest tree, and TreeBuilder
// (builder.h), which the lowering builds trees through.
#include "compiler/emit/manifest.h"

#include <iterator>
#include <tuple>

#include "compiler/emit/builder.h"

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

Node& Node::Set(Key key, Node value) {
  if (Node* existing = Find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  members.emplace_back(std::move(key), std::move(value));
  return members.back().second;
}

Node& Node::Add(Key key, Node value) {
  return members.emplace_back(std::move(key), std::move(value)).second;
}

namespace {

Node& Emplace(std::vector<std::pair<Key, Node>>& members, Key&& key, Node::Kind kind, base::SourceRange src) {
  Node& n =
      members.emplace_back(std::piecewise_construct, std::forward_as_tuple(std::move(key)), std::forward_as_tuple())
          .second;
  n.kind = kind;
  n.source = src;
  return n;
}

}  // namespace

Node& Node::AddStr(Key key, std::string_view value, base::SourceRange src) {
  Node& n = Emplace(members, std::move(key), Kind::String, src);
  n.string = value;
  return n;
}

Node& Node::AddInt(Key key, int64_t value, base::SourceRange src) {
  Node& n = Emplace(members, std::move(key), Kind::Int, src);
  n.integer = value;
  return n;
}

Node& Node::AddMap(Key key, base::SourceRange src) {
  return Emplace(members, std::move(key), Kind::Map, src);
}
Node& Node::AddList(Key key, base::SourceRange src) {
  return Emplace(members, std::move(key), Kind::List, src);
}

Node& Node::PushStr(std::string_view value, base::SourceRange src) {
  Node& n = items.emplace_back();
  n.kind = Kind::String;
  n.string = value;
  n.source = src;
  return n;
}

Node& Node::PushMap(base::SourceRange src) {
  Node& n = items.emplace_back();
  n.kind = Kind::Map;
  n.source = src;
  return n;
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

Node& Node::Child(Key key, base::SourceRange src) {
  if (Node* existing = Find(key)) return *existing;
  return Add(std::move(key), Map(src));
}

Node& Node::Push(Node value) {
  items.push_back(std::move(value));
  return items.back();
}

Key KeyRef::ToKey() const { return literal_ ? Key(Key::StaticText{text_}) : Key(text_); }

void TreeBuilder::Push(Node* node) {
  stack_.push_back(node);
  if (members_.size() < stack_.size()) {
    members_.resize(stack_.size());
    items_.resize(stack_.size());
  }
}

Node& TreeBuilder::Member(KeyRef key, Node value) {
  return members_[stack_.size() - 1].emplace_back(key.ToKey(), std::move(value)).second;
}

Node& TreeBuilder::Item(Node value) { return items_[stack_.size() - 1].emplace_back(std::move(value)); }

void TreeBuilder::Str(KeyRef key, std::string_view value, base::SourceRange src) {
  Node& n = members_[stack_.size() - 1]
                .emplace_back(std::piecewise_construct, std::forward_as_tuple(key.ToKey()), std::forward_as_tuple())
                .second;
  n.kind = Node::Kind::String;
  n.string = value;
  n.source = src;
}

void TreeBuilder::ItemStr(std::string_view value, base::SourceRange src) {
  Node& n = items_[stack_.size() - 1].emplace_back();
  n.kind = Node::Kind::String;
  n.string = value;
  n.source = src;
}

void TreeBuilder::Null(KeyRef key, base::SourceRange src) {
  Node n;
  n.source = src;
  Member(key, std::move(n));
}

void TreeBuilder::ItemNull(base::SourceRange src) {
  Node n;
  n.source = src;
  Item(std::move(n));
}

void TreeBuilder::BeginObject(const ObjectHead& head) {
  Object& o = out_->emplace_back();
  o.api_version = head.api_version;
  o.kind = head.kind;
  o.name = head.name;
  o.namespace_ = head.namespace_;
  o.component = head.component;
  o.source = head.source;
  o.root = Node::Map(head.source);
  Push(&o.root);
}

void TreeBuilder::End() {
  size_t depth = stack_.size() - 1;
  Node& node = *stack_.back();
  auto& members = members_[depth];
  auto& items = items_[depth];
  node.members.assign(std::make_move_iterator(members.begin()), std::make_move_iterator(members.end()));
  node.items.assign(std::make_move_iterator(items.begin()), std::make_move_iterator(items.end()));
  members.clear();
  items.clear();
  stack_.pop_back();
}

}  // namespace kstate::emit
