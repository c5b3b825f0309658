// Moving a checked component's source ranges, so that a component checked in
// an earlier version of a file can be reused after an edit elsewhere in it
// (the language server re-checks only what an edit can affect).
#pragma once

#include <functional>

#include "compiler/check/model.h"

namespace kstate::check {

// Maps one range in place; false when it cannot be mapped.
using RangeMap = std::function<bool(SourceRange&)>;

// Applies `map` to every source range in `c` (values included); false as soon
// as one cannot be mapped (`c` is then partly mapped and must be dropped).
bool MapRanges(Component& c, const RangeMap& map);
bool MapRanges(Value& v, const RangeMap& map);

}  // namespace kstate::check
