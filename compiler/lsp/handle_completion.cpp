// textDocument/completion: fields valid in the section at the cursor, enum
// values and built-ins after `field =`, units after a number, template names
// and their parameters, `let`s in scope, volumes after `mount`, components in
// `dependsOn`, and import paths (`std/` modules and `.kstate` files).
#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "compiler/lsp/completion_context.h"
#include "compiler/lsp/handlers.h"
#include "compiler/lsp/imports.h"

namespace kstate::lsp {

namespace schema = check::schema;
namespace fs = std::filesystem;

namespace {

// LSP CompletionItemKind values.
enum ItemKind : int {
  kFunction = 3, kField = 5, kVariable = 6, kClass = 7, kModule = 9, kUnit = 11, kKeyword = 14, kSnippet = 15,
  kFile = 17, kFolder = 19, kEnumMember = 20,
};

class Items {
 public:
  void Add(std::string label, int kind, std::string detail = {}, std::string doc = {}, std::string snippet = {}) {
    if (!seen_.insert(label).second) return;
    Json item{{"label", label}, {"kind", kind}};
    if (!detail.empty()) item["detail"] = detail;
    if (!doc.empty()) item["documentation"] = {{"kind", "markdown"}, {"value", doc}};
    if (!snippet.empty()) {
      item["insertText"] = snippet;
      item["insertTextFormat"] = 2;
    }
    list_.push_back(std::move(item));
  }
  // Replaces `range` rather than the word before the cursor (for paths).
  void AddEdit(std::string label, int kind, const Range& range, std::string text, std::string detail = {}) {
    if (!seen_.insert(label).second) return;
    Json item{{"label", label}, {"kind", kind}, {"textEdit", {{"range", ToJson(range)}, {"newText", text}}},
              {"filterText", text}};
    if (!detail.empty()) item["detail"] = detail;
    list_.push_back(std::move(item));
  }
  Json Take() { return Json{{"isIncomplete", false}, {"items", std::move(list_)}}; }

 private:
  Json list_ = Json::array();
  std::set<std::string> seen_;
};

std::string FieldSnippet(const schema::Field& f) {
  switch (f.kind) {
    case schema::FieldKind::Value: return fmt::format("{} = $0", f.name);
    case schema::FieldKind::Section: return fmt::format("{} {{\n\t$0\n}}", f.name);
    case schema::FieldKind::NamedSection: return fmt::format("{} ${{1:name}} {{\n\t$0\n}}", f.name);
    case schema::FieldKind::Statement:
      if (f.name == "port") return "port ${1:name} = ${2:8080}";
      if (f.name == "file") return "file \"${1:name}\" = \"\"\"\n\t$0\n\"\"\"";
      if (f.name == "mount") return "mount ${1:volume} at \"${2:/path}\"";
      return std::string(f.name) + " $0";
  }
  return std::string(f.name);
}

// The schema section the innermost block at the cursor holds; `known` is
// false inside a block whose fields are free (env) or unknown.
const schema::Section* SectionAt(const CompletionContext& ctx, bool& top_level) {
  const schema::Section* section = nullptr;
  top_level = true;
  for (const CompletionContext::Frame& f : ctx.frames) {
    if (f.open != '{') {
      if (!top_level) section = nullptr;
      continue;
    }
    if (top_level) {
      top_level = false;
      std::string_view first = f.head.empty() ? "" : f.head.front();
      if (first == "component" || first == "template") section = &schema::Component();
      else if (first == "namespace") section = &schema::NamespaceOptions();
      else section = nullptr;
      continue;
    }
    if (!section || f.head.empty()) {
      section = nullptr;
      continue;
    }
    const schema::Field* field = schema::FindField(*section, f.head.front());
    section = field ? field->section : nullptr;
  }
  return section;
}

void AddStatementWords(Items& items, const schema::Section* section, bool top_level) {
  if (top_level) {
    items.Add("component", kKeyword, "a stateful component", "", "component ${1:name} {\n\timage = \"$2\"\n\t$0\n}");
    items.Add("template", kKeyword, "a reusable component with typed parameters", "",
              "template ${1:name}(${2:replicas}: ${3:int} = ${4:3}) {\n\t$0\n}");
    items.Add("import", kKeyword, "import a file or a standard library module", "", "import \"$1\"");
    items.Add("namespace", kKeyword, "the namespace of the components after it", "", "namespace \"$1\"");
  }
  items.Add("let", kKeyword, "a named value", "", "let ${1:name} = $0");
  items.Add("assert", kKeyword, "a condition that must hold, or the build fails with the message", "",
            "assert ${1:condition}, \"${2:message}\"");
  if (top_level || !section) return;
  for (const schema::Field& f : section->fields) {
    int kind = f.kind == schema::FieldKind::Value ? kField : kKeyword;
    items.Add(std::string(f.name), kind, std::string(f.type), std::string(f.doc), FieldSnippet(f));
  }
}

void AddUnits(Items& items) {
  for (const schema::Unit& u : schema::Units()) {
    items.Add(std::string(u.suffix), kUnit, std::string(u.kind), std::string(u.meaning));
  }
}

// `let`s and parameters declared before `offset` in a block that holds it.
void AddNames(Items& items, const Index& index, uint32_t offset) {
  const std::vector<Definition>& defs = index.definitions();
  for (const Definition& d : defs) {
    if (d.kind != DefKind::Let && d.kind != DefKind::Param && d.kind != DefKind::Import) continue;
    if (d.detail == "for" || d.range.begin > offset) continue;
    if (d.kind == DefKind::Import && d.decl && d.decl->name.text.empty()) continue;
    if (d.parent >= 0) {
      const Definition& p = defs[static_cast<size_t>(d.parent)];
      if (offset < p.range.begin || offset > p.range.end) continue;
    } else if (!d.decl && d.kind == DefKind::Let) {
      continue;
    }
    int kind = d.kind == DefKind::Import ? kModule : kVariable;
    std::string detail = d.kind == DefKind::Let && d.stmt && d.stmt->value
                             ? fmt::format("= {}", index.Slice(d.stmt->value->range))
                             : d.detail;
    items.Add(d.name, kind, detail);
  }
  items.Add("self", kKeyword, "the component being built");
}

void AddBuiltins(Items& items) {
  for (const schema::Builtin& b : schema::Builtins()) {
    items.Add(std::string(b.name), kFunction, std::string(b.signature), std::string(b.doc),
              fmt::format("{}($0)", b.name));
  }
}

void AddComponents(Items& items, const Index& index) {
  for (const Definition& d : index.definitions()) {
    if (d.kind == DefKind::Component && d.parent < 0) items.Add(d.name, kClass, d.detail);
  }
}

void AddVolumes(Items& items, const Index& index, uint32_t offset) {
  const std::vector<Definition>& defs = index.definitions();
  for (const Definition& d : defs) {
    if (d.kind != DefKind::Section || !d.stmt) continue;
    std::string_view head = d.stmt->head.text;
    if (head != "storage" && head != "config" && head != "secret" && head != "scratch") continue;
    int top = d.parent;
    while (top >= 0 && defs[static_cast<size_t>(top)].parent >= 0) top = defs[static_cast<size_t>(top)].parent;
    if (top < 0) continue;
    const Definition& owner = defs[static_cast<size_t>(top)];
    if (offset < owner.range.begin || offset > owner.range.end) continue;
    items.Add(d.name, kVariable, fmt::format("{} volume", head));
  }
}

void AddTemplates(Items& items, const Server& server, const Document& doc, const Index& index, std::string_view alias) {
  if (alias.empty()) {
    for (const Definition& d : index.definitions()) {
      if (d.kind == DefKind::Template && d.parent < 0) items.Add(d.name, kFunction, d.detail);
    }
  }
  for (const syntax::Decl* import : Imports(index)) {
    if (import->name.text != alias && !(alias.empty() && !import->name.text.empty())) continue;
    if (alias.empty() && !import->name.text.empty()) {
      items.Add(std::string(import->name.text), kModule, import->text);
      continue;
    }
    std::optional<ImportedFile> file = LoadImport(server, doc, *import);
    if (!file) continue;
    for (const Definition& d : file->index->definitions()) {
      if (d.kind == DefKind::Template && d.parent < 0) {
        items.Add(d.name, kFunction, d.detail, CommentAbove(file->index->text(), d.range.begin));
      }
    }
  }
}

// The parameters of the template called by the innermost `(` frame.
void AddArguments(Items& items, const Server& server, const Document& doc, const Index& index,
                  const std::vector<std::string_view>& head) {
  // head: component NAME : [alias .] template
  if (head.size() < 4 || head[0] != "component" || head[2] != ":") return;
  std::string_view alias = head.size() >= 6 && head[4] == "." ? head[3] : "";
  std::string_view name = head.back();
  std::shared_ptr<const Index> owner;
  const Index* where = &index;
  if (!alias.empty() || index.FindTopLevel(DefKind::Template, name) < 0) {
    for (const syntax::Decl* import : Imports(index)) {
      if (import->name.text != alias) continue;
      std::optional<ImportedFile> file = LoadImport(server, doc, *import);
      if (file && file->index->FindTopLevel(DefKind::Template, name) >= 0) {
        owner = file->index;
        where = owner.get();
        break;
      }
    }
  }
  int t = where->FindTopLevel(DefKind::Template, name);
  if (t < 0) return;
  for (const Definition& p : where->definitions()) {
    if (p.kind != DefKind::Param || p.parent != t) continue;
    std::string detail = p.detail;
    if (p.param && p.param->default_value) detail += fmt::format(" = {}", where->Slice(p.param->default_value->range));
    items.Add(p.name, kVariable, detail, "", fmt::format("{}: $0", p.name));
  }
}

void AddImportPaths(Items& items, const Document& doc, const CompletionContext& ctx, const Range& range) {
  std::string_view typed = std::string_view(doc.text()).substr(ctx.string_begin);
  typed = typed.substr(0, typed.find('"'));
  for (const std::string& m : StdlibModules()) items.AddEdit(m, kModule, range, m, "standard library");
  std::string_view dir_part = typed.substr(0, typed.rfind('/') == std::string_view::npos ? 0 : typed.rfind('/') + 1);
  if (!dir_part.starts_with("./") && !dir_part.starts_with("../")) {
    items.AddEdit("./", kFolder, range, "./");
    items.AddEdit("../", kFolder, range, "../");
    return;
  }
  fs::path dir = (fs::path(doc.path).parent_path() / std::string(dir_part)).lexically_normal();
  std::error_code ec;
  std::vector<std::pair<std::string, bool>> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name.front() == '.') continue;
    bool is_dir = it->is_directory(ec);
    if (is_dir || it->path().extension() == ".kstate") entries.emplace_back(name, is_dir);
    if (entries.size() > 500) break;
  }
  std::sort(entries.begin(), entries.end());
  for (const auto& [name, is_dir] : entries) {
    std::string text = std::string(dir_part) + (is_dir ? name + "/" : name.substr(0, name.size() - 7));
    if (!is_dir && fs::path(doc.path).lexically_normal() == (dir / name).lexically_normal()) continue;
    items.AddEdit(text, is_dir ? kFolder : kFile, range, text);
  }
}

}  // namespace

Json HandleCompletion(Server& server, const Json& params) {
  Document& doc = server.DocumentFor(params);
  uint32_t offset = doc.lines().Offset(PositionFrom(Member(params, "position")));
  CompletionContext ctx = ScanContext(doc.text(), offset);
  const Index& index = doc.UsableIndex();
  Items items;
  const std::vector<std::string_view>& st = ctx.statement;
  if (ctx.in_string) {
    if (st.size() == 1 && st[0] == "import") {
      Range range{doc.lines().At(ctx.string_begin), doc.lines().At(offset)};
      AddImportPaths(items, doc, ctx, range);
    }
    return items.Take();
  }
  // A number being typed: its unit.
  if (!ctx.word.empty() && ctx.word.front() >= '0' && ctx.word.front() <= '9') {
    AddUnits(items);
    return items.Take();
  }
  bool top_level = true;
  const schema::Section* section = SectionAt(ctx, top_level);
  char innermost = ctx.frames.empty() ? '{' : ctx.frames.back().open;
  // `component x : ` and `component x : alias.`
  if (st.size() >= 3 && st[0] == "component" && st[2] == ":" && (st.size() == 3 || (st.size() == 5 && st[4] == "."))) {
    AddTemplates(items, server, doc, index, st.size() == 5 ? st[3] : "");
    return items.Take();
  }
  if (innermost == '(') {
    const std::vector<std::string_view>& head = ctx.frames.back().head;
    if (st.empty() || st.back() == ",") AddArguments(items, server, doc, index, head);
    AddNames(items, index, offset);
    return items.Take();
  }
  // `dependsOn = [a, ` and `dependsOn = `
  auto depends_on = [](const std::vector<std::string_view>& s) { return s.size() >= 2 && s[0] == "dependsOn" && s[1] == "="; };
  if ((innermost == '[' && depends_on(ctx.frames.back().head)) || (innermost != '[' && depends_on(st))) {
    AddComponents(items, index);
    return items.Take();
  }
  if (innermost == '[') {
    AddNames(items, index, offset);
    AddBuiltins(items);
    return items.Take();
  }
  if (st.empty()) {
    AddStatementWords(items, section, top_level);
    return items.Take();
  }
  if (st.size() == 1 && st[0] == "mount") {
    AddVolumes(items, index, offset);
    return items.Take();
  }
  if (st.size() >= 2 && st[st.size() - 1] == "=" ) {
    const schema::Field* field = section ? schema::FindField(*section, st[0]) : nullptr;
    if (field) {
      for (const schema::EnumWord& w : field->words) {
        items.Add(std::string(w.word), kEnumMember, w.k8s.empty() ? "" : fmt::format("→ {}", w.k8s), std::string(w.doc));
      }
      if (field->type.find("bool") != std::string_view::npos) {
        items.Add("true", kKeyword);
        items.Add("false", kKeyword);
      }
    }
    AddNames(items, index, offset);
    AddBuiltins(items);
    return items.Take();
  }
  if (st.back() == "." && st.size() >= 2) {
    AddTemplates(items, server, doc, index, st[st.size() - 2]);
    return items.Take();
  }
  // Inside an expression.
  AddNames(items, index, offset);
  AddBuiltins(items);
  return items.Take();
}

}  // namespace kstate::lsp
