// The formatter's lexer: `.kstate` text to tokens that keep comments and the
// line breaks before each token. A string, with its interpolations, is one token.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace kstate::format {

enum class TokenKind : uint8_t { Ident, Number, String, BlockString, Punct, LineComment, BlockComment, Other };

struct Token {
  TokenKind kind;
  std::string_view text;    // a line comment without its line break or trailing white space
  int newlines_before = 0;  // line breaks between the previous token and this one
};

// Splits `source` (line breaks already "\n") into tokens; nullopt when a string,
// block string, interpolation or block comment is not closed.
std::optional<std::vector<Token>> Lex(std::string_view source);

// True for a comment token of either kind.
inline bool IsComment(const Token& t) { return t.kind == TokenKind::LineComment || t.kind == TokenKind::BlockComment; }

}  // namespace kstate::format
