// Atomic output of build results.
#include "output.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

#include "compiler/base/text.h"

namespace kstate::cli {

namespace fs = std::filesystem;

bool WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool WriteStdout(std::string_view text) {
  return std::fwrite(text.data(), 1, text.size(), stdout) == text.size() && std::fflush(stdout) == 0;
}

std::optional<WriteError> WriteObjectFiles(const Compilation& c, const std::string& dir, bool json) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return WriteError{dir, "cannot create the directory: " + ec.message()};
  // Write everything under temporary names first, then rename: a failure
  // while writing leaves the directory as it was. The temporary names are
  // new files of unpredictable names (mkstemp: O_CREAT | O_EXCL), so nothing
  // already in the directory, a symbolic link planted there included, is
  // written through or removed.
  std::vector<std::pair<fs::path, fs::path>> written;
  auto cleanup = [&]() {
    for (auto& [tmp, final_path] : written) fs::remove(tmp, ec);
  };
  mode_t mask = ::umask(0);
  ::umask(mask);
  // Objects are lowered and written one component at a time, so a build of
  // thousands of components holds one component's objects, not all of them.
  std::optional<WriteError> error;
  c.ForEachObjectText(json, [&](size_t i, size_t count, const ObjectInfo& o, std::string_view body) {
    size_t width = std::max<size_t>(fmt::formatted_size("{}", count), 2);
    std::string base = fmt::format("{:0{}}-{}{}-{}.{}", i + 1, width,
                                   o.namespace_name.empty() ? "" : o.namespace_name + "-", base::AsciiLower(o.kind), o.name,
                                   json ? "json" : "yaml");
    fs::path final_path = fs::path(dir) / base;
    std::string tmp = (fs::path(dir) / ("." + base + ".XXXXXX")).string();
    int fd = ::mkstemp(tmp.data());
    if (fd < 0) {
      error = WriteError{final_path.string(), std::strerror(errno)};
      return false;
    }
    bool ok = WriteAll(fd, body) && ::fchmod(fd, 0666 & ~mask) == 0;
    int saved = errno;
    if (::close(fd) != 0 && ok) {
      ok = false;
      saved = errno;
    }
    if (!ok) {
      fs::remove(tmp, ec);
      error = WriteError{final_path.string(), std::strerror(saved)};
      return false;
    }
    written.emplace_back(tmp, final_path);
    return true;
  });
  if (error) {
    cleanup();
    return error;
  }
  for (auto& [tmp, final_path] : written) {
    fs::rename(tmp, final_path, ec);
    if (ec) {
      WriteError failed{final_path.string(), ec.message()};
      cleanup();
      return failed;
    }
  }
  return std::nullopt;
}

}  // namespace kstate::cli
