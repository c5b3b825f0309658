// `kstatec diff` and `kstatec status`: what apply would change, and what is
// running now. Part of `kstatec-cluster`.
#pragma once

#include "apply_command.h"

namespace kstate::cli {

// 0 no change, 1 changes, 2 an error.
int RunDiff(const InspectOptions& options);
// 0 read, 1 an error.
int RunStatus(const InspectOptions& options);

}  // namespace kstate::cli
