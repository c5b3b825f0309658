// Diagnostic coverage: every code registered in compiler/diag/kinds.def must be
// shown by a golden test (`[KSnnnn]` in some tests/golden/**/fail_*.stderr), or
// by a test in this file for the few codes no `.kstate` input can trigger.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "kstate/compiler.h"

namespace {

namespace fs = std::filesystem;

const fs::path kRoot = KSTATE_SOURCE_DIR;

// Codes that the golden runner cannot show: it runs `kstatec check NAME.kstate
// --error-limit 0` on a file that exists, and `check` writes nothing. Each is
// tested below instead.
const std::map<std::string, std::string> kTestedHere = {
    {"KS4001", "cannot read a file: the runner only passes files that exist (TEST_CASE \"KS4001 ...\")"},
    {"KS4002", "cannot write: `check` writes no output; `build -o` is exercised below (TEST_CASE \"KS4002 ...\")"},
    {"KS4003", "error limit: the runner passes `--error-limit 0` (TEST_CASE \"KS4003 ...\")"},
};

// Codes that are registered but that no compiler source reports yet, so no
// input can show them. The test below fails as soon as one of them appears in
// the compiler: then write its golden test and remove it from this list.
// Registered codes that nothing reports yet, with the reason. Keep it empty:
// a code is added to kinds.def together with the code that reports it.
const std::map<std::string, std::string> kNotReportedYet = {};

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Registered {
  std::string name;
  std::string code;
};

// The `KSTATE_DIAG(Name, "KSnnnn", ...)` lines of kinds.def, in order.
std::vector<Registered> ReadRegistry() {
  static const std::regex kLine(R"(^\s*KSTATE_DIAG\(\s*(\w+)\s*,\s*"(KS\d{4})\")");
  std::vector<Registered> out;
  std::istringstream in(ReadAll(kRoot / "compiler/diag/kinds.def"));
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, kLine)) out.push_back({m[1], m[2]});
  }
  return out;
}

std::vector<fs::path> GoldenFiles(std::string_view prefix, std::string_view extension) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::recursive_directory_iterator(kRoot / "tests/golden")) {
    if (!entry.is_regular_file()) continue;
    std::string name = entry.path().filename().string();
    if (name.starts_with(prefix) && entry.path().extension() == extension) out.push_back(entry.path());
  }
  return out;
}

// Every `[KSnnnn]` in the expected diagnostics of fail_ tests, with one file that shows it.
std::map<std::string, fs::path> CodesInGoldens() {
  static const std::regex kCode(R"(\[(KS\d{4})\])");
  std::map<std::string, fs::path> out;
  for (const fs::path& path : GoldenFiles("fail_", ".stderr")) {
    std::string text = ReadAll(path);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), kCode); it != std::sregex_iterator(); ++it) {
      out.emplace((*it)[1], path);
    }
  }
  return out;
}

bool HasCode(const kstate::Compilation& c, std::string_view code) {
  for (const kstate::Diagnostic& d : c.diagnostics()) {
    if (d.code == code) return true;
  }
  return false;
}

size_t Count(std::string_view text, std::string_view word) {
  size_t n = 0;
  for (size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + word.size())) ++n;
  return n;
}

// A fresh scratch directory for one test case (ctest runs test cases in parallel).
fs::path ScratchDir(std::string_view test) {
  fs::path dir = fs::temp_directory_path() / ("kstate-diag-coverage-" + std::string(test) + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// kstatec sits at the top of the build tree; this binary is in <build>/tests/unit.
fs::path KstatecPath() {
  if (const char* env = std::getenv("KSTATEC"); env && *env) return env;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return self.parent_path().parent_path().parent_path() / "kstatec";
}

}  // namespace

TEST_CASE("kinds.def parses into the registry the compiler uses", "[diag][coverage]") {
  std::vector<Registered> registered = ReadRegistry();
  std::vector<kstate::diag::Kind> kinds = kstate::diag::AllKinds();
  REQUIRE(registered.size() == kinds.size());
  std::set<std::string> seen;
  for (size_t i = 0; i < kinds.size(); ++i) {
    const kstate::diag::KindInfo& info = kstate::diag::Info(kinds[i]);
    INFO("entry " << i << " of kinds.def: " << registered[i].name << " " << registered[i].code);
    CHECK(registered[i].name == info.name);
    CHECK(registered[i].code == info.code);
    CHECK(seen.insert(registered[i].code).second);  // codes are never reused
  }
}

TEST_CASE("every diagnostic code has a test", "[diag][coverage]") {
  std::map<std::string, fs::path> shown = CodesInGoldens();
  std::vector<Registered> registered = ReadRegistry();
  REQUIRE_FALSE(registered.empty());
  for (const Registered& r : registered) {
    if (shown.count(r.code) || kTestedHere.count(r.code) || kNotReportedYet.count(r.code)) continue;
    std::string lower = r.code;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    FAIL_CHECK(r.code << " (" << r.name << ") has no test: no tests/golden/**/fail_*.stderr shows `[" << r.code
                      << "]`; add tests/golden/diagnostics/fail_" << lower << "_<what>.kstate and generate its "
                      << ".stderr with KSTATEC_UPDATE_GOLDEN=1");
  }
}

TEST_CASE("the exception lists stay honest", "[diag][coverage]") {
  std::set<std::string> codes;
  std::map<std::string, std::string> names;
  for (const Registered& r : ReadRegistry()) {
    codes.insert(r.code);
    names[r.code] = r.name;
  }
  for (const auto& [code, why] : kTestedHere) {
    INFO(code << ": " << why);
    CHECK(codes.count(code) == 1);
  }
  // A code on the not-reported list must really be unreported, and untested.
  std::map<std::string, fs::path> shown = CodesInGoldens();
  std::string sources;
  for (const auto& entry : fs::recursive_directory_iterator(kRoot / "compiler")) {
    std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".cpp" || ext == ".h")) sources += ReadAll(entry.path());
  }
  for (const auto& [code, why] : kNotReportedYet) {
    INFO(code << ": " << why);
    REQUIRE(codes.count(code) == 1);
    if (std::regex_search(sources, std::regex("\\b" + names[code] + "\\b"))) {
      FAIL_CHECK(code << " (" << names[code] << ") is named in compiler/ now: write its golden test and remove it "
                      << "from kNotReportedYet");
    }
    if (shown.count(code)) {
      FAIL_CHECK(code << " has a golden test now (" << shown[code].string() << "): remove it from kNotReportedYet");
    }
  }
}

TEST_CASE("every code in a golden file is registered", "[diag][coverage]") {
  std::set<std::string> codes;
  for (const Registered& r : ReadRegistry()) codes.insert(r.code);
  for (const auto& [code, path] : CodesInGoldens()) {
    INFO(path.string() << " shows " << code << ", which kinds.def does not register");
    CHECK(codes.count(code) == 1);
  }
}

TEST_CASE("every fail_ input has its expected diagnostics", "[diag][coverage]") {
  std::vector<fs::path> inputs = GoldenFiles("fail_", ".kstate");
  REQUIRE_FALSE(inputs.empty());
  for (const fs::path& input : inputs) {
    fs::path expected = fs::path(input).replace_extension(".stderr");
    INFO(input.string() << " needs " << expected.filename().string()
                        << "; generate it with KSTATEC_UPDATE_GOLDEN=1 tests/golden/run_golden.py");
    CHECK(fs::is_regular_file(expected));
    if (fs::is_regular_file(expected)) CHECK_FALSE(ReadAll(expected).empty());
  }
}

TEST_CASE("KS4001 an unreadable input file", "[diag][coverage][KS4001]") {
  fs::path dir = ScratchDir("ks4001");
  std::string missing = (dir / "missing.kstate").string();
  kstate::Compilation c = kstate::Compilation::FromFiles({missing});
  CHECK_FALSE(c.ok());
  CHECK(c.error_count() == 1);
  REQUIRE(HasCode(c, "KS4001"));
  kstate::Diagnostic d = c.diagnostics().front();
  CHECK(d.severity == "error");
  CHECK(d.file.empty());  // no location: the file has no text to point into
  CHECK(d.message.find(missing) != std::string::npos);
  std::string text = c.DiagnosticsText({false, 0});
  CHECK(text.find("kstatec: error: cannot read `" + missing + "`") != std::string::npos);
  CHECK(text.find("[KS4001]") != std::string::npos);
  CHECK(c.object_count() == 0);
  fs::remove_all(dir);
}

TEST_CASE("KS4003 the error limit", "[diag][coverage][KS4003]") {
  kstate::Compilation c = kstate::Compilation::FromSources({{"limit.kstate",
                                                             "component db {\n"
                                                             "  image = \"mariadb:11.4\"\n"
                                                             "  replica = 3\n"
                                                             "  ordring = parallel\n"
                                                             "  updte = onDelete\n"
                                                             "}\n"}});
  REQUIRE(c.error_count() == 3);
  std::string limited = c.DiagnosticsText({false, 1});
  CHECK(Count(limited, "[KS2001]") == 1);
  CHECK(limited.find("kstatec: error: too many errors (1 shown); stopping (raise the limit with `--error-limit`) [KS4003]") !=
        std::string::npos);
  // The limit stops the output; it is not a diagnostic of its own.
  CHECK_FALSE(HasCode(c, "KS4003"));
  std::string all = c.DiagnosticsText({false, 0});
  CHECK(Count(all, "[KS2001]") == 3);
  CHECK(all.find("[KS4003]") == std::string::npos);
  std::string exact = c.DiagnosticsText({false, 3});
  CHECK(exact.find("[KS4003]") == std::string::npos);
}

// kstatec prints KS4002 itself (the library never writes files), so this runs
// the binary: `build -o` into a path below a regular file cannot succeed.
TEST_CASE("KS4002 an output directory that cannot be created", "[diag][coverage][KS4002]") {
  fs::path kstatec = KstatecPath();
  INFO("kstatec binary: " << kstatec.string() << " (set KSTATEC to override)");
  REQUIRE(fs::is_regular_file(kstatec));
  fs::path dir = ScratchDir("ks4002");
  std::ofstream(dir / "db.kstate") << "component db {\n"
                                      "  image = \"mariadb:11.4\"\n"
                                      "  port mysql = 3306\n"
                                      "  readiness = tcp(mysql)\n"
                                      "  resources { cpu = 500m; memory = 1Gi }\n"
                                      "}\n";
  std::ofstream(dir / "not-a-directory") << "x";
  fs::path err = dir / "stderr.txt";
  std::string cmd = "'" + kstatec.string() + "' build '" + (dir / "db.kstate").string() + "' --color never -o '" +
                    (dir / "not-a-directory" / "out").string() + "' 2>'" + err.string() + "' >/dev/null";
  int status = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  std::string text = ReadAll(err);
  INFO("stderr: " << text);
  CHECK(text.find("kstatec: error: ") == 0);
  CHECK(text.find("[KS4002]") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "not-a-directory" / "out"));
  fs::remove_all(dir);
}
