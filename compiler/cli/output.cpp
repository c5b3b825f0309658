// Atomic output of build results.
#include "output.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <variant>
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

namespace {

// The names of the files the last `build -o DIR` wrote, one per line, kept in
// DIR: the next build removes those it does not write again, so that a
// component removed or moved in apply order leaves no stale object behind
// for `kubectl apply -f DIR`. Without an extension kubectl reads, it is
// never taken for a manifest.
constexpr std::string_view kWrittenList = ".kstatec-files";
// A list larger than this was not written by kstatec; it is ignored.
constexpr std::uintmax_t kMaxWrittenList = 64u << 20;

// Whether `name` is one that `build -o` writes: a plain file name
// `NN-...yaml` or `NN-...json`. Only such names in the list are removed.
bool IsObjectFileName(std::string_view name) {
  size_t digits = 0;
  while (digits < name.size() && name[digits] >= '0' && name[digits] <= '9') ++digits;
  if (digits < 2 || digits >= name.size() || name[digits] != '-') return false;
  if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos) return false;
  return name.ends_with(".yaml") || name.ends_with(".json");
}

// Writes `body` to a new file of an unpredictable name beside `final_path`
// (mkstemp: O_CREAT | O_EXCL, so nothing already there, a symbolic link
// planted there included, is written through) with the permissions the umask
// allows. Returns the temporary path, or the error.
std::variant<fs::path, WriteError> WriteTemporary(const fs::path& final_path, std::string_view body, mode_t mask) {
  std::string tmp = (final_path.parent_path() / ("." + final_path.filename().string() + ".XXXXXX")).string();
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return WriteError{final_path.string(), std::strerror(errno)};
  bool ok = WriteAll(fd, body) && ::fchmod(fd, 0666 & ~mask) == 0;
  int error = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    error = errno;
  }
  if (!ok) {
    std::error_code ec;
    fs::remove(tmp, ec);
    return WriteError{final_path.string(), std::strerror(error)};
  }
  return fs::path(tmp);
}

// The names the last build listed in `list`; none when there is no list, or
// when it is not a regular file of a sane size (a FIFO is never opened).
std::vector<std::string> ReadWrittenList(const fs::path& list) {
  std::error_code ec;
  fs::file_status st = fs::symlink_status(list, ec);
  if (ec || !fs::is_regular_file(st) || fs::file_size(list, ec) > kMaxWrittenList || ec) return {};
  std::ifstream in(list);
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    if (IsObjectFileName(line)) names.push_back(std::move(line));
  }
  return names;
}

}  // namespace

std::optional<WriteError> WriteObjectFiles(const Compilation& c, const std::string& dir, bool json) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return WriteError{dir, "cannot create the directory: " + ec.message()};
  // Write everything under temporary names first, then rename: a failure
  // while writing leaves the directory as it was. Only the temporary names
  // are kept (`.NAME.XXXXXX` in `dir`; NAME is the final name inside them):
  // thousands of objects make thousands of files.
  const fs::path root(dir);
  std::vector<std::string> written;
  auto final_name = [](std::string_view tmp) { return tmp.substr(1, tmp.size() - 8); };
  auto cleanup = [&]() {
    for (const std::string& tmp : written) fs::remove(root / tmp, ec);
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
    auto tmp = WriteTemporary(root / base, body, mask);
    if (auto* failed = std::get_if<WriteError>(&tmp)) {
      error = std::move(*failed);
      return false;
    }
    written.push_back(std::get<fs::path>(tmp).filename().string());
    return true;
  });
  if (error) {
    cleanup();
    return error;
  }
  for (const std::string& tmp : written) {
    fs::path final_path = root / final_name(tmp);
    fs::rename(root / tmp, final_path, ec);
    if (ec) {
      WriteError failed{final_path.string(), ec.message()};
      cleanup();
      return failed;
    }
  }
  // Remove what the last build wrote and this one did not: only names of the
  // list, only object file names, only regular files. One that cannot be
  // removed stays listed, so the next build tries again.
  std::vector<std::string_view> now;
  now.reserve(written.size());
  for (const std::string& tmp : written) now.push_back(final_name(tmp));
  std::sort(now.begin(), now.end());
  const fs::path list = root / kWrittenList;
  std::vector<std::string> kept;  // listed before, still there
  for (std::string& name : ReadWrittenList(list)) {
    if (std::binary_search(now.begin(), now.end(), name)) continue;  // written again
    fs::path stale = root / name;
    if (!fs::is_regular_file(fs::symlink_status(stale, ec))) continue;  // gone, or not a file kstatec wrote
    if (!fs::remove(stale, ec) && ec) kept.push_back(std::move(name));
  }
  std::vector<std::string_view> listed(now.begin(), now.end());
  listed.insert(listed.end(), kept.begin(), kept.end());
  std::sort(listed.begin(), listed.end());
  listed.erase(std::unique(listed.begin(), listed.end()), listed.end());  // a name listed twice
  std::string text;
  for (std::string_view name : listed) text.append(name).push_back('\n');
  auto tmp = WriteTemporary(list, text, mask);
  if (auto* failed = std::get_if<WriteError>(&tmp)) return std::move(*failed);
  fs::rename(std::get<fs::path>(tmp), list, ec);
  if (ec) {
    WriteError failed{list.string(), ec.message()};
    fs::remove(std::get<fs::path>(tmp), ec);
    return failed;
  }
  return std::nullopt;
}

}  // namespace kstate::cli
