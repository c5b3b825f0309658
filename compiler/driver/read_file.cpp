// Reading a whole source file.
#include "compiler/driver/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace kstate::driver {

namespace {

// Files beyond this size are refused, long before source offsets (32-bit)
// would overflow: the largest real inputs are a few megabytes, and a build
// takes about four times its input in memory.
constexpr size_t kMaxSize = size_t{256} << 20;
constexpr const char* kTooLarge = "the file is larger than 256 MiB";

// Reads `fd` to its end into `out`, at most one byte more than kMaxSize (which
// tells a file that is too large: /dev/zero stops there too). Regular files
// are read in one call of the size fstat gave; pipes and character devices
// grow the buffer as they go.
bool ReadAll(int fd, size_t expected, std::string& out, std::string& error) {
  out.resize(std::min(expected > 0 ? expected + 1 : size_t{64} * 1024, kMaxSize + 1));
  size_t used = 0;
  for (;;) {
    if (used == out.size()) {
      if (out.size() > kMaxSize) break;
      out.resize(std::min(out.size() * 2, kMaxSize + 1));
    }
    ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::strerror(errno);
      return false;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  out.resize(used);
  if (used > kMaxSize) {
    out.clear();
    error = kTooLarge;
    return false;
  }
  return true;
}

bool Read(const std::string& path, bool regular_only, std::string& out, std::string& error) {
  // O_NONBLOCK: opening a named pipe without a writer would wait for one.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (regular_only ? O_NONBLOCK : 0));
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    error = std::strerror(errno);
    ::close(fd);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    error = "it is a directory";
    return false;
  }
  if (regular_only && !S_ISREG(st.st_mode)) {
    ::close(fd);
    error = "it is not a regular file (a named pipe, a socket or a device)";
    return false;
  }
  size_t expected = S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) : 0;
  if (expected > kMaxSize) {
    ::close(fd);
    error = kTooLarge;
    return false;
  }
  bool ok = ReadAll(fd, expected, out, error);
  ::close(fd);
  return ok;
}

}  // namespace

bool ReadFd(int fd, std::string& out, std::string& error) { return ReadAll(fd, 0, out, error); }

bool ReadFile(const std::string& path, std::string& out, std::string& error) { return Read(path, false, out, error); }

bool ReadRegularFile(const std::string& path, std::string& out, std::string& error) {
  return Read(path, true, out, error);
}

}  // namespace kstate::driver
