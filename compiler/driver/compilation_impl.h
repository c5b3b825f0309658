// The internals behind kstate::Compilation, for tools inside this repository.
#pragma once

#include <memory>
#include <vector>

#include "compiler/base/source.h"
#include "compiler/check/model.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/emit/manifest.h"
#include "compiler/syntax/ast.h"
#include "kstate/compiler.h"

namespace kstate {

struct Compilation::Impl {
  base::SourceManager sources;
  diag::Diagnostics diags;
  std::vector<std::unique_ptr<syntax::File>> files;
  check::Program program;
  std::vector<emit::Object> objects;
};

}  // namespace kstate
