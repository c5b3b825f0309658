// Source files and ranges: every AST node, diagnostic and manifest node points
// back into a SourceFile through a SourceRange of byte offsets.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kstate::base {

// A half-open byte range [begin, end) inside one file. file == kNoFile means
// "no location" (for example an object field that a default produced).
struct SourceRange {
  static constexpr uint32_t kNoFile = UINT32_MAX;
  uint32_t file = kNoFile;
  uint32_t begin = 0;
  uint32_t end = 0;

  bool valid() const { return file != kNoFile; }
  friend bool operator==(const SourceRange&, const SourceRange&) = default;
};

// A 1-based line and column; the column counts bytes.
struct LineCol {
  uint32_t line = 1;
  uint32_t column = 1;
};

// One file's text, with a line table built on first use.
class SourceFile {
 public:
  SourceFile(std::string path, std::string text);
  const std::string& path() const { return path_; }
  std::string_view text() const { return text_; }
  LineCol Position(uint32_t offset) const;
  // The text of 1-based line `line`, without its line break.
  std::string_view Line(uint32_t line) const;
  uint32_t LineStart(uint32_t line) const;

 private:
  void BuildLines() const;
  std::string path_;
  std::string text_;
  mutable std::vector<uint32_t> line_starts_;
};

// Owns every file of one compilation; ids are stable indexes.
class SourceManager {
 public:
  uint32_t Add(std::string path, std::string text);
  const SourceFile& file(uint32_t id) const { return *files_[id]; }
  size_t size() const { return files_.size(); }

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

}  // namespace kstate::base
