// The plan `kstatec apply` makes before it changes anything, and that
// `kstatec plan` prints alone: the file's objects, the ApplySets that track
// them, each StatefulSet's change classified (create, unchanged, in place,
// needs recreation, impossible) with its claims and retention policy,
// recreations left unfinished by an interrupted apply, and what `--prune`
// would delete.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kstate/compiler.h"
#include "runtime/api/api_client.h"
#include "runtime/plan/applyset.h"
#include "runtime/plan/change.h"
#include "runtime/plan/inspect.h"

namespace kstate::runtime::plan {

struct StatefulSetPlan {
  size_t object = 0;  // index into Plan::objects
  api::Json desired;  // the apply configuration, labelled as an ApplySet member
  api::Json live;     // null when it does not exist
  StatefulSetChange change;
  std::string record;  // the progress record of an unfinished recreation; empty when none
  bool deleting = false;  // the live object is being deleted (an interrupted recreation)
};

// An object a previous apply of the same ApplySet made that is no longer in the files.
struct PruneCandidate {
  api::Resource resource;
  std::string ns, name, uid;
  std::string kept_because;  // non-empty: it is not deleted, and why
};

struct Plan {
  std::vector<PlannedObject> objects;                // apply order
  std::map<std::string, ApplySet> sets;              // namespace -> ApplySet
  std::map<std::string, Parent> parents;             // namespace -> parent as found
  std::map<std::string, std::set<std::string>> kinds;  // namespace -> group-kinds of this apply's members
  std::map<std::string, StatefulSetPlan> statefulsets;  // component -> its StatefulSet
  std::vector<PruneCandidate> prune;                 // filled by FindPruneCandidates
};

struct PlanSettings {
  std::string default_namespace = "default";
  std::string applyset;  // the ApplySet name
  bool force_conflicts = false;
};

// Fills in `plan.sets` and `plan.kinds` from `plan.objects`: one ApplySet
// named `applyset` per namespace of a namespaced object.
void AssignApplySets(const std::string& applyset, Plan& plan);
// Discovery, the ApplySet parents and every StatefulSet's change. False (and
// `error`) when the API cannot be read or a parent belongs to someone else.
bool MakePlan(const Compilation& compilation, api::ApiClient& api, const PlanSettings& settings, Plan& plan,
              std::string& error);
// Members of the plan's ApplySets on the cluster that are not in the files.
bool FindPruneCandidates(api::ApiClient& api, Plan& plan, std::string& error);

// The API server's refusal of a StatefulSet change in place: an immutable
// field ("updates to statefulset spec for fields other than ... are
// forbidden"), which only a recreation can change.
bool RefusedInPlace(const api::ApiError& e);

// The apply configuration of an object: its JSON with the ApplySet label
// when it is a member.
api::Json Body(const Plan& plan, const PlannedObject& object);

// The plan in words: per component, one line per StatefulSet change and the
// reasons, what --recreate does, the claims and retention policy; then
// the prune candidates when `show_prune`.
std::vector<std::pair<std::string, std::string>> DescribePlan(const Compilation& compilation, const Plan& plan,
                                                              bool show_prune);
// Why the plan cannot be applied as asked ("StatefulSet demo/db needs
// recreation; apply with --recreate ..."), with the `.kstate` line of the
// first reason; empty when it can.
std::string Blocker(const Compilation& compilation, const Plan& plan, bool recreate);

}  // namespace kstate::runtime::plan
