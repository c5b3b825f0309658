// `kstatec delete`: a compiled file's objects removed from the cluster in
// reverse apply order, Namespaces kept, the StatefulSets' claims (the data)
// kept unless the caller holds the user's consent, ApplySet parents last.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "kstate/compiler.h"
#include "runtime/api/api_client.h"
#include "runtime/api/data_deletion.h"
#include "runtime/plan/claims.h"
#include "runtime/plan/inspect.h"

namespace kstate::runtime::plan {

struct DeleteSettings {
  bool dry_run = false;  // --dry-run=server: every DELETE with dryRun=All, nothing changes
  bool wait = true;      // wait for each object to go before the next (not under dry run)
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};  // bounds all the waiting
  std::chrono::milliseconds poll{300};
  std::string default_namespace = "default";  // for objects of files without a `namespace`
  std::string applyset;                       // the ApplySet name, already checked
};

// One object of the files, as found on the cluster when the plan was made.
struct DeleteStep {
  PlannedObject planned;
  std::string uid;  // empty: not on the cluster
};

// A StatefulSet of the files and the data that hangs on it.
struct StatefulSetData {
  api::Resource resource;
  std::string ns, name;
  std::string uid;                     // empty: the StatefulSet is gone (its claims may remain)
  std::vector<std::string> templates;  // volumeClaimTemplates: the live ones, else the files'
  std::string when_deleted = "Retain", when_scaled = "Retain";
  std::vector<Claim> claims;
  // Claims the garbage collector would delete with the StatefulSet or its
  // pods (an owner reference to either), whatever the policy says now.
  std::vector<std::string> collected;
};

struct DeletePlan {
  std::vector<DeleteStep> steps;  // reverse apply order: the order of deletion
  std::vector<StatefulSetData> statefulsets;
  std::vector<std::string> namespaces;  // those of namespaced objects: where the ApplySet parents are
};

// Reads the live state of every object of `compilation` (which must be ok()).
// False, with `error` set, when the API could not be read.
bool PlanDelete(const Compilation& compilation, api::ApiClient& api, const DeleteSettings& settings, DeletePlan& out,
                std::string& error);

// Prints each StatefulSet's retention policy and claims with their sizes, and
// whether they are kept or deleted.
void PrintDeletePlan(const DeletePlan& plan, bool delete_data, std::FILE* out);

// Why nothing may be deleted without --delete-data: StatefulSets whose claims
// Kubernetes would delete with them. Empty when there are none.
std::string DataLossWithoutConsent(const DeletePlan& plan);

// The claims `--delete-data` deletes: those of every StatefulSet of the plan.
std::vector<Claim> ClaimsToDelete(const DeletePlan& plan);

// Carries out `plan`: deletes and waits for each object, then (only with
// `consent`) the claims once their pods are gone, then the ApplySet parents.
// Prints one line per action on `out` and errors, prefixed `kstatec delete:`,
// on `err`; stops at the first error. True when everything was done.
bool CarryOutDelete(const DeletePlan& plan, api::ApiClient& api, const DeleteSettings& settings,
                    const api::DataDeletionConsent* consent, std::FILE* out, std::FILE* err);

}  // namespace kstate::runtime::plan
