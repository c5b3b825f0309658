// The internals behind kstate::Compilation, for tools inside this repository.
#pragma once

#include <memory>
#include <optional>
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
  check::Program program;  // complete only when diags has no errors

  // Every object in apply order, lowered on first use. Yaml() does not need
  // them: it lowers and writes one component at a time.
  const std::vector<emit::Object>& Objects() const;
  // Every object in apply order as YAML or JSON text, in chunks (one per
  // kind and worker share, in output order) that concatenate to Yaml() / Json().
  std::vector<std::string> Chunks(bool json) const;

 private:
  mutable std::optional<std::vector<emit::Object>> objects_;
};

}  // namespace kstate
