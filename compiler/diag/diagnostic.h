// Diagnostics: the registry of kinds (kinds.def), one reported diagnostic
// with its notes and fix, and the collector every phase reports into.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "compiler/base/source.h"

namespace kstate::diag {

enum class Severity : uint8_t { Error, Warning, Note };

enum class Kind : uint16_t {
#define KSTATE_DIAG(name, code, severity, format) name,
#include "compiler/diag/kinds.def"
#undef KSTATE_DIAG
};

struct KindInfo {
  std::string_view name;
  std::string_view code;
  Severity severity;
  std::string_view format;
};

const KindInfo& Info(Kind kind);
// Every registered kind, in registry order.
std::vector<Kind> AllKinds();
std::string_view SeverityName(Severity s);

// A secondary location with its own message ("the template is declared here").
struct Note {
  base::SourceRange range;
  std::string message;
};

// A machine-applicable fix: replace `range` by `replacement`.
struct FixIt {
  base::SourceRange range;
  std::string replacement;
};

struct Diagnostic {
  Kind kind;
  Severity severity;
  base::SourceRange range;
  std::string message;
  std::string help;
  std::vector<Note> notes;
  std::vector<FixIt> fixes;
};

// Collects diagnostics from every phase, in report order.
class Diagnostics {
 public:
  template <typename... Args>
  Diagnostic& Report(Kind kind, base::SourceRange range, Args&&... args) {
    const KindInfo& info = Info(kind);
    std::string message = fmt::vformat(info.format, fmt::make_format_args(args...));
    return Add(kind, info.severity, range, std::move(message));
  }
  Diagnostic& Add(Kind kind, Severity severity, base::SourceRange range, std::string message);
  // Adds a diagnostic reported before (in an earlier build), with its help, notes and fixes.
  void Append(Diagnostic d);

  const std::vector<Diagnostic>& list() const { return list_; }
  std::vector<Diagnostic>& list() { return list_; }
  size_t error_count() const { return errors_; }
  size_t warning_count() const { return warnings_; }
  bool has_errors() const { return errors_ > 0; }
  // Sorts by file and position; stable for equal positions.
  void SortByLocation();

  // While a context is open, every diagnostic reported outside `inside` gets
  // `note` appended when the context closes: errors inside a template say
  // which instance they come from.
  void PushContext(Note note, base::SourceRange inside);
  void PopContext();

 private:
  struct Context {
    Note note;
    base::SourceRange inside;
    size_t first;
  };
  std::vector<Context> contexts_;
  std::vector<Diagnostic> list_;
  size_t errors_ = 0;
  size_t warnings_ = 0;
};

// Adds a "did you mean" help and fix to `d` when `word` is close to a candidate.
void SuggestClosest(Diagnostic& d, std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace kstate::diag
