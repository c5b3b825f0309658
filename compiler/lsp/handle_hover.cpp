// textDocument/hover: what the thing under the cursor is. A field: its type,
// documentation and the Kubernetes field it becomes. A unit literal: its
// exact value. A component: the objects it compiles to, as YAML. A name: its
// declaration. A built-in, template or import: its signature and documentation.
#include <fmt/format.h>

#include "compiler/base/quantity.h"
#include "compiler/lsp/handlers.h"
#include "compiler/lsp/hover_text.h"
#include "compiler/lsp/imports.h"

namespace kstate::lsp {

namespace schema = check::schema;

namespace {

std::string Code(std::string_view text) { return fmt::format("```kstate\n{}\n```", text); }

std::string LetText(const Index& index, const Definition& d) {
  if (d.stmt && d.stmt->value) return Code(fmt::format("let {} = {}", d.name, index.Slice(d.stmt->value->range)));
  if (d.detail == "for") return Code(fmt::format("for {} in ...", d.name)) + "\n\nA comprehension variable.";
  return Code(fmt::format("let {}", d.name));
}

std::string TemplateText(const Index& index, const Definition& d, std::string_view from) {
  std::string out = Code(d.detail);
  std::string doc = CommentAbove(index.text(), d.range.begin);
  if (!doc.empty()) out += "\n\n" + doc;
  if (!from.empty()) out += fmt::format("\n\nFrom `{}`.", from);
  return out;
}

std::string ParamText(const Index& index, const Definition& d) {
  std::string text = fmt::format("{}: {}", d.name, d.detail);
  if (d.param && d.param->default_value) text += fmt::format(" = {}", index.Slice(d.param->default_value->range));
  std::string out = Code(text);
  if (d.decl) out += fmt::format("\n\nA parameter of template `{}`.", d.decl->name.text);
  return out;
}

// The template an occurrence's call names, in this document or an import.
struct FoundTemplate {
  std::shared_ptr<const Index> owner;  // null: the document's own index
  int def = -1;
  std::string from;
};

FoundTemplate FindTemplate(const Server& server, const Document& doc, const Index& index, const Occurrence& o) {
  std::string_view name = o.text;
  std::string_view alias;
  if (o.kind == OccKind::Argument) {
    // A named argument: the template is its call's callee.
    if (!o.expr || !o.expr->base) return {};
    const syntax::Expr& callee = *o.expr->base;
    name = callee.name.text;
    if (callee.kind == syntax::ExprKind::Field && callee.base) alias = callee.base->name.text;
    if (alias.empty()) {
      int local = index.FindTopLevel(DefKind::Template, name);
      if (local >= 0) return {nullptr, local, ""};
    }
  } else if (o.target >= 0) {
    return {nullptr, o.target, ""};
  } else if (size_t dot = name.find('.'); dot != std::string_view::npos) {
    alias = name.substr(0, dot);
    name = name.substr(dot + 1);
  }
  for (const syntax::Decl* import : Imports(index)) {
    if (import->name.text != alias) continue;
    std::optional<ImportedFile> file = LoadImport(server, doc, *import);
    if (!file) continue;
    int def = file->index->FindTopLevel(DefKind::Template, name);
    if (def >= 0) return {file->index, def, file->shown};
  }
  return {};
}

std::string ComponentText(Server& server, Document& doc, std::string_view name) {
  server.EnsureAnalysed(doc);
  std::string out = Code(fmt::format("component {}", name));
  const Compilation* c = doc.good_compilation.get();
  if (!c) return out + "\n\nThe file has errors; once it compiles, this shows the objects the component becomes.";
  std::string yaml, kinds;
  for (size_t i = 0; i < c->object_count(); ++i) {
    ObjectInfo info = c->object(i);
    if (info.component != name) continue;
    kinds += fmt::format("{}{} `{}`", kinds.empty() ? "" : ", ", info.kind, info.name);
    yaml += "---\n" + c->ObjectYaml(i);
  }
  if (yaml.empty()) return out + "\n\nNo objects: the component is not in the last version of the file that compiled.";
  out += fmt::format("\n\nCompiles to {}", kinds);
  if (doc.good_compilation != doc.compilation) out += " (as of the last version of the file without errors)";
  return out + ":\n\n```yaml\n" + yaml + "```";
}

std::string ImportText(const Server& server, const Document& doc, const Index& index, const Definition& d) {
  std::string out = Code(index.Slice(d.decl->range));
  std::optional<ImportedFile> file = LoadImport(server, doc, *d.decl);
  if (!file) return out + "\n\nThe file cannot be read.";
  std::string comment = LeadingComment(file->index->text());
  if (!comment.empty()) out += "\n\n" + comment;
  std::string templates;
  for (const Definition& t : file->index->definitions()) {
    if (t.kind == DefKind::Template && t.parent < 0) templates += fmt::format("\n- `{}`", t.detail);
  }
  if (!templates.empty()) out += "\n\nTemplates:" + templates;
  return out;
}

std::string DefinitionText(Server& server, Document& doc, const Index& index, int id) {
  const Definition& d = index.definitions()[static_cast<size_t>(id)];
  switch (d.kind) {
    case DefKind::Component: return ComponentText(server, doc, d.name);
    case DefKind::Template: return TemplateText(index, d, "");
    case DefKind::Let: return LetText(index, d);
    case DefKind::Param: return ParamText(index, d);
    case DefKind::Import: return ImportText(server, doc, index, d);
    case DefKind::Section: {
      std::string text(index.Slice(d.range));
      if (size_t brace = text.find('{'); brace != std::string::npos && text.size() > 400) text = text.substr(0, 400) + " ...";
      return Code(text);
    }
    case DefKind::Port:
    case DefKind::File:
    case DefKind::Namespace: return Code(index.Slice(d.range));
  }
  return {};
}

std::string Markdown(Server& server, Document& doc, const Index& index, const Occurrence& o) {
  switch (o.kind) {
    case OccKind::Field: return o.field ? FieldText(*o.field) : "";
    case OccKind::Number: return NumberText(o.text, o.field);
    case OccKind::Builtin: {
      const schema::Builtin* b = schema::FindBuiltin(o.text);
      return b ? Code(b->signature) + "\n\n" + std::string(b->doc) + "\n\nBuilt-in." : "";
    }
    case OccKind::Name:
      if (o.target >= 0) return DefinitionText(server, doc, index, o.target);
      return NameText(o.text, o.field);
    case OccKind::DeclName:
    case OccKind::ComponentRef:
    case OccKind::VolumeRef:
    case OccKind::AliasRef:
      if (o.kind == OccKind::ComponentRef && o.target < 0) return fmt::format("No component `{}` in this file.", o.text);
      return o.target >= 0 ? DefinitionText(server, doc, index, o.target) : "";
    case OccKind::ImportPath:
      return o.target >= 0 ? DefinitionText(server, doc, index, o.target) : "";
    case OccKind::TemplateRef:
    case OccKind::Argument: {
      FoundTemplate t = FindTemplate(server, doc, index, o);
      if (o.kind == OccKind::TemplateRef && o.target < 0 && o.text.find('.') == std::string::npos && t.def < 0) {
        // A template from a plain import.
        for (const syntax::Decl* import : Imports(index)) {
          if (!import->name.text.empty()) continue;
          std::optional<ImportedFile> file = LoadImport(server, doc, *import);
          int def = file ? file->index->FindTopLevel(DefKind::Template, o.text) : -1;
          if (def >= 0) return TemplateText(*file->index, file->index->definitions()[static_cast<size_t>(def)], file->shown);
        }
      }
      if (t.def < 0) return "";
      const Index& owner = t.owner ? *t.owner : index;
      if (o.kind == OccKind::TemplateRef) {
        return TemplateText(owner, owner.definitions()[static_cast<size_t>(t.def)], t.from);
      }
      for (const Definition& p : owner.definitions()) {
        if (p.kind == DefKind::Param && p.parent == t.def && p.name == o.text) return ParamText(owner, p);
      }
      return "";
    }
  }
  return "";
}

}  // namespace

uint32_t OffsetAt(const Index& index, const Json& params) { return index.lines().Offset(PositionFrom(Member(params, "position"))); }

Json HandleHover(Server& server, const Json& params) {
  Document& doc = server.DocumentFor(params);
  const Index& index = doc.UsableIndex();
  uint32_t offset = OffsetAt(index, params);
  const Occurrence* o = index.At(offset);
  std::string text;
  base::SourceRange range;
  if (o) {
    text = Markdown(server, doc, index, *o);
    range = o->range;
  }
  if (text.empty()) {
    // A keyword has no occurrence; find the word under the cursor.
    std::string_view src = index.text();
    uint32_t begin = offset, end = offset;
    auto word = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    while (begin > 0 && word(src[begin - 1])) --begin;
    while (end < src.size() && word(src[end])) ++end;
    text = KeywordText(src.substr(begin, end - begin));
    range = {0, begin, end};
  }
  if (text.empty()) return nullptr;
  return Json{{"contents", {{"kind", "markdown"}, {"value", text}}},
              {"range", ToJson(Range{index.lines().At(range.begin), index.lines().At(range.end)})}};
}

}  // namespace kstate::lsp
