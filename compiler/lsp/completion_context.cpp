// A small lexer that never fails: unclosed strings, comments and brackets
// are what an editor's text looks like while someone types.
#include "compiler/lsp/completion_context.h"

namespace kstate::lsp {

namespace {

bool IdentFirst(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IdentOther(char c) { return IdentFirst(c) || (c >= '0' && c <= '9') || c == '-'; }
bool Digit(char c) { return c >= '0' && c <= '9'; }

// Tokens after which a line break does not end the statement.
bool Continues(std::string_view last) {
  return last == "=" || last == ":" || last == "," || last == "+" || last == "-" || last == "*" || last == "/" ||
         last == ".." || last == "and" || last == "or" || last == "not" || last == "." || last == "then" ||
         last == "else" || last == "if" || last == "at";
}

class Scanner {
 public:
  Scanner(std::string_view text, uint32_t end) : s_(text.substr(0, end)) {}

  CompletionContext Run() {
    Code(false);
    return std::move(ctx_);
  }

 private:
  bool AtBlockLevel() const { return ctx_.frames.empty() || ctx_.frames.back().open == '{'; }

  // Scans code until the end, or (inside an interpolation) its closing brace.
  // Returns false when the end of the text was reached.
  bool Code(bool interpolation) {
    size_t depth = ctx_.frames.size();
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '\n') {
        ++pos_;
        if (AtBlockLevel() && (ctx_.statement.empty() || !Continues(ctx_.statement.back()))) ctx_.statement.clear();
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
        continue;
      }
      if (s_.substr(pos_, 2) == "//") {
        size_t nl = s_.find('\n', pos_);
        pos_ = nl == std::string_view::npos ? s_.size() : nl;
        continue;
      }
      if (s_.substr(pos_, 2) == "/*") {
        size_t close = s_.find("*/", pos_ + 2);
        pos_ = close == std::string_view::npos ? s_.size() : close + 2;
        continue;
      }
      if (c == '"') {
        if (!String()) return false;
        continue;
      }
      if (IdentFirst(c) || Digit(c)) {
        size_t start = pos_;
        while (pos_ < s_.size() && (IdentOther(s_[pos_]) || (s_[pos_] == '.' && Digit(c) && pos_ + 1 < s_.size() &&
                                                              Digit(s_[pos_ + 1])))) {
          ++pos_;
        }
        std::string_view tok = s_.substr(start, pos_ - start);
        if (pos_ == s_.size()) {
          ctx_.word = tok;
          ctx_.word_begin = static_cast<uint32_t>(start);
          return false;
        }
        ctx_.statement.push_back(tok);
        continue;
      }
      ++pos_;
      switch (c) {
        case '{':
        case '(':
        case '[':
          ctx_.frames.push_back({c, ctx_.statement});
          ctx_.statement.clear();
          break;
        case '}':
          if (interpolation && ctx_.frames.size() == depth) return true;
          [[fallthrough]];
        case ')':
        case ']':
          if (ctx_.frames.size() > depth) {
            ctx_.statement = std::move(ctx_.frames.back().head);
            ctx_.frames.pop_back();
            ctx_.statement.push_back(s_.substr(pos_ - 1, 1));
          }
          break;
        case ';':
          if (AtBlockLevel()) ctx_.statement.clear();
          break;
        case '.':
          if (pos_ < s_.size() && s_[pos_] == '.') {
            ++pos_;
            ctx_.statement.push_back("..");
          } else {
            ctx_.statement.push_back(".");
          }
          break;
        default:
          ctx_.statement.push_back(s_.substr(pos_ - 1, 1));
          break;
      }
    }
    return false;
  }

  // Scans a string or block string from its opening quote; false when the
  // end of the text comes first (the cursor is inside it).
  bool String() {
    bool block = s_.substr(pos_, 3) == "\"\"\"";
    pos_ += block ? 3 : 1;
    uint32_t content = static_cast<uint32_t>(pos_);
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '\\') {
        pos_ += 2;
        continue;
      }
      if (s_.substr(pos_, 2) == "${") {
        pos_ += 2;
        // Past kMaxNesting interpolations in strings (which the parser
        // refuses long before) the scan gives up instead of recursing on.
        if (nesting_ >= kMaxNesting) {
          pos_ = s_.size();
          return false;
        }
        std::vector<std::string_view> saved = std::move(ctx_.statement);
        ctx_.statement.clear();
        ++nesting_;
        bool closed = Code(true);
        --nesting_;
        if (!closed) return false;
        ctx_.statement = std::move(saved);
        continue;
      }
      if (block ? s_.substr(pos_, 3) == "\"\"\"" : c == '"') {
        pos_ += block ? 3 : 1;
        ctx_.statement.push_back("\"\"");
        return true;
      }
      if (c == '\n' && !block) break;  // an unclosed one-line string ends at the line
      ++pos_;
    }
    if (pos_ >= s_.size()) {
      ctx_.in_string = true;
      ctx_.string_begin = content;
      return false;
    }
    ctx_.statement.push_back("\"\"");
    return true;
  }

  static constexpr int kMaxNesting = 1000;
  std::string_view s_;
  size_t pos_ = 0;
  int nesting_ = 0;
  CompletionContext ctx_;
};

}  // namespace

CompletionContext ScanContext(std::string_view text, uint32_t offset) {
  if (offset > text.size()) offset = static_cast<uint32_t>(text.size());
  return Scanner(text, offset).Run();
}

}  // namespace kstate::lsp
