// Rules that look at a whole component or program after interpretation:
// names Kubernetes would refuse, references between parts of a component,
// and the stateful mistakes that compile but hurt in production.
#pragma once

#include "compiler/check/model.h"
#include "compiler/diag/diagnostic.h"

namespace kstate::check {

void CheckComponent(const Component& c, diag::Diagnostics& diags);
void CheckProgram(const Program& p, diag::Diagnostics& diags);

// Names of the objects a component compiles to, with their kinds, in the
// order the emitter produces them. Used for collision checks and by tools.
struct ObjectName {
  std::string_view kind;
  std::string name;
  SourceRange range;
  bool cluster_scoped = false;  // outside every namespace: names must be unique in the cluster
};
std::vector<ObjectName> ObjectNames(const Component& c);

// The name of the ClusterRole and ClusterRoleBinding of `clusterRules`:
// `<namespace>-<service account>`, so that the same component in two
// namespaces does not share (and overwrite) one cluster-wide role.
std::string ClusterRoleName(const Component& c);

// The StatefulSet name limit that leaves room for the controller-revision-hash label.
inline constexpr size_t kMaxStatefulSetName = 52;

}  // namespace kstate::check
