// The repository's .kstate files (examples and golden inputs) for tests that
// run over all of them, read once and sorted by path.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

namespace kstate::testing {

struct KstateFile {
  std::string rel;             // path relative to the repository, as shown in diagnostics
  std::filesystem::path abs;   // where it is on disk
  std::string text;
};

// Every *.kstate below the given folders of the repository (KSTATE_SOURCE_DIR).
inline std::vector<KstateFile> LoadKstateFiles(std::initializer_list<const char*> dirs) {
  namespace fs = std::filesystem;
  std::vector<KstateFile> files;
  const fs::path root = KSTATE_SOURCE_DIR;
  for (const char* dir : dirs) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root / dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (!it->is_regular_file(ec) || it->path().extension() != ".kstate") continue;
      std::ifstream in(it->path(), std::ios::binary);
      if (!in) continue;
      std::ostringstream text;
      text << in.rdbuf();
      files.push_back({fs::relative(it->path(), root, ec).generic_string(), it->path(), text.str()});
    }
  }
  std::sort(files.begin(), files.end(), [](const KstateFile& a, const KstateFile& b) { return a.rel < b.rel; });
  return files;
}

}  // namespace kstate::testing
