// Laying out the bracket tree as lines: statements one a line, brackets on
// one line or one element a line as the source had them, `=` aligned.
#pragma once

#include "compiler/format/lines.h"
#include "compiler/format/tree.h"

namespace kstate::format {

// Lays out the file `root` (from BuildTree) into `out`.
void LayOut(const Node& root, Lines& out);

}  // namespace kstate::format
