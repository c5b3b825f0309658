// Checker entry: walks each file's declarations in order (a `namespace`
// applies to the components after it; templates and `let`s must come before
// their use), then checks the program as a whole.
#include "compiler/check/check.h"

#include <deque>

#include <fmt/format.h>

#include "compiler/base/text.h"
#include "compiler/check/eval.h"
#include "compiler/check/interpret.h"
#include "compiler/check/module.h"
#include "compiler/check/peer_lists.h"
#include "compiler/check/rules.h"
#include "compiler/check/schema.h"

namespace kstate::check {

namespace {

NamespaceDecl ReadNamespace(const syntax::Decl& d, Evaluator& eval, const Scope& scope) {
  NamespaceDecl ns;
  ns.name = d.text;
  ns.range = d.text_range;
  std::string why = base::CheckDns1123Label(ns.name);
  if (!why.empty()) eval.diags().Report(diag::Kind::InvalidObjectName, d.text_range, "namespace", ns.name, why);
  if (d.body) {
    Value options = eval.EvalBlock(*d.body, scope, "namespace");
    Reader r(eval, scope);
    r.CheckKeys(options, "`namespace`", schema::Keys(schema::NamespaceOptions()));
    if (const Value* c = options.Get("create")) r.Bool(*c, "`create`", ns.create);
    if (const Value* l = options.Get("labels")) r.Labels(*l, "namespace labels", ns.labels);
  }
  return ns;
}

// `self` without `replicas`: the component's name, namespace and headless Service.
Value SelfRecord(const Component& c) {
  Value self = Value::Record("self", c.name_range);
  self.Set("name", c.name_range, Value::Str(c.name, c.name_range));
  self.Set("namespace", c.name_range, Value::Str(c.namespace_, c.name_range));
  self.Set("service", c.name_range, Value::Str(c.name, c.name_range));
  return self;
}

// The `replicas` field as written in `body`, evaluated ahead of the body (with
// the `let`s before it) in a scratch evaluator whose diagnostics are dropped:
// the body's own evaluation reports any problem once. False when not set.
bool FindReplicas(const syntax::Block& body, const Scope& outer, Value& self) {
  diag::Diagnostics scratch;
  Evaluator eval(scratch);
  Scope scope{&outer, {}, {}};
  for (const syntax::Stmt* s : body.stmts) {
    if (s->kind == syntax::StmtKind::Let) {
      eval.DeclareLet(*s, scope);
    } else if (s->kind == syntax::StmtKind::Assign && s->path.size() == 1 && s->path[0].text == "replicas") {
      Value v = eval.Eval(*s->value, scope);
      self.Set("replicas", s->value->range, Value::Int(v.kind == ValueKind::Int ? v.integer : 1, s->value->range));
      return true;
    }
  }
  return false;
}

// `self.replicas` is `replicas` evaluated ahead of the body, without `self`
// (FindReplicas). When the body's own value differs, `replicas` used `self`,
// directly or through a `let`, and every peer list computed from `self` would
// disagree with the StatefulSet.
void CheckReplicasAgree(const Value& record, const Scope& scope, diag::Diagnostics& diags) {
  const Value* written = record.Get("replicas");
  const Binding* self = scope.FindHere("self");
  const Value* seen = self ? self->value.Get("replicas") : nullptr;
  if (!written || written->kind != ValueKind::Int || !seen || seen->integer == written->integer) return;
  diags.Report(diag::Kind::ReplicasUseSelf, written->range, seen->integer, written->integer).help =
      "compute `replicas` from parameters and `let`s that do not use `self`; `self.replicas` follows it";
}

// Binds `self` (with the replica count from the first block that sets it) in `scope`.
void BindSelf(Scope& scope, Value self, std::initializer_list<std::pair<const syntax::Block*, const Scope*>> bodies) {
  bool found = false;
  for (auto [body, outer] : bodies) {
    if (body && !found) found = FindReplicas(*body, *outer, self);
  }
  if (!found) self.Set("replicas", self.range, Value::Int(1, self.range));
  scope.Bind(Binding{"self", self.range, std::move(self)});
}

}  // namespace

struct Checker::State {
  explicit State(diag::Diagnostics& d) : diags(d), eval(d) {}
  diag::Diagnostics& diags;
  Evaluator eval;
  Program program;
  std::deque<Module> modules;  // stable addresses: scopes point at their parents
  std::vector<uint32_t> open;  // the files being checked, innermost last

  Module& current() { return modules[open.back()]; }
  void DeclareTemplate(std::unique_ptr<syntax::File> tree);
  void DeclareComponent(const syntax::Decl& d);
  // `rules`: false when an argument of the instance was reported, so that the
  // rules do not report what follows from the missing value.
  // `tmpl`: the template whose body is among `bodies`, for an instance.
  void Build(Component& c, const Value& record, std::initializer_list<const syntax::Block*> bodies, bool rules = true,
             const Template* tmpl = nullptr);
};

Checker::Checker(diag::Diagnostics& diags) : state_(std::make_unique<State>(diags)) {}
Checker::~Checker() = default;

uint32_t Checker::BeginFile(uint32_t file_id) {
  Module& m = state_->modules.emplace_back();
  m.file_id = file_id;
  m.first_diag = state_->diags.list().size();
  state_->open.push_back(static_cast<uint32_t>(state_->modules.size() - 1));
  return state_->open.back();
}

namespace {

// The name of a KS2006 diagnostic ("unknown name `NAME`", kinds.def), or "".
std::string_view UnknownNameOf(const diag::Diagnostic& d) {
  constexpr std::string_view kPrefix = "unknown name `";
  std::string_view m = d.message;
  if (d.kind != diag::Kind::UnknownName || !m.starts_with(kPrefix) || !m.ends_with('`')) return {};
  return m.substr(kPrefix.size(), m.size() - kPrefix.size() - 1);
}

}  // namespace

void Checker::EndFile(bool complete) {
  Module& m = state_->current();
  m.complete = complete;
  // KS2006 for a name a file-level `let` further down binds: that `let` is
  // visible only to the declarations after it. Done once the whole file is
  // declared, over its reported diagnostics, so that a declaration replayed
  // from the language server's cache gets the same note as a checked one.
  std::vector<diag::Diagnostic>& list = state_->diags.list();
  for (size_t i = m.first_diag; i < list.size(); ++i) {
    diag::Diagnostic& d = list[i];
    std::string_view name = UnknownNameOf(d);
    if (name.empty() || d.range.file != m.file_id) continue;
    const Binding* let = m.scope.FindHere(name);
    if (!let || let->name_range.file != m.file_id || let->name_range.begin < d.range.end) continue;
    if (!IsExplainedLetAfterUse(d)) ExplainLetAfterUse(d, name, let->name_range);
  }
  state_->open.pop_back();
}

void Checker::Import(const syntax::Decl& import, uint32_t module) {
  State& st = *state_;
  Module& m = st.current();
  const Module& imported = st.modules[module];
  if (!import.name.text.empty()) {
    // The alias is a record of the module's `let`s, for `alias.name` in
    // expressions; `alias.template(...)` goes through `aliases`.
    Value lets = Value::Record("module", import.name.range);
    for (const Binding& b : imported.scope.names) lets.Set(std::string(b.name), b.name_range, b.value);
    if (const Binding* b = m.scope.FindHere(import.name.text)) {
      diag::Diagnostic& d = st.diags.Report(diag::Kind::DuplicateName, import.name.range, "name", import.name.text);
      d.notes.push_back({b->name_range, "first declared here"});
      return;
    }
    m.scope.Bind(Binding{import.name.text, import.name.range, std::move(lets)});
    m.aliases[import.name.text] = module;
    return;
  }
  for (const Binding& b : imported.scope.names) {
    if (m.scope.FindHere(b.name)) continue;  // the importer's own name wins; it was declared first
    m.scope.Bind(b);
  }
  m.opened.push_back(module);
}

void Checker::ImportFailed() { state_->current().import_failed = true; }

std::unique_ptr<syntax::File> Checker::Declare(std::unique_ptr<syntax::File> tree) {
  State& st = *state_;
  const syntax::Decl& d = tree->decls.front();
  st.eval.ResetBudget();
  switch (d.kind) {
    case syntax::DeclKind::Namespace: {
      NamespaceDecl ns = ReadNamespace(d, st.eval, st.current().scope);
      st.current().current_namespace = ns.name;
      st.program.namespaces.push_back(std::move(ns));
      break;
    }
    case syntax::DeclKind::Let: st.eval.DeclareLet(*d.let, st.current().scope); break;
    case syntax::DeclKind::Assert: st.eval.CheckAssert(*d.let, st.current().scope); break;
    case syntax::DeclKind::Component: st.DeclareComponent(d); break;
    case syntax::DeclKind::Template: st.DeclareTemplate(std::move(tree)); break;
    case syntax::DeclKind::Import: break;  // the driver loads the file and calls Import
  }
  return tree;
}

void Checker::State::DeclareTemplate(std::unique_ptr<syntax::File> tree) {
  Module& m = current();
  const syntax::Decl& d = tree->decls.front();
  if (auto it = m.template_index.find(d.name.text); it != m.template_index.end()) {
    diag::Diagnostic& report = diags.Report(diag::Kind::DuplicateName, d.name.range, "template", d.name.text);
    report.notes.push_back({it->second->decl->name.range, "first declared here"});
    return;
  }
  // One a plain import brings in would be hidden by this one without a word,
  // as a `let` of an imported name is KS2016 too.
  bool complete = true;
  if (const Template* imported = FindOpenedTemplate(modules, m, d.name.text, nullptr, complete)) {
    diag::Diagnostic& report = diags.Report(diag::Kind::DuplicateName, d.name.range, "template", d.name.text);
    report.notes.push_back({imported->decl->name.range, "imported from here, by a plain `import`"});
    report.help = fmt::format("rename one of them, or import that file with `as NAME` and write `NAME.{}`", d.name.text);
    return;
  }
  auto t = std::make_unique<Template>();
  t->decl = &d;
  t->module = open.back();
  t->visible = m.scope.names.size();
  t->valid = CheckParamTypes(d, diags);
  t->tree = std::move(tree);
  m.template_index.emplace(d.name.text, t.get());
  m.templates.push_back(std::move(t));
}

void Checker::State::DeclareComponent(const syntax::Decl& d) {
  Module& m = current();
  // Built in place: a Component is large, and moving it in costs as much as
  // building it. Declarations that yield no component take it out again.
  Component& c = program.components.emplace_back();
  c.name = std::string(d.name.text);
  c.name_range = d.name.range;
  c.range = d.range;
  c.namespace_ = m.current_namespace;
  if (!d.instance_of) {
    if (!d.body) {
      program.components.pop_back();
      return;
    }
    Scope scope{&m.scope, {}, {}};
    BindSelf(scope, SelfRecord(c), {{d.body, &m.scope}});
    Value record = eval.EvalBlock(*d.body, scope, "component");
    CheckReplicasAgree(record, scope, diags);
    Build(c, record, {d.body});
    return;
  }
  const Template* t = FindTemplate(modules, m, *d.instance_of->base, diags);
  if (!t || !t->valid) {
    program.components.pop_back();
    return;
  }
  const syntax::Decl& td = *t->decl;
  const Module& home = modules[t->module];
  // Errors inside the template point at the template and name this instance.
  diags.PushContext({d.instance_of->range, base::Cat({"in component `", c.name, "`, an instance of template `", td.name.text, "`"})},
                    d.range);
  // Arguments and defaults see `self` without `replicas` (the body may still
  // compute the count from a parameter).
  const Value self = SelfRecord(c);
  Scope caller{&m.scope, {}, {}};
  caller.Bind(Binding{"self", d.name.range, self});
  Scope params{&home.scope, {}, {}};
  params.parent_visible = t->visible;
  params.Bind(Binding{"self", d.name.range, self});
  bool arguments_ok = BindArguments(*t, *d.instance_of, eval, caller, params);
  // The body sees the parameters (over the template file's `let`s) and `self`;
  // the overrides see the instance file's names and `self`, not the parameters.
  Scope body_scope{&params, {}, {}};
  BindSelf(body_scope, self, {{d.body, &m.scope}, {td.body, &params}});
  Scope override_scope{&m.scope, {}, {}};
  override_scope.Bind(*body_scope.FindHere("self"));
  eval.SetInstanceCall(d.instance_of->range);
  Value record = eval.EvalBlock(*td.body, body_scope, "component");
  eval.SetInstanceCall({});
  if (d.body) {
    MergeOverrides(record, eval.EvalBlock(*d.body, override_scope, "component"));
    WarnOverriddenDerivations(*t, *d.instance_of->base, *d.body, diags);
  }
  CheckReplicasAgree(record, body_scope, diags);
  // A wrong argument is left out of the instance: the body's own errors are
  // reported, but not the component's rules, which would only report what
  // follows from the gap (a port left out, then a probe naming it). The
  // component stays, so that `dependsOn` still finds it.
  Build(c, record, {td.body, d.body}, arguments_ok, t);
  diags.PopContext();
}

void Checker::State::Build(Component& c, const Value& record, std::initializer_list<const syntax::Block*> bodies,
                           bool rules, const Template* tmpl) {
  Reader reader(eval, current().scope);
  ComponentBuilder(reader, c).Build(record);
  eval.ExplainLaterLets(bodies);
  if (!rules) return;
  CheckComponent(c, diags);
  for (const syntax::Block* body : bodies) {
    if (!body) continue;
    // A template's body is the same for every instance: its texts are
    // collected once, and most instances' names occur in none of them.
    if (tmpl && body == tmpl->decl->body) {
      if (!tmpl->literal_texts) tmpl->literal_texts = LiteralTexts(*body);
      if (!MayNamePods(*tmpl->literal_texts, c.name)) continue;
    }
    CheckHandWrittenPeers(*body, c.name, diags);
  }
}

size_t Checker::ComponentCount() const { return state_->program.components.size(); }
const Component& Checker::ComponentAt(size_t index) const { return state_->program.components.at(index); }
void Checker::AddChecked(Component component) { state_->program.components.push_back(std::move(component)); }

Program Checker::Finish() {
  CheckProgram(state_->program, state_->diags);
  return std::move(state_->program);
}

}  // namespace kstate::check
