// YAML output: deterministic block-style multi-document YAML. A string is
// written plain only when no YAML 1.1 or 1.2 parser (PyYAML, yaml-cpp, Go)
// could read it as anything else; otherwise as a literal block or double-quoted.
#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/emit/builder.h"
#include "compiler/emit/lower.h"
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
  if (s.empty() || s.size() > 5) return false;
  switch (AsciiLower(s.front())) {  // how the words start: most strings stop here
    case 'y': case 'n': case 't': case 'f': case 'o': case '~': case '<': case '=': break;
    default: return false;
  }
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

// The fast path's test, eight bytes at a time: whether `s` is printable ASCII
// only, and whether it has a ':' or a '#'. Short strings are read as
// overlapping pieces; a repeated byte changes neither answer.
struct Ascii {
  bool printable;
  bool pair_chars;
};

uint64_t Load(const char* p, size_t n) {
  uint64_t v = 0;
  std::memcpy(&v, p, n);
  return v;
}

uint64_t Word(std::string_view s, size_t i) {
  if (s.size() >= 8) return Load(s.data() + i, 8);
  if (s.size() >= 4) return Load(s.data(), 4) | Load(s.data() + s.size() - 4, 4) << 32;
  uint64_t first = static_cast<unsigned char>(s.front()), middle = static_cast<unsigned char>(s[s.size() / 2]);
  return first * 0x0101010101010000ull | middle << 8 | static_cast<unsigned char>(s.back());
}

Ascii ScanAscii(std::string_view s) {
  constexpr uint64_t k01 = 0x0101010101010101ull, k80 = 0x8080808080808080ull;
  uint64_t bad = 0, pair = 0;
  auto check = [&](uint64_t x) {
    bad |= ((x - k01 * 0x20) & ~x) | ((x + k01) | x);  // a byte below 0x20, or 0x7F and up
    uint64_t colon = x ^ (k01 * ':'), hash = x ^ (k01 * '#');
    pair |= ((colon - k01) & ~colon) | ((hash - k01) & ~hash);  // a zero byte: a match
  };
  if (s.size() <= 8) {
    if (!s.empty()) check(Word(s, 0));
  } else {
    for (size_t i = 0; i + 8 < s.size(); i += 8) check(Word(s, i));
    check(Word(s, s.size() - 8));
  }
  return {(bad & k80) == 0, (pair & k80) != 0};
}

bool NumberLike(std::string_view s) {
  for (char c : s) {
    if (!(kClass[static_cast<unsigned char>(c)] & kNumberChar)) return false;
  }
  return true;
}

// Strings with a byte outside printable ASCII: a line break may make them
// literal blocks, and non-ASCII may still be plain.
Style ChooseStyleScanned(std::string_view s, bool is_key) {
  Scan scan = ScanString(s);
  if (CanBePlain(s, scan)) return Style::Plain;
  if (!is_key && scan.has_newline && scan.has_content && scan.literal_ok) return Style::Literal;
  return Style::DoubleQuoted;
}

// CanBePlain for printable ASCII, which has no line breaks or odd bytes.
bool PlainAscii(std::string_view s, bool pair_chars) {
  if (s.empty()) return false;
  if (pair_chars && (s.find(": ") != s.npos || s.find(" #") != s.npos)) return false;
  if (kClass[static_cast<unsigned char>(s.front())] & kIndicator) return false;
  if (s.back() == ' ' || s.back() == ':') return false;
  if (IsDigit(s.front()) && NumberLike(s)) return false;
  return !IsReservedWord(s);
}

Style ChooseStyle(std::string_view s, bool is_key) {
  // Most strings (names, images, paths) are printable ASCII; without a line
  // break they are plain or double-quoted, never literal.
  Ascii ascii = ScanAscii(s);
  if (!ascii.printable) return ChooseStyleScanned(s, is_key);
  return PlainAscii(s, ascii.pair_chars) ? Style::Plain : Style::DoubleQuoted;
}

// Whether `key` is written as a plain implicit key.
bool PlainKey(std::string_view key) { return key.size() <= kMaxImplicitKey && ChooseStyle(key, true) == Style::Plain; }

// PlainKey for a key whose text is a literal (Key::literal()), remembered by
// its address: the lowering writes the same few hundred literals into every
// object, and a literal's address and text never change. One cache per thread
// (components are lowered in parallel), direct-mapped: a collision only costs
// a new scan.
bool PlainLiteralKey(std::string_view literal) {
  struct Entry {
    const char* data = nullptr;
    size_t size = 0;
    bool plain = false;
  };
  thread_local std::array<Entry, 1024> cache;
  Entry& e = cache[(reinterpret_cast<uintptr_t>(literal.data()) >> 2) % cache.size()];
  if (e.data != literal.data() || e.size != literal.size()) e = {literal.data(), literal.size(), PlainKey(literal)};
  return e.plain;
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

// ---------------------------------------------------------------------------
// The block writer.

// The writer grows its output string ahead of the writes, at least this much
// at a time, writes the bytes in place and cuts the string back to what it
// wrote at the end: cheaper than a checked append for each small piece.
constexpr size_t kGrowBy = 512;
// Room for an integer (digits and sign) and for the overshoot of Spaces.
constexpr size_t kIntRoom = 24;
constexpr size_t kSpaceRoom = 8;

// n spaces at p, written eight at a time: up to seven more bytes get spaces,
// which later writes overwrite or the final cut removes.
char* Spaces(char* p, size_t n) {
  for (size_t i = 0; i < n; i += 8) std::memcpy(p + i, "        ", 8);
  return p + n;
}

// Copies s to p. Most keys and values are short: two overlapping fixed-size
// moves copy them without a call.
char* Copy(char* p, std::string_view s) {
  const char* q = s.data();
  size_t n = s.size();
  if (n >= 8 && n <= 16) {
    uint64_t head, tail;
    std::memcpy(&head, q, 8);
    std::memcpy(&tail, q + n - 8, 8);
    std::memcpy(p, &head, 8);
    std::memcpy(p + n - 8, &tail, 8);
  } else if (n >= 4 && n < 8) {
    uint32_t head, tail;
    std::memcpy(&head, q, 4);
    std::memcpy(&tail, q + n - 4, 4);
    std::memcpy(p, &head, 4);
    std::memcpy(p + n - 4, &tail, 4);
  } else {
    std::memcpy(p, q, n);
  }
  return p + n;
}

bool PlainKey(KeyRef key) { return key.literal() ? PlainLiteralKey(key.text()) : PlainKey(key.text()); }

// The text of a scalar that is never quoted: an integer (in `buffer`), a
// boolean or null.
std::string_view IntText(int64_t v, char (&buffer)[kIntRoom]) {
  return {buffer, static_cast<size_t>(std::to_chars(buffer, buffer + kIntRoom, v).ptr - buffer)};
}
std::string_view BoolText(bool v) { return v ? "true" : "false"; }

}  // namespace

YamlBuilder::~YamlBuilder() {
  if (out_) out_->resize(pos_);
}

char* YamlBuilder::Room(size_t n) {
  if (out_->size() - pos_ < n) out_->resize(pos_ + std::max(n, kGrowBy));
  return out_->data() + pos_;
}

void YamlBuilder::Put(std::string_view s) { Done(Copy(Room(s.size()), s)); }

size_t YamlBuilder::NextLead() {
  Frame& f = frames_.back();
  if (f.count++ > 0) return f.indent;
  if (!f.keyed) return 0;
  Put("\n");
  return f.indent;
}

// A key that needs quotes, or is too long for an implicit key (it becomes an
// explicit "? key\n:" entry), and its ':'.
void YamlBuilder::SpecialKey(std::string_view key, size_t lead, size_t indent) {
  scratch_.clear();
  AppendIndent(scratch_, lead);
  size_t start = scratch_.size();
  if (ChooseStyle(key, true) == Style::Plain) {
    scratch_ += key;
  } else {
    AppendDoubleQuoted(scratch_, key);
  }
  if (scratch_.size() - start > kMaxImplicitKey) {
    scratch_.insert(start, "? ");
    scratch_ += '\n';
    AppendIndent(scratch_, indent);
  }
  scratch_ += ':';
  Put(scratch_);
}

void YamlBuilder::KeyColon(KeyRef key, size_t lead, size_t indent) {
  if (!PlainKey(key)) {
    SpecialKey(key.text(), lead, indent);
    return;
  }
  char* p = Copy(Spaces(Room(lead + kSpaceRoom + key.text().size() + 1), lead), key.text());
  *p++ = ':';
  Done(p);
}

// A string that ends the line, after "key: " or "- ". A literal block's
// lines go two columns right of `indent`, the column of the enclosing
// collection.
void YamlBuilder::InlineString(std::string_view s, size_t indent, uint8_t style) {
  if (static_cast<Style>(style) == Style::Plain) {
    char* p = Copy(Room(s.size() + 1), s);
    *p++ = '\n';
    Done(p);
    return;
  }
  scratch_.clear();
  if (static_cast<Style>(style) == Style::Literal) {
    AppendLiteral(scratch_, s, indent + 2);
  } else {
    AppendDoubleQuoted(scratch_, s);
    scratch_ += '\n';
  }
  Put(scratch_);
}

// "key: text" for a scalar written as it is; the common case in one piece.
void YamlBuilder::PlainMember(KeyRef key, std::string_view text) {
  size_t lead = NextLead();
  if (!PlainKey(key)) {
    SpecialKey(key.text(), lead, frames_.back().indent);
    char* p = Room(text.size() + 2);
    *p++ = ' ';
    p = Copy(p, text);
    *p++ = '\n';
    Done(p);
    return;
  }
  char* p = Copy(Spaces(Room(lead + kSpaceRoom + key.text().size() + text.size() + 3), lead), key.text());
  *p++ = ':';
  *p++ = ' ';
  p = Copy(p, text);
  *p++ = '\n';
  Done(p);
}

// "- text" for a scalar item written as it is.
void YamlBuilder::PlainItem(std::string_view text) {
  size_t lead = NextLead();
  char* p = Spaces(Room(lead + kSpaceRoom + text.size() + 3), lead);
  *p++ = '-';
  *p++ = ' ';
  p = Copy(p, text);
  *p++ = '\n';
  Done(p);
}

void YamlBuilder::Dash(size_t lead) {
  char* p = Spaces(Room(lead + kSpaceRoom + 2), lead);
  *p++ = '-';
  *p++ = ' ';
  Done(p);
}

void YamlBuilder::Str(KeyRef key, std::string_view value, base::SourceRange) {
  Style style = ChooseStyle(value, false);
  if (style == Style::Plain) {
    PlainMember(key, value);
    return;
  }
  size_t lead = NextLead();
  size_t indent = frames_.back().indent;
  KeyColon(key, lead, indent);
  Put(" ");
  InlineString(value, indent, static_cast<uint8_t>(style));
}

void YamlBuilder::Int(KeyRef key, int64_t value, base::SourceRange) {
  char buffer[kIntRoom];
  PlainMember(key, IntText(value, buffer));
}

void YamlBuilder::Bool(KeyRef key, bool value, base::SourceRange) { PlainMember(key, BoolText(value)); }
void YamlBuilder::Null(KeyRef key, base::SourceRange) { PlainMember(key, "null"); }

void YamlBuilder::Map(KeyRef key, base::SourceRange) {
  size_t lead = NextLead();
  size_t indent = frames_.back().indent;
  KeyColon(key, lead, indent);
  frames_.push_back({false, true, 0, indent + 2});
}

void YamlBuilder::List(KeyRef key, base::SourceRange) {
  size_t lead = NextLead();
  size_t indent = frames_.back().indent;
  KeyColon(key, lead, indent);
  frames_.push_back({true, true, 0, indent});  // kubectl style: "- " under the key
}

void YamlBuilder::ItemStr(std::string_view value, base::SourceRange) {
  Style style = ChooseStyle(value, false);
  if (style == Style::Plain) {
    PlainItem(value);
    return;
  }
  Dash(NextLead());
  InlineString(value, frames_.back().indent, static_cast<uint8_t>(style));
}

void YamlBuilder::ItemInt(int64_t value, base::SourceRange) {
  char buffer[kIntRoom];
  PlainItem(IntText(value, buffer));
}

void YamlBuilder::ItemBool(bool value, base::SourceRange) { PlainItem(BoolText(value)); }
void YamlBuilder::ItemNull(base::SourceRange) { PlainItem("null"); }

void YamlBuilder::ItemMap(base::SourceRange) {
  Dash(NextLead());
  frames_.push_back({false, false, 0, frames_.back().indent + 2});
}

void YamlBuilder::ItemList(base::SourceRange) {
  Dash(NextLead());
  frames_.push_back({true, false, 0, frames_.back().indent + 2});
}

void YamlBuilder::End() {
  Frame f = frames_.back();
  frames_.pop_back();
  if (f.count > 0) return;
  if (f.keyed) Put(f.list ? " []\n" : " {}\n");
  else Put(f.list ? "[]\n" : "{}\n");
}

void YamlBuilder::BeginObject(const ObjectHead& head) {
  out_ = &(*chunks_)[static_cast<size_t>(ApplyRank(head.kind)) + 1];
  pos_ = out_->size();
  frames_.push_back({false, false, 0, 0});
}

void YamlBuilder::EndObject() {
  End();
  Put("---\n");
  out_->resize(pos_);
  out_ = nullptr;
}

void YamlBuilder::WalkMember(const Key& key, const Node& value) {
  KeyRef ref = key.literal().data() ? KeyRef(KeyRef::kLiteral, key.literal()) : KeyRef(key.view());
  switch (value.kind) {
    case Node::Kind::Null: Null(ref); return;
    case Node::Kind::Bool: Bool(ref, value.boolean); return;
    case Node::Kind::Int: Int(ref, value.integer); return;
    case Node::Kind::String: Str(ref, value.string); return;
    case Node::Kind::Map:
      Map(ref);
      for (const auto& [k, v] : value.members) WalkMember(k, v);
      End();
      return;
    case Node::Kind::List:
      List(ref);
      for (const Node& item : value.items) WalkItem(item);
      End();
      return;
  }
}

void YamlBuilder::WalkItem(const Node& item) {
  switch (item.kind) {
    case Node::Kind::Null: ItemNull(); return;
    case Node::Kind::Bool: ItemBool(item.boolean); return;
    case Node::Kind::Int: ItemInt(item.integer); return;
    case Node::Kind::String: ItemStr(item.string); return;
    case Node::Kind::Map:
      ItemMap();
      for (const auto& [k, v] : item.members) WalkMember(k, v);
      End();
      return;
    case Node::Kind::List:
      ItemList();
      for (const Node& i : item.items) WalkItem(i);
      End();
      return;
  }
}

void YamlBuilder::Document(const Node& root) {
  if (root.kind == Node::Kind::Map || root.kind == Node::Kind::List) {
    // A collection, even an empty one ("{}" on a line of its own).
    frames_.push_back({root.kind == Node::Kind::List, false, 0, 0});
    for (const auto& [k, v] : root.members) WalkMember(k, v);
    for (const Node& item : root.items) WalkItem(item);
    End();
    return;
  }
  char buffer[kIntRoom];
  switch (root.kind) {
    case Node::Kind::String: InlineString(root.string, 0, static_cast<uint8_t>(ChooseStyle(root.string, false))); break;
    case Node::Kind::Int: InlineString(IntText(root.integer, buffer), 0, 0); break;
    case Node::Kind::Bool: InlineString(BoolText(root.boolean), 0, 0); break;
    default: InlineString("null", 0, 0); break;
  }
}

std::string WriteYaml(const std::vector<Object>& objects) {
  std::string out;
  out.reserve(objects.size() * kBytesPerObject);
  for (size_t i = 0; i < objects.size(); ++i) {
    if (i > 0) out += "---\n";
    AppendYaml(out, objects[i].root);
  }
  return out;
}

void AppendYaml(std::string& out, const Node& node) { YamlBuilder(out).Document(node); }

std::string NodeToYaml(const Node& node) {
  std::string out;
  out.reserve(kBytesPerObject);
  YamlBuilder(out).Document(node);
  return out;
}

}  // namespace kstate::emit
