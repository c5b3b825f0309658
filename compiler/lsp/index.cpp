// Builds the Index: parses the whole document, then walks every declaration
// in source order with the scopes the checker uses (a `let` is visible after
// it, in its block and the blocks inside; parameters in their template body).
#include "compiler/lsp/index.h"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/parser.h"

namespace kstate::lsp {

namespace schema = check::schema;
using syntax::Expr;
using syntax::ExprKind;
using syntax::Stmt;
using syntax::StmtKind;

struct Index::Walker {
  Index& ix;
  // Visible names, innermost last; `marks` are where each open block began.
  std::vector<std::pair<std::string_view, int>> scope;
  std::vector<size_t> marks;
  // Names resolved once the whole document (or component) is known.
  std::vector<size_t> component_refs;
  std::vector<size_t> template_refs;
  std::vector<std::pair<size_t, int>> volume_refs;  // occurrence, enclosing component or template
  static constexpr int kMaxDepth = 1000;
  int depth_ = 0;  // Expression's nesting

  int AddDef(Definition d) {
    ix.defs_.push_back(std::move(d));
    int id = static_cast<int>(ix.defs_.size() - 1);
    const Definition& def = ix.defs_.back();
    if (def.name_range.valid() && !def.name.empty()) {
      ix.occs_.push_back({OccKind::DeclName, def.name_range, id, nullptr, nullptr, def.name});
    }
    return id;
  }

  size_t AddOcc(Occurrence o) {
    ix.occs_.push_back(std::move(o));
    return ix.occs_.size() - 1;
  }

  int Lookup(std::string_view name) const {
    for (auto it = scope.rbegin(); it != scope.rend(); ++it) {
      if (it->first == name) return it->second;
    }
    return -1;
  }

  void Open() { marks.push_back(scope.size()); }
  void Close() {
    scope.resize(marks.back());
    marks.pop_back();
  }

  void Decl(const syntax::Decl& d) {
    switch (d.kind) {
      case syntax::DeclKind::Namespace: {
        Definition def{DefKind::Namespace, d.text, d.range, d.text_range, "namespace", -1, &d};
        int id = AddDef(std::move(def));
        if (d.body) Block(*d.body, &schema::NamespaceOptions(), id, id);
        break;
      }
      case syntax::DeclKind::Let: {
        const Stmt& s = *d.let;
        if (s.value) Expression(*s.value, nullptr);
        int id = AddDef({DefKind::Let, std::string(s.name.text), d.range, s.name.range, "let", -1, &d, &s});
        scope.emplace_back(s.name.text, id);
        break;
      }
      case syntax::DeclKind::Assert: {
        const Stmt& s = *d.let;
        if (s.value) Expression(*s.value, nullptr);
        if (s.key) Expression(*s.key, nullptr);
        break;
      }
      case syntax::DeclKind::Import: {
        Definition def{DefKind::Import, d.name.text.empty() ? d.text : std::string(d.name.text), d.range,
                       d.name.text.empty() ? d.text_range : d.name.range, d.text, -1, &d};
        int id = AddDef(std::move(def));
        AddOcc({OccKind::ImportPath, d.text_range, id, nullptr, nullptr, d.text});
        if (!d.name.text.empty()) scope.emplace_back(d.name.text, id);
        break;
      }
      case syntax::DeclKind::Template: {
        int id = AddDef({DefKind::Template, std::string(d.name.text), d.range, d.name.range, Signature(d), -1, &d});
        Open();
        for (const syntax::Param& p : d.params) {
          if (p.type.low) Expression(*p.type.low, nullptr);
          if (p.type.high) Expression(*p.type.high, nullptr);
          if (p.default_value) Expression(*p.default_value, nullptr);
          std::string detail = std::string(ix.Slice(p.type.range));
          int pid = AddDef({DefKind::Param, std::string(p.name.text), p.name.range, p.name.range, detail, id, &d,
                            nullptr, &p});
          scope.emplace_back(p.name.text, pid);
        }
        if (d.body) Block(*d.body, &schema::Component(), id, id);
        Close();
        break;
      }
      case syntax::DeclKind::Component: {
        int id = AddDef({DefKind::Component, std::string(d.name.text), d.range, d.name.range,
                         d.instance_of ? std::string(ix.Slice(d.instance_of->range)) : "component", -1, &d});
        if (d.instance_of) Instance(*d.instance_of);
        if (d.body) Block(*d.body, &schema::Component(), id, id);
        break;
      }
    }
  }

  std::string Signature(const syntax::Decl& d) const {
    std::string out = fmt::format("template {}(", d.name.text);
    for (size_t i = 0; i < d.params.size(); ++i) {
      const syntax::Param& p = d.params[i];
      out += fmt::format("{}{}: {}", i ? ", " : "", p.name.text, ix.Slice(p.type.range));
      if (p.default_value) out += fmt::format(" = {}", ix.Slice(p.default_value->range));
    }
    return out + ")";
  }

  // `t(args)` / `alias.t(args)` of `component x : ...`.
  void Instance(const Expr& call) {
    if (call.kind != ExprKind::Call || !call.base) {
      Expression(call, nullptr);
      return;
    }
    const Expr& callee = *call.base;
    if (callee.kind == ExprKind::Field && callee.base && callee.base->kind == ExprKind::Name) {
      AddOcc({OccKind::AliasRef, callee.base->range, Lookup(callee.base->name.text), nullptr, nullptr,
              std::string(callee.base->name.text)});
      AddOcc({OccKind::TemplateRef, callee.name.range, -1, nullptr, &call, std::string(ix.Slice(callee.range))});
    } else if (callee.kind == ExprKind::Name) {
      template_refs.push_back(
          AddOcc({OccKind::TemplateRef, callee.range, -1, nullptr, &call, std::string(callee.name.text)}));
    }
    for (const syntax::Arg& a : call.args) {
      if (!a.name.text.empty()) AddOcc({OccKind::Argument, a.name.range, -1, nullptr, &call, std::string(a.name.text)});
      if (a.value) Expression(*a.value, nullptr);
    }
  }

  void Block(const syntax::Block& b, const schema::Section* section, int parent, int owner) {
    Open();
    for (const Stmt* s : b.stmts) Statement(*s, section, parent, owner);
    Close();
  }

  void Statement(const Stmt& s, const schema::Section* section, int parent, int owner) {
    switch (s.kind) {
      case StmtKind::Assign: {
        const schema::Field* field = nullptr;
        if (!s.path.empty()) {
          field = section ? schema::FindField(*section, s.path.front().text) : nullptr;
          AddOcc({OccKind::Field, s.path.front().range, -1, field, nullptr, std::string(s.path.front().text)});
        }
        if (!s.value) break;
        if (field && field->name == "dependsOn") {
          DependsOn(*s.value);
          break;
        }
        Expression(*s.value, field);
        break;
      }
      case StmtKind::Let: {
        if (s.value) Expression(*s.value, nullptr);
        int id = AddDef({DefKind::Let, std::string(s.name.text), s.range, s.name.range, "let", parent, nullptr, &s});
        scope.emplace_back(s.name.text, id);
        break;
      }
      case StmtKind::Section: {
        const schema::Field* field = section ? schema::FindField(*section, s.head.text) : nullptr;
        AddOcc({OccKind::Field, s.head.range, -1, field, nullptr, std::string(s.head.text)});
        std::string name = s.name.text.empty() ? std::string(s.head.text) : std::string(s.name.text);
        int id = AddDef({DefKind::Section, name, s.range, s.name.text.empty() ? s.head.range : s.name.range,
                         std::string(s.head.text), parent, nullptr, &s});
        if (s.body) Block(*s.body, field ? field->section : nullptr, id, owner);
        break;
      }
      case StmtKind::Port: {
        AddDef({DefKind::Port, std::string(s.name.text), s.range, s.name.range, "port", parent, nullptr, &s});
        if (s.value) Expression(*s.value, section ? schema::FindField(*section, "port") : nullptr);
        break;
      }
      case StmtKind::File: {
        const std::string* name = s.key ? syntax::LiteralText(*s.key) : nullptr;
        AddDef({DefKind::File, name ? *name : std::string(), s.range, s.key ? s.key->range : s.range, "file", parent,
                nullptr, &s});
        if (s.value) Expression(*s.value, nullptr);
        break;
      }
      case StmtKind::Mount: {
        if (!s.name.text.empty()) {
          volume_refs.emplace_back(AddOcc({OccKind::VolumeRef, s.name.range, -1, nullptr, nullptr,
                                           std::string(s.name.text)}),
                                   owner);
        }
        if (s.value) Expression(*s.value, nullptr);
        if (s.body) Block(*s.body, nullptr, parent, owner);
        break;
      }
      case StmtKind::Assert: {
        if (s.value) Expression(*s.value, nullptr);
        if (s.key) Expression(*s.key, nullptr);
        break;
      }
    }
  }

  void DependsOn(const Expr& e) {
    if (e.kind == ExprKind::List) {
      for (const Expr* item : e.items) DependsOn(*item);
    } else if (e.kind == ExprKind::Name) {
      component_refs.push_back(AddOcc({OccKind::ComponentRef, e.range, -1, nullptr, nullptr, std::string(e.name.text)}));
    } else if (const std::string* text = e.kind == ExprKind::String ? syntax::LiteralText(e) : nullptr) {
      component_refs.push_back(AddOcc({OccKind::ComponentRef, e.range, -1, nullptr, nullptr, *text}));
    } else {
      Expression(e, nullptr);
    }
  }

  // `field`: the component field whose value this is, for enum words.
  // Left-deep chains (`1 + 1 + ...`, `a.b.c...`) are walked along their spine
  // without recursion, and nesting deeper than kMaxDepth (which only hostile
  // input reaches) is not indexed, so that no input exhausts the stack.
  void Expression(const Expr& e, const schema::Field* field) {
    if (depth_ >= kMaxDepth) return;
    ++depth_;
    ExpressionBody(e, field);
    --depth_;
  }

  void ExpressionBody(const Expr& e, const schema::Field* field) {
    if (e.kind == ExprKind::Binary || (e.kind == ExprKind::Field && e.base)) {
      std::vector<const Expr*> rights;
      const Expr* cur = &e;
      bool after_field = false;  // a field's base is no value of `field`
      while ((cur->kind == ExprKind::Binary && cur->items.size() == 2 && cur->items[0]) ||
             (cur->kind == ExprKind::Field && cur->base)) {
        after_field = cur->kind == ExprKind::Field;
        rights.push_back(after_field ? nullptr : cur->items[1]);
        cur = after_field ? cur->base : cur->items[0];
      }
      Expression(*cur, after_field ? nullptr : field);
      for (auto it = rights.rbegin(); it != rights.rend(); ++it) {
        if (*it) Expression(**it, field);
      }
      return;
    }
    switch (e.kind) {
      case ExprKind::Number:
        AddOcc({OccKind::Number, e.range, -1, field, &e, std::string(ix.Slice(e.range))});
        break;
      case ExprKind::Name:
        AddOcc({OccKind::Name, e.range, Lookup(e.name.text), field, &e, std::string(e.name.text)});
        break;
      case ExprKind::String:
        for (const syntax::StringPart& p : e.parts) {
          if (p.expr) Expression(*p.expr, nullptr);
        }
        break;
      case ExprKind::Call: {
        if (e.base && e.base->kind == ExprKind::Name && schema::FindBuiltin(e.base->name.text)) {
          AddOcc({OccKind::Builtin, e.base->range, -1, field, &e, std::string(e.base->name.text)});
        } else if (e.base) {
          Expression(*e.base, field);
        }
        for (const syntax::Arg& a : e.args) {
          if (a.value) Expression(*a.value, field);
        }
        break;
      }
      case ExprKind::Field:
        if (e.base) Expression(*e.base, nullptr);
        break;
      case ExprKind::Override:
        if (e.base) Expression(*e.base, field);
        if (e.block) Block(*e.block, field ? field->section : nullptr, -1, -1);
        break;
      case ExprKind::Comprehension: {
        // items: source, body[, filter]; the variable is visible in body and filter.
        if (!e.items.empty() && e.items[0]) Expression(*e.items[0], nullptr);
        Open();
        int id = AddDef({DefKind::Let, std::string(e.name.text), e.name.range, e.name.range, "for", -1});
        scope.emplace_back(e.name.text, id);
        for (size_t i = 1; i < e.items.size(); ++i) {
          if (e.items[i]) Expression(*e.items[i], nullptr);
        }
        Close();
        break;
      }
      case ExprKind::Record:
        for (const syntax::RecordEntry& en : e.entries) {
          if (en.value) Expression(*en.value, nullptr);
        }
        break;
      default:
        for (const Expr* item : e.items) {
          if (item) Expression(*item, field);
        }
        break;
    }
  }

  void Finish() {
    for (size_t i : component_refs) ix.occs_[i].target = ix.FindTopLevel(DefKind::Component, ix.occs_[i].text);
    for (size_t i : template_refs) ix.occs_[i].target = ix.FindTopLevel(DefKind::Template, ix.occs_[i].text);
    for (auto [i, owner] : volume_refs) {
      for (size_t d = 0; d < ix.defs_.size() && owner >= 0; ++d) {
        const Definition& def = ix.defs_[d];
        if (def.kind != DefKind::Section || def.name != ix.occs_[i].text || !def.stmt) continue;
        std::string_view head = def.stmt->head.text;
        bool volume = head == "storage" || head == "config" || head == "secret" || head == "scratch";
        if (volume && Within(def.range, ix.defs_[static_cast<size_t>(owner)].range)) {
          ix.occs_[i].target = static_cast<int>(d);
          break;
        }
      }
    }
    std::stable_sort(ix.occs_.begin(), ix.occs_.end(),
                     [](const Occurrence& a, const Occurrence& b) { return a.range.begin < b.range.begin; });
  }

  static bool Within(base::SourceRange inner, base::SourceRange outer) {
    return inner.begin >= outer.begin && inner.end <= outer.end;
  }
};

Index::Index(std::string path, std::string text) {
  sources_.Add(std::move(path), std::move(text));
  lines_ = std::make_unique<LineIndex>(sources_.file(0).text());
  diag::Diagnostics diags;
  syntax::Parser parser(sources_, 0, diags);
  while (std::unique_ptr<syntax::File> tree = parser.Next()) trees_.push_back(std::move(tree));
  ok_ = parser.ok();
  Walker w{*this};
  for (const auto& tree : trees_) {
    for (const syntax::Decl& d : tree->decls) w.Decl(d);
  }
  w.Finish();
}

std::string_view Index::Slice(base::SourceRange r) const {
  std::string_view t = text();
  if (!r.valid() || r.begin > r.end || r.end > t.size()) return {};
  return t.substr(r.begin, r.end - r.begin);
}

const Occurrence* Index::At(uint32_t offset) const {
  const Occurrence* best = nullptr;
  for (const Occurrence& o : occs_) {
    if (o.range.begin > offset) break;
    if (offset > o.range.end) continue;
    if (!best || o.range.end - o.range.begin <= best->range.end - best->range.begin) best = &o;
  }
  return best;
}

int Index::DefinitionAt(uint32_t offset) const {
  for (size_t i = 0; i < defs_.size(); ++i) {
    const Definition& d = defs_[i];
    if (d.name_range.valid() && offset >= d.name_range.begin && offset <= d.name_range.end) return static_cast<int>(i);
  }
  return -1;
}

int Index::FindTopLevel(DefKind kind, std::string_view name) const {
  for (size_t i = 0; i < defs_.size(); ++i) {
    if (defs_[i].kind == kind && defs_[i].parent < 0 && defs_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace kstate::lsp
