// The checker: parsed declarations in, the typed program out, with every
// problem reported as a diagnostic. The program is complete only without errors.
#pragma once

#include <memory>
#include <vector>

#include "compiler/base/source.h"
#include "compiler/check/model.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/ast.h"

namespace kstate::check {

// Checks declarations in source order; each declaration's syntax tree is
// needed only during its own Declare call.
class Checker {
 public:
  explicit Checker(diag::Diagnostics& diags);
  ~Checker();
  // Starts a new file: file-level `let`s and the current namespace reset.
  void BeginFile();
  void Declare(const syntax::Decl& decl);
  // Runs the program-wide rules and hands over the program.
  Program Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kstate::check
