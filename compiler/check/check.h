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

// Checks declarations in source order, one file (module) at a time. Files
// nest: an imported file is checked between its importer's BeginFile and
// EndFile. A declaration's syntax tree is needed only during its Declare
// call, except a template's, which the checker keeps.
class Checker {
 public:
  explicit Checker(diag::Diagnostics& diags);
  ~Checker();
  // Starts checking a file; returns its module number for Import.
  uint32_t BeginFile(uint32_t file_id);
  // `complete`: false when a syntax error cut the file short, so names it
  // would have declared are not reported missing.
  void EndFile(bool complete);
  // `tree` holds one declaration (syntax::File::decls has one element); an
  // Import declaration goes to Import instead.
  // Returns the tree when the checker keeps nothing of it (a template's tree
  // is kept for its instances; null is returned then).
  std::unique_ptr<syntax::File> Declare(std::unique_ptr<syntax::File> tree);
  // Makes a checked module visible in the current file, as `import` says:
  // under its alias, or (without one) its templates and `let`s by their names.
  void Import(const syntax::Decl& import, uint32_t module);
  // Records that an import of the current file failed (and was reported), so
  // the templates it would have brought are not reported missing.
  void ImportFailed();
  // Runs the program-wide rules and hands over the program.
  Program Finish();

  // For reusing the checking of a component across builds (the language
  // server): how many components are declared so far, one of them, and
  // adding one checked in an earlier build instead of declaring it again.
  size_t ComponentCount() const;
  const Component& ComponentAt(size_t index) const;
  void AddChecked(Component component);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kstate::check
