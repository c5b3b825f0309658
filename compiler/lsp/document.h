// One open document: its text as the editor has it, and what the server has
// worked out about it (the latest compilation and syntax index, and the last
// ones without errors, which keep hover and symbols alive in a broken file).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compiler/lsp/index.h"
#include "compiler/lsp/protocol.h"
#include "kstate/compiler.h"

namespace kstate::lsp {

struct Document {
  std::string uri;
  std::string path;  // the file's path for file URIs, else the URI itself
  int64_t version = 0;

  const std::string& text() const { return text_; }
  const LineIndex& lines() const { return *lines_; }
  void SetText(std::string text);
  // Applies one `TextDocumentContentChangeEvent` (a range edit, or the whole
  // text when it has no range); throws RequestError on a malformed change.
  void ApplyChange(const Json& change);

  // The syntax index of the current text, built on first use after a change.
  const Index& CurrentIndex();
  // The index to answer from: the current one when it parsed, else the last
  // one that did (or the current one when none ever did).
  const Index& UsableIndex();

  // The latest compilation of the current text (null until analysed) and the
  // latest one without errors.
  std::shared_ptr<Compilation> compilation;
  std::shared_ptr<Compilation> good_compilation;
  std::string good_text;  // the text good_compilation was compiled from
  bool analysed = false;  // compilation matches the current text
  // What the last check of this document can lend the next one.
  CheckCache check_cache;

 private:
  std::string text_;
  std::unique_ptr<LineIndex> lines_;
  std::shared_ptr<const Index> index_;
  std::shared_ptr<const Index> good_index_;
};

}  // namespace kstate::lsp
