// Reading a whole source file, for entry files and imports alike.
#pragma once

#include <string>

namespace kstate::driver {

// Reads `path` into `out`; on failure, says why in `error` (a directory, an
// operating system error, or a file larger than 256 MiB).
bool ReadFile(const std::string& path, std::string& out, std::string& error);
// ReadFile for a file that must be a regular file (an import): a named pipe
// or a device is refused without being waited on.
bool ReadRegularFile(const std::string& path, std::string& out, std::string& error);
// The same for an open descriptor (standard input), read to its end.
bool ReadFd(int fd, std::string& out, std::string& error);

}  // namespace kstate::driver
