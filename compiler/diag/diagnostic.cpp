// The diagnostic registry and collector.
#include "compiler/diag/diagnostic.h"

#include <algorithm>
#include <array>
#include <span>

#include "compiler/base/text.h"

namespace kstate::diag {

namespace {
constexpr std::array kInfos = {
#define KSTATE_DIAG(name, code, severity, format) KindInfo{#name, code, Severity::severity, format},
#include "compiler/diag/kinds.def"
#undef KSTATE_DIAG
};
}  // namespace

const KindInfo& Info(Kind kind) { return kInfos[static_cast<size_t>(kind)]; }

std::vector<Kind> AllKinds() {
  std::vector<Kind> out;
  for (size_t i = 0; i < kInfos.size(); ++i) out.push_back(static_cast<Kind>(i));
  return out;
}

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

Diagnostic& Diagnostics::Add(Kind kind, Severity severity, base::SourceRange range, std::string message) {
  if (severity == Severity::Error) ++errors_;
  if (severity == Severity::Warning) ++warnings_;
  list_.push_back(Diagnostic{kind, severity, range, std::move(message), {}, {}, {}});
  return list_.back();
}

void Diagnostics::Append(Diagnostic d) {
  if (d.severity == Severity::Error) ++errors_;
  if (d.severity == Severity::Warning) ++warnings_;
  list_.push_back(std::move(d));
}

void Diagnostics::SortByLocation() {
  std::stable_sort(list_.begin(), list_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.range.file, a.range.begin) < std::pair(b.range.file, b.range.begin);
  });
}

void Diagnostics::PushContext(Note note, base::SourceRange inside) {
  contexts_.push_back(Context{std::move(note), inside, list_.size()});
}

void Diagnostics::PopContext() {
  Context& c = contexts_.back();
  for (size_t i = c.first; i < list_.size(); ++i) {
    const base::SourceRange& r = list_[i].range;
    bool inside = r.file == c.inside.file && r.begin >= c.inside.begin && r.end <= c.inside.end;
    if (!inside) list_[i].notes.push_back(c.note);
  }
  contexts_.pop_back();
}

void SuggestClosest(Diagnostic& d, std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string_view best = base::ClosestMatch(word, std::span(candidates.data(), candidates.size()));
  // The word itself is no suggestion: a name seen where it is out of reach.
  if (best.empty() || best == word) return;
  d.help = fmt::format("did you mean `{}`?", best);
  d.fixes.push_back(FixIt{d.range, std::string(best)});
}

}  // namespace kstate::diag
