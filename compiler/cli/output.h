// Writing results: to stdout in one piece, or one file per object into a
// directory, each written to a temporary name and renamed into place.
#pragma once

#include <string>

#include "kstate/compiler.h"

namespace kstate::cli {

// Writes all of `data` to stdout; false on a write error.
bool WriteStdout(const std::string& data);

// Writes one file per object into `dir` (created when missing). Returns an
// empty string on success, else what failed; on failure no file is left half-written.
std::string WriteObjectFiles(const Compilation& c, const std::string& dir, bool json);

}  // namespace kstate::cli
