// The state behind kstate::CheckCache: the components of the last build of an
// entry file, with their diagnostics, keyed by their text and everything
// before them that they can see.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/check/model.h"
#include "compiler/diag/diagnostic.h"
#include "kstate/compiler.h"

namespace kstate {

struct CheckCache::Impl {
  struct Entry {
    std::string text;          // the declaration's text, to rule out hash collisions
    base::SourceRange range;   // where the declaration was: an identical one elsewhere is not it
    bool has_component = false;
    check::Component component;
    std::vector<diag::Diagnostic> diags;
  };
  // The entry file's text at the last build; ranges in entries point into it.
  std::string text;
  bool valid = false;
  std::unordered_map<uint64_t, Entry> entries;
  // Filled during a build; replaces `entries` when it ends.
  std::unordered_map<uint64_t, Entry> next;
  std::size_t reused = 0, checked = 0;

  // Maps a range of the entry file from the last build's text to the current
  // one, given the single edited span between them; false when it lies in
  // the edited span.
  struct Shift {
    uint32_t prefix = 0;       // bytes equal at the start
    uint32_t old_suffix = 0;   // where the equal end begins in the old text
    int64_t delta = 0;         // new length - old length
  };
  static Shift Diff(std::string_view old_text, std::string_view new_text);
};

}  // namespace kstate
