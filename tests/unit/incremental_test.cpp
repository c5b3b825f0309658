// A build that reuses the checking of unchanged components (CheckCache, as
// the language server does) gives exactly the diagnostics and objects of a
// build from scratch, through random edits of every example and golden input.
#include <random>

#include <catch2/catch.hpp>

#include "kstate/compiler.h"
#include "kstate_files.h"

namespace {

// Edits that move text around, break and fix names, change `let`s and add
// assertions (in a body, or at the top level, where the cache leaves them out).
const char* const kSnippets[] = {"x", " ", "\n", "}", "{", "\"", "1", "0", "Gi", "replicas = 2\n", "let q = 3\n",
                                 "component extra { image = \"a:1\" }\n", "// note\n", "😀",
                                 "assert 1 > 0\n", "assert replicas > 9, \"many\"\n"};

std::string Mutate(std::string text, std::mt19937& rng) {
  std::uniform_int_distribution<size_t> where(0, text.size());
  size_t at = where(rng);
  switch (rng() % 3) {
    case 0: text.insert(at, kSnippets[rng() % std::size(kSnippets)]); break;
    case 1: text.erase(at, std::min<size_t>(1 + rng() % 3, text.size() - at)); break;
    default: {
      // Insert then let the next edit restore: a character typed and deleted.
      text.insert(at, "z");
      break;
    }
  }
  return text;
}

}  // namespace

TEST_CASE("reusing unchanged components gives the results of a fresh build", "[incremental]") {
  std::vector<kstate::testing::KstateFile> files = kstate::testing::LoadKstateFiles({"examples", "tests/golden"});
  REQUIRE(!files.empty());
  std::mt19937 rng(20261124);
  size_t reused = 0;
  for (const auto& file : files) {
    if (rng() % 3 != 0) continue;  // a third of the files keeps the test quick under the sanitizers
    kstate::CheckCache cache;
    std::string text = file.text;
    for (int step = 0; step < 12; ++step) {
      // Every other step goes back to the original text, so components are reused after moving both ways.
      text = step % 2 ? file.text : Mutate(text, rng);
      kstate::BuildOptions with_cache;
      with_cache.cache = &cache;
      kstate::Compilation fresh = kstate::Compilation::FromSources({{file.abs.string(), text}});
      kstate::Compilation incremental = kstate::Compilation::FromSources({{file.abs.string(), text}}, with_cache);
      INFO(file.rel << " step " << step);
      REQUIRE(incremental.DiagnosticsJson() == fresh.DiagnosticsJson());
      REQUIRE(incremental.ok() == fresh.ok());
      if (fresh.ok()) REQUIRE(incremental.Yaml() == fresh.Yaml());
      reused += cache.reused();
    }
  }
  // The cache must actually be used, or this test shows nothing.
  CHECK(reused > 50);
}

TEST_CASE("an edit before a component moves its diagnostics with it", "[incremental]") {
  std::string v1 = "let a = 1\ncomponent c { image = \"x:1\"; replica = 1 }\n";
  std::string v2 = "// moved\nlet a = 1\ncomponent c { image = \"x:1\"; replica = 1 }\n";
  kstate::CheckCache cache;
  kstate::BuildOptions options;
  options.cache = &cache;
  kstate::Compilation first = kstate::Compilation::FromSources({{"m.kstate", v1}}, options);
  REQUIRE(cache.checked() == 1);
  kstate::Compilation second = kstate::Compilation::FromSources({{"m.kstate", v2}}, options);
  CHECK(cache.reused() == 1);
  CHECK(cache.checked() == 0);
  bool found = false;
  for (const kstate::Diagnostic& d : second.diagnostics()) {
    if (d.code != "KS2001") continue;
    found = true;
    CHECK(d.line == 3);
    CHECK(d.column == 30);
  }
  CHECK(found);
  // Changing the `let` before it re-checks the component.
  std::string v3 = "// moved\nlet a = 2\ncomponent c { image = \"x:1\"; replica = 1 }\n";
  kstate::Compilation third = kstate::Compilation::FromSources({{"m.kstate", v3}}, options);
  CHECK(cache.reused() == 0);
  CHECK(cache.checked() == 1);
}
