// StatefulSet readiness, as the apps controller defines progress:
// observedGeneration caught up, scale finished, every replica ready (and
// available with minReadySeconds), and for RollingUpdate every pod at or
// above the partition on the update revision. Pods that cannot start
// (crash loops, image pulls, bad config, unschedulable) fail at once.
#include "runtime/plan/rollout.h"

#include "runtime/kube/kubeconfig_text.h"

#include <algorithm>

#include <fmt/format.h>

namespace kstate::runtime::plan {

namespace {

int64_t IntAt(const Json& j, std::initializer_list<const char*> path, int64_t fallback) {
  const Json* at = &j;
  for (const char* key : path) {
    if (!at->is_object()) return fallback;
    auto it = at->find(key);
    if (it == at->end()) return fallback;
    at = &*it;
  }
  return at->is_number_integer() ? at->get<int64_t>() : fallback;
}

std::string StrAt(const Json& j, std::initializer_list<const char*> path) {
  const Json* at = &j;
  for (const char* key : path) {
    if (!at->is_object()) return {};
    auto it = at->find(key);
    if (it == at->end()) return {};
    at = &*it;
  }
  return at->is_string() ? at->get<std::string>() : std::string();
}

std::string Short(const std::string& revision) {
  size_t dash = revision.rfind('-');
  return dash == std::string::npos ? revision : revision.substr(dash + 1);
}

// Reasons that mean a container will not start without a change.
bool Fatal(const std::string& reason) {
  return reason == "CrashLoopBackOff" || reason == "ImagePullBackOff" || reason == "ErrImagePull" ||
         reason == "CreateContainerConfigError" || reason == "InvalidImageName" || reason == "CreateContainerError";
}

struct Problem {
  std::string reason, message, container;
};

// The first fatal problem of a pod: a container waiting for a fatal reason,
// or the pod unschedulable.
std::optional<Problem> PodProblem(const Json& pod) {
  const Json& status = pod.value("status", Json::object());
  for (const char* list : {"initContainerStatuses", "containerStatuses"}) {
    auto it = status.find(list);
    if (it == status.end() || !it->is_array()) continue;
    for (const Json& c : *it) {
      std::string reason = StrAt(c, {"state", "waiting", "reason"});
      if (Fatal(reason)) return Problem{reason, StrAt(c, {"state", "waiting", "message"}), StrAt(c, {"name"})};
    }
  }
  if (auto conditions = status.find("conditions"); conditions != status.end() && conditions->is_array()) {
    for (const Json& c : *conditions) {
      if (StrAt(c, {"type"}) == "PodScheduled" && StrAt(c, {"status"}) == "False" &&
          StrAt(c, {"reason"}) == "Unschedulable") {
        // Waiting for its claims to bind is normal for a while; the claims'
        // own grace period decides when it is a failure.
        std::string message = StrAt(c, {"message"});
        if (message.find("unbound immediate PersistentVolumeClaims") != std::string::npos) continue;
        return Problem{"Unschedulable", message, ""};
      }
    }
  }
  return std::nullopt;
}

bool PodReady(const Json& pod) {
  const Json& conditions = pod.value("status", Json::object()).value("conditions", Json::array());
  if (!conditions.is_array()) return false;
  for (const Json& c : conditions) {
    if (StrAt(c, {"type"}) == "Ready") return StrAt(c, {"status"}) == "True";
  }
  return false;
}

std::string ClaimEvents(const std::vector<Json>& events, const std::string& claim) {
  std::string out;
  for (const Json& e : events) {
    if (StrAt(e, {"involvedObject", "kind"}) != "PersistentVolumeClaim" || StrAt(e, {"involvedObject", "name"}) != claim) {
      continue;
    }
    out += fmt::format("\n    {} {}: {}", StrAt(e, {"type"}), StrAt(e, {"reason"}), StrAt(e, {"message"}));
  }
  return out;
}

}  // namespace

bool ParseTimestamp(const std::string& text, std::chrono::system_clock::time_point& out) {
  std::optional<std::chrono::system_clock::time_point> t = kube::ParseRfc3339(text);
  if (t) out = *t;
  return t.has_value();
}

Rollout Evaluate(const Json& sts, const std::vector<Json>& pods, const std::vector<Json>& claims,
                 const std::vector<Json>& events, std::chrono::system_clock::time_point now,
                 std::chrono::seconds claim_grace) {
  Rollout r;
  const std::string name = StrAt(sts, {"metadata", "name"});
  const std::string ns = StrAt(sts, {"metadata", "namespace"});
  const int64_t want = IntAt(sts, {"spec", "replicas"}, 1);
  const int64_t generation = IntAt(sts, {"metadata", "generation"}, 0);
  const int64_t observed = IntAt(sts, {"status", "observedGeneration"}, 0);
  const int64_t replicas = IntAt(sts, {"status", "replicas"}, 0);
  const int64_t ready = IntAt(sts, {"status", "readyReplicas"}, 0);
  const int64_t available = IntAt(sts, {"status", "availableReplicas"}, 0);
  const int64_t updated = IntAt(sts, {"status", "updatedReplicas"}, 0);
  const int64_t min_ready = IntAt(sts, {"spec", "minReadySeconds"}, 0);
  const std::string update_revision = StrAt(sts, {"status", "updateRevision"});
  const std::string current_revision = StrAt(sts, {"status", "currentRevision"});
  const bool on_delete = StrAt(sts, {"spec", "updateStrategy", "type"}) == "OnDelete";
  const int64_t partition = on_delete ? 0 : IntAt(sts, {"spec", "updateStrategy", "rollingUpdate", "partition"}, 0);
  const bool ordered = StrAt(sts, {"spec", "podManagementPolicy"}) != "Parallel";

  // Pods by ordinal, including the ones still to come.
  int64_t shown = std::max<int64_t>(want, 0);
  for (const Json& p : pods) {
    std::string pod_name = StrAt(p, {"metadata", "name"});
    size_t dash = pod_name.rfind('-');
    if (dash == std::string::npos) continue;
    shown = std::max<int64_t>(shown, std::atoll(pod_name.c_str() + dash + 1) + 1);
  }
  for (int64_t i = 0; i < shown && i < 10000; ++i) r.pods.push_back({static_cast<int>(i), fmt::format("{}-{}", name, i)});
  for (const Json& p : pods) {
    std::string pod_name = StrAt(p, {"metadata", "name"});
    size_t dash = pod_name.rfind('-');
    if (dash == std::string::npos) continue;
    int64_t ordinal = std::atoll(pod_name.c_str() + dash + 1);
    if (ordinal < 0 || ordinal >= static_cast<int64_t>(r.pods.size())) continue;
    PodView& v = r.pods[static_cast<size_t>(ordinal)];
    v.exists = true;
    std::string revision = StrAt(p, {"metadata", "labels", "controller-revision-hash"});
    v.revision = Short(revision);
    v.updated = !update_revision.empty() && revision == update_revision;
    v.phase = StrAt(p, {"status", "phase"});
    v.ready = PodReady(p);
    if (std::optional<Problem> problem = PodProblem(p)) {
      v.problem = problem->reason;
      if (r.failure.empty()) {
        r.phase = Rollout::Phase::Failed;
        r.failure = fmt::format("pod {}{}: {}{}", pod_name,
                                problem->container.empty() ? "" : fmt::format(" (container {})", problem->container),
                                problem->reason, problem->message.empty() ? "" : ": " + problem->message);
        // The OrderedReady trap: a broken pod of the new revision blocks the
        // rollout, and Kubernetes does not replace it even once the template
        // is fixed; it has to be deleted by hand.
        if (ordered && !on_delete && v.updated && problem->reason != "Unschedulable") {
          r.recovery = fmt::format(
              "with podManagementPolicy OrderedReady, Kubernetes will not replace {} even after the template is "
              "fixed: fix the component, apply it again, then run\n    kubectl delete pod {} -n {}",
              pod_name, pod_name, ns);
        }
      }
    }
  }
  // Claims that stay Pending.
  std::string prefix_suffix = "-" + name + "-";
  for (const Json& c : claims) {
    std::string claim = StrAt(c, {"metadata", "name"});
    if (claim.find(prefix_suffix) == std::string::npos || StrAt(c, {"status", "phase"}) != "Pending") continue;
    std::chrono::system_clock::time_point created;
    if (!ParseTimestamp(StrAt(c, {"metadata", "creationTimestamp"}), created)) continue;
    if (now - created < claim_grace || !r.failure.empty()) continue;
    r.phase = Rollout::Phase::Failed;
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - created).count();
    std::string what = ClaimEvents(events, claim);
    r.failure = fmt::format("PersistentVolumeClaim {} is still Pending after {} s{}", claim, seconds,
                            what.empty() ? " (no events explain why)" : ":" + what);
  }
  if (r.phase == Rollout::Phase::Failed) {
    r.summary = fmt::format("failed: {}/{} ready", ready, want);
    return r;
  }

  std::string revision = Short(update_revision);
  if (observed < generation) {
    r.summary = fmt::format("waiting for the controller to see generation {}", generation);
    return r;
  }
  if (replicas > want) {
    r.summary = fmt::format("scaling down: {} pods, {} wanted", replicas, want);
    return r;
  }
  if (replicas < want) {
    r.summary = fmt::format("{}/{} pods created, {} ready", replicas, want, ready);
    return r;
  }
  if (ready < want) {
    r.summary = fmt::format("{}/{} ready", ready, want);
    return r;
  }
  if (min_ready > 0 && available < want) {
    r.summary = fmt::format("{}/{} available (minReadySeconds {})", available, want, min_ready);
    return r;
  }
  if (on_delete) {
    int64_t old = want - updated;
    r.phase = Rollout::Phase::Ready;
    r.summary = old > 0 ? fmt::format("{}/{} ready; OnDelete: {} pod{} still run{} an older revision until deleted", ready,
                                      want, old, old == 1 ? "" : "s", old == 1 ? "s" : "")
                        : fmt::format("{}/{} ready at revision {} (OnDelete)", ready, want, revision);
    return r;
  }
  int64_t must_update = std::max<int64_t>(want - partition, 0);
  if (updated < must_update) {
    r.summary = fmt::format("{}/{} updated to revision {}", updated, must_update, revision);
    return r;
  }
  if (partition == 0 && current_revision != update_revision) {
    r.summary = fmt::format("{}/{} ready, finishing revision {}", ready, want, revision);
    return r;
  }
  r.phase = Rollout::Phase::Ready;
  r.summary = partition > 0 ? fmt::format("{}/{} ready; pods {} and above at revision {} (partition {})", ready, want,
                                          partition, revision, partition)
                            : fmt::format("{}/{} ready at revision {}", ready, want, revision);
  return r;
}

}  // namespace kstate::runtime::plan
