// Parsing: one source file in, one syntax tree out. A syntax error stops the
// parse with exactly one diagnostic; lexical problems that do not derail the
// parse (a bad number, a bad escape) are reported and parsing goes on.
#pragma once

#include <memory>

#include "compiler/base/source.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/ast.h"

namespace kstate::syntax {

std::unique_ptr<File> Parse(const base::SourceManager& sources, uint32_t file_id, diag::Diagnostics& diags);

}  // namespace kstate::syntax
