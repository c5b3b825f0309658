// Shared helpers of the lowering files (not part of the emit interface).
#pragma once

#include "compiler/check/model.h"
#include "compiler/emit/manifest.h"

namespace kstate::emit::internal {

Node LabelsNode(const std::vector<std::pair<std::string, std::string>>& labels);
// A checked value as JSON-shaped data: quantities (bytes, millicores) as
// Kubernetes quantity strings, lists and records as lists and maps.
Node ValueToNode(const check::Value& v);
// The pod template's spec for a component whose selector labels are `selector`.
Node PodSpec(const check::Component& c, const Node& selector);

}  // namespace kstate::emit::internal
