// The PersistentVolumeClaims of StatefulSets: finding them, describing them,
// and (only here, only with the user's consent) deleting them.
#pragma once

#include <string>
#include <vector>

#include "runtime/api/api_client.h"
#include "runtime/api/data_deletion.h"

namespace kstate::runtime::plan {

struct Claim {
  std::string name, ns, uid;
  std::string template_name;  // the volumeClaimTemplate it was made from
  int ordinal = -1;
  std::string storage_class;
  std::string request;   // spec.resources.requests.storage
  std::string capacity;  // status.capacity.storage (empty until bound)
  std::string phase;
  std::vector<std::string> access_modes;
  std::string allocated;        // status.allocatedResources.storage: what the resizer works towards
  bool resizing = false;        // a Resizing condition: the controller is expanding the volume
  bool resize_pending = false;  // a FileSystemResizePending condition: the node finishes when the pod restarts
  std::string resize_error;     // a ControllerResizeError / NodeResizeError condition's message, or an infeasible resize
  bool deleting = false;        // has a deletionTimestamp
};

// The ordinal of a StatefulSet's pod or claim from its name: N when `name` is
// `prefix` followed by digits only ("db-" + "2"), else -1.
int OrdinalAfter(const std::string& name, const std::string& prefix);

// Claims in `ns` that an owner reference ties to the StatefulSet (uid) or to
// one of its pods: the garbage collector deletes them when their owner goes,
// whatever the retention policy says by now.
api::Result<std::vector<std::string>> CollectedClaims(api::ApiClient& api, const std::string& ns,
                                                      const std::string& statefulset, const std::string& uid);
// The same, from a LIST of the namespace's claims already read.
std::vector<std::string> CollectedClaimsIn(const api::Json& list, const std::string& statefulset,
                                           const std::string& uid);

// The names of a StatefulSet's volumeClaimTemplates (live or desired JSON).
std::vector<std::string> ClaimTemplateNames(const api::Json& statefulset);
// The claims a StatefulSet named `statefulset` made from the templates
// `templates`: those named `<template>-<statefulset>-<ordinal>`, by ordinal.
api::Result<std::vector<Claim>> ClaimsOf(api::ApiClient& api, const std::string& ns, const std::string& statefulset,
                                         const std::vector<std::string>& templates);
// The same, from a LIST of the namespace's claims already read.
std::vector<Claim> ClaimsIn(const api::Json& list, const std::string& ns, const std::string& statefulset,
                            const std::vector<std::string>& templates);
// "data-db-0 (10Gi)", "data-db-0 (10Gi, Pending)".
std::string DescribeClaim(const Claim& claim);

// Deletes `claims` (with each one's UID as a precondition). The only code in
// kstatec that deletes a claim; `consent` comes from `--delete-data`. Returns
// one error line per claim that could not be deleted.
std::vector<std::string> DeleteClaims(api::ApiClient& api, const std::vector<Claim>& claims,
                                      const api::DataDeletionConsent& consent);

}  // namespace kstate::runtime::plan
