// Finds peer lists typed by hand: literal text or lists that name the pods
// of a component by ordinal (`db-0.db`, `db-1.db`, ...). They go stale the
// day `replicas` changes, so the checker warns and suggests computing them.
#pragma once

#include <string_view>

#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/ast.h"

namespace kstate::check {

void CheckHandWrittenPeers(const syntax::Block& body, std::string_view component, diag::Diagnostics& diags);

}  // namespace kstate::check
