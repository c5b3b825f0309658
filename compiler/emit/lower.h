// Lowering: the checked program becomes Kubernetes objects, in apply order
// (Namespaces, ServiceAccounts, Roles, RoleBindings, ClusterRoles,
// ClusterRoleBindings, ConfigMaps, Services, StatefulSets,
// PodDisruptionBudgets), with consistent generated labels and selectors.
#pragma once

#include <string>
#include <vector>

#include "compiler/check/model.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/emit/manifest.h"

namespace kstate::emit {

std::vector<Object> Lower(const check::Program& program);

// The pieces of Lower, for callers that stream objects out one component at a
// time instead of holding every tree: the declared Namespaces, one
// component's objects (in the component's own order), and the rank of a kind
// in apply order (lower goes first).
std::vector<Object> LowerNamespaces(const check::Program& program);
// `patch_diags`: where to report problems with the component's patches.
void LowerComponent(const check::Component& c, std::vector<Object>& out, diag::Diagnostics* patch_diags = nullptr);
// The component's objects as text, appended to `chunks[ApplyRank(kind) + 1]`:
// YAML documents each followed by a "---" line, or JSON `List` items as
// AppendJsonListItem writes them. The same text as writing the trees
// LowerComponent builds, written without building them (unless the
// component has patches, which change the trees).
void WriteComponent(const check::Component& c, bool json, std::vector<std::string>& chunks);
// One object's text, appended to `chunks[ApplyRank(kind) + 1]` as
// WriteComponent appends it: a YAML document and its "---" line, or a JSON
// `List` item.
void AppendObject(std::vector<std::string>& chunks, const Object& o, bool json);
int ApplyRank(std::string_view kind);

// The labels every object of a component carries, and the stable subset the
// selector uses (it never includes user labels, so they can change freely).
std::vector<std::pair<std::string, std::string>> SelectorLabels(const check::Component& c);

}  // namespace kstate::emit
