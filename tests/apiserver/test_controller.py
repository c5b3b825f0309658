"""Fake apiserver: the simulated StatefulSet controller, kubelet and PVC binder."""

import threading
import time
import unittest

from support import MERGE, ServerTestCase, wait_for


def is_ready(pod):
    return any(c["type"] == "Ready" and c["status"] == "True" for c in pod.get("status", {}).get("conditions", []))


class PodRecorder:
    """Watches the test namespace's pods and keeps every event, in order."""

    def __init__(self, case):
        self.events = []
        rv = case.client.get(case.path("pods")).body["metadata"]["resourceVersion"]
        self.thread = threading.Thread(target=self._run, args=(case, rv), daemon=True)
        self.thread.start()

    def _run(self, case, rv):
        for ev in case.client.watch(case.path("pods"), {"resourceVersion": rv, "timeoutSeconds": 20}, timeout=25):
            self.events.append(ev)

    def first(self, predicate):
        """Index of the first event matching predicate(type, pod)."""
        return next(i for i, e in enumerate(self.events) if predicate(e["type"], e["object"]))

    def added(self, name):
        return self.first(lambda t, p: t == "ADDED" and p["metadata"]["name"] == name)

    def ready(self, name):
        return self.first(lambda t, p: p["metadata"]["name"] == name and is_ready(p))

    def terminating(self, name):
        return self.first(lambda t, p: p["metadata"]["name"] == name and "deletionTimestamp" in p["metadata"])

    def deleted(self, name):
        return self.first(lambda t, p: t == "DELETED" and p["metadata"]["name"] == name)


class StatefulSetTest(ServerTestCase):
    def pods(self):
        return {p["metadata"]["name"]: p for p in self.items("pods")}

    def test_a_pod_in_the_way_does_not_stop_the_other_statefulsets(self):
        # A pod named like the StatefulSet's first pod that it does not own and
        # cannot adopt (other labels): the real controller records FailedCreate
        # and retries; the fake one must keep simulating everything else.
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "blocked-0", "labels": {"app": "other"}},
               "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
        self.assertEqual(self.client.post(self.path("pods"), pod).status, 201)
        self.create_sts("blocked", replicas=1)
        self.create_sts("db", replicas=1)
        self.wait_ready("db")
        events = wait_for(lambda: [e for e in self.items("events") if e["reason"] == "FailedCreate"],
                          what="a FailedCreate event")
        self.assertIn('pods "blocked-0" already exists', events[0]["message"])

    def test_ordered_ready_creation_and_pod_shape(self):
        rec = PodRecorder(self)
        sts = self.create_sts("db", replicas=3)
        self.wait_ready("db")
        time.sleep(0.1)
        self.assertLess(rec.ready("db-0"), rec.added("db-1"))
        self.assertLess(rec.ready("db-1"), rec.added("db-2"))
        pods = self.pods()
        self.assertEqual(sorted(pods), ["db-0", "db-1", "db-2"])
        pod = pods["db-1"]
        labels = pod["metadata"]["labels"]
        status = self.get_obj("statefulsets", "db", "apps")["status"]
        self.assertEqual(labels["controller-revision-hash"], status["updateRevision"])
        self.assertEqual((labels["statefulset.kubernetes.io/pod-name"], labels["apps.kubernetes.io/pod-index"],
                          labels["app"]), ("db-1", "1", "db"))
        ref = pod["metadata"]["ownerReferences"][0]
        self.assertEqual((ref["kind"], ref["name"], ref["uid"], ref["controller"], ref["blockOwnerDeletion"]),
                         ("StatefulSet", "db", sts["metadata"]["uid"], True, True))
        self.assertEqual(pod["spec"]["volumes"][0], {"name": "data", "persistentVolumeClaim": {
            "claimName": "data-db-1"}})
        self.assertEqual((pod["spec"]["hostname"], pod["spec"]["subdomain"]), ("db-1", "db"))
        self.assertEqual(pod["status"]["phase"], "Running")
        self.assertEqual({c["type"]: c["status"] for c in pod["status"]["conditions"]},
                         {"PodReadyToStartContainers": "True", "Initialized": "True", "Ready": "True",
                          "ContainersReady": "True", "PodScheduled": "True"})
        container = pod["status"]["containerStatuses"][0]
        self.assertEqual((container["name"], container["ready"], container["restartCount"]), ("db", True, 0))
        self.assertIn("running", container["state"])
        claims = {c["metadata"]["name"]: c for c in self.items("persistentvolumeclaims")}
        self.assertEqual(sorted(claims), ["data-db-0", "data-db-1", "data-db-2"])
        self.assertEqual(claims["data-db-0"]["status"]["phase"], "Bound")
        self.assertEqual(claims["data-db-0"]["metadata"]["labels"], {"app": "db"})
        self.assertEqual(status["observedGeneration"], 1)
        self.assertEqual((status["replicas"], status["readyReplicas"], status["availableReplicas"],
                          status["currentReplicas"], status["updatedReplicas"]), (3, 3, 3, 3, 3))
        revisions = self.items("controllerrevisions", "apps")
        self.assertEqual([(r["metadata"]["name"], r["revision"]) for r in revisions], [(status["updateRevision"], 1)])

    def test_parallel_creates_all_at_once(self):
        rec = PodRecorder(self)
        self.create_sts("db", replicas=3, podManagementPolicy="Parallel")
        self.wait_ready("db")
        time.sleep(0.1)
        self.assertLess(rec.added("db-2"), rec.ready("db-0"))

    def test_scale_down_from_the_highest_ordinal(self):
        self.create_sts("db", replicas=3, claims=False)
        self.wait_ready("db")
        rec = PodRecorder(self)
        time.sleep(0.1)
        self.client.patch(self.sts_path("db"), {"spec": {"replicas": 1}}, query={"fieldManager": "test"})
        self.wait_ready("db", 1)
        wait_for(lambda: len(self.pods()) == 1, what="scale down")
        time.sleep(0.1)
        self.assertLess(rec.deleted("db-2"), rec.deleted("db-1"))
        self.assertEqual(sorted(self.pods()), ["db-0"])

    def test_rolling_update_with_partition(self):
        self.create_sts("db", replicas=3, claims=False)
        old = self.wait_ready("db")["status"]["updateRevision"]
        rec = PodRecorder(self)
        time.sleep(0.1)
        self.client.patch(self.sts_path("db"), {"spec": {
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 1}},
            "template": {"spec": {"containers": [{"name": "db", "image": "mariadb:11.5"}]}}}},
            content_type="application/strategic-merge-patch+json")

        def partitioned():
            status = self.get_obj("statefulsets", "db", "apps")["status"]
            ok = status.get("updatedReplicas") == 2 and status.get("readyReplicas") == 3
            return status if ok else None
        status = wait_for(partitioned, what="partitioned rollout")
        time.sleep(0.1)
        new = status["updateRevision"]
        self.assertNotEqual(new, old)
        self.assertEqual((status["currentRevision"], status["currentReplicas"]), (old, 1))
        pods = self.pods()
        self.assertEqual(pods["db-0"]["metadata"]["labels"]["controller-revision-hash"], old)
        self.assertEqual(pods["db-2"]["metadata"]["labels"]["controller-revision-hash"], new)
        self.assertEqual(pods["db-2"]["spec"]["containers"][0]["image"], "mariadb:11.5")
        self.assertLess(rec.deleted("db-2"), rec.deleted("db-1"))
        gone = rec.deleted("db-2")
        back = rec.first(lambda t, p: p["metadata"]["name"] == "db-2" and is_ready(p) and
                         p["metadata"]["labels"]["controller-revision-hash"] == new)
        self.assertLess(gone, back)
        self.assertLess(back, rec.terminating("db-1"), "db-1 waits for the new db-2 to be Ready")
        self.assertEqual(self.get_obj("statefulsets", "db", "apps")["metadata"]["generation"], 2)
        self.client.patch(self.sts_path("db"), {"spec": {"updateStrategy": {"rollingUpdate": {"partition": 0}}}})
        status = self.wait_ready("db")["status"]
        self.assertEqual((status["currentRevision"], status["updateRevision"]), (new, new))
        self.assertEqual(len(self.items("controllerrevisions", "apps")), 2)

    def test_on_delete_only_replaces_deleted_pods(self):
        self.create_sts("db", replicas=2, claims=False, updateStrategy={"type": "OnDelete"})
        old = self.wait_ready("db")["status"]["updateRevision"]
        self.client.patch(self.sts_path("db"), {"spec": {"template": {"metadata": {"labels": {"app": "db",
                                                                                               "v": "2"}}}}})
        new = wait_for(lambda: self.get_obj("statefulsets", "db", "apps")["status"]["updateRevision"] != old
                       and self.get_obj("statefulsets", "db", "apps")["status"]["updateRevision"])
        time.sleep(0.5)
        hashes = {n: p["metadata"]["labels"]["controller-revision-hash"] for n, p in self.pods().items()}
        self.assertEqual(hashes, {"db-0": old, "db-1": old})
        self.client.delete(self.path("pods", "db-1"))
        wait_for(lambda: self.pods().get("db-1", {}).get("metadata", {}).get("labels", {})
                 .get("controller-revision-hash") == new, what="db-1 recreated")
        self.assertEqual(self.pods()["db-0"]["metadata"]["labels"]["controller-revision-hash"], old)

    def test_min_ready_seconds_delays_availability(self):
        self.create_sts("db", replicas=1, claims=False, minReadySeconds=10)  # 10 s scaled by 0.1

        def ready_not_available():
            status = self.get_obj("statefulsets", "db", "apps").get("status", {})
            return status.get("readyReplicas") == 1 and status.get("availableReplicas") == 0
        wait_for(ready_not_available, what="ready but not yet available")
        wait_for(lambda: self.get_obj("statefulsets", "db", "apps")["status"]["availableReplicas"] == 1,
                 what="available")

    def test_when_scaled_delete_removes_claims(self):
        self.create_sts("db", replicas=2, persistentVolumeClaimRetentionPolicy={"whenDeleted": "Retain",
                                                                                "whenScaled": "Delete"})
        self.wait_ready("db")
        self.client.patch(self.sts_path("db"), {"spec": {"replicas": 1}}, content_type=MERGE)
        wait_for(lambda: [c["metadata"]["name"] for c in self.items("persistentvolumeclaims")] == ["data-db-0"],
                 what="claim of db-1 deleted")


if __name__ == "__main__":
    unittest.main()
