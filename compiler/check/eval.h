// Expression evaluation: literals with units, names, arithmetic that keeps
// units, strings with interpolation, lists, records, comprehensions, calls of
// built-ins and override blocks. Evaluation always terminates: there are no
// user-defined functions, and sizes and depth are bounded.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "compiler/check/value.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/ast.h"

namespace kstate::check {

// A name bound by `let` or a comprehension, and where it was declared.
struct Binding {
  std::string_view name;
  SourceRange name_range;
  Value value;
};

// Names bound by `let` and comprehension variables; parents are outer blocks.
struct Scope {
  const Scope* parent = nullptr;
  std::vector<Binding> names;  // unique within one scope; add them with Bind
  std::unordered_map<std::string_view, size_t> index;  // name -> position, once names are many
  // How many of the parent's names (the first ones) this scope sees: a
  // template body sees the file's `let`s declared before the template, not
  // those bound by the time an instance is checked.
  size_t parent_visible = SIZE_MAX;

  void Bind(Binding b);
  const Binding* FindHere(std::string_view name) const;
  const Value* Find(std::string_view name) const;
  // Every visible name, for "did you mean".
  void Collect(std::vector<std::string_view>& out) const;
};

// Turns a KS2006 for `name` into "used before its `let`": a help to move the
// `let` (at `let_name`) up and a note there, as its first; close-name
// fix-its are dropped.
void ExplainLetAfterUse(diag::Diagnostic& d, std::string_view name, SourceRange let_name);
// Whether ExplainLetAfterUse has explained `d` already.
bool IsExplainedLetAfterUse(const diag::Diagnostic& d);

class Evaluator {
 public:
  explicit Evaluator(diag::Diagnostics& diags) : diags_(diags) {}

  Value Eval(const syntax::Expr& e, const Scope& scope);
  // Evaluates a block's statements into a record tagged `tag`. Named sections
  // (`storage data { }`) collect into a list under their head word; `port`,
  // `file` and `mount` statements collect into lists `port`, `file`, `mount`.
  Value EvalBlock(const syntax::Block& block, const Scope& scope, std::string tag);
  // Evaluates `let name = value` into `scope`; a second `let` of one name in
  // one scope is an error.
  void DeclareLet(const syntax::Stmt& let, Scope& scope);
  // Starts a new evaluation budget (one per top-level declaration).
  void ResetBudget() {
    work_ = 0;
    exhausted_ = false;
    unknown_uses_.clear();
  }
  // Reports "unknown name" for a symbol that reached a place needing a value;
  // returns the diagnostic, for a caller that knows a better help.
  diag::Diagnostic& ReportUnknownName(const Value& symbol, const Scope& scope);

  diag::Diagnostics& diags() { return diags_; }
  // While a template's body is evaluated for an instance: the instance's call
  // of the template (`server(replicas: 2)`). A failed `assert` of the body is
  // reported there, since the arguments are what to change, with a note at the
  // assertion. An invalid range (the default) reports at the assertion itself.
  void SetInstanceCall(SourceRange call) { instance_call_ = call; }
  // `assert COND[, MESSAGE]`, in a body or at a file's top level: a false
  // condition is KS3024.
  void CheckAssert(const syntax::Stmt& s, const Scope& scope);
  // Explains the unknown names reported since the last ResetBudget that a
  // `let` of `bodies` binds after their use, in the block of the use or one
  // around it: a note at that `let` and a help to move it up. Called once a
  // declaration has been read, when every unknown name is reported.
  void ExplainLaterLets(std::initializer_list<const syntax::Block*> bodies);

 private:
  Value EvalString(const syntax::Expr& e, const Scope& scope);
  Value EvalList(const syntax::Expr& e, const Scope& scope);
  Value EvalComprehension(const syntax::Expr& e, const Scope& scope);
  Value EvalRecord(const syntax::Expr& e, const Scope& scope);
  Value EvalUnary(const syntax::Expr& e, const Scope& scope);
  Value EvalBinary(const syntax::Expr& e, const Scope& scope);
  Value EvalChain(const syntax::Expr& top, const Scope& scope);
  Value ApplyBinary(const syntax::Expr& e, Value a, Value b, const Scope& scope);
  Value EvalOverride(const syntax::Expr& e, const Scope& scope);
  Value EvalField(const syntax::Expr& e, const Scope& scope);
  Value EvalCall(const syntax::Expr& e, const Scope& scope);
  void ExecStmt(const syntax::Stmt& s, Scope& scope, Value& record);
  // Whether `v` is a boolean. Otherwise reports why, naming `what` ("the
  // condition of `if`"): an unknown name, or a value of another type; nothing
  // for a null value, whose error is already reported.
  bool Boolean(const Value& v, std::string_view what, const Scope& scope);
  bool Stringify(const Value& v, std::string& out, const Scope& scope);

  // Charges `steps` against the evaluation budget; false once it is spent.
  // The budget bounds the time and memory any input can make evaluation use.
  bool Spend(uint64_t steps, SourceRange where);

  // An unknown name reported (KS2006) and not yet explained.
  struct UnknownUse {
    size_t diag;  // its index in diags_.list()
    std::string name;
    SourceRange range;
  };

  diag::Diagnostics& diags_;
  std::vector<UnknownUse> unknown_uses_;
  int depth_ = 0;
  uint64_t work_ = 0;
  bool exhausted_ = false;
  SourceRange instance_call_;
};

}  // namespace kstate::check
