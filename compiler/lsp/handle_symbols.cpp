// textDocument/documentSymbol: the declarations as a tree (components with
// their sections, ports and lets; templates with their parameters).
#include "compiler/lsp/handlers.h"

namespace kstate::lsp {

namespace {

// LSP SymbolKind values.
int SymbolKind(const Definition& d) {
  switch (d.kind) {
    case DefKind::Namespace: return 3;   // Namespace
    case DefKind::Component: return 5;   // Class
    case DefKind::Template: return 12;   // Function
    case DefKind::Let: return 14;        // Constant
    case DefKind::Import: return 2;      // Module
    case DefKind::Param: return 13;      // Variable
    case DefKind::Section: return 19;    // Object
    case DefKind::Port: return 8;        // Field
    case DefKind::File: return 1;        // File
  }
  return 13;
}

Json Symbol(const Index& index, int id, const std::vector<std::vector<int>>& children) {
  const Definition& d = index.definitions()[static_cast<size_t>(id)];
  const LineIndex& lines = index.lines();
  Range range{lines.At(d.range.begin), lines.At(d.range.end)};
  base::SourceRange name = d.name_range.valid() ? d.name_range : d.range;
  Range selection{lines.At(name.begin), lines.At(name.end)};
  // The selection must lie inside the range.
  if (name.begin < d.range.begin || name.end > d.range.end) range = selection;
  Json out{{"name", d.name.empty() ? (d.detail.empty() ? "(unnamed)" : d.detail) : d.name},
           {"kind", SymbolKind(d)},
           {"range", ToJson(range)},
           {"selectionRange", ToJson(selection)}};
  if (!d.detail.empty() && d.detail != d.name) out["detail"] = d.detail;
  Json kids = Json::array();
  for (int child : children[static_cast<size_t>(id)]) kids.push_back(Symbol(index, child, children));
  if (!kids.empty()) out["children"] = std::move(kids);
  return out;
}

}  // namespace

Json HandleDocumentSymbol(Server& server, const Json& params) {
  const Index& index = server.DocumentFor(params).UsableIndex();
  const std::vector<Definition>& defs = index.definitions();
  std::vector<std::vector<int>> children(defs.size());
  Json out = Json::array();
  std::vector<int> roots;
  for (size_t i = 0; i < defs.size(); ++i) {
    const Definition& d = defs[i];
    if (d.parent >= 0) children[static_cast<size_t>(d.parent)].push_back(static_cast<int>(i));
    // Comprehension variables and lets inside override blocks are not symbols.
    else if (d.decl) roots.push_back(static_cast<int>(i));
  }
  for (int root : roots) out.push_back(Symbol(index, root, children));
  return out;
}

}  // namespace kstate::lsp
