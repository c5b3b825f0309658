// StatefulSet readiness as `kstatec apply` decides it (runtime/plan/rollout).
#include <catch2/catch.hpp>

#include "runtime/plan/inspect.h"
#include "runtime/plan/rollout.h"

using kstate::runtime::plan::Evaluate;
using kstate::runtime::plan::Json;
using kstate::runtime::plan::Rollout;

namespace {

Json Sts(Json spec, Json status, int generation = 2) {
  Json s = {{"metadata", {{"name", "db"}, {"namespace", "ns"}, {"generation", generation}}},
            {"spec", {{"replicas", 3}, {"podManagementPolicy", "OrderedReady"}}},
            {"status", {{"observedGeneration", 2}, {"replicas", 3}, {"readyReplicas", 3}, {"availableReplicas", 3},
                        {"updatedReplicas", 3}, {"currentRevision", "db-aaa"}, {"updateRevision", "db-aaa"}}}};
  if (spec.is_object()) s["spec"].update(spec);
  if (status.is_object()) s["status"].update(status);
  return s;
}

Json Pod(int ordinal, const std::string& revision, bool ready, Json waiting = nullptr) {
  Json status = {{"phase", "Running"}, {"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}};
  if (!waiting.is_null()) status["containerStatuses"] = {{{"name", "db"}, {"state", {{"waiting", waiting}}}}};
  return {{"metadata", {{"name", "db-" + std::to_string(ordinal)}, {"labels", {{"controller-revision-hash", revision}}}}},
          {"status", status}};
}

Rollout Eval(const Json& sts, const std::vector<Json>& pods = {}, const std::vector<Json>& claims = {}) {
  return Evaluate(sts, pods, claims, {}, std::chrono::system_clock::now(), std::chrono::seconds(60));
}

}  // namespace

TEST_CASE("a StatefulSet is ready only when every condition holds", "[runtime]") {
  CHECK(Eval(Sts({}, {})).phase == Rollout::Phase::Ready);
  CHECK(Eval(Sts({}, {}, 3)).summary == "waiting for the controller to see generation 3");
  CHECK(Eval(Sts({}, {{"replicas", 4}})).summary == "scaling down: 4 pods, 3 wanted");
  CHECK(Eval(Sts({}, {{"replicas", 2}, {"readyReplicas", 1}})).summary == "2/3 pods created, 1 ready");
  CHECK(Eval(Sts({}, {{"readyReplicas", 2}})).summary == "2/3 ready");
  CHECK(Eval(Sts({{"minReadySeconds", 10}}, {{"availableReplicas", 2}})).phase == Rollout::Phase::Progressing);
  CHECK(Eval(Sts({}, {{"availableReplicas", 2}})).phase == Rollout::Phase::Ready);  // no minReadySeconds
  CHECK(Eval(Sts({}, {{"updatedReplicas", 2}, {"updateRevision", "db-bbb"}})).summary ==
        "2/3 updated to revision bbb");
  CHECK(Eval(Sts({}, {{"updateRevision", "db-bbb"}})).summary == "3/3 ready, finishing revision bbb");
  // A partition: only pods at or above it must be updated; revisions may differ.
  Json partitioned = Sts({{"updateStrategy", {{"type", "RollingUpdate"}, {"rollingUpdate", {{"partition", 2}}}}}},
                         {{"updatedReplicas", 1}, {"updateRevision", "db-bbb"}});
  CHECK(Eval(partitioned).phase == Rollout::Phase::Ready);
  // OnDelete: ready without converging revisions, and it says so.
  Rollout on_delete = Eval(Sts({{"updateStrategy", {{"type", "OnDelete"}}}}, {{"updatedReplicas", 1}, {"updateRevision", "db-bbb"}}));
  CHECK(on_delete.phase == Rollout::Phase::Ready);
  CHECK(on_delete.summary.find("OnDelete: 2 pods still run an older revision") != std::string::npos);
}

TEST_CASE("broken pods fail the rollout at once, with the OrderedReady recovery", "[runtime]") {
  Json sts = Sts({}, {{"readyReplicas", 2}, {"updateRevision", "db-bbb"}, {"updatedReplicas", 1}});
  std::vector<Json> pods = {Pod(0, "db-aaa", true), Pod(1, "db-aaa", true),
                            Pod(2, "db-bbb", false, {{"reason", "CrashLoopBackOff"}, {"message", "back-off 10s"}})};
  Rollout r = Eval(sts, pods);
  REQUIRE(r.phase == Rollout::Phase::Failed);
  CHECK(r.failure == "pod db-2 (container db): CrashLoopBackOff: back-off 10s");
  CHECK(r.recovery.find("kubectl delete pod db-2 -n ns") != std::string::npos);
  CHECK(r.pods.size() == 3);
  CHECK(r.pods[2].problem == "CrashLoopBackOff");
  CHECK(r.pods[2].updated);
  // With Parallel, Kubernetes replaces the pod itself: no recovery needed.
  sts["spec"]["podManagementPolicy"] = "Parallel";
  CHECK(Eval(sts, pods).recovery.empty());
  // An image that cannot be pulled, on an old-revision pod.
  CHECK(Eval(Sts({}, {}), {Pod(0, "db-aaa", false, {{"reason", "ImagePullBackOff"}})}).phase == Rollout::Phase::Failed);
  // A waiting reason that passes (ContainerCreating) is not a failure.
  CHECK(Eval(Sts({}, {{"readyReplicas", 2}}), {Pod(0, "db-aaa", false, {{"reason", "ContainerCreating"}})}).phase ==
        Rollout::Phase::Progressing);
}

TEST_CASE("a claim Pending past its grace period fails the rollout, with its events", "[runtime]") {
  auto claim = [](const std::string& created) {
    return Json{{"metadata", {{"name", "data-db-0"}, {"creationTimestamp", created}}}, {"status", {{"phase", "Pending"}}}};
  };
  std::chrono::system_clock::time_point now;
  REQUIRE(kstate::runtime::plan::ParseTimestamp("2026-11-24T10:00:00Z", now));
  std::vector<Json> events = {{{"involvedObject", {{"kind", "PersistentVolumeClaim"}, {"name", "data-db-0"}}},
                               {"type", "Warning"}, {"reason", "ProvisioningFailed"}, {"message", "no capacity"}}};
  Json sts = Sts({}, {{"readyReplicas", 0}});
  Rollout young = Evaluate(sts, {}, {claim("2026-11-24T09:59:30Z")}, events, now, std::chrono::seconds(60));
  CHECK(young.phase == Rollout::Phase::Progressing);
  Rollout old = Evaluate(sts, {}, {claim("2026-11-24T09:58:00Z")}, events, now, std::chrono::seconds(60));
  REQUIRE(old.phase == Rollout::Phase::Failed);
  CHECK(old.failure == "PersistentVolumeClaim data-db-0 is still Pending after 120 s:\n    Warning ProvisioningFailed: no capacity");
}

TEST_CASE("diff masks Secret values on both sides, telling changed from unchanged", "[runtime]") {
  Json before = {{"kind", "Secret"}, {"data", {{"same", "c2FtZQ=="}, {"changed", "b2xk"}, {"gone", "eA=="}}}};
  Json after = {{"kind", "Secret"}, {"data", {{"same", "c2FtZQ=="}, {"changed", "bmV3"}, {"added", "eQ=="}}},
                {"stringData", {{"plain", "hunter2"}}}};
  kstate::runtime::plan::MaskSecrets(before, after);
  CHECK(before["data"] == Json({{"same", "***"}, {"changed", "*** (before)"}, {"gone", "***"}}));
  CHECK(after["data"] == Json({{"same", "***"}, {"changed", "*** (after)"}, {"added", "***"}}));
  CHECK(after["stringData"]["plain"] == "***");
  CHECK(before.dump().find("b2xk") == std::string::npos);
  CHECK(after.dump().find("hunter2") == std::string::npos);
}
