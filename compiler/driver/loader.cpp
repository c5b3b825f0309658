// Import resolution: `std/...` from the embedded standard library, `./` and
// `../` relative to the importing file and never outside the project root.
#include "compiler/driver/loader.h"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/check/rebase.h"
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

uint64_t Mix(uint64_t h, uint64_t x) { return h ^ (x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2)); }
uint64_t Hash(std::string_view s) { return std::hash<std::string_view>{}(s); }

bool IsWithin(const fs::path& path, const fs::path& root) {
  auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return r == root.end() || (std::next(r) == root.end() && r->empty());  // a trailing separator in root
}

}  // namespace

Loader::Loader(base::SourceManager& sources, diag::Diagnostics& diags, check::Checker& checker, std::string root)
    : sources_(sources), diags_(diags), checker_(checker), root_(std::move(root)) {}

void Loader::AddEntry(uint32_t source_id) {
  // The same file named twice (`a.kstate ./a.kstate`, overlapping globs) is
  // one entry, as an import of it is one module. (Two in-memory sources of
  // one path but different texts both stay entries.)
  auto [it, fresh] = by_key_.emplace(DiskKey(sources_.file(source_id).path()), source_id);
  if (fresh || sources_.file(it->second).text() != sources_.file(source_id).text()) entries_.push_back(source_id);
}

void Loader::AddUnsaved(const std::string& path, const std::string& text) { unsaved_[DiskKey(path)] = &text; }

void Loader::UseCache(CheckCache::Impl& cache, uint32_t source_id) {
  cache_ = &cache;
  cache_file_ = source_id;
  shift_ = CheckCache::Impl::Diff(cache.text, sources_.file(source_id).text());
  cache.next.clear();
  cache.reused = cache.checked = 0;
}

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
  // For the cached file: a hash of every declaration a component can see
  // (`let`s, templates, namespaces, imports and the imported texts).
  bool cached = cache_ && source_id == cache_file_;
  uint64_t environment = 0;
  std::string_view text = sources_.file(source_id).text();
  uint64_t digest = cache_ ? Hash(text) : 0;
  while (std::unique_ptr<syntax::File> tree = parser.Next()) {
    const syntax::Decl& d = tree->decls.front();
    std::string_view decl_text = text.substr(d.range.begin, d.range.end - d.range.begin);
    if (d.kind == syntax::DeclKind::Import) {
      int64_t target = Import(d, source_id);
      uint64_t imported = target < 0 ? 0 : loaded_[static_cast<uint32_t>(target)].digest;
      if (cache_) digest = Mix(digest, imported);
      if (cached) environment = Mix(Mix(environment, Hash(decl_text)), imported);
    } else if (cached && d.kind == syntax::DeclKind::Component) {
      DeclareCached(std::move(tree), environment);
    } else {
      // An assertion binds no name, so no component depends on its text.
      if (cached && d.kind != syntax::DeclKind::Assert) environment = Mix(environment, Hash(decl_text));
      parser.Recycle(checker_.Declare(std::move(tree)));
    }
  }
  checker_.EndFile(parser.ok());
  loaded_[source_id].module = static_cast<int>(module);
  loaded_[source_id].digest = digest;
  stack_.pop_back();
}

int64_t Loader::Import(const syntax::Decl& import, uint32_t from) {
  uint32_t target = 0;
  if (!Resolve(import, from, target)) {
    checker_.ImportFailed();
    return -1;
  }
  auto it = loaded_.find(target);
  if (it != loaded_.end() && it->second.module < 0) {
    ReportCycle(import, target);
    checker_.ImportFailed();
    return -1;
  }
  if (it == loaded_.end()) {
    if (stack_.size() >= kMaxImportDepth) {
      diags_.Report(K::ImportNotFound, import.text_range, import.text,
                    fmt::format("imports nest more than {} files deep", kMaxImportDepth));
      checker_.ImportFailed();
      return -1;
    }
    loaded_[target].root = loaded_[from].root;
    loaded_[target].root_shown = loaded_[from].root_shown;
    Load(target, import.text_range);
  }
  checker_.Import(import, static_cast<uint32_t>(loaded_[target].module));
  return target;
}

void Loader::DeclareCached(std::unique_ptr<syntax::File> tree, uint64_t environment) {
  const syntax::Decl& d = tree->decls.front();
  const base::SourceRange decl_range = d.range;  // `d` goes with the tree into the checker
  std::string_view text = sources_.file(cache_file_).text().substr(d.range.begin, d.range.end - d.range.begin);
  // Identical declarations (a duplicate, reported as such) get keys of their own.
  uint64_t key = Mix(environment, Hash(text));
  key = Mix(key, occurrences_[key]++);
  CheckCache::Impl& cache = *cache_;
  if (cache.valid) {
    auto it = cache.entries.find(key);
    if (it != cache.entries.end() && it->second.text == text) {
      CheckCache::Impl::Entry entry = std::move(it->second);
      cache.entries.erase(it);
      // Ranges in this file move with the edit; the edited span itself holds
      // none of this declaration's (its text is unchanged).
      check::RangeMap map = [&](base::SourceRange& r) {
        if (r.file != cache_file_ || r.end <= shift_.prefix) return true;
        if (r.begin < shift_.old_suffix) return false;
        r.begin = static_cast<uint32_t>(r.begin + shift_.delta);
        r.end = static_cast<uint32_t>(r.end + shift_.delta);
        return true;
      };
      base::SourceRange moved = entry.range;
      bool mapped = map(moved) && moved == decl_range;
      mapped = mapped && (!entry.has_component || check::MapRanges(entry.component, map));
      for (diag::Diagnostic& x : entry.diags) {
        mapped = mapped && map(x.range);
        for (diag::Note& n : x.notes) mapped = mapped && map(n.range);
        for (diag::FixIt& f : x.fixes) mapped = mapped && map(f.range);
      }
      if (mapped) {
        entry.range = decl_range;
        if (entry.has_component) checker_.AddChecked(entry.component);
        for (const diag::Diagnostic& x : entry.diags) diags_.Append(x);
        cache.next[key] = std::move(entry);
        ++cache.reused;
        return;
      }
    }
  }
  size_t first_diag = diags_.list().size();
  size_t first_component = checker_.ComponentCount();
  checker_.Declare(std::move(tree));
  CheckCache::Impl::Entry entry;
  entry.text = std::string(text);
  entry.range = decl_range;
  entry.has_component = checker_.ComponentCount() > first_component;
  if (entry.has_component) entry.component = checker_.ComponentAt(first_component);
  entry.diags.assign(diags_.list().begin() + static_cast<std::ptrdiff_t>(first_diag), diags_.list().end());
  cache.next[key] = std::move(entry);
  ++cache.checked;
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
  if (!ReadRegularFile(display.string(), text, error)) {
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
