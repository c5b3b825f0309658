// textDocument/definition and textDocument/references: templates (also in
// imported files and the standard library), lets, parameters, imports,
// components named in `dependsOn`, volumes named in mounts.
#include "compiler/lsp/handlers.h"
#include "compiler/lsp/imports.h"

namespace kstate::lsp {

namespace {

Json Location(const std::string& uri, const Index& index, base::SourceRange r) {
  return Json{{"uri", uri}, {"range", ToJson(Range{index.lines().At(r.begin), index.lines().At(r.end)})}};
}

// The template (or its parameter, for an argument) that `o` names in an
// imported file, as a location.
Json ImportedDefinition(const Server& server, const Document& doc, const Index& index, const Occurrence& o) {
  std::string_view name = o.text;
  std::string_view alias;
  if (o.kind == OccKind::TemplateRef) {
    if (size_t dot = name.find('.'); dot != std::string_view::npos) {
      alias = name.substr(0, dot);
      name = name.substr(dot + 1);
    }
  } else if (o.expr && o.expr->base) {
    // An argument: find the template from its call's callee.
    const syntax::Expr& callee = *o.expr->base;
    name = callee.name.text;
    if (callee.kind == syntax::ExprKind::Field && callee.base) alias = callee.base->name.text;
  }
  for (const syntax::Decl* import : Imports(index)) {
    if (import->name.text != alias) continue;
    std::optional<ImportedFile> file = LoadImport(server, doc, *import);
    if (!file || file->uri.empty()) continue;
    int t = file->index->FindTopLevel(DefKind::Template, name);
    if (t < 0) continue;
    const Definition& def = file->index->definitions()[static_cast<size_t>(t)];
    if (o.kind == OccKind::Argument) {
      for (const Definition& p : file->index->definitions()) {
        if (p.kind == DefKind::Param && p.parent == t && p.name == o.text) return Location(file->uri, *file->index, p.name_range);
      }
      return nullptr;
    }
    return Location(file->uri, *file->index, def.name_range);
  }
  return nullptr;
}

// The definition an occurrence refers to in the document itself, or -1.
int Target(const Index& index, const Occurrence& o) {
  if (o.kind != OccKind::Argument) return o.target;
  // A named argument of a local template: its parameter.
  if (!o.expr || !o.expr->base || o.expr->base->kind != syntax::ExprKind::Name) return -1;
  int t = index.FindTopLevel(DefKind::Template, o.expr->base->name.text);
  for (size_t i = 0; t >= 0 && i < index.definitions().size(); ++i) {
    const Definition& p = index.definitions()[i];
    if (p.kind == DefKind::Param && p.parent == t && p.name == o.text) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

Json HandleDefinition(Server& server, const Json& params) {
  Document& doc = server.DocumentFor(params);
  const Index& index = doc.UsableIndex();
  const Occurrence* o = index.At(OffsetAt(index, params));
  if (!o) return nullptr;
  if (o->kind == OccKind::ImportPath) {
    const Definition& d = index.definitions()[static_cast<size_t>(o->target)];
    std::optional<ImportedFile> file = LoadImport(server, doc, *d.decl);
    if (!file || file->uri.empty()) return nullptr;
    return Json{{"uri", file->uri}, {"range", ToJson(Range{})}};
  }
  int target = Target(index, *o);
  if (target >= 0) return Location(doc.uri, index, index.definitions()[static_cast<size_t>(target)].name_range);
  if (o->kind == OccKind::TemplateRef || o->kind == OccKind::Argument) return ImportedDefinition(server, doc, index, *o);
  return nullptr;
}

Json HandleReferences(Server& server, const Json& params) {
  Document& doc = server.DocumentFor(params);
  const Index& index = doc.UsableIndex();
  uint32_t offset = OffsetAt(index, params);
  const Occurrence* o = index.At(offset);
  int target = o ? Target(index, *o) : index.DefinitionAt(offset);
  if (target < 0) return Json::array();
  bool declaration = true;
  if (auto context = params.find("context"); context != params.end() && context->is_object()) {
    declaration = context->value("includeDeclaration", true);
  }
  Json out = Json::array();
  for (const Occurrence& r : index.occurrences()) {
    if (r.target != target && Target(index, r) != target) continue;
    if (r.kind == OccKind::DeclName && !declaration) continue;
    if (r.kind == OccKind::ImportPath) continue;
    out.push_back(Location(doc.uri, index, r.range));
  }
  return out;
}

}  // namespace kstate::lsp
