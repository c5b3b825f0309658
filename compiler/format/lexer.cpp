// The formatter's lexer. It follows grammar.h closely enough to find token
// boundaries (names with inner dashes, numbers with units, nested strings in
// interpolations); it does not validate: the parser has done that.
#include "compiler/format/lexer.h"

#include <algorithm>
#include <cstddef>

namespace kstate::format {

namespace {

bool IdentFirst(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IdentOther(char c) { return IdentFirst(c) || (c >= '0' && c <= '9'); }
bool Digit(char c) { return c >= '0' && c <= '9'; }

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  std::optional<std::vector<Token>> Run() {
    std::vector<Token> out;
    while (true) {
      int newlines = SkipSpace();
      if (pos_ >= s_.size()) return out;
      size_t start = pos_;
      std::optional<TokenKind> kind = Next();
      if (!kind) return std::nullopt;
      std::string_view text = s_.substr(start, pos_ - start);
      if (*kind == TokenKind::LineComment) text = text.substr(0, text.find_last_not_of(" \t\r") + 1);
      out.push_back(Token{*kind, text, newlines});
    }
  }

 private:
  char At(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }
  bool Starts(std::string_view p) const { return s_.substr(pos_, p.size()) == p; }

  int SkipSpace() {
    int newlines = 0;
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r' || s_[pos_] == '\n')) {
      newlines += s_[pos_] == '\n';
      ++pos_;
    }
    return newlines;
  }

  std::optional<TokenKind> Next() {
    char c = s_[pos_];
    if (Starts("//")) {
      pos_ = std::min(s_.find('\n', pos_), s_.size());
      return TokenKind::LineComment;
    }
    if (Starts("/*")) return SkipBlockComment() ? std::optional(TokenKind::BlockComment) : std::nullopt;
    if (Starts("\"\"\"")) return SkipBlockString() ? std::optional(TokenKind::BlockString) : std::nullopt;
    if (c == '"') return SkipString() ? std::optional(TokenKind::String) : std::nullopt;
    if (Digit(c)) {
      ++pos_;
      while (IdentOther(At(pos_)) || (At(pos_) == '.' && Digit(At(pos_ + 1)))) pos_ += At(pos_) == '.' ? 2 : 1;
      return TokenKind::Number;
    }
    if (IdentFirst(c)) {
      ++pos_;
      while (IdentOther(At(pos_)) || (At(pos_) == '-' && IdentOther(At(pos_ + 1)))) ++pos_;
      return TokenKind::Ident;
    }
    for (std::string_view two : {"==", "!=", "<=", ">=", ".."}) {
      if (Starts(two)) {
        pos_ += 2;
        return TokenKind::Punct;
      }
    }
    if (std::string_view("()[]{},;:.=<>+-*/%").find(c) != std::string_view::npos) {
      ++pos_;
      return TokenKind::Punct;
    }
    // Anything else (the parser rejected it already): one UTF-8 character.
    ++pos_;
    while ((static_cast<unsigned char>(At(pos_)) & 0xC0) == 0x80) ++pos_;
    return TokenKind::Other;
  }

  bool SkipBlockComment() {
    size_t end = s_.find("*/", pos_ + 2);
    if (end == std::string_view::npos) return false;
    pos_ = end + 2;
    return true;
  }

  // After `"`: escapes, `$${` and interpolations until the closing quote on this line.
  bool SkipString() {
    ++pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\n' || (c == '\\' && At(pos_ + 1) == '\n')) return false;
      if (!SkipStringPart(c == '\\' ? 2 : 1)) return false;
    }
    return false;
  }

  // After `"""`: text, `$${` and interpolations until the next `"""`.
  bool SkipBlockString() {
    pos_ += 3;
    while (pos_ < s_.size()) {
      if (Starts("\"\"\"")) {
        pos_ += 3;
        return true;
      }
      if (!SkipStringPart(1)) return false;
    }
    return false;
  }

  // One piece of string text: `$${`, an interpolation, or `width` plain bytes.
  bool SkipStringPart(size_t width) {
    if (Starts("$${")) {
      pos_ += 3;
    } else if (Starts("${")) {
      pos_ += 2;
      return SkipInterpolation();
    } else {
      pos_ += width;
    }
    return true;
  }

  // After `${`: an expression, which may hold braces, strings and comments, up to its `}`.
  // Strings nest in interpolations nest in strings: past kMaxNesting levels
  // (far beyond what the parser accepts) the text is refused rather than
  // followed down the stack.
  bool SkipInterpolation() {
    if (nesting_ >= kMaxNesting) return false;
    ++nesting_;
    bool closed = SkipInterpolationBody();
    --nesting_;
    return closed;
  }

  bool SkipInterpolationBody() {
    int depth = 1;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (Starts("\"\"\"")) {
        if (!SkipBlockString()) return false;
      } else if (c == '"') {
        if (!SkipString()) return false;
      } else if (Starts("//")) {
        pos_ = std::min(s_.find('\n', pos_), s_.size());
      } else if (Starts("/*")) {
        if (!SkipBlockComment()) return false;
      } else {
        ++pos_;
        if (c == '{') ++depth;
        if (c == '}' && --depth == 0) return true;
      }
    }
    return false;
  }

  static constexpr int kMaxNesting = 1000;
  std::string_view s_;
  size_t pos_ = 0;
  int nesting_ = 0;
};

}  // namespace

std::optional<std::vector<Token>> Lex(std::string_view source) { return Scanner(source).Run(); }

}  // namespace kstate::format
