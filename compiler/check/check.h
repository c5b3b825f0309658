// The checker: parsed files in, the typed program out, with every problem
// reported as a diagnostic. The program is complete only without errors.
#pragma once

#include <vector>

#include "compiler/base/source.h"
#include "compiler/check/model.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/ast.h"

namespace kstate::check {

Program Check(const std::vector<const syntax::File*>& files, diag::Diagnostics& diags);

}  // namespace kstate::check
