// What the checker keeps per file: its `let`s, templates, imports and the
// namespace in force. Templates keep their syntax trees for later instances.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "compiler/check/eval.h"
#include "compiler/syntax/ast.h"

namespace kstate::check {

// A field a template's body sets from a parameter that it also uses for other
// values (KS3112): `path` as an override would write it (`resources.memory`).
struct DerivedSetting {
  std::string path;
  size_t param;
  const syntax::Stmt* stmt;
};

struct Template {
  std::unique_ptr<syntax::File> tree;  // owns the declaration
  const syntax::Decl* decl = nullptr;
  uint32_t module = 0;
  size_t visible = 0;  // the module's names bound before the template: all its body sees
  bool valid = true;   // false when a parameter's type is unknown (already reported)
  // Found once, at the first instance with overrides.
  mutable std::optional<std::vector<DerivedSetting>> derived;
  // The body's literal texts (LiteralTexts), found at the first instance.
  mutable std::optional<std::vector<std::string_view>> literal_texts;
};

struct Module {
  uint32_t file_id = 0;
  Scope scope;  // file-level `let`s, import aliases and names opened by plain imports
  std::vector<std::unique_ptr<Template>> templates;
  std::unordered_map<std::string_view, const Template*> template_index;
  std::unordered_map<std::string_view, uint32_t> aliases;  // `import ... as x` -> module
  std::vector<uint32_t> opened;                            // plain `import` -> module
  std::string current_namespace;
  bool complete = true;  // false when a syntax error cut the file short
  bool import_failed = false;  // an `import` of this file was reported and skipped
  size_t first_diag = 0;       // the diagnostics reported from BeginFile on
};

// The template a component instance names (`t` or `alias.t`), searched in
// `module`, then its plainly imported modules; reports when there is none.
const Template* FindTemplate(const std::deque<Module>& modules, const Module& module, const syntax::Expr& callee,
                             diag::Diagnostics& diags);

// Reports parameter types that do not exist; false when there was one.
bool CheckParamTypes(const syntax::Decl& templ, diag::Diagnostics& diags);

// The template `name` that `module`'s plain imports bring in (breadth first,
// nearest first), or nullptr; `searched` sees each module looked in, and
// `complete` turns false when one of them had a syntax error.
const Template* FindOpenedTemplate(const std::deque<Module>& modules, const Module& module, std::string_view name,
                                   const std::function<void(const Module&)>& searched, bool& complete);

// Binds a template instance's arguments (and defaults) as parameters in
// `params`; arguments are evaluated in `caller`, defaults in `params` itself
// so that a default may use the parameters before it. False when an argument
// or default was reported (missing, unknown, of the wrong type, ...).
bool BindArguments(const Template& t, const syntax::Expr& call, Evaluator& eval, const Scope& caller, Scope& params);

// Warns (KS3112) where an instance's overrides replace a field that the
// template computes from a parameter it also uses for other values (a JVM heap
// from `memory`, a quota from `storage`): those keep the parameter's value.
void WarnOverriddenDerivations(const Template& t, const syntax::Expr& callee, const syntax::Block& overrides,
                               diag::Diagnostics& diags);

}  // namespace kstate::check
