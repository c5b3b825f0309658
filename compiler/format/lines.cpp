// Rendering the formatter's lines: indentation, trailing comment columns and
// the one line break at the end of the file.
#include "compiler/format/lines.h"

#include <algorithm>

namespace kstate::format {

namespace {

std::string_view TrimRight(std::string_view s) {
  size_t end = s.find_last_not_of(" \t");
  return s.substr(0, end == std::string_view::npos ? 0 : end + 1);
}

bool Alignable(const Line& l) { return l.comment_at != std::string::npos && l.text.find('\n') == std::string::npos; }

}  // namespace

size_t Width(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

void Lines::Write(std::string_view s) {
  if (lines_.empty()) Start(0);
  lines_.back().text += s;
}

void Lines::Pad(size_t i, size_t offset, size_t count) {
  Line& l = lines_[i];
  l.text.insert(offset, count, ' ');
  if (l.comment_at != std::string::npos && l.comment_at >= offset) l.comment_at += count;
}

// Lines [begin, end) each end in a comment: the comments start in one column.
void Lines::AlignComments(size_t begin, size_t end) {
  size_t column = 0;
  for (size_t i = begin; i < end; ++i) {
    column = std::max(column, Width(TrimRight(std::string_view(lines_[i].text).substr(0, lines_[i].comment_at))));
  }
  for (size_t i = begin; i < end; ++i) {
    Line& l = lines_[i];
    std::string code(TrimRight(std::string_view(l.text).substr(0, l.comment_at)));
    std::string comment = l.text.substr(l.comment_at);
    l.text = code + std::string(column + 1 - Width(code), ' ') + comment;
    l.comment_at = l.text.size() - comment.size();
  }
}

std::string Lines::Render() {
  for (size_t i = 0; i < lines_.size();) {
    size_t j = i;
    while (j < lines_.size() && Alignable(lines_[j]) && lines_[j].indent == lines_[i].indent) ++j;
    if (j - i > 1) AlignComments(i, j);
    i = std::max(j, i + 1);
  }
  std::string out;
  for (const Line& l : lines_) {
    std::string_view text = TrimRight(l.text);
    if (!text.empty()) out.append(static_cast<size_t>(l.indent) * 2, ' ').append(text);
    out += '\n';
  }
  return out;
}

}  // namespace kstate::format
