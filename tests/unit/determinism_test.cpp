// Determinism: the same input gives byte-identical output.
//
// Every `.kstate` under examples/ and tests/golden/ (found at run time) is
// compiled repeatedly in-process; the examples also go through two separate
// `kstatec build` processes (YAML and `--format json`). Outputs must not
// depend on what was compiled before, on the file's name, or on the order of
// sources that cannot affect them.
#include "kstate_files.h"
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "kstate/compiler.h"
#include "tests/robustness/run_process.h"

namespace {

namespace fs = std::filesystem;

using InputFile = kstate::testing::KstateFile;

std::vector<InputFile> Load(std::initializer_list<const char*> dirs) { return kstate::testing::LoadKstateFiles(dirs); }

const std::vector<InputFile>& Corpus() {
  static const std::vector<InputFile> files = Load({"examples", "tests/golden"});
  return files;
}

const std::vector<InputFile>& Examples() {
  static const std::vector<InputFile> files = Load({"examples"});
  return files;
}

// Everything a compilation shows the outside world, as one comparable value.
struct Output {
  bool ok = false;
  std::size_t errors = 0, warnings = 0;
  std::string yaml, json, diagnostics_text, diagnostics_color, diagnostics_json;
  std::vector<std::string> object_yaml, object_json, object_ids;

  bool operator==(const Output&) const = default;
};

std::string ObjectId(const kstate::ObjectInfo& o) {
  return o.api_version + " " + o.kind + " " + o.namespace_name + "/" + o.name + " (" + o.component + ")";
}

Output Capture(const kstate::Compilation& c) {
  Output out;
  out.ok = c.ok();
  out.errors = c.error_count();
  out.warnings = c.warning_count();
  out.diagnostics_text = c.DiagnosticsText({});
  out.diagnostics_color = c.DiagnosticsText({true, 5});
  out.diagnostics_json = c.DiagnosticsJson();
  if (out.ok) {
    out.yaml = c.Yaml();
    out.json = c.Json();
    for (std::size_t i = 0; i < c.object_count(); ++i) {
      out.object_ids.push_back(ObjectId(c.object(i)));
      out.object_yaml.push_back(c.ObjectYaml(i));
      out.object_json.push_back(c.ObjectJson(i));
    }
  }
  return out;
}

Output CompileOne(const std::string& path, const std::string& text) {
  return Capture(kstate::Compilation::FromSources({{path, text}}));
}

// The first line where two texts differ, for failure messages.
std::string FirstDifference(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb;
  for (int line = 1;; ++line) {
    bool ga = static_cast<bool>(std::getline(sa, la)), gb = static_cast<bool>(std::getline(sb, lb));
    if (!ga && !gb) return a.size() == b.size() ? "identical" : "differ only in the final newline";
    if (!ga || !gb || la != lb) {
      return "line " + std::to_string(line) + ":\n  - " + (ga ? la : "<end>") + "\n  + " + (gb ? lb : "<end>");
    }
  }
}

void CheckSame(const Output& a, const Output& b) {
  CHECK(a.ok == b.ok);
  CHECK(a.errors == b.errors);
  CHECK(a.warnings == b.warnings);
  CHECK(a.object_ids == b.object_ids);
  if (a.yaml != b.yaml) FAIL_CHECK("Yaml() differs at " << FirstDifference(a.yaml, b.yaml));
  if (a.json != b.json) FAIL_CHECK("Json() differs at " << FirstDifference(a.json, b.json));
  if (a.diagnostics_text != b.diagnostics_text) {
    FAIL_CHECK("DiagnosticsText() differs at " << FirstDifference(a.diagnostics_text, b.diagnostics_text));
  }
  CHECK(a.diagnostics_color == b.diagnostics_color);
  if (a.diagnostics_json != b.diagnostics_json) {
    FAIL_CHECK("DiagnosticsJson() differs at " << FirstDifference(a.diagnostics_json, b.diagnostics_json));
  }
  CHECK(a.object_yaml == b.object_yaml);
  CHECK(a.object_json == b.object_json);
}

// Per object, keyed by what it is: a view of the output that does not depend
// on where the objects of one file sit among those of others.
std::map<std::string, std::pair<std::string, std::string>> ObjectsById(const Output& o) {
  std::map<std::string, std::pair<std::string, std::string>> by_id;
  for (std::size_t i = 0; i < o.object_ids.size(); ++i) by_id[o.object_ids[i]] = {o.object_yaml[i], o.object_json[i]};
  return by_id;
}

}  // namespace

TEST_CASE("determinism: the corpus is there", "[determinism]") {
  REQUIRE(Corpus().size() >= 1);
  REQUIRE(Examples().size() >= 1);
}

TEST_CASE("determinism: compiling the same source twice in one process gives identical bytes", "[determinism]") {
  for (const InputFile& f : Corpus()) {
    INFO(f.rel);
    Output first = CompileOne(f.rel, f.text);
    Output second = CompileOne(f.rel, f.text);
    CheckSame(first, second);
  }
}

TEST_CASE("determinism: output does not depend on what was compiled before", "[determinism]") {
  // Forward, then backward, then forward again with every other file
  // compiled in between: any state left behind by one compilation (caches,
  // counters, interned names) would show up as a difference.
  const auto& corpus = Corpus();
  std::vector<Output> forward;
  for (const InputFile& f : corpus) forward.push_back(CompileOne(f.rel, f.text));
  for (std::size_t i = corpus.size(); i-- > 0;) {
    INFO(corpus[i].rel << " (backward)");
    CheckSame(forward[i], CompileOne(corpus[i].rel, corpus[i].text));
  }
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    INFO(corpus[i].rel << " (interleaved)");
    (void)CompileOne(corpus[(i * 7 + 3) % corpus.size()].rel, corpus[(i * 7 + 3) % corpus.size()].text);
    CheckSame(forward[i], CompileOne(corpus[i].rel, corpus[i].text));
  }
}

TEST_CASE("determinism: Yaml() and Json() are the same before and after the objects are listed", "[determinism]") {
  // Before, Yaml() and Json() write each component's objects as they lower
  // them, without building trees (emit::YamlBuilder, JsonBuilder); once the
  // objects are listed (object()/ObjectYaml()), they write the kept trees
  // (TreeBuilder, then AppendYaml / the JSON writer). Both must give the same
  // bytes: the lowering feeds every builder the same calls.
  for (const InputFile& f : Corpus()) {
    INFO(f.rel);
    kstate::Compilation c = kstate::Compilation::FromSources({{f.rel, f.text}});
    if (!c.ok()) continue;
    const std::string first = c.Yaml();
    const std::string first_json = c.Json();
    std::string objects;
    for (std::size_t i = 0; i < c.object_count(); ++i) objects += (i ? "---\n" : "") + c.ObjectYaml(i);
    const std::string json = c.Json();
    const std::string second = c.Yaml();
    if (first != second) FAIL_CHECK("Yaml() differs at " << FirstDifference(first, second));
    if (first_json != json) FAIL_CHECK("Json() differs at " << FirstDifference(first_json, json));
    // And the documents are the objects, one by one, in order.
    if (objects != first) {
      FAIL_CHECK("the ObjectYaml() documents differ from Yaml() at " << FirstDifference(first, objects));
    }
    CHECK(json == c.Json());
  }
}

TEST_CASE("determinism: ForEachObjectText gives each object as object() and ObjectYaml() do", "[determinism]") {
  // ForEachObjectText lowers one component at a time (for `build -o DIR`)
  // and numbers each object by its place in apply order, counted from
  // check::ObjectNames; every index must come once, with the info and the
  // text the kept objects give, on every example and golden input.
  size_t compared = 0;
  for (const InputFile& f : Corpus()) {
    INFO(f.rel);
    std::vector<std::pair<std::string, std::string>> yaml, json;
    size_t seen_count = 0;
    bool ok = true;
    for (bool as_json : {false, true}) {
      kstate::Compilation c = kstate::Compilation::FromSources({{f.rel, f.text}});
      if (!c.ok()) break;
      auto& texts = as_json ? json : yaml;
      CHECK(c.ForEachObjectText(as_json, [&](std::size_t i, std::size_t count, const kstate::ObjectInfo& o,
                                             std::string_view text) {
        seen_count = count;
        if (i >= count) {
          ok = false;
          return true;
        }
        if (texts.size() < count) texts.resize(count);
        if (!texts[i].first.empty()) ok = false;  // an index visited twice
        texts[i] = {ObjectId(o), std::string(text)};
        return true;
      }));
      CHECK(ok);
      // The same compilation, now with its objects kept.
      REQUIRE(seen_count == c.object_count());
      REQUIRE(texts.size() == c.object_count());
      for (std::size_t i = 0; i < c.object_count(); ++i) {
        INFO("object " << i << (as_json ? " (JSON)" : " (YAML)"));
        CHECK(texts[i].first == ObjectId(c.object(i)));
        CHECK(texts[i].second == (as_json ? c.ObjectJson(i) : c.ObjectYaml(i)));
      }
      ++compared;
    }
  }
  CHECK(compared > 20);
}

TEST_CASE("determinism: ForEachObjectText stops when its visitor says so", "[determinism]") {
  kstate::Compilation c = kstate::Compilation::FromSources(
      {{"two.kstate", "component a {\n  image = \"x:1\"\n  port p = 80\n}\ncomponent b {\n  image = \"x:1\"\n"
                      "  port p = 80\n}\n"}});
  REQUIRE(c.ok());
  int calls = 0;
  CHECK_FALSE(c.ForEachObjectText(false, [&](std::size_t, std::size_t count, const kstate::ObjectInfo&,
                                             std::string_view) {
    CHECK(count == c.object_count());
    return ++calls < 3;
  }));
  CHECK(calls == 3);
  kstate::Compilation bad = kstate::Compilation::FromSources({{"bad.kstate", "component a { image = 1 }\n"}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.ForEachObjectText(false, [&](std::size_t, std::size_t, const kstate::ObjectInfo&, std::string_view) {
    FAIL("an object of a compilation with errors");
    return true;
  }));
}

TEST_CASE("determinism: FromFiles and FromSources agree", "[determinism]") {
  for (const InputFile& f : Corpus()) {
    INFO(f.rel);
    CheckSame(Capture(kstate::Compilation::FromFiles({f.abs.string()})), CompileOne(f.abs.string(), f.text));
  }
}

TEST_CASE("determinism: the manifests do not depend on the file's name", "[determinism]") {
  for (const InputFile& f : Corpus()) {
    INFO(f.rel);
    Output a = CompileOne(f.rel, f.text);
    Output b = CompileOne("some/other/dir/renamed.kstate", f.text);
    CHECK(a.ok == b.ok);
    CHECK(a.object_ids == b.object_ids);
    if (a.yaml != b.yaml) FAIL_CHECK("Yaml() differs at " << FirstDifference(a.yaml, b.yaml));
    CHECK(a.json == b.json);
  }
}

TEST_CASE("determinism: sources that add nothing do not change the output, wherever they stand", "[determinism]") {
  // Files with no declarations, or only a file-local `let`, add no object
  // and, alone, no diagnostic; so neither their presence nor their place
  // before or after the real file may change a byte of the result.
  const std::vector<kstate::Source> candidates = {
      {"filler/empty.kstate", ""},
      {"filler/comments.kstate", "// nothing here\n/* nor here */\n"},
      {"filler/let.kstate", "let unused_filler_value = 1\n"},
  };
  std::vector<kstate::Source> fillers;
  for (const kstate::Source& filler : candidates) {
    Output alone = Capture(kstate::Compilation::FromSources({filler}));
    if (alone.ok && alone.object_ids.empty() && alone.errors + alone.warnings == 0) {
      fillers.push_back(filler);
    } else {
      WARN("filler " << filler.path << " is not neutral on its own; left out:\n" << alone.diagnostics_text);
    }
  }
  REQUIRE(fillers.size() >= 2);
  for (const InputFile& f : Corpus()) {
    INFO(f.rel);
    const Output alone = CompileOne(f.rel, f.text);
    std::vector<kstate::Source> before(fillers), after, around;
    before.push_back({f.rel, f.text});
    after.push_back({f.rel, f.text});
    after.insert(after.end(), fillers.begin(), fillers.end());
    around = fillers;
    around.insert(around.begin() + 1, {f.rel, f.text});
    for (const auto* sources : {&before, &after, &around}) {
      Output together = Capture(kstate::Compilation::FromSources(*sources));
      CheckSame(alone, together);
    }
  }
}

TEST_CASE("determinism: swapping two independent files keeps every object byte-identical", "[determinism]") {
  // Objects of one kind come in source order, so the documents of [a, b] and
  // [b, a] may be ordered differently; each object, though, must be the same
  // bytes in both and the same as when its file is compiled alone.
  const auto& examples = Examples();
  std::vector<Output> alone;
  for (const InputFile& f : examples) alone.push_back(CompileOne(f.rel, f.text));
  std::size_t compared = 0, skipped = 0;
  for (std::size_t i = 0; i < examples.size(); ++i) {
    for (std::size_t j = i + 1; j < examples.size(); ++j) {
      if (!alone[i].ok || !alone[j].ok) continue;
      const InputFile& a = examples[i];
      const InputFile& b = examples[j];
      INFO(a.rel << " with " << b.rel);
      Output ab = Capture(kstate::Compilation::FromSources({{a.rel, a.text}, {b.rel, b.text}}));
      Output ba = Capture(kstate::Compilation::FromSources({{b.rel, b.text}, {a.rel, a.text}}));
      CHECK(ab.ok == ba.ok);
      CHECK(ab.errors == ba.errors);
      CHECK(ab.warnings == ba.warnings);
      if (!ab.ok || !ba.ok) {
        ++skipped;  // the two clash (same object twice); nothing to compare
        continue;
      }
      ++compared;
      auto objects_ab = ObjectsById(ab), objects_ba = ObjectsById(ba);
      CHECK(objects_ab == objects_ba);
      auto expected = ObjectsById(alone[i]);
      for (const auto& entry : ObjectsById(alone[j])) expected.insert(entry);
      CHECK(objects_ab == expected);
      // The multiset of documents is the same; only their order may differ.
      std::vector<std::string> docs_ab = ab.object_yaml, docs_ba = ba.object_yaml;
      std::sort(docs_ab.begin(), docs_ab.end());
      std::sort(docs_ba.begin(), docs_ba.end());
      CHECK(docs_ab == docs_ba);
    }
  }
  if (examples.size() >= 2 && compared == 0) WARN("no two examples compile together; nothing was swapped");
  INFO("pairs compared: " << compared << ", pairs that clash: " << skipped);
  SUCCEED();
}

TEST_CASE("determinism: two kstatec build processes print identical bytes", "[determinism][process]") {
  const fs::path kstatec = kstate::testing::FindKstatec();
  if (kstatec.empty()) {
    WARN("kstatec not found beside the test binary (and KSTATEC is unset); skipping the process-level check");
    return;
  }
  for (const InputFile& f : Examples()) {
    const Output library = Capture(kstate::Compilation::FromFiles({f.abs.string()}));
    for (const char* format : {"yaml", "json"}) {
      INFO(f.rel << " --format " << format);
      const std::vector<std::string> argv = {kstatec.string(), "build", f.abs.string(), "--format", format,
                                             "--color", "never"};
      kstate::testing::ProcessResult first = kstate::testing::RunProcess(argv, 60);
      kstate::testing::ProcessResult second = kstate::testing::RunProcess(argv, 60);
      INFO("first " << first.Describe() << ", second " << second.Describe() << "; stderr: " << first.err.substr(0, 400));
      REQUIRE(first.exited());
      REQUIRE(second.exited());
      CHECK(first.exit_code == second.exit_code);
      CHECK((first.exit_code == 0 || first.exit_code == 1));
      if (first.out != second.out) FAIL_CHECK("stdout differs at " << FirstDifference(first.out, second.out));
      if (first.err != second.err) FAIL_CHECK("stderr differs at " << FirstDifference(first.err, second.err));
      // And what the CLI prints is exactly what the library returns.
      CHECK((first.exit_code == 0) == library.ok);
      if (first.exit_code == 0) {
        const std::string& expected = std::string(format) == "json" ? library.json : library.yaml;
        if (first.out != expected) FAIL_CHECK("kstatec differs from the library at " << FirstDifference(expected, first.out));
      }
    }
  }
}
