// Text and JSON rendering of diagnostics.
#include "compiler/diag/render.h"

#include "compiler/base/json_text.h"

#include <algorithm>

#include <fmt/format.h>

namespace kstate::diag {

namespace {

struct Style {
  bool on;
  std::string_view Bold() const { return on ? "\x1b[1m" : ""; }
  std::string_view Reset() const { return on ? "\x1b[0m" : ""; }
  std::string_view Severity(diag::Severity s) const {
    if (!on) return "";
    switch (s) {
      case Severity::Error: return "\x1b[1;31m";
      case Severity::Warning: return "\x1b[1;35m";
      case Severity::Note: return "\x1b[1;36m";
    }
    return "";
  }
  std::string_view Caret() const { return on ? "\x1b[1;32m" : ""; }
  std::string_view Gutter() const { return on ? "\x1b[1;34m" : ""; }
};

// Display columns of `s`: tabs become one space, UTF-8 continuation bytes take none.
size_t DisplayWidth(std::string_view s) {
  size_t w = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++w;
  }
  return w;
}

// A source line as it is shown: a tab becomes a space, and any other control
// character U+FFFD, so that the line can neither move the cursor nor send
// escape sequences to the terminal. Either keeps the line's display width.
std::string Printable(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (char c : line) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\t') out += ' ';
    else if (u < 0x20 || u == 0x7F) out += "\xEF\xBF\xBD";
    else out += c;
  }
  return out;
}

// Message text (which quotes the source: names, strings) with control
// characters written as escapes (`\u{1b}`), for the same reason.
std::string Escaped(std::string_view text) {
  if (std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
    return std::string(text);
  }
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) out += fmt::format("\\u{{{:x}}}", u);
    else out += c;
  }
  return out;
}

// Lines longer than this are shown as a window around the range.
constexpr size_t kMaxShownLine = 400;
constexpr size_t kShownBefore = 100;

std::string Location(const base::SourceManager& sources, base::SourceRange r) {
  if (!r.valid() || r.file >= sources.size()) return "kstatec";
  const base::SourceFile& f = sources.file(r.file);
  base::LineCol lc = f.Position(r.begin);
  return fmt::format("{}:{}:{}", f.path(), lc.line, lc.column);
}

void AppendSnippet(std::string& out, const base::SourceManager& sources, base::SourceRange r, const Style& st) {
  if (!r.valid() || r.file >= sources.size()) return;
  const base::SourceFile& f = sources.file(r.file);
  base::LineCol begin = f.Position(r.begin);
  std::string_view line = f.Line(begin.line);
  uint32_t line_start = f.LineStart(begin.line);
  size_t col_bytes = std::min<size_t>(r.begin - line_start, line.size());
  size_t end_bytes = std::min<size_t>(r.end > line_start ? r.end - line_start : col_bytes, line.size());
  if (end_bytes < col_bytes) end_bytes = col_bytes;
  // The shown part of the line: without a leading byte-order mark, and for a
  // long line a window around the range, its cut ends marked `...`.
  const size_t start = begin.line == 1 && line.starts_with("\xEF\xBB\xBF") && col_bytes >= 3 ? 3 : 0;
  size_t from = start, to = line.size();
  if (to - from > kMaxShownLine) {
    auto continuation = [&](size_t i) {
      return i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80;
    };
    if (col_bytes > from + kShownBefore) from = col_bytes - kShownBefore;
    while (continuation(from)) --from;
    to = std::min(line.size(), from + kMaxShownLine);
    while (continuation(to)) ++to;
  }
  std::string_view lead = from > start ? "..." : "";
  std::string_view tail = to < line.size() ? "..." : "";
  size_t indent = lead.size() + DisplayWidth(line.substr(from, col_bytes - from));
  size_t width = DisplayWidth(line.substr(col_bytes, std::min(end_bytes, to) - std::min(col_bytes, to)));
  std::string number = fmt::format("{}", begin.line);
  size_t gutter = std::max<size_t>(number.size(), 4);
  out += fmt::format("{}{:>{}} |{} {}{}{}\n", st.Gutter(), number, gutter, st.Reset(), lead,
                     Printable(line.substr(from, to - from)), tail);
  out += fmt::format("{}{:>{}} |{} {:{}}{}^{}{}\n", st.Gutter(), "", gutter, st.Reset(), "", indent, st.Caret(),
                     std::string(width > 1 ? width - 1 : 0, '~'), st.Reset());
}

}  // namespace

std::string RenderText(const Diagnostics& diags, const base::SourceManager& sources, const RenderOptions& options) {
  Style st{options.color};
  std::string out;
  size_t errors = 0;
  for (const Diagnostic& d : diags.list()) {
    if (options.error_limit && d.severity == Severity::Error && errors == options.error_limit) {
      const KindInfo& info = Info(Kind::ErrorLimit);
      out += fmt::format("{}kstatec: {}error:{} {}too many errors ({} shown); stopping (raise the limit with "
                         "`--error-limit`) [{}]{}\n",
                         st.Bold(), st.Severity(Severity::Error), st.Reset(), st.Bold(), errors, info.code, st.Reset());
      break;
    }
    if (d.severity == Severity::Error) ++errors;
    out += fmt::format("{}{}: {}{}:{} {}{} [{}]{}\n", st.Bold(), Escaped(Location(sources, d.range)),
                       st.Severity(d.severity), SeverityName(d.severity), st.Reset(), st.Bold(), Escaped(d.message),
                       Info(d.kind).code, st.Reset());
    AppendSnippet(out, sources, d.range, st);
    if (!d.help.empty()) out += fmt::format("      = {}help:{} {}\n", st.Bold(), st.Reset(), Escaped(d.help));
    for (const Note& n : d.notes) {
      if (n.range.valid()) {
        out += fmt::format("{}{}: {}note:{} {}\n", st.Bold(), Escaped(Location(sources, n.range)),
                           st.Severity(Severity::Note), st.Reset(), Escaped(n.message));
        AppendSnippet(out, sources, n.range, st);
      } else {
        out += fmt::format("      = {}note:{} {}\n", st.Bold(), st.Reset(), Escaped(n.message));
      }
    }
  }
  return out;
}

namespace {

void AppendJsonRange(std::string& out, const base::SourceManager& sources, base::SourceRange r) {
  if (!r.valid() || r.file >= sources.size()) {
    out += "\"file\":null";
    return;
  }
  const base::SourceFile& f = sources.file(r.file);
  base::LineCol b = f.Position(r.begin), e = f.Position(r.end);
  out += "\"file\":";
  base::AppendJsonString(out, f.path());
  out += fmt::format(",\"line\":{},\"column\":{},\"endLine\":{},\"endColumn\":{},\"offset\":{},\"endOffset\":{}", b.line,
                     b.column, e.line, e.column, r.begin, r.end);
}

}  // namespace

std::string RenderJson(const Diagnostics& diags, const base::SourceManager& sources) {
  std::string out = "[";
  bool first = true;
  for (const Diagnostic& d : diags.list()) {
    if (!first) out += ",";
    first = false;
    out += "\n  {";
    AppendJsonRange(out, sources, d.range);
    out += ",\"severity\":";
    base::AppendJsonString(out, SeverityName(d.severity));
    out += ",\"code\":";
    base::AppendJsonString(out, Info(d.kind).code);
    out += ",\"message\":";
    base::AppendJsonString(out, d.message);
    if (!d.help.empty()) {
      out += ",\"help\":";
      base::AppendJsonString(out, d.help);
    }
    // Notes and fixes share a shape: a range and one text field.
    auto ranged = [&](std::string_view name, std::string_view field, const auto& items, auto text) {
      out += fmt::format(",\"{}\":[", name);
      for (size_t i = 0; i < items.size(); ++i) {
        out += i ? ",{" : "{";
        AppendJsonRange(out, sources, items[i].range);
        out += fmt::format(",\"{}\":", field);
        base::AppendJsonString(out, text(items[i]));
        out += "}";
      }
      out += "]";
    };
    ranged("notes", "message", d.notes, [](const Note& n) -> const std::string& { return n.message; });
    ranged("fixes", "replacement", d.fixes, [](const FixIt& f) -> const std::string& { return f.replacement; });
    out += "}";
  }
  out += first ? "]\n" : "\n]\n";
  return out;
}

}  // namespace kstate::diag
