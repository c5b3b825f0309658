// Formatting a file: normalise line breaks, lex, nest, lay out; then check
// that no token was lost or added and, for FormatFile, that the result parses.
#include "compiler/format/format.h"

#include <memory>
#include <utility>
#include <vector>

#include "compiler/format/layout.h"
#include "compiler/format/lexer.h"
#include "compiler/format/lines.h"
#include "compiler/format/tree.h"
#include "compiler/syntax/parser.h"

namespace kstate::format {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string WithoutCarriageReturns(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\r' || i + 1 >= s.size() || s[i + 1] != '\n') out += s[i];
  }
  return out;
}

bool IsCloser(const Token& t) {
  return t.kind == TokenKind::Punct && (t.text == ")" || t.text == "]" || t.text == "}");
}

// What the layout may not change: the tokens apart from `;` and commas before
// a closing bracket, and the comments in their order.
struct Essence {
  std::vector<std::string_view> code;
  std::vector<std::string_view> comments;
  bool operator==(const Essence&) const = default;
};

Essence EssenceOf(const std::vector<Token>& tokens) {
  Essence e;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (IsComment(t)) {
      e.comments.push_back(t.text);
      continue;
    }
    if (t.kind == TokenKind::Punct && t.text == ";") continue;
    if (t.kind == TokenKind::Punct && t.text == ",") {
      size_t j = i + 1;
      while (j < tokens.size() && IsComment(tokens[j])) ++j;
      if (j < tokens.size() && IsCloser(tokens[j])) continue;
    }
    e.code.push_back(t.text);
  }
  return e;
}

}  // namespace

std::optional<std::string> FormatTokens(std::string_view source) {
  bool bom = source.starts_with(kBom);
  std::string text = WithoutCarriageReturns(bom ? source.substr(kBom.size()) : source);
  std::optional<std::vector<Token>> tokens = Lex(text);
  if (!tokens) return std::nullopt;
  std::optional<Node> root = BuildTree(*tokens);
  if (!root) return std::nullopt;
  Lines lines;
  LayOut(*root, lines);
  std::string out = lines.Render();
  std::optional<std::vector<Token>> again = Lex(out);
  if (!again || EssenceOf(*again) != EssenceOf(*tokens)) return std::nullopt;
  return bom ? std::string(kBom) + out : out;
}

bool CheckSyntax(const base::SourceManager& sources, uint32_t file_id, diag::Diagnostics& diags) {
  size_t errors = diags.error_count();
  syntax::Parser parser(sources, file_id, diags);
  while (parser.Next() != nullptr) {
  }
  return parser.ok() && diags.error_count() == errors;
}

Result FormatFile(const base::SourceManager& sources, uint32_t file_id, diag::Diagnostics& diags) {
  if (!CheckSyntax(sources, file_id, diags)) return {Status::SyntaxError, {}};
  std::optional<std::string> text = FormatTokens(sources.file(file_id).text());
  if (!text) return {Status::Unformattable, {}};
  // A layout rule must never turn a valid file into an invalid one.
  base::SourceManager formatted;
  diag::Diagnostics ignored;
  if (!CheckSyntax(formatted, formatted.Add(sources.file(file_id).path(), *text), ignored)) {
    return {Status::Unformattable, {}};
  }
  return {Status::Formatted, std::move(*text)};
}

std::string Format(std::string_view source) {
  base::SourceManager sources;
  diag::Diagnostics diags;
  Result r = FormatFile(sources, sources.Add("<input>", std::string(source)), diags);
  return r.status == Status::Formatted ? std::move(r.text) : std::string(source);
}

}  // namespace kstate::format
