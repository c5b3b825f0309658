// Whether a StatefulSet's rollout is done, still going, or failed, from the
// objects as the API server returns them. Pure functions: the waiting loop
// fetches, this decides.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kstate::runtime::plan {

using Json = nlohmann::json;

// One pod ordinal as the live view shows it.
struct PodView {
  int ordinal = 0;
  std::string name;
  bool exists = false;
  std::string revision;  // the controller-revision-hash label, shortened
  bool updated = false;  // at the update revision
  std::string phase;     // Pending, Running, ...
  bool ready = false;
  std::string problem;   // a waiting reason or Unschedulable, when there is one
};

struct Rollout {
  enum class Phase { Progressing, Ready, Failed };
  Phase phase = Phase::Progressing;
  std::string summary;   // one sentence: "3/3 ready at revision 5d8f7c"
  std::vector<PodView> pods;
  std::string failure;   // the pod (or claim), the reason and the message
  std::string recovery;  // a command that gets a stuck rollout going again, when one is needed
};

// What a StatefulSet's rollout is. `pods`: its pods; `claims`: the
// PersistentVolumeClaims of its namespace; `events`: the namespace's events
// (for a claim that stays Pending). A claim Pending longer than
// `claim_grace` (by its creationTimestamp against `now`) fails the rollout.
Rollout Evaluate(const Json& statefulset, const std::vector<Json>& pods, const std::vector<Json>& claims,
                 const std::vector<Json>& events, std::chrono::system_clock::time_point now,
                 std::chrono::seconds claim_grace);

// Parses an RFC 3339 timestamp (as the API server writes them); false when it is not one.
bool ParseTimestamp(const std::string& text, std::chrono::system_clock::time_point& out);

}  // namespace kstate::runtime::plan
