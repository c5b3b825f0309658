// Diagnostics for the editor: severity, code, help, notes as related
// information, positions converted to UTF-16.
#include "compiler/lsp/analysis.h"

#include <fmt/format.h>

#include "compiler/driver/compilation_impl.h"

namespace kstate::lsp {

namespace {

int LspSeverity(diag::Severity s) {
  switch (s) {
    case diag::Severity::Error: return 1;
    case diag::Severity::Warning: return 2;
    case diag::Severity::Note: return 3;
  }
  return 1;
}

const base::SourceManager& Sources(const Document& doc) { return doc.compilation->impl().sources; }

// The URI of a compiled file: the document's own, a file on disk, or none
// for the embedded standard library.
std::string FileUri(const Document& doc, uint32_t file) {
  if (file == 0) return doc.uri;
  const std::string& path = Sources(doc).file(file).path();
  if (path.empty() || path.front() != '/') return {};
  return PathToUri(path);
}

std::string Where(const Document& doc, base::SourceRange r) {
  const base::SourceFile& f = Sources(doc).file(r.file);
  base::LineCol lc = f.Position(r.begin);
  return fmt::format("{}:{}:{}", f.path(), lc.line, lc.column);
}

Json Related(const Document& doc, base::SourceRange r, const std::string& message) {
  std::string uri = FileUri(doc, r.file);
  if (uri.empty()) return nullptr;
  return Json{{"location", {{"uri", uri}, {"range", ToJson(ToRange(doc, r))}}}, {"message", message}};
}

// Where in this document a diagnostic from another file shows: the last note
// located here (a template instance), else the import of that file, else the
// first import.
base::SourceRange Anchor(Document& doc, const diag::Diagnostic& d) {
  for (auto it = d.notes.rbegin(); it != d.notes.rend(); ++it) {
    if (it->range.valid() && it->range.file == 0) return it->range;
  }
  const base::SourceManager& sources = Sources(doc);
  base::SourceRange first;
  for (const auto& tree : doc.CurrentIndex().trees()) {
    for (const syntax::Decl& decl : tree->decls) {
      if (decl.kind != syntax::DeclKind::Import) continue;
      if (!first.valid()) first = decl.range;
      std::string_view target = sources.file(d.range.file).path();
      std::string_view spec = decl.text;
      while (spec.starts_with("./") || spec.starts_with("../")) spec.remove_prefix(spec.find('/') + 1);
      if (!spec.empty() && target.find(spec) != std::string_view::npos) return decl.range;
    }
  }
  return first;
}

Json Convert(Document& doc, const diag::Diagnostic& d) {
  base::SourceRange at = d.range;
  std::string message = d.message;
  Json related = Json::array();
  if (at.valid() && at.file != 0 && at.file < Sources(doc).size()) {
    message = fmt::format("{} (at {})", message, Where(doc, at));
    Json here = Related(doc, at, d.message);
    if (!here.is_null()) related.push_back(std::move(here));
    at = Anchor(doc, d);
  }
  if (!d.help.empty()) message += "\nhelp: " + d.help;
  Json out{{"range", ToJson(at.valid() && at.file == 0 ? ToRange(doc, at) : Range{})},
           {"severity", LspSeverity(d.severity)},
           {"code", std::string(diag::Info(d.kind).code)},
           {"source", "kstatec"},
           {"message", message}};
  for (const diag::Note& n : d.notes) {
    if (!n.range.valid() || n.range.file >= Sources(doc).size()) continue;
    Json r = Related(doc, n.range, n.message);
    if (!r.is_null()) related.push_back(std::move(r));
  }
  if (!related.empty()) out["relatedInformation"] = std::move(related);
  return out;
}

}  // namespace

Range ToRange(const Document& doc, base::SourceRange r) {
  if (!r.valid()) return {};
  if (r.file == 0) return {doc.lines().At(r.begin), doc.lines().At(std::max(r.begin, r.end))};
  LineIndex lines(Sources(doc).file(r.file).text());
  return {lines.At(r.begin), lines.At(std::max(r.begin, r.end))};
}

void Analyze(Document& doc, std::vector<Source> unsaved, const std::string& root) {
  BuildOptions options;
  options.root = root;
  options.unsaved = std::move(unsaved);
  options.cache = &doc.check_cache;
  doc.compilation = std::make_shared<Compilation>(Compilation::FromSources({{doc.path, doc.text()}}, options));
  doc.analysed = true;
  if (doc.compilation->ok()) {
    doc.good_compilation = doc.compilation;
    doc.good_text = doc.text();
  }
}

std::vector<LocatedDiagnostic> DocumentDiagnostics(Document& doc) {
  std::vector<LocatedDiagnostic> out;
  if (!doc.compilation) return out;
  for (const diag::Diagnostic& d : doc.compilation->impl().diags.list()) out.push_back({&d, Convert(doc, d)});
  return out;
}

Json PublishParams(Document& doc) {
  Json list = Json::array();
  for (LocatedDiagnostic& d : DocumentDiagnostics(doc)) list.push_back(std::move(d.lsp));
  return Json{{"uri", doc.uri}, {"version", doc.version}, {"diagnostics", std::move(list)}};
}

}  // namespace kstate::lsp
