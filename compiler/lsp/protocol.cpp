// JSON forms of the protocol types, UTF-16 positions and file URIs.
#include "compiler/lsp/protocol.h"

#include <algorithm>

#include <fmt/format.h>

namespace kstate::lsp {

Json ToJson(Position p) { return Json{{"line", p.line}, {"character", p.character}}; }
Json ToJson(const Range& r) { return Json{{"start", ToJson(r.start)}, {"end", ToJson(r.end)}}; }

const Json& Member(const Json& object, const char* name) {
  if (!object.is_object()) throw RequestError{ErrorCode::InvalidParams, fmt::format("expected an object holding `{}`", name)};
  auto it = object.find(name);
  if (it == object.end()) throw RequestError{ErrorCode::InvalidParams, fmt::format("missing `{}`", name)};
  return *it;
}

std::string StringMember(const Json& object, const char* name) {
  const Json& v = Member(object, name);
  if (!v.is_string()) throw RequestError{ErrorCode::InvalidParams, fmt::format("`{}` must be a string", name)};
  return v.get<std::string>();
}

namespace {

uint32_t UnsignedMember(const Json& object, const char* name) {
  const Json& v = Member(object, name);
  if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > UINT32_MAX) {
    throw RequestError{ErrorCode::InvalidParams, fmt::format("`{}` must be a non-negative integer", name)};
  }
  return static_cast<uint32_t>(v.get<int64_t>());
}

// The length of the UTF-8 sequence a lead byte starts; 1 for an invalid byte.
size_t SequenceLength(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0) return 4;
  return 1;
}

// Whether `s` holds a whole, valid continuation sequence of `n` bytes.
bool Complete(std::string_view s, size_t n) {
  if (s.size() < n) return false;
  for (size_t i = 1; i < n; ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return false;
  }
  return true;
}

}  // namespace

Position PositionFrom(const Json& j) { return {UnsignedMember(j, "line"), UnsignedMember(j, "character")}; }
Range RangeFrom(const Json& j) { return {PositionFrom(Member(j, "start")), PositionFrom(Member(j, "end"))}; }

uint32_t Utf16Length(std::string_view s) {
  uint32_t units = 0;
  for (size_t i = 0; i < s.size();) {
    size_t n = SequenceLength(static_cast<unsigned char>(s[i]));
    if (n > 1 && !Complete(s.substr(i), n)) n = 1;
    units += n == 4 ? 2 : 1;
    i += n;
  }
  return units;
}

// Lines end at "\n", "\r\n" or a lone "\r", as the protocol counts them, so
// that positions agree with the editor's on files with old Mac line ends.
LineIndex::LineIndex(std::string_view text) : text_(text) {
  starts_.push_back(0);
  for (uint32_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) {
      starts_.push_back(i + 1);
    }
  }
}

uint32_t LineIndex::LineEnd(uint32_t line) const {
  if (line + 1 >= starts_.size()) return static_cast<uint32_t>(text_.size());
  uint32_t end = starts_[line + 1] - 1;  // the line break, or the "\n" of "\r\n"
  if (text_[end] == '\n' && end > starts_[line] && text_[end - 1] == '\r') --end;
  return end;
}

uint32_t LineIndex::Offset(Position p) const {
  if (p.line >= starts_.size()) return static_cast<uint32_t>(text_.size());
  uint32_t begin = starts_[p.line], end = LineEnd(p.line);
  uint32_t units = 0;
  uint32_t i = begin;
  while (i < end && units < p.character) {
    size_t n = SequenceLength(static_cast<unsigned char>(text_[i]));
    if (n > 1 && !Complete(text_.substr(i, end - i), n)) n = 1;
    // A position inside a surrogate pair points at the character's start.
    if (n == 4 && units + 2 > p.character) break;
    units += n == 4 ? 2 : 1;
    i += static_cast<uint32_t>(n);
  }
  return i;
}

Position LineIndex::At(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - starts_.begin()) - 1;
  uint32_t begin = starts_[line];
  uint32_t end = std::min(offset, LineEnd(line));
  return {line, Utf16Length(text_.substr(begin, end - begin))};
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> UriToPath(std::string_view uri) {
  constexpr std::string_view kScheme = "file://";
  if (uri.size() < kScheme.size() || !std::equal(kScheme.begin(), kScheme.end(), uri.begin(),
                                                 [](char a, char b) { return a == (b | 0x20) || a == b; })) {
    return std::nullopt;
  }
  uri.remove_prefix(kScheme.size());
  // `file://host/path`: only an empty host or `localhost` is a local file.
  size_t slash = uri.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view host = uri.substr(0, slash);
  if (!host.empty() && host != "localhost") return std::nullopt;
  uri.remove_prefix(slash);
  std::string path;
  for (size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size() && HexValue(uri[i + 1]) >= 0 && HexValue(uri[i + 2]) >= 0) {
      path += static_cast<char>(HexValue(uri[i + 1]) * 16 + HexValue(uri[i + 2]));
      i += 2;
    } else if (uri[i] == '?' || uri[i] == '#') {
      break;
    } else {
      path += uri[i];
    }
  }
  return path;
}

std::string PathToUri(std::string_view path) {
  std::string uri = "file://";
  for (unsigned char c : path) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '/' || c == '-' || c == '_' || c == '.' || c == '~';
    if (plain) uri += static_cast<char>(c);
    else uri += fmt::format("%{:02X}", c);
  }
  return uri;
}

}  // namespace kstate::lsp
