// Reading a whole source file.
#include "compiler/driver/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace kstate::driver {

namespace {

// Files beyond this size are refused: source offsets are 32-bit.
constexpr size_t kMaxSize = UINT32_MAX / 2;

// Reads `fd` to its end into `out`, which already holds what was read.
// Regular files are read in one call of the size fstat gave; pipes and
// character devices grow the buffer as they go.
bool ReadAll(int fd, size_t expected, std::string& out, std::string& error) {
  out.resize(expected > 0 ? expected + 1 : 64 * 1024);
  size_t used = 0;
  for (;;) {
    if (used == out.size()) {
      if (out.size() > kMaxSize) break;
      out.resize(out.size() * 2);
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
    error = "the file is larger than 2 GiB";
    return false;
  }
  return true;
}

}  // namespace

bool ReadFile(const std::string& path, std::string& out, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
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
  size_t expected = S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) : 0;
  if (expected > kMaxSize) {
    ::close(fd);
    error = "the file is larger than 2 GiB";
    return false;
  }
  bool ok = ReadAll(fd, expected, out, error);
  ::close(fd);
  return ok;
}

}  // namespace kstate::driver
