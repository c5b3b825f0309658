// kstate's compiler as a library: `.kstate` sources in, Kubernetes objects and
// diagnostics out. This is the whole public interface; `kstatec` uses it too.
#pragma once

#include <cstddef>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kstate {

// One input file: its path (as shown in diagnostics) and its text.
struct Source {
  std::string path;
  std::string text;
};

struct Diagnostic {
  std::string severity;  // "error", "warning" or "note"
  std::string code;      // stable, e.g. "KS2001"
  std::string message;
  std::string help;      // may be empty
  std::string file;      // empty when the diagnostic has no location
  unsigned line = 0;     // 1-based; 0 without a location
  unsigned column = 0;   // 1-based, in bytes
};

// What one emitted object is, without its body.
struct ObjectInfo {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string namespace_name;  // empty for cluster-scoped objects or no namespace
  std::string component;       // the component that produced it
};

// Remembers how the components of an entry file were checked, so that the
// next build of an edited version of the file re-checks only what the edit
// can affect: the components whose text changed, and every component after a
// changed `let`, template, import or namespace. For editors (the language
// server keeps one per open document); the results are those of a build
// without it. One cache serves one entry file, one build at a time.
class CheckCache {
 public:
  CheckCache();
  ~CheckCache();
  CheckCache(const CheckCache&) = delete;
  CheckCache& operator=(const CheckCache&) = delete;
  // How many components the last build reused and checked.
  std::size_t reused() const;
  std::size_t checked() const;

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

struct BuildOptions {
  // The directory relative imports may not leave. Empty: each entry file's
  // own directory.
  std::string root;
  // Texts that stand in for files on disk when they are imported, by path:
  // an editor's unsaved buffers. They are not entry files.
  std::vector<Source> unsaved;
  // Reuse the checking of unchanged components of the (single) entry file
  // from the previous build with this cache. Null: check everything.
  CheckCache* cache = nullptr;
};

struct RenderOptions {
  bool color = false;
  std::size_t error_limit = 0;  // 0: show every error
};

// The result of compiling a set of sources. Objects exist only when ok().
class Compilation {
 public:
  // Compiles in-memory sources. Their imports are looked up among the
  // sources by path first, then on disk.
  static Compilation FromSources(std::vector<Source> sources, const BuildOptions& options = {});
  // Reads and compiles files and what they import; an unreadable file is a
  // diagnostic (KS4001).
  static Compilation FromFiles(const std::vector<std::string>& paths, const BuildOptions& options = {});

  Compilation(Compilation&&) noexcept;
  Compilation& operator=(Compilation&&) noexcept;
  ~Compilation();

  bool ok() const;
  std::size_t error_count() const;
  std::size_t warning_count() const;
  std::vector<Diagnostic> diagnostics() const;
  // Diagnostics for people: file:line:col, the source line, a caret, help and notes.
  std::string DiagnosticsText(const RenderOptions& options) const;
  // Diagnostics for tools: a JSON array.
  std::string DiagnosticsJson() const;

  // Records that output built from this compilation could not be written
  // (KS4002), so it is reported with the other diagnostics.
  void ReportWriteError(const std::string& path, const std::string& reason);

  // The components the sources declare; every one makes at least one object.
  // Cheap, unlike object_count(), which lowers and keeps every object: `build`
  // streams its output and must not call object_count() first.
  std::size_t component_count() const;
  std::size_t object_count() const;
  ObjectInfo object(std::size_t index) const;
  // All objects in apply order: multi-document YAML, or JSON (a `List` when several).
  std::string Yaml() const;
  std::string Json() const;
  // Write Yaml() / Json() to `out` without holding the whole text twice; false on a write error.
  bool WriteYaml(std::FILE* out) const;
  bool WriteJson(std::FILE* out) const;
  // One object.
  std::string ObjectYaml(std::size_t index) const;
  std::string ObjectJson(std::size_t index) const;
  // Every object with its own text (what ObjectYaml / ObjectJson give), its
  // index in apply order (as in object()) and the number of objects, without
  // keeping them: one component is lowered at a time, so memory stays that
  // of one component's objects (object_count() keeps all of them). Objects
  // come in source order, not index order. Stops, and returns false, as soon
  // as `visit` returns false; nothing is visited when there are errors.
  using ObjectVisitor =
      std::function<bool(std::size_t index, std::size_t count, const ObjectInfo& info, std::string_view text)>;
  bool ForEachObjectText(bool json, const ObjectVisitor& visit) const;

  struct Impl;
  // For tools inside this repository (runtime, language server): the internals.
  const Impl& impl() const { return *impl_; }

 private:
  explicit Compilation(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The version of kstatec and its standard library.
const char* Version();

// Tunes the C allocator for a process that compiles once and exits
// (`kstatec build`, `check`, `fmt`, `apply`, ...). A compilation allocates and
// frees millions of small blocks; by default glibc hands freed memory at the
// top of the heap back to the system and maps every large buffer afresh, so
// the next allocations fault the same pages in again, one by one. After this
// call freed memory stays in the process for reuse and the heap grows in large
// steps. Peak memory is unchanged (freed memory is reused, not added to), but
// a long-running process (the language server) must not call it: it would
// keep its largest footprint for good.
void TuneAllocatorForOneShot();

}  // namespace kstate
