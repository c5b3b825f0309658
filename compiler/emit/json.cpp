// JSON output: one object as itself, several as a `v1` `List`; RFC 8259 string
// escaping, keys in member order, two-space indentation when pretty.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/base/json_text.h"
#include "compiler/emit/builder.h"
#include "compiler/emit/lower.h"
#include "compiler/emit/manifest.h"

namespace kstate::emit {
namespace {

// A typical object's pretty JSON size: the output is reserved once from it (a
// second walk over the tree to measure it would cost more than growing).
constexpr size_t kBytesPerObject = 4096;
constexpr std::string_view kSpaces = "                                                                ";


void AppendIndent(std::string& out, size_t n) {
  while (n > kSpaces.size()) {
    out += kSpaces;
    n -= kSpaces.size();
  }
  out.append(kSpaces.data(), n);
}

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// The `v1` `List` wrapping several objects.
void AppendList(std::string& out, const std::vector<Object>& objects) {
  if (objects.empty()) {
    out += "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": []\n}";
    return;
  }
  size_t start = out.size();
  out += kJsonListHead;
  for (const Object& o : objects) AppendJsonListItem(out, o.root);
  out.erase(start + kJsonListHead.size(), 1);  // the first item's comma
  out += kJsonListTail;
  out.pop_back();  // WriteJson adds the final line break
}

// What starts each item of WriteJson's `List`: the comma and line break
// after the item before it (the first item's comma is taken out).
void AppendListItemStart(std::string& out) {
  out += ",\n";
  AppendIndent(out, 4);
}

}  // namespace

void AppendJsonListItem(std::string& out, const Node& node) {
  AppendListItemStart(out);
  JsonBuilder(out, true).Value(node, 4);
}

std::string WriteJson(const std::vector<Object>& objects) {
  std::string out;
  out.reserve(80 + objects.size() * kBytesPerObject);
  if (objects.size() == 1) {
    JsonBuilder(out, true).Value(objects.front().root, 0);
  } else {
    AppendList(out, objects);
  }
  out += '\n';
  return out;
}

std::string NodeToJson(const Node& node, bool pretty) {
  std::string out;
  out.reserve(kBytesPerObject);
  JsonBuilder(out, pretty).Value(node, 0);
  return out;
}

void JsonBuilder::Next() {
  Frame& f = frames_.back();
  if (f.count++ > 0) *out_ += ',';
  if (!pretty_) return;
  *out_ += '\n';
  AppendIndent(*out_, f.indent + 2);
}

void JsonBuilder::Key(KeyRef key) {
  Next();
  base::AppendJsonString(*out_, key.text());
  *out_ += pretty_ ? ": " : ":";
}

void JsonBuilder::Open(bool list, size_t indent) {
  *out_ += list ? '[' : '{';
  frames_.push_back({list, 0, indent});
}

void JsonBuilder::Str(KeyRef key, std::string_view value, base::SourceRange) {
  Key(key);
  base::AppendJsonString(*out_, value);
}

void JsonBuilder::Int(KeyRef key, int64_t value, base::SourceRange) {
  Key(key);
  AppendInt(*out_, value);
}

void JsonBuilder::Bool(KeyRef key, bool value, base::SourceRange) {
  Key(key);
  *out_ += value ? "true" : "false";
}

void JsonBuilder::Null(KeyRef key, base::SourceRange) {
  Key(key);
  *out_ += "null";
}

void JsonBuilder::Map(KeyRef key, base::SourceRange) {
  Key(key);
  Open(false, Inner());
}

void JsonBuilder::List(KeyRef key, base::SourceRange) {
  Key(key);
  Open(true, Inner());
}

void JsonBuilder::ItemStr(std::string_view value, base::SourceRange) {
  Next();
  base::AppendJsonString(*out_, value);
}

void JsonBuilder::ItemInt(int64_t value, base::SourceRange) {
  Next();
  AppendInt(*out_, value);
}

void JsonBuilder::ItemBool(bool value, base::SourceRange) {
  Next();
  *out_ += value ? "true" : "false";
}

void JsonBuilder::ItemNull(base::SourceRange) {
  Next();
  *out_ += "null";
}

void JsonBuilder::ItemMap(base::SourceRange) {
  Next();
  Open(false, Inner());
}

void JsonBuilder::ItemList(base::SourceRange) {
  Next();
  Open(true, Inner());
}

void JsonBuilder::End() {
  Frame f = frames_.back();
  frames_.pop_back();
  if (f.count > 0 && pretty_) {
    *out_ += '\n';
    AppendIndent(*out_, f.indent);
  }
  *out_ += f.list ? ']' : '}';
}

void JsonBuilder::BeginObject(const ObjectHead& head) {
  out_ = &(*chunks_)[static_cast<size_t>(ApplyRank(head.kind)) + 1];
  AppendListItemStart(*out_);
  Open(false, 4);
}

void JsonBuilder::Value(const Node& node, size_t indent) {
  switch (node.kind) {
    case Node::Kind::Null: *out_ += "null"; return;
    case Node::Kind::Bool: *out_ += node.boolean ? "true" : "false"; return;
    case Node::Kind::Int: AppendInt(*out_, node.integer); return;
    case Node::Kind::String: base::AppendJsonString(*out_, node.string); return;
    case Node::Kind::Map:
      Open(false, indent);
      for (const auto& [key, value] : node.members) {
        Key(key.view());
        Value(value, Inner());
      }
      End();
      return;
    case Node::Kind::List:
      Open(true, indent);
      for (const Node& item : node.items) {
        Next();
        Value(item, Inner());
      }
      End();
      return;
  }
}

}  // namespace kstate::emit
