"""Fake apiserver: scripted faults, latency, restarts, pod and claim failures, and the request log."""

import json
import time
import unittest

from support import Client, ServerTestCase, statefulset, wait_for


class FaultTest(ServerTestCase):
    def test_429_for_the_next_requests(self):
        self.server.fail_next(2, status=429, retry_after=1)
        for _ in range(2):
            r = self.client.get("/api/v1/namespaces")
            self.assertEqual(r.status, 429)
            self.assertEqual(r.headers["Retry-After"], "1")
            self.assertEqual(r.body, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                      "message": "Too many requests, please try again later.",
                                      "reason": "TooManyRequests", "details": {"retryAfterSeconds": 1},
                                      "code": 429})
        self.assertEqual(self.client.get("/api/v1/namespaces").status, 200)

    def test_500_only_for_matching_requests(self):
        self.server.fail_next(1, status=500, method="PATCH", path="/configmaps/")
        self.assertEqual(self.client.get(self.path("configmaps")).status, 200)
        r = self.client.apply(self.path("configmaps", "cm"), {"apiVersion": "v1", "kind": "ConfigMap",
                                                               "metadata": {"name": "cm"}})
        self.assertEqual((r.status, r.body["reason"]), (500, "InternalError"))
        self.assertEqual(r.body["message"], "Internal error occurred: etcdserver: request timed out")
        r = self.client.apply(self.path("configmaps", "cm"), {"apiVersion": "v1", "kind": "ConfigMap",
                                                               "metadata": {"name": "cm"}})
        self.assertEqual(r.status, 201)

    def test_latency(self):
        self.server.add_latency(0.3, count=1)
        start = time.monotonic()
        self.client.get("/version")
        self.assertGreaterEqual(time.monotonic() - start, 0.3)
        start = time.monotonic()
        self.client.get("/version")
        self.assertLess(time.monotonic() - start, 0.3)

    def test_restart_drops_and_refuses_connections(self):
        conn = self.client.connect()
        conn.request("GET", "/version")
        self.assertEqual(conn.getresponse().read() != b"", True)
        self.server.restart(0.4)
        with self.assertRaises(OSError):
            self.client.get("/version")
        with self.assertRaises(Exception):  # the kept-alive connection was closed
            conn.request("GET", "/version")
            conn.getresponse()
        wait_for(lambda: self.client.get("/version").status == 200, what="back up")

    def test_control_endpoint(self):
        anonymous = Client(self.server, user=None)
        r = anonymous.post("/__fixture/script", [{"action": "fail", "status": 503, "count": 1}])
        self.assertEqual((r.status, r.body), (200, {"results": [{"ok": True}]}))
        r = self.client.get("/api")
        self.assertEqual((r.status, r.body["reason"]), (503, "ServiceUnavailable"))
        r = anonymous.post("/__fixture/script", {"action": "explode"})
        self.assertEqual((r.status, r.body), (400, {"error": "unknown action 'explode'"}))
        state = anonymous.get("/__fixture/state").body
        self.assertEqual(state["controllerErrors"], [])


class RequestLogTest(ServerTestCase):
    def test_log_records_what_the_client_sent(self):
        self.server.clear_log()
        self.client.apply(self.sts_path("db"), statefulset("db", replicas=0, claims=False),
                          query={"dryRun": "All"})
        self.client.delete(self.path("configmaps", "missing"), query={"propagationPolicy": "Orphan"})
        log = json.loads(Client(self.server, user=None).get("/__fixture/log").raw)
        apply, delete = log[-2], log[-1]
        self.assertEqual((apply["method"], apply["path"], apply["content_type"], apply["user"], apply["status"]),
                         ("PATCH", self.sts_path("db"), "application/apply-patch+yaml", "admin", 201))
        self.assertEqual(apply["query"], {"dryRun": "All", "fieldManager": "kstatec"})
        self.assertEqual(json.loads(apply["body"])["metadata"]["name"], "db")
        self.assertEqual((delete["query"], delete["status"]), ({"propagationPolicy": "Orphan"}, 404))
        self.assertEqual(self.server.log()[-1]["user_agent"], "kubefake-tests/1.0")


class PodFailureTest(ServerTestCase):
    def pod(self, name):
        return self.get_obj("pods", name)

    def events_for(self, name):
        return self.items("events", query={"fieldSelector": "involvedObject.name=" + name})

    def test_crash_in_next_revision_stalls_rollout_until_healed(self):
        self.create_sts("db", replicas=2, claims=False)
        self.wait_ready("db")
        self.server.pod_behavior("crash", self.ns, statefulset="db", revision="next")
        self.client.patch(self.sts_path("db"), {"spec": {"template": {"spec": {"containers": [
            {"name": "db", "image": "mariadb:11.5"}]}}}}, content_type="application/strategic-merge-patch+json")

        def crashing():
            pod = self.pod("db-1")
            statuses = (pod or {}).get("status", {}).get("containerStatuses") or [{}]
            ok = statuses[0].get("restartCount", 0) >= 2 and pod["spec"]["containers"][0]["image"] == "mariadb:11.5"
            return statuses[0] if ok else None
        status = wait_for(crashing, what="crash loop")
        waiting = status["state"]["waiting"]
        self.assertEqual(waiting["reason"], "CrashLoopBackOff")
        pod = self.pod("db-1")
        self.assertRegex(waiting["message"], r"^back-off (20s|40s|1m20s) restarting failed container=db "
                         r"pod=db-1_%s\(%s\)$" % (self.ns, pod["metadata"]["uid"]))
        self.assertEqual((status["lastState"]["terminated"]["exitCode"], status["lastState"]["terminated"]["reason"]),
                         (1, "Error"))
        self.assertEqual(pod["status"]["phase"], "Running")
        sts = self.get_obj("statefulsets", "db", "apps")
        self.assertEqual((sts["status"]["updatedReplicas"], sts["status"]["readyReplicas"]), (1, 1))
        self.assertNotEqual(self.pod("db-0")["spec"]["containers"][0]["image"], "mariadb:11.5", "rollout stalled")
        self.assertIn("BackOff", [e["reason"] for e in self.events_for("db-1")])
        self.server.pod_behavior("heal", self.ns, name="db-1")
        self.wait_ready("db")
        self.assertEqual(self.pod("db-0")["spec"]["containers"][0]["image"], "mariadb:11.5")

    def test_image_pull_failure(self):
        self.server.pod_behavior("image_pull", self.ns, statefulset="db", revision="any")
        self.server.set_config(image_pull_backoff_seconds=0.15)
        try:
            self.create_sts("db", replicas=1, claims=False, image="registry.example/nope:1")
            reasons = set()

            def both():
                statuses = (self.pod("db-0") or {}).get("status", {}).get("containerStatuses") or []
                if statuses and "waiting" in statuses[0]["state"]:
                    reasons.add(statuses[0]["state"]["waiting"]["reason"])
                    if statuses[0]["state"]["waiting"]["reason"] == "ImagePullBackOff":
                        self.assertEqual(statuses[0]["state"]["waiting"]["message"],
                                         'Back-off pulling image "registry.example/nope:1"')
                return reasons == {"ErrImagePull", "ImagePullBackOff"}
            wait_for(both, what="ErrImagePull then ImagePullBackOff")
        finally:
            self.server.set_config(image_pull_backoff_seconds=0.3)
        self.assertEqual(self.pod("db-0")["status"]["phase"], "Pending")
        events = self.events_for("db-0")
        failed = [e for e in events if e["reason"] == "Failed"]
        self.assertTrue(any(e["message"].startswith('Failed to pull image "registry.example/nope:1": ')
                            for e in failed))
        self.assertEqual(failed[0]["involvedObject"]["kind"], "Pod")
        self.assertEqual(failed[0]["type"], "Warning")

    def test_create_container_config_error(self):
        self.create_sts("db", replicas=1, claims=False)
        pod = wait_for(lambda: self.pod("db-0"), what="pod")
        self.server.pod_behavior("config_error", self.ns, name=pod["metadata"]["name"], secret="db-password")
        waiting = wait_for(lambda: (self.pod("db-0")["status"].get("containerStatuses") or [{}])[0]
                           .get("state", {}).get("waiting", {}).get("reason") == "CreateContainerConfigError"
                           and self.pod("db-0")["status"]["containerStatuses"][0]["state"]["waiting"])
        self.assertEqual(waiting["message"], 'secret "db-password" not found')

    def test_unschedulable(self):
        self.server.pod_behavior("unschedulable", self.ns, name="db-0")
        self.create_sts("db", replicas=1, claims=False)
        cond = wait_for(lambda: next((c for c in (self.pod("db-0") or {}).get("status", {}).get("conditions", [])
                                      if c["type"] == "PodScheduled"), None), what="PodScheduled condition")
        self.assertEqual((cond["status"], cond["reason"]), ("False", "Unschedulable"))
        self.assertEqual(cond["message"], "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes "
                         "are available: 3 No preemption victims found for incoming pod.")
        event = wait_for(lambda: [e for e in self.events_for("db-0") if e["reason"] == "FailedScheduling"])[0]
        self.assertEqual((event["source"]["component"], event["message"]), ("default-scheduler", cond["message"]))

    def test_pending_claim(self):
        self.server.pvc_pending(self.ns, statefulset="db", reason="ProvisioningFailed")
        self.create_sts("db", replicas=1)
        event = wait_for(lambda: self.events_for("data-db-0"), what="claim event")[0]
        self.assertEqual((event["reason"], event["type"], event["involvedObject"]["kind"]),
                         ("ProvisioningFailed", "Warning", "PersistentVolumeClaim"))
        self.assertEqual(event["message"], 'failed to provision volume with StorageClass "standard": rpc error: '
                         'code = ResourceExhausted desc = insufficient capacity')
        cond = wait_for(lambda: next((c for c in (self.pod("db-0") or {}).get("status", {}).get("conditions", [])
                                      if c["type"] == "PodScheduled"), None))
        self.assertIn("pod has unbound immediate PersistentVolumeClaims", cond["message"])
        self.assertEqual(self.get_obj("persistentvolumeclaims", "data-db-0")["status"]["phase"], "Pending")
        self.server.pvc_bind(self.ns, statefulset="db")
        self.wait_ready("db")


if __name__ == "__main__":
    unittest.main()
