// A unified diff of two texts, line by line, for `kstatec fmt --diff`.
#pragma once

#include <string>
#include <string_view>

namespace kstate::cli {

// The unified diff (3 lines of context) that turns `before` into `after`,
// with `---`/`+++` headers naming them; empty when the texts are equal.
std::string UnifiedDiff(std::string_view before_name, std::string_view before, std::string_view after_name,
                        std::string_view after);

}  // namespace kstate::cli
