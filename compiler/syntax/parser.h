// Parsing: one source file in, one syntax tree out. A syntax error stops the
// parse with exactly one diagnostic; lexical problems that do not derail the
// parse (a bad number, a bad escape) are reported and parsing goes on.
#pragma once

#include <memory>

#include "compiler/base/source.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/ast.h"

namespace kstate::syntax {

// Parses one top-level declaration at a time, each into its own small tree,
// so a caller that consumes declarations in order never holds the trees of a
// whole large file.
class Parser {
 public:
  Parser(const base::SourceManager& sources, uint32_t file_id, diag::Diagnostics& diags);
  ~Parser();
  // The next declaration's tree (File::decls has one element), or nullptr at
  // the end of the file or after a syntax error.
  std::unique_ptr<File> Next();
  // Hands back a tree from Next that is no longer needed: the next tree is
  // built in its memory. Parsing a file of many declarations then allocates
  // their nodes once instead of for every declaration (null is ignored).
  void Recycle(std::unique_ptr<File> tree);
  // False once a syntax error (or invalid UTF-8) has been reported.
  bool ok() const { return ok_; }

 private:
  struct Input;
  std::unique_ptr<Input> in_;
  std::unique_ptr<File> spare_;  // from Recycle
  diag::Diagnostics& diags_;
  uint32_t file_id_;
  std::string_view text_;
  bool ok_ = true;
  bool done_ = false;
};

}  // namespace kstate::syntax
