// UTF-8 validation and JSON string escaping, shared by the parser, the
// diagnostics renderer and the JSON writer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kstate::base {

// Length of the well-formed UTF-8 sequence starting at s[i] (1 for ASCII), or 0
// when the bytes there are not UTF-8 (overlong forms and surrogates included).
size_t Utf8Length(std::string_view s, size_t i);

// Appends `s` as a JSON string, quotes included (RFC 8259). Malformed UTF-8
// becomes U+FFFD so the output is always valid JSON.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace kstate::base
