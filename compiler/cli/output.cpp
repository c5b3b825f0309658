// Atomic output of build results.
#include "output.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include <fmt/format.h>

namespace kstate::cli {

namespace fs = std::filesystem;

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::optional<WriteError> WriteObjectFiles(const Compilation& c, const std::string& dir, bool json) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return WriteError{dir, "cannot create the directory: " + ec.message()};
  // Write everything under temporary names first, then rename: a failure
  // part-way leaves the directory as it was.
  std::vector<std::pair<fs::path, fs::path>> written;
  auto cleanup = [&]() {
    for (auto& [tmp, final_path] : written) fs::remove(tmp, ec);
  };
  size_t width = fmt::format("{}", c.object_count()).size();
  for (size_t i = 0; i < c.object_count(); ++i) {
    ObjectInfo o = c.object(i);
    std::string base = fmt::format("{:0{}}-{}{}-{}.{}", i + 1, std::max<size_t>(width, 2),
                                   o.namespace_name.empty() ? "" : o.namespace_name + "-", Lower(o.kind), o.name,
                                   json ? "json" : "yaml");
    fs::path final_path = fs::path(dir) / base;
    fs::path tmp = fs::path(dir) / ("." + base + ".tmp");
    std::string body = json ? c.ObjectJson(i) : c.ObjectYaml(i);
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    out.close();
    if (!out) {
      fs::remove(tmp, ec);
      cleanup();
      return WriteError{tmp.string(), std::strerror(errno)};
    }
    written.emplace_back(tmp, final_path);
  }
  for (auto& [tmp, final_path] : written) {
    fs::rename(tmp, final_path, ec);
    if (ec) {
      WriteError error{final_path.string(), ec.message()};
      cleanup();
      return error;
    }
  }
  return std::nullopt;
}

}  // namespace kstate::cli
