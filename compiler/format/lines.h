// The formatter's output buffer: lines with an indentation level, where a
// trailing comment starts, and the final text with trailing comments aligned.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kstate::format {

// One output line. `text` has no indentation; it may hold line breaks inside a
// block string or block comment, which are copied as they are.
struct Line {
  int indent = 0;
  std::string text;
  size_t comment_at = std::string::npos;  // where an alignable trailing comment starts
};

class Lines {
 public:
  // Begins a new line at `indent` levels.
  void Start(int indent) { lines_.push_back(Line{indent, {}, std::string::npos}); }
  // Adds an empty line.
  void Blank() { lines_.emplace_back(); }
  void Write(std::string_view s);
  // Marks that an alignable trailing comment starts here on the current line.
  void MarkComment() { lines_.back().comment_at = lines_.back().text.size(); }
  int indent() const { return lines_.empty() ? 0 : lines_.back().indent; }
  size_t size() const { return lines_.size(); }
  const Line& at(size_t i) const { return lines_[i]; }
  // Inserts `count` spaces into line `i` at byte `offset`.
  void Pad(size_t i, size_t offset, size_t count);
  // The text: two spaces a level, consecutive trailing comments aligned, one "\n" after each line.
  std::string Render();

 private:
  void AlignComments(size_t begin, size_t end);
  std::vector<Line> lines_;
};

// Columns `s` takes: its UTF-8 code points.
size_t Width(std::string_view s);

}  // namespace kstate::format
