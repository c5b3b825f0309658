#!/usr/bin/env python3
"""Changing a running database with `kstatec plan` and `kstatec apply`
against the fake API server: in-place changes, immutable changes refused
with their reason, `--recreate` keeping every pod and claim (same UIDs),
storage growth of a 3-replica component, refused shrinks, an interruption
after each step of a recreation followed by an apply that finishes it,
ApplySets that kubectl can list, and prune that never touches a claim.

Run: test_change.py --kstatec PATH --repo DIR (exits 77 when the fixture cannot start)."""
import json
import signal
import subprocess
import time

import lifecycle
from lifecycle import LifecycleTest, applyset_id, main

CACHE = """
component cache {
  image    = "docker.io/library/redis:7.2.4"
  replicas = 2
  port redis = 6379
  readiness = tcp(redis)
  resources { cpu = 100m; memory = 128Mi }
  storage data { size = 1Gi; mount = "/data" }
}
"""


class ChangeTest(LifecycleTest):
    def applied(self, path, *args):
        p = self.kstatec("apply", path, "-o", "lines", "--timeout", "60s", *args)
        self.assertOk(p)
        return p

    def identities(self):
        return self.uids("pods"), self.claims()

    def writes(self):
        """Requests that changed something (not dry runs)."""
        return [r for r in self.server.log() if r["method"] in ("POST", "PUT", "PATCH", "DELETE")
                and r["query"].get("dryRun") != "All"]

    def test_in_place_change_rolls_the_pods(self):
        path = self.db()
        self.applied(path)
        claims = self.claims()
        with open(path) as f:
            text = f.read()
        self.write("db.kstate", text.replace("postgres:16.4", "postgres:16.5"))
        p = self.kstatec("plan", path)
        self.assertOk(p)
        self.assertIn("StatefulSet %s/db: in place" % self.ns, p.stdout)
        self.assertIn("spec.template.spec.containers[db].image: docker.io/library/postgres:16.4 -> "
                      "docker.io/library/postgres:16.5", p.stdout)
        self.assertIn("a rolling update", p.stdout)
        self.assertIn("claims kept: data-db-0 (1Gi), data-db-1 (1Gi), data-db-2 (1Gi)", p.stdout)
        self.assertIn("persistentVolumeClaimRetentionPolicy: whenDeleted=Retain, whenScaled=Retain", p.stdout)
        uid = self.sts()["metadata"]["uid"]
        p = self.applied(path)
        self.assertIn("plan: StatefulSet %s/db: in place" % self.ns, p.stdout)
        self.assertEqual(self.sts()["metadata"]["uid"], uid)
        self.assertEqual(self.claims(), claims)
        p = self.kstatec("plan", path)
        self.assertIn("StatefulSet %s/db: unchanged" % self.ns, p.stdout)

    def test_immutable_change_is_refused_with_its_reason(self):
        path = self.db()
        self.applied(path)
        with open(path) as f:
            text = f.read()
        self.write("db.kstate", text.replace("replicas = 3", "replicas = 3\n  ordering = parallel"))
        p = self.kstatec("plan", path)
        self.assertOk(p, 1)
        self.assertIn("StatefulSet %s/db: needs recreation, because" % self.ns, p.stdout)
        self.assertIn("spec.podManagementPolicy: OrderedReady -> Parallel", p.stdout)
        # `diff` shows the StatefulSet as --recreate would create it, says
        # why, and changes nothing.
        self.server.clear_log()
        p = self.kstatec("diff", path)
        self.assertOk(p, 1)
        self.assertIn("StatefulSet %s/db needs recreation: the API server refuses to change it in place" % self.ns,
                      p.stdout)
        self.assertIn("spec.podManagementPolicy: OrderedReady -> Parallel", p.stdout)
        self.assertIn("--- live StatefulSet %s/db\n+++ recreated StatefulSet %s/db" % (self.ns, self.ns), p.stdout)
        self.assertIn("-  podManagementPolicy: OrderedReady\n+  podManagementPolicy: Parallel", p.stdout)
        self.assertNotIn("kstatec-diff", p.stdout)
        self.assertEqual(self.writes(), [])
        self.server.clear_log()
        p = self.kstatec("apply", path, "-o", "lines")
        self.assertOk(p, 1)
        # The reason, the `.kstate` line it comes from (`ordering = parallel` is line 6), and what --recreate does.
        self.assertRegex(p.stdout, r"StatefulSet %s/db needs recreation: the API server forbids this change in place "
                                   r"\(spec.podManagementPolicy: OrderedReady -> Parallel \(\S+db\.kstate:6:\d+\)\)\. "
                                   r"`kstatec apply --recreate` would delete it with propagationPolicy=Orphan, so its "
                                   r"pods and claims stay and keep serving" % self.ns)
        self.assertIn("nothing was changed", p.stdout)
        self.assertEqual(self.writes(), [])
        self.assertEqual(self.sts()["spec"]["podManagementPolicy"], "OrderedReady")

    def test_recreate_keeps_pods_and_claims(self):
        path = self.db()
        self.applied(path)
        pods, claims = self.identities()
        old = self.sts()["metadata"]["uid"]
        with open(path) as f:
            text = f.read()
        self.write("db.kstate", text.replace("replicas = 3", "replicas = 3\n  ordering = parallel"))
        self.server.clear_log()
        p = self.applied(path, "--recreate")
        self.assertIn("deleted with propagationPolicy=Orphan", p.stdout)
        self.assertIn("3/3 ready", p.stdout)
        sts = self.sts()
        self.assertNotEqual(sts["metadata"]["uid"], old)
        self.assertEqual(sts["spec"]["podManagementPolicy"], "Parallel")
        self.assertEqual(self.identities(), (pods, claims))
        deletes = self.requests("DELETE")
        self.assertEqual([r["path"] for r in deletes], ["/apis/apps/v1/namespaces/%s/statefulsets/db" % self.ns])
        self.assertEqual(json.loads(deletes[0]["body"])["propagationPolicy"], "Orphan")
        self.assertEqual(json.loads(deletes[0]["body"])["preconditions"]["uid"], old)
        parent = self.get("/api/v1/namespaces/%s/secrets/kstate.db" % self.ns)
        self.assertFalse([k for k in parent["metadata"].get("annotations", {}) if k.startswith("recreate.")])

    def test_storage_growth_of_three_replicas(self):
        path = self.db(size="1Gi")
        self.applied(path)
        pods, claims = self.identities()
        self.assertEqual(len(claims), 3)
        old = self.sts()["metadata"]["uid"]
        self.db(size="2Gi")
        p = self.kstatec("plan", path)
        self.assertOk(p, 1)
        self.assertRegex(p.stdout, r"storage of data: 1Gi -> 2Gi \(each existing claim is resized first: data-db-0, "
                                   r"data-db-1, data-db-2\) \(\S+db\.kstate:9:\d+\)")
        self.server.clear_log()
        p = self.applied(path, "--recreate")
        for n in range(3):
            self.assertIn("PersistentVolumeClaim %s/data-db-%d resized: 1Gi -> 2Gi" % (self.ns, n), p.stdout)
        after_pods, after_claims = self.identities()
        self.assertEqual(after_pods, pods)
        self.assertEqual({k: v[0] for k, v in after_claims.items()}, {k: v[0] for k, v in claims.items()})
        self.assertEqual({v[1] for v in after_claims.values()}, {"2Gi"})
        sts = self.sts()
        self.assertNotEqual(sts["metadata"]["uid"], old)
        self.assertEqual(sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"], "2Gi")
        patched = [r["path"] for r in self.requests("PATCH", "/persistentvolumeclaims/")]
        self.assertEqual(sorted(patched), ["/api/v1/namespaces/%s/persistentvolumeclaims/data-db-%d" % (self.ns, n)
                                           for n in range(3)])
        self.assertFalse(self.requests("DELETE", "/pods/"))
        self.assertFalse(self.requests("DELETE", "/persistentvolumeclaims/"))

    def test_shrink_is_impossible(self):
        path = self.db(size="2Gi")
        self.applied(path)
        self.db(size="1Gi")
        p = self.kstatec("plan", path)
        self.assertOk(p, 1)
        self.assertIn("StatefulSet %s/db: impossible, because" % self.ns, p.stdout)
        self.assertIn("storage of data: 2Gi -> 1Gi: a volume cannot shrink", p.stdout)
        self.server.clear_log()
        p = self.kstatec("apply", path, "--recreate", "-o", "lines")
        self.assertOk(p, 1)
        self.assertIn("the change cannot be made", p.stdout)
        self.assertEqual(self.writes(), [])

    def test_growth_needs_an_expandable_storage_class(self):
        path = self.db()
        with open(path) as f:
            text = f.read()
        fixed = text.replace('size = 1Gi;', 'size = 1Gi; class = "fixed";')
        self.write("db.kstate", fixed)
        self.applied(path)
        self.write("db.kstate", fixed.replace("size = 1Gi", "size = 2Gi"))
        self.server.clear_log()
        p = self.kstatec("apply", path, "--recreate", "-o", "lines")
        self.assertOk(p, 1)
        self.assertIn("StorageClass fixed of claim data-db-0 does not allow volume expansion", p.stdout)
        self.assertEqual(self.writes(), [])

    def test_interruption_after_each_step_is_finished_by_the_next_apply(self):
        # The steps of a storage growth, each identified by the request that
        # completes it; the server goes away right after that response.
        secrets = "/secrets/kstate.db"
        steps = [("record written", "PATCH", secrets, 2),
                 ("first claim resized", "PATCH", "/persistentvolumeclaims/data-db-0", 1),
                 ("every claim resized", "PATCH", "/persistentvolumeclaims/data-db-2", 1),
                 ("orphaned", "DELETE", "/statefulsets/db", 1),
                 ("orphan recorded", "PATCH", secrets, 3),
                 ("created", "PATCH", "/statefulsets/db", 1),
                 ("creation recorded", "PATCH", secrets, 4)]
        for step, method, path_part, count in steps:
            with self.subTest(step=step):
                self.setUp()
                path = self.db(size="1Gi")
                self.applied(path)
                pods, claims = self.identities()
                self.db(size="2Gi")
                self.server.clear_log()
                self.server.script({"action": "restart", "down_seconds": 600,
                                    "after": {"method": method, "path": "/namespaces/%s%s" % (self.ns, path_part),
                                              "count": count}})
                p = self.kstatec("apply", path, "--recreate", "-o", "lines", "--timeout", "60s")
                self.assertOk(p, 1)
                self.server.restart(0)
                time.sleep(0.2)
                # The next apply, without --recreate: the record on the ApplySet parent carries the consent.
                p = self.kstatec("apply", path, "-o", "lines", "--timeout", "60s")
                self.assertOk(p)
                self.assertIn("finishing the recreation of StatefulSet %s/db" % self.ns, p.stdout)
                sts = self.sts()
                self.assertEqual(sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"],
                                 "2Gi")
                after_pods, after_claims = self.identities()
                self.assertEqual(after_pods, pods, step)
                self.assertEqual({k: v[0] for k, v in after_claims.items()}, {k: v[0] for k, v in claims.items()})
                self.assertEqual({v[1] for v in after_claims.values()}, {"2Gi"})
                parent = self.get("/api/v1/namespaces/%s/secrets/kstate.db" % self.ns)
                self.assertFalse([k for k in parent["metadata"].get("annotations", {}) if k.startswith("recreate.")])
                self.assertEqual(self.sts()["status"]["readyReplicas"], 3)

    def test_ctrl_c_during_a_recreation(self):
        path = self.db(size="1Gi")
        self.applied(path)
        pods, claims = self.identities()
        self.db(size="2Gi")
        self.server.clear_log()
        # Holds the creation of the new StatefulSet so that Ctrl-C lands while it is missing.
        self.server.add_latency(3, count=1, method="PATCH", path="/namespaces/%s/statefulsets/db" % self.ns)
        cmd = [lifecycle.ARGS.kstatec, "apply", path, "--recreate", "-o", "lines", "--kubeconfig", self.server.kubeconfig,
               "--context", "admin-cert"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lifecycle.support.wait_for(lambda: self.requests("DELETE", "/statefulsets/db"), timeout=30, what="the orphan delete")
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
        self.assertNotEqual(proc.returncode, 0)
        time.sleep(3)
        p = self.kstatec("apply", path, "-o", "lines", "--timeout", "60s")
        self.assertOk(p)
        after_pods, after_claims = self.identities()
        self.assertEqual(after_pods, pods)
        self.assertEqual({k: v[0] for k, v in after_claims.items()}, {k: v[0] for k, v in claims.items()})
        self.assertEqual(self.sts()["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"],
                         "2Gi")

    def test_applyset_members_listed_by_kubectl(self):
        path = self.db()
        with open(path) as f:
            self.write("db.kstate", f.read() + CACHE)
        self.applied(path)
        parent = self.get("/api/v1/namespaces/%s/secrets/kstate.db" % self.ns)
        set_id = applyset_id("kstate.db", self.ns)
        self.assertEqual(parent["metadata"]["labels"]["applyset.kubernetes.io/id"], set_id)
        annotations = parent["metadata"]["annotations"]
        self.assertEqual(annotations["applyset.kubernetes.io/contains-group-kinds"],
                         "PodDisruptionBudget.policy,Service,StatefulSet.apps")
        self.assertTrue(annotations["applyset.kubernetes.io/tooling"].startswith("kstatec/"))
        kubectl = subprocess.run(["which", "kubectl"], capture_output=True, text=True).stdout.strip()
        if not kubectl:
            self.skipTest("kubectl is not installed")
        kinds = annotations["applyset.kubernetes.io/contains-group-kinds"].lower().replace(".policy", "")
        kinds = kinds.replace(".apps", "").replace("poddisruptionbudget", "poddisruptionbudgets")
        p = subprocess.run([kubectl, "--kubeconfig", self.server.kubeconfig, "--context", "admin-cert", "get",
                            "statefulsets,services,poddisruptionbudgets", "-n", self.ns, "-o", "name",
                            "-l", "applyset.kubernetes.io/part-of=" + set_id], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(p.stdout.split()), sorted([
            "statefulset.apps/db", "statefulset.apps/cache", "service/db", "service/cache",
            "poddisruptionbudget.policy/db", "poddisruptionbudget.policy/cache"]))
        # The Namespace is not a member: never pruned.
        ns = self.get("/api/v1/namespaces/%s" % self.ns)
        self.assertNotIn("applyset.kubernetes.io/part-of", ns["metadata"].get("labels", {}))

    def test_prune_deletes_what_left_the_file_and_keeps_claims(self):
        path = self.db()
        with open(path) as f:
            single = f.read()
        self.write("db.kstate", single + CACHE)
        self.applied(path)
        claims = self.claims()
        self.assertIn("data-cache-0", claims)
        self.write("db.kstate", single)
        # Without --prune nothing is deleted; with --dry-run=server it is shown, not done.
        self.server.clear_log()
        self.applied(path)
        p = self.applied(path, "--prune", "--dry-run=server")
        self.assertIn("StatefulSet %s/cache would be deleted (server dry run)" % self.ns, p.stdout)
        self.assertEqual([r for r in self.writes() if r["method"] == "DELETE"], [])
        self.assertIsNotNone(self.sts("cache"))
        p = self.kstatec("plan", path)
        self.assertIn("StatefulSet %s/cache: to be deleted (no longer in the files)" % self.ns, p.stdout)
        p = self.applied(path, "--prune")
        for kind in ("PodDisruptionBudget", "StatefulSet", "Service"):
            self.assertIn("%s %s/cache deleted (no longer in the files)" % (kind, self.ns), p.stdout)
        order = [p.stdout.index("%s %s/cache deleted" % (k, self.ns)) for k in ("PodDisruptionBudget", "StatefulSet",
                                                                                  "Service")]
        self.assertEqual(order, sorted(order))
        self.assertIsNone(self.sts("cache"))
        self.assertIsNotNone(self.sts("db"))
        self.assertEqual(self.claims(), claims)
        self.assertFalse(self.requests("DELETE", "/persistentvolumeclaims/"))

    def test_prune_keeps_a_statefulset_whose_claims_it_still_owns(self):
        # A retention policy of Delete puts owner references on the claims; a
        # change to Retain does not take them off (not in the fake server; on
        # a cluster, not at once). Pruning the StatefulSet would then delete
        # its claims with it, so prune keeps it, as `kstatec delete` refuses.
        path = self.db()
        with open(path) as f:
            single = f.read()
        configured = CACHE.replace("  storage data", "  config cache {\n    file \"redis.conf\" = \"maxmemory 64mb\"\n"
                                                     "    mount \"redis.conf\" at \"/etc/redis/redis.conf\"\n  }\n"
                                                     "  storage data")
        deleting = configured.replace("  storage data", "  retention { whenDeleted = delete; whenScaled = retain }\n"
                                                        "  storage data")
        self.write("db.kstate", single + deleting)
        self.applied(path)
        self.write("db.kstate", single + configured)
        self.applied(path)
        owned = [c for c in self.items("persistentvolumeclaims")
                 if c["metadata"]["name"].startswith("data-cache-") and c["metadata"].get("ownerReferences")]
        if not owned:
            self.skipTest("the fake server did not put owner references on the claims")
        claims = self.claims()
        self.write("db.kstate", single)
        self.server.clear_log()
        p = self.applied(path, "--prune")
        self.assertIn("StatefulSet %s/cache kept: the claims data-cache-0, data-cache-1 are owned by it" % self.ns,
                      p.stdout)
        self.assertIsNotNone(self.sts("cache"))
        self.assertEqual(self.claims(), claims)
        # What the kept StatefulSet uses stays with it: its pods keep their
        # DNS names and their disruption budget.
        self.assertIn("Service %s/cache kept: StatefulSet cache is kept, and this is its governing Service "
                      "(spec.serviceName)" % self.ns, p.stdout)
        self.assertIn("PodDisruptionBudget %s/cache kept: StatefulSet cache is kept, and this is the disruption "
                      "budget of its pods" % self.ns, p.stdout)
        self.assertIn("ConfigMap %s/cache kept: StatefulSet cache is kept, and this is used by its pods" % self.ns,
                      p.stdout)
        self.assertIsNotNone(self.get("/api/v1/namespaces/%s/services/cache" % self.ns))
        self.assertFalse([r for r in self.writes() if r["method"] == "DELETE" and "/cache" in r["path"]])

    def test_applyset_of_another_tool_is_not_taken_over(self):
        path = self.db()
        self.applied(path)
        self.client.patch("/api/v1/namespaces/%s/secrets/kstate.db" % self.ns,
                          {"metadata": {"annotations": {"applyset.kubernetes.io/tooling": "kubectl/v1.32.0"}}})
        p = self.kstatec("apply", path, "-o", "lines")
        self.assertOk(p, 1)
        self.assertIn("is the parent of an ApplySet managed by kubectl/v1.32.0", p.stdout)
        p = self.kstatec("apply", path, "--applyset", "Bad_Name")
        self.assertOk(p, 2)
        self.assertIn("--applyset Bad_Name", p.stderr)


if __name__ == "__main__":
    main()
