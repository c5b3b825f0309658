// Renders diagnostics for people (file:line:col, source line, caret, help,
// notes; colour on a terminal) and for tools (JSON, one array).
#pragma once

#include <string>

#include "compiler/base/source.h"
#include "compiler/diag/diagnostic.h"

namespace kstate::diag {

struct RenderOptions {
  bool color = false;
  size_t error_limit = 0;  // 0: no limit
};

std::string RenderText(const Diagnostics& diags, const base::SourceManager& sources, const RenderOptions& options);
std::string RenderJson(const Diagnostics& diags, const base::SourceManager& sources);

}  // namespace kstate::diag
