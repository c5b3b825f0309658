// The standard library (stdlib/std/**.kstate), embedded in the binary at
// build time so that `import "std/..."` needs no files at run time.
#pragma once

#include <span>
#include <string_view>

namespace kstate::driver {

struct StdlibFile {
  std::string_view path;  // as imported, with the extension: "std/db/mariadb.kstate"
  std::string_view text;
};

// Every embedded file, sorted by path.
std::span<const StdlibFile> StdlibFiles();

}  // namespace kstate::driver
