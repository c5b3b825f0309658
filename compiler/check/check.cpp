// Checker entry: walks each file's declarations in order (a `namespace`
// applies to the components after it), then checks the program as a whole.
#include "compiler/check/check.h"

#include <fmt/format.h>

#include "compiler/base/text.h"
#include "compiler/check/eval.h"
#include "compiler/check/interpret.h"
#include "compiler/check/peer_lists.h"
#include "compiler/check/rules.h"

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
    r.CheckKeys(options, "`namespace`", {"create", "labels"});
    if (const Value* c = options.Get("create")) r.Bool(*c, "`create`", ns.create);
    if (const Value* l = options.Get("labels")) r.Labels(*l, "namespace labels", ns.labels);
  }
  return ns;
}

// `self`: the component's name, namespace, headless Service and replica count.
// The count is the `replicas` field as written, evaluated ahead of the body
// (with the `let`s before it) in a scratch evaluator whose diagnostics are
// dropped: the body's own evaluation reports any problem once.
Value SelfRecord(const syntax::Decl& d, const Component& c, const Scope& file_scope) {
  int64_t replicas = 1;
  SourceRange replicas_range = d.name.range;
  diag::Diagnostics scratch;
  Evaluator eval(scratch);
  Scope scope{&file_scope, {}, {}};
  for (const syntax::Stmt* s : d.body->stmts) {
    if (s->kind == syntax::StmtKind::Let) {
      eval.DeclareLet(*s, scope);
    } else if (s->kind == syntax::StmtKind::Assign && s->path.size() == 1 && s->path[0].text == "replicas") {
      Value v = eval.Eval(*s->value, scope);
      if (v.kind == ValueKind::Int) replicas = v.integer;
      replicas_range = s->value->range;
      break;
    }
  }
  Value self = Value::Record("self", d.name.range);
  self.Set("name", d.name.range, Value::Str(c.name, d.name.range));
  self.Set("namespace", d.name.range, Value::Str(c.namespace_, d.name.range));
  self.Set("service", d.name.range, Value::Str(c.name, d.name.range));
  self.Set("replicas", replicas_range, Value::Int(replicas, replicas_range));
  return self;
}

}  // namespace

struct Checker::State {
  explicit State(diag::Diagnostics& d) : diags(d), eval(d) {}
  diag::Diagnostics& diags;
  Evaluator eval;
  Program program;
  Scope scope;
  std::string current_namespace;
};

Checker::Checker(diag::Diagnostics& diags) : state_(std::make_unique<State>(diags)) {}
Checker::~Checker() = default;

void Checker::BeginFile() {
  state_->scope = Scope{};
  state_->current_namespace.clear();
}

void Checker::Declare(const syntax::Decl& d) {
  State& st = *state_;
  st.eval.ResetBudget();
  switch (d.kind) {
    case syntax::DeclKind::Namespace: {
      NamespaceDecl ns = ReadNamespace(d, st.eval, st.scope);
      st.current_namespace = ns.name;
      st.program.namespaces.push_back(std::move(ns));
      break;
    }
    case syntax::DeclKind::Let:
      st.eval.DeclareLet(*d.let, st.scope);
      break;
    case syntax::DeclKind::Component: {
      if (!d.body) break;
      Component c;
      c.name = std::string(d.name.text);
      c.name_range = d.name.range;
      c.range = d.range;
      c.namespace_ = st.current_namespace;
      Scope component_scope{&st.scope, {}, {}};
      component_scope.Bind(Binding{"self", d.name.range, SelfRecord(d, c, st.scope)});
      Value record = st.eval.EvalBlock(*d.body, component_scope, "component");
      Reader reader(st.eval, st.scope);
      ComponentBuilder(reader, c).Build(record);
      CheckComponent(c, st.diags);
      CheckHandWrittenPeers(*d.body, c.name, st.diags);
      st.program.components.push_back(std::move(c));
      break;
    }
  }
}

Program Checker::Finish() {
  CheckProgram(state_->program, state_->diags);
  return std::move(state_->program);
}

}  // namespace kstate::check
