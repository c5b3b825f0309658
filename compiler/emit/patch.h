// `patch` sections: changes to generated objects for fields the component
// model does not cover, merged into the lowered trees.
#pragma once

#include <span>
#include <vector>

#include "compiler/check/model.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/emit/manifest.h"

namespace kstate::emit {

// Applies the component's patches to its objects (`objects` holds exactly
// the objects LowerComponent made for `c`). Records merge into maps; a list of
// named objects (containers, ports, ...) is addressed by element name
// (`spec.template.spec.containers.db.stdin = true`); anything else replaces.
// With `diags`, reports a patch naming no object, a value whose type differs
// from the field it replaces or from a field kstate knows, a field kstate does
// not know (passed through, a warning) and a replaced selector or name.
void ApplyPatches(const check::Component& c, std::span<Object> objects, diag::Diagnostics* diags);

}  // namespace kstate::emit
