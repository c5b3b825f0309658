// The pipeline: parse every file, check them together, lower to objects.
#include <malloc.h>
#include <sched.h>

#include <algorithm>
#include <cstring>
#include <thread>
#include <utility>

#include "compiler/check/check.h"
#include "compiler/check/rules.h"
#include "compiler/diag/render.h"
#include "compiler/driver/check_cache.h"
#include "compiler/driver/compilation_impl.h"
#include "compiler/driver/loader.h"
#include "compiler/driver/read_file.h"
#include "compiler/emit/lower.h"
#include "compiler/syntax/parser.h"

namespace kstate {

namespace {

void Run(Compilation::Impl& impl, const BuildOptions& options) {
  // Declarations are parsed and checked one at a time, so only one
  // declaration's syntax tree exists at once (templates excepted), however
  // large the input.
  check::Checker checker(impl.diags);
  driver::Loader loader(impl.sources, impl.diags, checker, options.root);
  uint32_t entries = static_cast<uint32_t>(impl.sources.size());
  for (uint32_t id = 0; id < entries; ++id) loader.AddEntry(id);
  for (const Source& s : options.unsaved) loader.AddUnsaved(s.path, s.text);
  CheckCache::Impl* cache = options.cache && entries == 1 ? &options.cache->impl() : nullptr;
  if (cache) loader.UseCache(*cache, 0);
  loader.Run();
  if (cache) {
    cache->entries.swap(cache->next);
    cache->next.clear();
    cache->text = std::string(impl.sources.file(0).text());
    cache->valid = true;
  }
  impl.program = checker.Finish();
  // Patches are checked against the objects they change.
  if (!impl.diags.has_errors()) {
    std::vector<emit::Object> scratch;
    for (const check::Component& c : impl.program.components) {
      if (c.patches.empty()) continue;
      scratch.clear();
      emit::LowerComponent(c, scratch, &impl.diags);
    }
  }
  impl.diags.SortByLocation();
}


}  // namespace

const std::vector<emit::Object>& Compilation::Impl::Objects() const {
  if (!objects_) objects_ = diags.has_errors() ? std::vector<emit::Object>{} : emit::Lower(program);
  return *objects_;
}

namespace {

// How many components FillChunks lowers before it sizes its buffers.
constexpr size_t kSampleComponents = 32;
// Below this many components, one thread lowers them all.
constexpr size_t kParallelFrom = 512;

// The cores this process may run on (its affinity mask, which `taskset` and
// container CPU sets narrow), not merely the cores the machine has.
size_t UsableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return static_cast<size_t>(CPU_COUNT(&set));
  return std::thread::hardware_concurrency();
}

// Lowers components [begin, end) into `chunks`, written as they are lowered.
// With `whole` (the number of components of all shares), the largest chunk
// reserves room for the whole output, so Join can build it in place.
void FillChunks(const check::Program& program, size_t begin, size_t end, bool json, std::vector<std::string>& chunks,
                size_t whole = 0) {
  for (size_t i = begin; i < end; ++i) {
    emit::WriteComponent(program.components[i], json, chunks);
    // Once a few components show how much text each kind takes, reserve
    // for the rest: growing a chunk of tens of megabytes by doubling copies
    // it again and again. Reserved memory is only touched when written.
    size_t done = i + 1 - begin;
    if (done == kSampleComponents && end - begin > 2 * kSampleComponents) {
      auto largest = std::max_element(chunks.begin(), chunks.end(),
                                      [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
      size_t sampled = 0;
      for (std::string& chunk : chunks) {
        sampled += chunk.size();
        if (&chunk != &*largest || whole == 0) chunk.reserve(chunk.size() / done * (end - begin) * 9 / 8);
      }
      if (whole != 0) largest->reserve(sampled / done * whole * 9 / 8);
    }
  }
}

}  // namespace

std::vector<std::string> Compilation::Impl::Chunks(bool json) const {
  if (diags.has_errors()) return {};
  // A single object is written as itself in JSON; small enough to lower at once.
  bool single = false;
  if (json && !objects_) {
    size_t count = emit::LowerNamespaces(program).size();
    for (size_t i = 0; i < program.components.size() && count <= 1; ++i) {
      count += check::ObjectNames(program.components[i]).size();
    }
    single = count <= 1;
  }
  if (objects_ || single) return {json ? emit::WriteJson(Objects()) : emit::WriteYaml(Objects())};
  // One chunk of documents (or List items) per kind and share. Components
  // are lowered in contiguous shares by up to one thread per core; each
  // kind's chunks follow in component order, so the output does not depend
  // on threads. No chunk is copied here: Join or WriteChunks takes them as
  // they are.
  const size_t kinds = static_cast<size_t>(emit::ApplyRank("")) + 3;
  std::vector<std::string> namespaces(kinds);
  for (const emit::Object& o : emit::LowerNamespaces(program)) emit::AppendObject(namespaces, o, json);
  const size_t n = program.components.size();
  size_t workers = n < kParallelFrom ? 1 : std::clamp<size_t>(UsableCores(), 1, 8);
  std::vector<std::vector<std::string>> shares(workers, std::vector<std::string>(kinds));
  {
    std::vector<std::jthread> threads;
    for (size_t w = 1; w < workers; ++w) {
      threads.emplace_back([&, w] { FillChunks(program, n * w / workers, n * (w + 1) / workers, json, shares[w]); });
    }
    FillChunks(program, 0, n / workers, json, shares[0], n);
  }
  std::vector<std::string> chunks;
  chunks.reserve(2 + kinds * (workers + 1));
  if (json) chunks.emplace_back(emit::kJsonListHead);
  for (size_t k = 0; k < kinds; ++k) {
    if (!namespaces[k].empty()) chunks.push_back(std::move(namespaces[k]));
    for (auto& share : shares) {
      if (!share[k].empty()) chunks.push_back(std::move(share[k]));
    }
  }
  // The first List item needs no comma: it takes the place of the head's
  // '[' (no chunk moves). The last document needs no separator after it.
  if (json) {
    if (chunks.size() > 1) {
      chunks.front().pop_back();
      chunks[1].front() = '[';
    }
    chunks.emplace_back(emit::kJsonListTail);
  } else if (!chunks.empty()) {
    chunks.back().resize(chunks.back().size() - 4);
  }
  return chunks;
}

Compilation::Compilation(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Compilation::Compilation(Compilation&&) noexcept = default;
Compilation& Compilation::operator=(Compilation&&) noexcept = default;
Compilation::~Compilation() = default;

Compilation Compilation::FromSources(std::vector<Source> sources, const BuildOptions& options) {
  auto impl = std::make_unique<Impl>();
  for (Source& s : sources) impl->sources.Add(std::move(s.path), std::move(s.text));
  Run(*impl, options);
  return Compilation(std::move(impl));
}

Compilation Compilation::FromFiles(const std::vector<std::string>& paths, const BuildOptions& options) {
  auto impl = std::make_unique<Impl>();
  bool readable = true;
  for (const std::string& path : paths) {
    std::string text, error;
    if (!driver::ReadFile(path, text, error)) {
      impl->diags.Report(diag::Kind::CannotRead, {}, path, error);
      readable = false;
      continue;
    }
    impl->sources.Add(path, std::move(text));
  }
  if (readable) Run(*impl, options);
  return Compilation(std::move(impl));
}

bool Compilation::ok() const { return !impl_->diags.has_errors(); }
std::size_t Compilation::error_count() const { return impl_->diags.error_count(); }
std::size_t Compilation::warning_count() const { return impl_->diags.warning_count(); }

std::vector<Diagnostic> Compilation::diagnostics() const {
  std::vector<Diagnostic> out;
  for (const diag::Diagnostic& d : impl_->diags.list()) {
    Diagnostic x;
    x.severity = std::string(diag::SeverityName(d.severity));
    x.code = std::string(diag::Info(d.kind).code);
    x.message = d.message;
    x.help = d.help;
    if (d.range.valid() && d.range.file < impl_->sources.size()) {
      const base::SourceFile& f = impl_->sources.file(d.range.file);
      base::LineCol lc = f.Position(d.range.begin);
      x.file = f.path();
      x.line = lc.line;
      x.column = lc.column;
    }
    out.push_back(std::move(x));
  }
  return out;
}

std::string Compilation::DiagnosticsText(const RenderOptions& options) const {
  return diag::RenderText(impl_->diags, impl_->sources, {options.color, options.error_limit});
}

std::string Compilation::DiagnosticsJson() const { return diag::RenderJson(impl_->diags, impl_->sources); }

void Compilation::ReportWriteError(const std::string& path, const std::string& reason) {
  impl_->diags.Report(diag::Kind::CannotWrite, {}, path, reason);
}

std::size_t Compilation::component_count() const { return impl_->program.components.size(); }

std::size_t Compilation::object_count() const { return impl_->Objects().size(); }

namespace {

ObjectInfo InfoOf(const emit::Object& o) { return {o.api_version, o.kind, o.name, o.namespace_, o.component}; }

// One object's own file: a YAML document, or a JSON object and a newline
// (what WriteYaml / WriteJson give for a single object).
void ObjectText(const emit::Object& o, bool json, std::string& out) {
  out.clear();
  if (json) {
    out = emit::NodeToJson(o.root, true);
    out += '\n';
  } else {
    emit::AppendYaml(out, o.root);
  }
}

}  // namespace

ObjectInfo Compilation::object(std::size_t i) const { return InfoOf(impl_->Objects().at(i)); }

namespace {

// Concatenates the chunks. When one of them has room for all (FillChunks
// reserves it), the output is built in its buffer: its own bytes move once,
// within memory already touched, instead of all of them going to new memory.
std::string Join(std::vector<std::string> chunks) {
  size_t size = 0;
  for (const std::string& chunk : chunks) size += chunk.size();
  size_t base = chunks.size();
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (chunks[i].capacity() >= size && (base == chunks.size() || chunks[i].size() > chunks[base].size())) base = i;
  }
  if (base == chunks.size()) {
    std::string out;
    out.reserve(size);
    for (const std::string& chunk : chunks) out += chunk;
    return out;
  }
  std::string out = std::move(chunks[base]);
  size_t before = 0;
  for (size_t i = 0; i < base; ++i) before += chunks[i].size();
  size_t own = out.size();
  out.resize(size);  // within its capacity: no reallocation
  std::memmove(out.data() + before, out.data(), own);
  char* p = out.data();
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (i == base) {
      p += own;
      continue;
    }
    std::memcpy(p, chunks[i].data(), chunks[i].size());
    p += chunks[i].size();
  }
  return out;
}

bool WriteChunks(const std::vector<std::string>& chunks, std::FILE* out) {
  for (const std::string& chunk : chunks) {
    if (std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size()) return false;
  }
  return std::fflush(out) == 0;
}

}  // namespace

std::string Compilation::Yaml() const { return Join(impl_->Chunks(false)); }
std::string Compilation::Json() const { return Join(impl_->Chunks(true)); }
bool Compilation::WriteYaml(std::FILE* out) const { return WriteChunks(impl_->Chunks(false), out); }
bool Compilation::WriteJson(std::FILE* out) const { return WriteChunks(impl_->Chunks(true), out); }
std::string Compilation::ObjectYaml(std::size_t i) const {
  std::string text;
  ObjectText(impl_->Objects().at(i), false, text);
  return text;
}

std::string Compilation::ObjectJson(std::size_t i) const {
  std::string text;
  ObjectText(impl_->Objects().at(i), true, text);
  return text;
}

bool Compilation::ForEachObjectText(bool json, const ObjectVisitor& visit) const {
  const Impl& impl = *impl_;
  if (impl.diags.has_errors()) return true;
  const check::Program& program = impl.program;
  // Apply order sorts the objects by kind, stably (emit::Lower): an object's
  // index is the number of objects of earlier kinds, plus those of its own
  // kind before it in source order. A first pass counts each component's
  // kinds from check::ObjectNames (which names exactly the objects the
  // lowering makes; tests/unit/object_names_test.cpp holds it to that);
  // the second lowers the component and writes its objects.
  const std::vector<emit::Object> namespaces = emit::LowerNamespaces(program);
  std::vector<size_t> next(static_cast<size_t>(emit::ApplyRank("")) + 1, 0);
  for (const emit::Object& o : namespaces) ++next[static_cast<size_t>(emit::ApplyRank(o.kind))];
  for (const check::Component& c : program.components) {
    for (const check::ObjectName& o : check::ObjectNames(c)) ++next[static_cast<size_t>(emit::ApplyRank(o.kind))];
  }
  size_t total = 0;
  for (size_t& n : next) total += std::exchange(n, total);  // counts become each kind's first index
  std::vector<emit::Object> scratch;
  std::string text;
  auto visit_all = [&](const std::vector<emit::Object>& objects) {
    for (const emit::Object& o : objects) {
      ObjectText(o, json, text);
      size_t index = next[static_cast<size_t>(emit::ApplyRank(o.kind))]++;
      if (!visit(index, total, InfoOf(o), text)) {
        return false;
      }
    }
    return true;
  };
  if (!visit_all(namespaces)) return false;
  for (const check::Component& c : program.components) {
    scratch.clear();
    emit::LowerComponent(c, scratch);
    if (!visit_all(scratch)) return false;
  }
  return true;
}

CheckCache::CheckCache() : impl_(std::make_unique<Impl>()) {}
CheckCache::~CheckCache() = default;
std::size_t CheckCache::reused() const { return impl_->reused; }
std::size_t CheckCache::checked() const { return impl_->checked; }

CheckCache::Impl::Shift CheckCache::Impl::Diff(std::string_view old_text, std::string_view new_text) {
  Shift s;
  size_t limit = std::min(old_text.size(), new_text.size());
  size_t prefix = 0;
  while (prefix < limit && old_text[prefix] == new_text[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < limit - prefix && old_text[old_text.size() - 1 - suffix] == new_text[new_text.size() - 1 - suffix]) {
    ++suffix;
  }
  s.prefix = static_cast<uint32_t>(prefix);
  s.old_suffix = static_cast<uint32_t>(old_text.size() - suffix);
  s.delta = static_cast<int64_t>(new_text.size()) - static_cast<int64_t>(old_text.size());
  return s;
}

const char* Version() { return KSTATE_VERSION; }

void TuneAllocatorForOneShot() {
  // Never trim the heap's top; grow it 64 MiB at a time; serve blocks of up to
  // 32 MiB (glibc's largest threshold) from the heap instead of mmap, so that
  // freed output buffers are reused rather than unmapped.
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

}  // namespace kstate
