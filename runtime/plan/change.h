// Planning a StatefulSet change before anything is sent. The API server lets
// only some of a StatefulSet's spec change in place (replicas, ordinals,
// template, updateStrategy, revisionHistoryLimit,
// persistentVolumeClaimRetentionPolicy, minReadySeconds); a change to
// selector, serviceName, podManagementPolicy or volumeClaimTemplates is
// refused with "updates to statefulset spec for fields other than ... are
// forbidden". Such a change can still be made without downtime by deleting
// the StatefulSet with propagationPolicy=Orphan and creating it again (see
// recreate.h); some cannot be made at all (a volume cannot shrink, an
// existing claim cannot change access modes or class).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/api/api_client.h"
#include "runtime/plan/claims.h"

namespace kstate::runtime::plan {

struct StatefulSetChange {
  enum class Kind { Create, Unchanged, InPlace, Recreate, Impossible };
  Kind kind = Kind::Create;
  // In place: what changes ("replicas 3 -> 5", "container db image a -> b").
  // Recreate: why it needs recreation. Impossible: why it cannot be done.
  std::vector<std::string> reasons;
  // Beside each reason, the field it is about ("spec.podManagementPolicy"),
  // for pointing at the `.kstate` line; empty when there is none.
  std::vector<std::string> fields;
  // Claim templates whose storage grows: template -> new size ("20Gi").
  std::map<std::string, std::string> grow;
  // The selector changes so that running pods would not match it: they get
  // the new selector's labels before the new StatefulSet adopts them.
  bool relabel_pods = false;
  // serviceName changes: pods are restarted afterwards (their DNS subdomain
  // is fixed when they are created).
  bool restart_pods = false;
  std::vector<Claim> claims;  // the existing claims of its templates
  std::string retention;      // "whenDeleted=Retain, whenScaled=Retain"
};

const char* KindWord(StatefulSetChange::Kind kind);

// Exact bytes of a storage quantity ("10Gi", "1G", "1073741824"); nullopt
// when it is not one.
std::optional<int64_t> StorageBytes(const std::string& quantity);

// Classifies the change from `live` (null when the StatefulSet does not
// exist) to `desired` (the apply configuration). `claims` are the existing
// claims of the live templates; `expandable` says, per StorageClass name of
// those claims, whether it allows volume expansion (absent: unknown, treated
// as not). In-place details are filled in by `DescribeInPlace`.
StatefulSetChange ClassifyStatefulSet(const api::Json& desired, const api::Json& live, const std::vector<Claim>& claims,
                                      const std::map<std::string, bool>& expandable);

// The differences between two versions of an object (live and the server's
// dry-run result), as short lines ("spec.replicas: 3 -> 5"); at most `limit`,
// then "and N more".
std::vector<std::string> DescribeChanges(const api::Json& before, const api::Json& after, size_t limit = 8);

// "whenDeleted=Retain, whenScaled=Retain" from a StatefulSet (defaults when absent).
std::string RetentionOf(const api::Json& statefulset);

}  // namespace kstate::runtime::plan
