// textDocument/codeAction: the compiler's fix-its ("did you mean", quoting a
// number, an octal mode) as quick fixes for the diagnostics in the range.
#include <fmt/format.h>

#include "compiler/lsp/analysis.h"
#include "compiler/lsp/handlers.h"

namespace kstate::lsp {

namespace {

bool Before(Position a, Position b) { return a.line < b.line || (a.line == b.line && a.character < b.character); }

bool Overlaps(const Range& a, const Range& b) { return !Before(a.end, b.start) && !Before(b.end, a.start); }

}  // namespace

Json HandleCodeAction(Server& server, const Json& params) {
  Document& doc = server.DocumentFor(params);
  Range wanted = RangeFrom(Member(params, "range"));
  server.EnsureAnalysed(doc);
  Json out = Json::array();
  for (LocatedDiagnostic& d : DocumentDiagnostics(doc)) {
    const diag::Diagnostic& diagnostic = *d.diagnostic;
    if (diagnostic.fixes.empty() || !diagnostic.range.valid() || diagnostic.range.file != 0) continue;
    if (!Overlaps(ToRange(doc, diagnostic.range), wanted)) continue;
    Json edits = Json::array();
    std::string title;
    for (const diag::FixIt& fix : diagnostic.fixes) {
      if (!fix.range.valid() || fix.range.file != 0) continue;
      edits.push_back({{"range", ToJson(ToRange(doc, fix.range))}, {"newText", fix.replacement}});
      std::string_view old_text = std::string_view(doc.text()).substr(fix.range.begin, fix.range.end - fix.range.begin);
      if (!title.empty()) continue;
      if (fix.replacement.empty()) title = fmt::format("Remove `{}`", old_text);
      else if (old_text.empty()) title = fmt::format("Insert `{}`", fix.replacement);
      else title = fmt::format("Replace `{}` with `{}`", old_text, fix.replacement);
    }
    if (edits.empty()) continue;
    out.push_back({{"title", title},
                   {"kind", "quickfix"},
                   {"isPreferred", diagnostic.fixes.size() == 1},
                   {"diagnostics", Json::array({d.lsp})},
                   {"edit", {{"changes", {{doc.uri, std::move(edits)}}}}}});
  }
  return out;
}

}  // namespace kstate::lsp
