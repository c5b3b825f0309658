// Import confinement on a real file system: a symbolic link inside the
// project root that points outside it is refused (KS2028) like `../`, and
// `--root` (BuildOptions::root) widens the root. Golden tests cannot hold
// symbolic links portably, so these build their tree in a temporary
// directory.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "kstate/compiler.h"

namespace {

namespace fs = std::filesystem;

constexpr const char* kTemplate = R"(template tiny() {
  image = "busybox:1.36"
  readiness = exec(["true"])
  resources { cpu = 10m; memory = 16Mi }
}
)";

// A fresh directory tree: project/app.kstate, outside/lib.kstate, and a
// link project/linked -> ../outside.
struct Tree {
  fs::path root;
  Tree() {
    root = fs::temp_directory_path() / ("kstate-import-root-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "project");
    fs::create_directories(root / "outside");
    Write(root / "outside" / "lib.kstate", kTemplate);
    fs::create_directory_symlink(root / "outside", root / "project" / "linked");
  }
  ~Tree() { fs::remove_all(root); }
  static void Write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
};

std::vector<std::string> Codes(const kstate::Compilation& c) {
  std::vector<std::string> out;
  for (const kstate::Diagnostic& d : c.diagnostics()) out.push_back(d.code);
  return out;
}

}  // namespace

TEST_CASE("imports: a symbolic link out of the project root is refused", "[imports]") {
  Tree t;
  fs::path app = t.root / "project" / "app.kstate";
  Tree::Write(app, "import \"./linked/lib.kstate\"\ncomponent a : tiny()\n");
  kstate::Compilation c = kstate::Compilation::FromFiles({app.string()});
  CHECK_FALSE(c.ok());
  CHECK(Codes(c) == std::vector<std::string>{"KS2028"});
}

TEST_CASE("imports: `../` out of the project root is refused", "[imports]") {
  Tree t;
  fs::path app = t.root / "project" / "app.kstate";
  Tree::Write(app, "import \"../outside/lib.kstate\"\ncomponent a : tiny()\n");
  kstate::Compilation c = kstate::Compilation::FromFiles({app.string()});
  CHECK(Codes(c) == std::vector<std::string>{"KS2028"});
}

TEST_CASE("imports: a wider root admits both paths", "[imports]") {
  Tree t;
  fs::path app = t.root / "project" / "app.kstate";
  Tree::Write(app, "import \"./linked/lib.kstate\"\nimport \"../outside/lib.kstate\" as lib\n"
                   "component a : tiny()\ncomponent b : lib.tiny()\n");
  kstate::Compilation c = kstate::Compilation::FromFiles({app.string()}, {t.root.string()});
  INFO(c.DiagnosticsText({}));
  CHECK(c.ok());
  // One file reached by two paths is one file: its template is declared once.
  CHECK(c.object_count() == 4);
}
