// Reading a whole source file, for entry files and imports alike.
#pragma once

#include <string>

namespace kstate::driver {

// Reads `path` into `out`; on failure, says why in `error` (a directory, an
// operating system error, or a file larger than 256 MiB).
bool ReadFile(const std::string& path, std::string& out, std::string& error);
// The same for an open descriptor (standard input), read to its end.
bool ReadFd(int fd, std::string& out, std::string& error);

}  // namespace kstate::driver
