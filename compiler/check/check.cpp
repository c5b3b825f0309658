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

}  // namespace

Program Check(const std::vector<const syntax::File*>& files, diag::Diagnostics& diags) {
  Program program;
  Evaluator eval(diags);
  for (const syntax::File* file : files) {
    Scope scope;
    std::string current_namespace;
    for (const syntax::Decl& d : file->decls) {
      switch (d.kind) {
        case syntax::DeclKind::Namespace: {
          NamespaceDecl ns = ReadNamespace(d, eval, scope);
          current_namespace = ns.name;
          program.namespaces.push_back(std::move(ns));
          break;
        }
        case syntax::DeclKind::Let:
          scope.names.emplace_back(d.let->name.text, eval.Eval(*d.let->value, scope));
          break;
        case syntax::DeclKind::Component: {
          if (!d.body) break;
          Component c;
          c.name = std::string(d.name.text);
          c.name_range = d.name.range;
          c.range = d.range;
          c.namespace_ = current_namespace;
          Value record = eval.EvalBlock(*d.body, scope, "component");
          Reader reader(eval, scope);
          ComponentBuilder(reader, c).Build(record);
          CheckComponent(c, diags);
          CheckHandWrittenPeers(*d.body, c.name, diags);
          program.components.push_back(std::move(c));
          break;
        }
      }
    }
  }
  CheckProgram(program, diags);
  return program;
}

}  // namespace kstate::check
