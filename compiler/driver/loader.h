// Loading files for a build: entry files, then what they import, each parsed
// and checked once, depth first, with import paths resolved and confined.
#pragma once

#include <filesystem>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compiler/base/source.h"
#include "compiler/check/check.h"
#include "compiler/driver/check_cache.h"
#include "compiler/diag/diagnostic.h"

namespace kstate::driver {

class Loader {
 public:
  // `root`: the directory imports may not leave; empty means each entry
  // file's own directory.
  Loader(base::SourceManager& sources, diag::Diagnostics& diags, check::Checker& checker, std::string root);
  // A text that an import of `path` reads instead of the file on disk.
  void AddUnsaved(const std::string& path, const std::string& text);
  // Reuses (and refills) the checking of entry file `source_id`'s components.
  void UseCache(CheckCache::Impl& cache, uint32_t source_id);
  // Registers a source already in `sources` as an entry file of the build
  // (in-memory sources are found by imports under their path).
  void AddEntry(uint32_t source_id);
  // Parses and checks every entry file and its imports.
  void Run();

 private:
  struct Loaded {
    int module = -1;  // -1 while the file is being checked (an import of it is a cycle)
    std::filesystem::path root;  // absolute, symlinks resolved
    std::string root_shown;      // as the user gave it, for messages
    // With a check cache: a hash of the file's text and, in order, of all it
    // imports (transitively), so that a change two imports away is seen.
    uint64_t digest = 0;
  };
  struct Frame {
    uint32_t source_id;
    base::SourceRange import_range;  // where the file was imported (invalid for an entry)
  };

  void Load(uint32_t source_id, base::SourceRange imported_at);
  // Returns the imported source, or -1 when the import failed.
  int64_t Import(const syntax::Decl& import, uint32_t from);
  // Declares a component of the cached entry file, reusing the last build's
  // result when its text and `environment` (a hash of what it can see) match.
  void DeclareCached(std::unique_ptr<syntax::File> tree, uint64_t environment);
  // The source an import names, added to `sources` on first use; false after
  // reporting why it cannot be imported.
  bool Resolve(const syntax::Decl& import, uint32_t from, uint32_t& out);
  bool ResolveStd(const syntax::Decl& import, const std::string& path, uint32_t& out);
  void ReportCycle(const syntax::Decl& import, uint32_t target);

  base::SourceManager& sources_;
  diag::Diagnostics& diags_;
  check::Checker& checker_;
  std::string root_;
  std::vector<uint32_t> entries_;
  std::unordered_map<std::string, uint32_t> by_key_;  // canonical path or `std/...` -> source
  std::unordered_map<uint32_t, Loaded> loaded_;      // source -> state
  std::unordered_set<uint32_t> embedded_;             // sources from the standard library
  std::vector<Frame> stack_;
  std::unordered_map<std::string, const std::string*> unsaved_;  // canonical path -> text
  CheckCache::Impl* cache_ = nullptr;
  uint32_t cache_file_ = 0;
  CheckCache::Impl::Shift shift_;
  std::unordered_map<uint64_t, uint64_t> occurrences_;  // key -> declarations with it so far
};

}  // namespace kstate::driver
