// Splitting a group's contents into entries, one a line when the group is
// laid out broken: statements (split at `;` and where a statement ends),
// elements (split at `,`), and comments that stand on their own line.
#pragma once

#include <vector>

#include "compiler/format/tree.h"

namespace kstate::format {

// A statement or element, or (comment_only) comments standing on their own line.
struct Entry {
  std::vector<const Node*> elems;     // its tokens and groups; for comment_only, the comments
  std::vector<const Node*> trailing;  // comments after it on its last line
  bool comment_only = false;
  bool blank_before = false;  // the source had an empty line before it
};

struct Body {
  std::vector<const Node*> open_trailing;  // comments on the line of the opening bracket
  std::vector<Entry> entries;
};

// The entries of `group` (a Block splits into statements, the others at commas).
Body SplitBody(const Node& group);

// Roles whose elements are separated by `,` (and get a trailing comma when broken).
bool HasCommas(Role role);

}  // namespace kstate::format
