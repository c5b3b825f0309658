// Recreating a StatefulSet without downtime, for the changes the API server
// forbids in place (see change.h):
//
//   1. record the recreation on the ApplySet parent (the user's consent, so an
//      interrupted run is finished by the next `apply` without --recreate);
//   2. growing storage: resize every existing claim of every ordinal (the
//      StorageClass was checked to allow it when planning) and wait until each
//      resize is accepted;
//   3. delete the StatefulSet with propagationPolicy=Orphan and wait until it
//      is gone: its pods and claims stay, and keep serving;
//   4. when the selector changes, give the orphaned pods its labels;
//   5. create the StatefulSet again (the caller's apply); the StatefulSet
//      controller adopts the pods, and rolls them if the template changed;
//   6. when serviceName changed, restart the pods (their DNS subdomain is set
//      when they are created), by the annotation `kubectl rollout restart` uses;
//   7. clear the record.
//
// Each step checks the cluster first, so running it again after an
// interruption at any point does the rest and nothing twice.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "runtime/api/api_client.h"
#include "runtime/plan/planning.h"

namespace kstate::runtime::plan {

struct RecreateSettings {
  std::chrono::steady_clock::time_point deadline;
  std::chrono::milliseconds poll{500};
};

// Runs the steps for `sp` (a Recreate, or a Create/in-place change with a
// record). `apply` applies the StatefulSet's configuration (error text on
// failure); `note` reports progress. Returns an empty string when done, else
// what failed (the record stays, so the next apply carries on).
std::string Recreate(api::ApiClient& api, const ApplySet& set, const PlannedObject& object, const StatefulSetPlan& sp,
                     const RecreateSettings& settings, const std::function<std::string()>& apply,
                     const std::function<void(const std::string&)>& note);

}  // namespace kstate::runtime::plan
