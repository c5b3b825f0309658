// JSON output: one object as itself, several as a `v1` `List`; RFC 8259 string
// escaping, keys in member order, two-space indentation when pretty.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/emit/manifest.h"

namespace kstate::emit {
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";
// A typical object's pretty JSON size: the output is reserved once from it (a
// second walk over the tree to measure it would cost more than growing).
constexpr size_t kBytesPerObject = 4096;
constexpr std::string_view kSpaces = "                                                                ";

// Length of the well-formed UTF-8 sequence at s[i] (first byte >= 0x80), or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  auto in = [&](size_t k, unsigned lo, unsigned hi) { return byte(k) >= lo && byte(k) <= hi; };
  unsigned b0 = byte(0);
  if (b0 >= 0xC2 && b0 <= 0xDF) return in(1, 0x80, 0xBF) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    unsigned lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;  // no overlong, no surrogate
    return in(1, lo, hi) && in(2, 0x80, 0xBF) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    unsigned lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
    return in(1, lo, hi) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

bool IsJsonSafe(unsigned char c) { return c >= 0x20 && c < 0x7F && c != '"' && c != '\\'; }

void AppendEscape(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    default:
      out += "\\u00";
      out += kHexDigits[c >> 4];
      out += kHexDigits[c & 0xF];
  }
}

// A JSON string with its quotes. Malformed UTF-8 becomes U+FFFD so that the
// output stays valid JSON.
void AppendString(std::string& out, std::string_view s) {
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    size_t run = i;
    while (run < s.size() && IsJsonSafe(static_cast<unsigned char>(s[run]))) ++run;
    out.append(s.data() + i, run - i);
    i = run;
    if (i == s.size()) break;
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      AppendEscape(out, c);
      ++i;
    } else if (size_t len = Utf8Length(s, i)) {
      out.append(s.data() + i, len);
      i += len;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  out += '"';
}

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

class JsonWriter {
 public:
  JsonWriter(std::string& out, bool pretty) : out_(out), pretty_(pretty) {}

  // A value whose first line is already indented; nested lines at `indent` + 2.
  void Value(const Node& node, size_t indent) {
    switch (node.kind) {
      case Node::Kind::Null: out_ += "null"; break;
      case Node::Kind::Bool: out_ += node.boolean ? "true" : "false"; break;
      case Node::Kind::Int: AppendInt(out_, node.integer); break;
      case Node::Kind::String: AppendString(out_, node.string); break;
      case Node::Kind::Map: Map(node, indent); break;
      case Node::Kind::List: List(node, indent); break;
    }
  }

  // Starts the next entry of a collection: ",", then a line break and indent.
  void Separator(bool first, size_t indent) {
    if (!first) out_ += ',';
    Break(indent);
  }

  void Break(size_t indent) {
    if (!pretty_) return;
    out_ += '\n';
    while (indent > kSpaces.size()) {
      out_ += kSpaces;
      indent -= kSpaces.size();
    }
    out_.append(kSpaces.data(), indent);
  }

  void Key(std::string_view key) {
    AppendString(out_, key);
    out_ += pretty_ ? ": " : ":";
  }

 private:
  void Map(const Node& map, size_t indent) {
    if (map.members.empty()) {
      out_ += "{}";
      return;
    }
    out_ += '{';
    bool first = true;
    for (const auto& [key, value] : map.members) {
      Separator(first, indent + 2);
      first = false;
      Key(key);
      Value(value, indent + 2);
    }
    Break(indent);
    out_ += '}';
  }

  void List(const Node& list, size_t indent) {
    if (list.items.empty()) {
      out_ += "[]";
      return;
    }
    out_ += '[';
    bool first = true;
    for (const Node& item : list.items) {
      Separator(first, indent + 2);
      first = false;
      Value(item, indent + 2);
    }
    Break(indent);
    out_ += ']';
  }

  std::string& out_;
  bool pretty_;
};

// The `v1` `List` wrapping several objects.
void AppendList(std::string& out, const std::vector<Object>& objects) {
  JsonWriter writer(out, true);
  out += "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": ";
  if (objects.empty()) {
    out += "[]";
  } else {
    out += '[';
    for (size_t i = 0; i < objects.size(); ++i) {
      writer.Separator(i == 0, 4);
      writer.Value(objects[i].root, 4);
    }
    writer.Break(2);
    out += ']';
  }
  out += "\n}";
}

}  // namespace

std::string WriteJson(const std::vector<Object>& objects) {
  std::string out;
  out.reserve(80 + objects.size() * kBytesPerObject);
  if (objects.size() == 1) {
    JsonWriter(out, true).Value(objects.front().root, 0);
  } else {
    AppendList(out, objects);
  }
  out += '\n';
  return out;
}

std::string NodeToJson(const Node& node, bool pretty) {
  std::string out;
  out.reserve(kBytesPerObject);
  JsonWriter(out, pretty).Value(node, 0);
  return out;
}

}  // namespace kstate::emit
