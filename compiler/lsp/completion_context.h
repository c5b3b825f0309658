// Where the cursor is, for completion: a tolerant scan of the text before it
// (the file is usually mid-edit and does not parse) that tracks open
// brackets, the words of the current statement and the word being typed.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace kstate::lsp {

struct CompletionContext {
  struct Frame {
    char open;                            // '{', '(' or '['
    std::vector<std::string_view> head;   // the statement's tokens before the bracket
  };
  std::vector<Frame> frames;              // outermost first
  std::vector<std::string_view> statement;  // the current statement's tokens before the word being typed
  std::string_view word;                  // the identifier or number being typed (may be empty)
  uint32_t word_begin = 0;
  bool in_string = false;                 // inside a string literal (not in an interpolation)
  uint32_t string_begin = 0;              // the first byte after the opening quote
};

// Scans `text` up to `offset`.
CompletionContext ScanContext(std::string_view text, uint32_t offset);

}  // namespace kstate::lsp
