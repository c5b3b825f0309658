// Lowering: the checked program becomes Kubernetes objects, in apply order
// (Namespaces, ServiceAccounts, ConfigMaps, Services, StatefulSets,
// PodDisruptionBudgets), with consistent generated labels and selectors.
#pragma once

#include <vector>

#include "compiler/check/model.h"
#include "compiler/emit/manifest.h"

namespace kstate::emit {

std::vector<Object> Lower(const check::Program& program);

// The labels every object of a component carries, and the stable subset the
// selector uses (it never includes user labels, so they can change freely).
std::vector<std::pair<std::string, std::string>> SelectorLabels(const check::Component& c);

}  // namespace kstate::emit
