// Reading a whole source file, for entry files and imports alike.
#pragma once

#include <string>

namespace kstate::driver {

// Reads `path` into `out`; on failure, says why in `error` (a directory, an
// operating system error, or a file too large for source offsets).
bool ReadFile(const std::string& path, std::string& out, std::string& error);

}  // namespace kstate::driver
