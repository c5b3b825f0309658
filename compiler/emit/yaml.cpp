// YAML output: deterministic block-style multi-document YAML. A string is
// written plain only when no YAML 1.1 or 1.2 parser (PyYAML, yaml-cpp, Go)
// could read it as anything else; otherwise as a literal block or double-quoted.
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/emit/manifest.h"

namespace kstate::emit {
namespace {

// Implicit keys longer than this (PyYAML and libyaml stop at 1024 characters)
// are written as explicit `? key` entries.
constexpr size_t kMaxImplicitKey = 1000;
// A typical object's YAML size: the output is reserved once from it (a second
// walk over the tree to measure it would cost more than growing the string).
constexpr size_t kBytesPerObject = 2048;
constexpr std::string_view kHexDigits = "0123456789ABCDEF";
constexpr std::string_view kSpaces = "                                                                ";

// ---------------------------------------------------------------------------
// Character classes.

constexpr uint8_t kPrintable = 1;    // printable ASCII, 0x20..0x7E
constexpr uint8_t kNumberChar = 2;   // may occur in a number or a timestamp
constexpr uint8_t kIndicator = 4;    // must not start a plain scalar
constexpr uint8_t kQuotedSafe = 8;   // copied as is inside double quotes

constexpr std::array<uint8_t, 256> MakeClassTable() {
  std::array<uint8_t, 256> table{};
  for (int c = 0x20; c < 0x7F; ++c) table[c] = kPrintable | kQuotedSafe;
  table['"'] = kPrintable;
  table['\\'] = kPrintable;
  // Digits, signs, separators, the letters of 0x/0o/0b/1e5 and hex digits, and
  // what a YAML 1.1 timestamp adds (`T`, `Z`, a space).
  for (char c : std::string_view("0123456789.+-_: xXoOtTzZabcdefABCDEF")) {
    table[static_cast<unsigned char>(c)] |= kNumberChar;
  }
  // The YAML indicators, plus characters a resolver may treat specially when
  // leading: `.` (.inf, .5), `+` (+.inf, +1) and a space.
  for (char c : std::string_view("-?:,[]{}#&*!|>'\"%@`.+ ")) {
    table[static_cast<unsigned char>(c)] |= kIndicator;
  }
  return table;
}

constexpr std::array<uint8_t, 256> kClass = MakeClassTable();

// ---------------------------------------------------------------------------
// UTF-8.

// Decodes the well-formed UTF-8 sequence at s[i] (whose first byte is >= 0x80)
// into `cp`; returns its length, or 0 when the bytes are not well-formed.
size_t DecodeUtf8(std::string_view s, size_t i, char32_t& cp) {
  auto byte = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  auto cont = [&](size_t k) { return (byte(k) & 0xC0) == 0x80; };
  unsigned b0 = byte(0);
  if (b0 >= 0xC2 && b0 <= 0xDF && cont(1)) {
    cp = ((b0 & 0x1F) << 6) | (byte(1) & 0x3F);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF && cont(1) && cont(2)) {
    cp = ((b0 & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
    bool overlong = cp < 0x800, surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    return overlong || surrogate ? 0 : 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    cp = ((b0 & 0x07) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) | (byte(3) & 0x3F);
    return cp < 0x10000 || cp > 0x10FFFF ? 0 : 4;
  }
  return 0;
}

// A non-ASCII code point that every parser reads back verbatim from raw text:
// not a C1 control (U+0085 is a YAML 1.1 line break), not U+2028/U+2029 (line
// breaks too), not a byte-order mark, not U+FFFE/U+FFFF.
bool IsPlainUnicode(char32_t cp) {
  if (cp < 0xA0) return false;
  if (cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF) return false;
  return cp < 0xFFFE || cp >= 0x10000;
}

// ---------------------------------------------------------------------------
// Choosing a scalar style.

enum class Style : uint8_t { Plain, Literal, DoubleQuoted };

// Facts about a string gathered in one pass.
struct Scan {
  bool plain_chars = true;    // printable ASCII only, no ": " and no " #"
  bool number_like = true;    // only kNumberChar characters
  bool has_newline = false;
  bool has_content = false;   // a character other than '\n'
  bool literal_ok = true;     // fits a literal block scalar
};

Scan ScanString(std::string_view s) {
  Scan scan;
  unsigned char prev = '\n';
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    uint8_t cls = kClass[c];
    if (cls & kPrintable) {
      scan.has_content = true;
      if (!(cls & kNumberChar)) scan.number_like = false;
      if ((c == ' ' && prev == ':') || (c == '#' && prev == ' ')) scan.plain_chars = false;
      prev = c;
      ++i;
      continue;
    }
    scan.plain_chars = scan.number_like = false;
    if (c >= 0x80) {
      char32_t cp = 0;
      size_t len = DecodeUtf8(s, i, cp);
      if (len == 0 || !IsPlainUnicode(cp)) scan.literal_ok = false;
      scan.has_content = true;
      prev = 'x';
      i += len == 0 ? 1 : len;
      continue;
    }
    if (c == '\n') {
      scan.has_newline = true;
      if (prev == ' ' || prev == '\t') scan.literal_ok = false;  // trailing blanks
    } else if (c == '\t') {
      scan.has_content = true;
      if (prev == '\n') scan.literal_ok = false;  // a tab would start the line
    } else {
      scan.literal_ok = false;  // other control characters need escapes
    }
    prev = c;
    ++i;
  }
  if (prev == ' ' || prev == '\t') scan.literal_ok = false;
  return scan;
}

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Words some resolver reads as a bool or null (YAML 1.1 and 1.2, any case), the
// YAML 1.1 merge key `<<` and value key `=`.
bool IsReservedWord(std::string_view s) {
  if (s.size() > 5) return false;
  char lower[5];
  for (size_t i = 0; i < s.size(); ++i) lower[i] = AsciiLower(s[i]);
  std::string_view w(lower, s.size());
  return w == "y" || w == "n" || w == "yes" || w == "no" || w == "true" || w == "false" || w == "on" ||
         w == "off" || w == "null" || w == "~" || w == "<<" || w == "=";
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool CanBePlain(std::string_view s, const Scan& scan) {
  if (s.empty() || !scan.plain_chars) return false;
  if (kClass[static_cast<unsigned char>(s.front())] & kIndicator) return false;
  if (s.back() == ' ' || s.back() == ':') return false;
  if (IsDigit(s.front()) && scan.number_like) return false;
  return !IsReservedWord(s);
}

Style ChooseStyle(std::string_view s, bool is_key) {
  Scan scan = ScanString(s);
  if (CanBePlain(s, scan)) return Style::Plain;
  if (!is_key && scan.has_newline && scan.has_content && scan.literal_ok) return Style::Literal;
  return Style::DoubleQuoted;
}

// ---------------------------------------------------------------------------
// Scalar writers.

void AppendIndent(std::string& out, size_t n) {
  while (n > kSpaces.size()) {
    out += kSpaces;
    n -= kSpaces.size();
  }
  out.append(kSpaces.data(), n);
}

void AppendHexEscape(std::string& out, char kind, char32_t cp, int digits) {
  out += '\\';
  out += kind;
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHexDigits[(cp >> shift) & 0xF];
}

void AppendAsciiEscape(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    case '\r': out += "\\r"; break;
    case '\0': out += "\\0"; break;
    default: AppendHexEscape(out, 'x', c, 2);
  }
}

// Non-ASCII: raw when safe, escaped otherwise; malformed UTF-8 becomes U+FFFD.
size_t AppendUnicode(std::string& out, std::string_view s, size_t i) {
  char32_t cp = 0;
  size_t len = DecodeUtf8(s, i, cp);
  if (len == 0) {
    out += "\\uFFFD";
    return 1;
  }
  if (IsPlainUnicode(cp)) {
    out.append(s.data() + i, len);
  } else if (cp < 0x10000) {
    AppendHexEscape(out, 'u', cp, 4);
  } else {
    AppendHexEscape(out, 'U', cp, 8);
  }
  return len;
}

void AppendDoubleQuoted(std::string& out, std::string_view s) {
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    size_t run = i;
    while (run < s.size() && (kClass[static_cast<unsigned char>(s[run])] & kQuotedSafe)) ++run;
    out.append(s.data() + i, run - i);
    i = run;
    if (i == s.size()) break;
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      i += AppendUnicode(out, s, i);
    } else {
      AppendAsciiEscape(out, c);
      ++i;
    }
  }
  out += '"';
}

// A literal block scalar; its lines are indented `indent` spaces. The header
// goes on the current line and the block ends with a line break.
void AppendLiteral(std::string& out, std::string_view s, size_t indent) {
  size_t body_end = s.find_last_not_of('\n') + 1;  // s has a non-'\n' character
  size_t trailing = s.size() - body_end;
  out += '|';
  if (s.front() == ' ' || s.front() == '\n') out += '2';  // no auto-detection
  if (trailing == 0) out += '-';
  if (trailing > 1) out += '+';
  out += '\n';
  size_t pos = 0;
  while (pos < body_end) {
    size_t eol = s.find('\n', pos);
    if (eol == std::string_view::npos || eol > body_end) eol = body_end;
    if (eol > pos) {
      AppendIndent(out, indent);
      out.append(s.data() + pos, eol - pos);
    }
    out += '\n';
    pos = eol + 1;
  }
  // Kept trailing line breaks beyond the one ending the last line.
  if (trailing > 1) out.append(trailing - 1, '\n');
}

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// ---------------------------------------------------------------------------
// The block writer.

class YamlWriter {
 public:
  explicit YamlWriter(std::string& out) : out_(out) {}

  void Document(const Node& root) {
    if (root.kind == Node::Kind::Map && !root.members.empty()) {
      MapMembers(root, 0, false);
    } else if (root.kind == Node::Kind::List && !root.items.empty()) {
      ListItems(root, 0, false);
    } else {
      InlineValue(root, 0);
    }
  }

 private:
  // Members of a non-empty map at column `indent`; with `inline_first` the
  // first key continues the current line (after a list's "- ").
  void MapMembers(const Node& map, size_t indent, bool inline_first) {
    bool first = true;
    for (const auto& [key, value] : map.members) {
      if (!first || !inline_first) AppendIndent(out_, indent);
      first = false;
      Key(key, indent);
      MemberValue(value, indent);
    }
  }

  // Items of a non-empty list, each "- " at column `indent`.
  void ListItems(const Node& list, size_t indent, bool inline_first) {
    bool first = true;
    for (const Node& item : list.items) {
      if (!first || !inline_first) AppendIndent(out_, indent);
      first = false;
      out_ += "- ";
      if (item.kind == Node::Kind::Map && !item.members.empty()) {
        MapMembers(item, indent + 2, true);
      } else if (item.kind == Node::Kind::List && !item.items.empty()) {
        ListItems(item, indent + 2, true);
      } else {
        InlineValue(item, indent);
      }
    }
  }

  // The key and its ':' (a long key becomes an explicit "? key\n:" entry).
  void Key(std::string_view key, size_t indent) {
    size_t start = out_.size();
    if (ChooseStyle(key, true) == Style::Plain) {
      out_ += key;
    } else {
      AppendDoubleQuoted(out_, key);
    }
    if (out_.size() - start > kMaxImplicitKey) {
      out_.insert(start, "? ");
      out_ += '\n';
      AppendIndent(out_, indent);
    }
    out_ += ':';
  }

  // What follows "key:": a nested block on the next lines, or " scalar".
  void MemberValue(const Node& value, size_t indent) {
    if (value.kind == Node::Kind::Map && !value.members.empty()) {
      out_ += '\n';
      MapMembers(value, indent + 2, false);
    } else if (value.kind == Node::Kind::List && !value.items.empty()) {
      out_ += '\n';
      ListItems(value, indent, false);  // kubectl style: "- " under the key
    } else {
      out_ += ' ';
      InlineValue(value, indent);
    }
  }

  // A scalar or an empty collection, ending the line. A literal block's lines
  // go two columns right of `indent`, the column of the enclosing collection.
  void InlineValue(const Node& node, size_t indent) {
    switch (node.kind) {
      case Node::Kind::Null: out_ += "null"; break;
      case Node::Kind::Bool: out_ += node.boolean ? "true" : "false"; break;
      case Node::Kind::Int: AppendInt(out_, node.integer); break;
      case Node::Kind::Map: out_ += "{}"; break;
      case Node::Kind::List: out_ += "[]"; break;
      case Node::Kind::String: String(node.string, indent); return;
    }
    out_ += '\n';
  }

  void String(std::string_view s, size_t indent) {
    switch (ChooseStyle(s, false)) {
      case Style::Plain: out_ += s; break;
      case Style::Literal: AppendLiteral(out_, s, indent + 2); return;
      case Style::DoubleQuoted: AppendDoubleQuoted(out_, s); break;
    }
    out_ += '\n';
  }

  std::string& out_;
};

}  // namespace

std::string WriteYaml(const std::vector<Object>& objects) {
  std::string out;
  out.reserve(objects.size() * kBytesPerObject);
  YamlWriter writer(out);
  for (size_t i = 0; i < objects.size(); ++i) {
    if (i > 0) out += "---\n";
    writer.Document(objects[i].root);
  }
  return out;
}

void AppendYaml(std::string& out, const Node& node) { YamlWriter(out).Document(node); }

std::string NodeToYaml(const Node& node) {
  std::string out;
  out.reserve(kBytesPerObject);
  YamlWriter(out).Document(node);
  return out;
}

}  // namespace kstate::emit
