// Finds peer lists typed by hand: literal text or lists that name the pods
// of a component by ordinal (`db-0.db`, `db-1.db`, ...). They go stale the
// day `replicas` changes, so the checker warns and suggests computing them.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/ast.h"

namespace kstate::check {

void CheckHandWrittenPeers(const syntax::Block& body, std::string_view component, diag::Diagnostics& diags);

// The texts of every literal string in `body` (the only texts the check
// reads). A template's are collected once, so that each instance can skip
// the walk over the template's body with MayNamePods.
std::vector<std::string_view> LiteralTexts(const syntax::Block& body);
// Whether some text has `<component>-` in it: false means
// CheckHandWrittenPeers finds nothing in the texts' body.
bool MayNamePods(std::span<const std::string_view> texts, std::string_view component);

}  // namespace kstate::check
