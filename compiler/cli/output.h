// Writing results as one file per object into a directory, each written to a
// temporary name and renamed into place.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kstate/compiler.h"

namespace kstate::cli {

// What could not be written, and why.
struct WriteError {
  std::string path;
  std::string reason;
};

// Writes one file per object into `dir` (created when missing), then removes
// the files the last build listed in `dir`/.kstatec-files that this one did
// not write again, and lists its own. Returns nothing on success; on failure
// no file is left half-written.
std::optional<WriteError> WriteObjectFiles(const Compilation& c, const std::string& dir, bool json);

// Writes all of `text` to `fd`, retrying short writes; false with errno set.
bool WriteAll(int fd, std::string_view text);
// Writes `text` to standard output and flushes it; false with errno set.
bool WriteStdout(std::string_view text);

}  // namespace kstate::cli
