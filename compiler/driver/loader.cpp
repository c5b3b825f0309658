// Import resolution: `std/...` from the embedded standard library, `./` and
// `../` relative to the importing file and never outside the project root.
#include "compiler/driver/loader.h"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/driver/read_file.h"
#include "compiler/driver/stdlib.h"
#include "compiler/syntax/parser.h"

namespace kstate::driver {

namespace fs = std::filesystem;
using K = diag::Kind;

namespace {

// Imports nest at most this deep; deeper chains are refused, not followed.
constexpr size_t kMaxImportDepth = 64;
constexpr std::string_view kStdPrefix = "std/";
constexpr std::string_view kEmbedded = "embedded:";

// The identity of a file on disk: its absolute path with symlinks resolved.
std::string DiskKey(const fs::path& path) {
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  if (ec) return path.lexically_normal().string();
  fs::path canonical = fs::weakly_canonical(absolute, ec);
  return (ec ? absolute.lexically_normal() : canonical).string();
}

bool IsWithin(const fs::path& path, const fs::path& root) {
  auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return r == root.end() || (std::next(r) == root.end() && r->empty());  // a trailing separator in root
}

}  // namespace

Loader::Loader(base::SourceManager& sources, diag::Diagnostics& diags, check::Checker& checker, std::string root)
    : sources_(sources), diags_(diags), checker_(checker), root_(std::move(root)) {}

void Loader::AddEntry(uint32_t source_id) {
  entries_.push_back(source_id);
  by_key_.emplace(DiskKey(sources_.file(source_id).path()), source_id);
}

void Loader::AddUnsaved(const std::string& path, const std::string& text) { unsaved_[DiskKey(path)] = &text; }

void Loader::Run() {
  for (uint32_t id : entries_) {
    if (loaded_.contains(id)) continue;  // already imported by an earlier entry
    fs::path root = root_.empty() ? fs::path(sources_.file(id).path()).parent_path() : fs::path(root_);
    if (root.empty()) root = ".";
    loaded_[id].root = fs::path(DiskKey(root));
    loaded_[id].root_shown = root.generic_string();
    Load(id, {});
  }
}

void Loader::Load(uint32_t source_id, base::SourceRange imported_at) {
  stack_.push_back(Frame{source_id, imported_at});
  uint32_t module = checker_.BeginFile(source_id);
  syntax::Parser parser(sources_, source_id, diags_);
  while (std::unique_ptr<syntax::File> tree = parser.Next()) {
    const syntax::Decl& d = tree->decls.front();
    if (d.kind == syntax::DeclKind::Import) {
      Import(d, source_id);
    } else {
      checker_.Declare(std::move(tree));
    }
  }
  checker_.EndFile(parser.ok());
  loaded_[source_id].module = static_cast<int>(module);
  stack_.pop_back();
}

void Loader::Import(const syntax::Decl& import, uint32_t from) {
  uint32_t target = 0;
  if (!Resolve(import, from, target)) {
    checker_.ImportFailed();
    return;
  }
  auto it = loaded_.find(target);
  if (it != loaded_.end() && it->second.module < 0) {
    ReportCycle(import, target);
    checker_.ImportFailed();
    return;
  }
  if (it == loaded_.end()) {
    if (stack_.size() >= kMaxImportDepth) {
      diags_.Report(K::ImportNotFound, import.text_range, import.text,
                    fmt::format("imports nest more than {} files deep", kMaxImportDepth));
      checker_.ImportFailed();
      return;
    }
    loaded_[target].root = loaded_[from].root;
    loaded_[target].root_shown = loaded_[from].root_shown;
    Load(target, import.text_range);
  }
  checker_.Import(import, static_cast<uint32_t>(loaded_[target].module));
}

bool Loader::Resolve(const syntax::Decl& import, uint32_t from, uint32_t& out) {
  const std::string& spec = import.text;
  std::string path = spec;
  fs::path extension = fs::path(spec).extension();
  if (extension.empty()) {
    path += ".kstate";
  } else if (extension != ".kstate") {
    diags_.Report(K::BadImportPath, import.text_range, spec,
                  fmt::format("names a `{}` file; only `.kstate` files can be imported", extension.string()));
    return false;
  }
  const base::SourceFile& importer = sources_.file(from);
  bool relative = spec.starts_with("./") || spec.starts_with("../");
  if (spec.starts_with(kStdPrefix) || (relative && embedded_.contains(from))) {
    if (relative) path = (fs::path(importer.path()).parent_path() / path).lexically_normal().generic_string();
    return ResolveStd(import, path, out);
  }
  if (!relative) {
    diag::Diagnostic& d = diags_.Report(K::BadImportPath, import.text_range, spec,
                                        "must start with `./` or `../` (a file of this project) or `std/` (the "
                                        "standard library)");
    if (!spec.empty() && spec.front() != '/') d.help = fmt::format("write `import \"./{}\"`", spec);
    return false;
  }
  fs::path display = (fs::path(importer.path()).parent_path() / path).lexically_normal();
  std::string key = DiskKey(display);
  const Loaded& importer_state = loaded_[from];
  if (!IsWithin(fs::path(key), importer_state.root)) {
    diags_.Report(K::ImportOutsideRoot, import.text_range, spec, importer_state.root_shown).help =
        "keep imported files under the entry file's directory, or widen the root with `--root`";
    return false;
  }
  if (auto it = by_key_.find(key); it != by_key_.end()) {
    out = it->second;
    return true;
  }
  std::error_code ec;
  std::string text, error;
  if (auto it = unsaved_.find(key); it != unsaved_.end()) {
    out = sources_.Add(display.generic_string(), *it->second);
    by_key_.emplace(key, out);
    return true;
  }
  if (!fs::exists(display, ec)) {
    diags_.Report(K::ImportNotFound, import.text_range, spec,
                  fmt::format("there is no file `{}`", display.generic_string()));
    return false;
  }
  if (!ReadFile(display.string(), text, error)) {
    diags_.Report(K::ImportNotFound, import.text_range, spec, error);
    return false;
  }
  out = sources_.Add(display.generic_string(), std::move(text));
  by_key_.emplace(key, out);
  return true;
}

bool Loader::ResolveStd(const syntax::Decl& import, const std::string& path, uint32_t& out) {
  std::string key = std::string(kEmbedded) + path;
  if (auto it = by_key_.find(key); it != by_key_.end()) {
    out = it->second;
    return true;
  }
  std::span<const StdlibFile> files = StdlibFiles();
  auto it = std::find_if(files.begin(), files.end(), [&](const StdlibFile& f) { return f.path == path; });
  if (it == files.end()) {
    diag::Diagnostic& d = diags_.Report(K::ImportNotFound, import.text_range, import.text,
                                        "the standard library has no such module");
    std::vector<std::string> names;
    for (const StdlibFile& f : files) names.emplace_back(f.path.substr(0, f.path.size() - 7));  // without .kstate
    std::vector<std::string_view> views(names.begin(), names.end());
    diag::SuggestClosest(d, import.text, views);
    if (d.help.empty() && !names.empty()) {
      std::string list;
      for (const std::string& n : names) list += (list.empty() ? "" : ", ") + fmt::format("`{}`", n);
      d.help = fmt::format("the modules are {}", list);
    }
    return false;
  }
  out = sources_.Add(std::string(it->path), std::string(it->text));
  by_key_.emplace(key, out);
  embedded_.insert(out);
  return true;
}

void Loader::ReportCycle(const syntax::Decl& import, uint32_t target) {
  auto first = std::find_if(stack_.begin(), stack_.end(), [&](const Frame& f) { return f.source_id == target; });
  std::string chain;
  for (auto f = first; f != stack_.end(); ++f) chain += fmt::format("`{}` imports ", sources_.file(f->source_id).path());
  chain += fmt::format("`{}`", sources_.file(target).path());
  diag::Diagnostic& d = diags_.Report(K::ImportCycle, import.text_range, chain);
  for (auto f = std::next(first); f != stack_.end(); ++f) {
    d.notes.push_back({f->import_range, fmt::format("`{}` is imported here", sources_.file(f->source_id).path())});
  }
  d.help = "move what both files need into a third file that both import";
}

}  // namespace kstate::driver
