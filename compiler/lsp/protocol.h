// LSP protocol types the server uses, with their JSON forms: positions in
// UTF-16 code units, ranges, document URIs, JSON-RPC errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace kstate::lsp {

using Json = nlohmann::json;

// JSON-RPC and LSP error codes.
enum class ErrorCode : int {
  ParseError = -32700,
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  ServerNotInitialized = -32002,
  RequestFailed = -32803,
  RequestCancelled = -32800,
};

// Thrown by handlers for a request that cannot be answered; the server turns
// it into a JSON-RPC error response.
struct RequestError {
  ErrorCode code;
  std::string message;
};

// A zero-based line and a character offset in UTF-16 code units.
struct Position {
  uint32_t line = 0;
  uint32_t character = 0;
};

struct Range {
  Position start, end;
};

Json ToJson(Position p);
Json ToJson(const Range& r);
// Reads a Position / Range from request parameters; throws RequestError (InvalidParams).
Position PositionFrom(const Json& j);
Range RangeFrom(const Json& j);

// Line starts of a text, and conversions between byte offsets and positions.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  // A position past the end of its line clamps to the line's end (before its
  // line break); a line past the end clamps to the end of the text.
  uint32_t Offset(Position p) const;
  Position At(uint32_t offset) const;
  uint32_t line_count() const { return static_cast<uint32_t>(starts_.size()); }
  uint32_t LineStart(uint32_t line) const { return starts_[line]; }
  // The end of a line's content (before "\n", "\r\n" or a lone "\r").
  uint32_t LineEnd(uint32_t line) const;

 private:
  std::string_view text_;
  std::vector<uint32_t> starts_;
};

// UTF-16 code units of a UTF-8 string (an invalid byte counts as one unit).
uint32_t Utf16Length(std::string_view utf8);

// `file:///a%20b/c.kstate` <-> `/a b/c.kstate`. Non-file URIs give nullopt.
std::optional<std::string> UriToPath(std::string_view uri);
std::string PathToUri(std::string_view path);

// Reads a member of a params object, throwing InvalidParams with its name when
// it is missing or of the wrong type.
const Json& Member(const Json& object, const char* name);
std::string StringMember(const Json& object, const char* name);

}  // namespace kstate::lsp
