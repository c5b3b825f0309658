// Compiling an open document and turning its diagnostics into LSP ones.
#pragma once

#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/lsp/document.h"
#include "compiler/lsp/protocol.h"

namespace kstate::lsp {

// Compiles `doc` as the entry file; `unsaved` stands in for files on disk
// (the other open documents); `root` confines relative imports.
void Analyze(Document& doc, std::vector<Source> unsaved, const std::string& root);

// `textDocument/publishDiagnostics` parameters for the latest analysis.
// Diagnostics located in another file (an import, a standard library
// template) are shown where this document leads to them: at the instance
// or import they come through.
Json PublishParams(Document& doc);

// A compiler diagnostic of the document with its LSP form, for code actions.
struct LocatedDiagnostic {
  const diag::Diagnostic* diagnostic;
  Json lsp;
};
std::vector<LocatedDiagnostic> DocumentDiagnostics(Document& doc);

// The LSP range of a compiler range in file `file` of the document's compilation.
Range ToRange(const Document& doc, base::SourceRange r);

}  // namespace kstate::lsp
