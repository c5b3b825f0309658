"""`kstatec delete` against the fake API server: the data (PersistentVolumeClaims)
is kept unless --delete-data is given and confirmed, objects go in reverse
apply order, Namespaces stay, whenDeleted=Delete is refused, dry runs change
nothing, and the ApplySet parent goes when nothing is left in its set.
"""
import json
import threading
import time

import lifecycle
from lifecycle import DB, LifecycleTest, applyset_id, main

# A second StatefulSet, with claims and rights (namespaced and cluster-wide) of its own, from another file.
CACHE = """namespace "{ns}"

component cache {{
  image    = "docker.io/library/redis:7.2.4"
  replicas = 1
  port redis = 6379
  readiness = tcp(redis)
  resources {{ cpu = 100m; memory = 64Mi }}
  storage data {{ size = 2Gi; mount = "/data" }}
  serviceAccount {{
    create = true
    rules = [{{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }}]
    clusterRules = [{{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }}]
  }}
}}
"""


class DeleteTest(LifecycleTest):
    def apply(self, path):
        p = self.kstatec("apply", path, "--timeout", "60s")
        self.assertOk(p)
        return p

    def applied_db(self, **kw):
        path = self.db(**kw)
        self.apply(path)
        self.assertEqual(len(self.claims()), kw.get("replicas", 3))
        return path

    def statefulset_line(self, lines, name):
        """The index of the line that reports StatefulSet `name` deleted. Its
        "and its N pods" counts the pods still there once the StatefulSet is
        gone; the server's garbage collector may already have taken some (it
        races with kstatec on a loaded machine), so N is not compared."""
        prefix = "deleted StatefulSet %s/%s" % (self.ns, name)
        found = [i for i, line in enumerate(lines) if line == prefix or line.startswith(prefix + " and its ")]
        self.assertEqual(len(found), 1, "\n".join(lines))
        return found[0]

    def deletes(self, dry_run=None):
        """The paths of DELETE requests in this test's namespace, in order."""
        out = []
        for r in self.requests("DELETE", "/namespaces/%s/" % self.ns):
            if dry_run is None or (r["query"].get("dryRun") == "All") == dry_run:
                out.append(r["path"])
        return out

    def parent_path(self, name="kstate.db"):
        return "/api/v1/namespaces/%s/secrets/%s" % (self.ns, name)

    def write_parent(self, kinds, annotations=None):
        """Makes sure the ApplySet parent of db.kstate exists with these group-kinds (whether or not apply wrote it)."""
        meta = {"labels": {"applyset.kubernetes.io/id": applyset_id("kstate.db", self.ns)},
                "annotations": dict({"applyset.kubernetes.io/tooling": "kstatec/test",
                                     "applyset.kubernetes.io/contains-group-kinds": ",".join(kinds)},
                                    **(annotations or {}))}
        if self.get(self.parent_path()) is None:
            body = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                    "metadata": dict(meta, name="kstate.db", namespace=self.ns)}
            r = self.client.post("/api/v1/namespaces/%s/secrets" % self.ns, body)
        else:
            r = self.client.patch(self.parent_path(), {"metadata": meta})
        self.assertIn(r.status, (200, 201), r.raw)

    def on_terminal(self, args, answer, timeout=60):
        """Runs `kstatec delete ARGS` on a pseudo-terminal and types `answer` at the prompt; (exit code, output)."""
        argv = [lifecycle.ARGS.kstatec, "delete", *args, "--kubeconfig", self.server.kubeconfig, "--context",
                "admin-cert"]
        return lifecycle.support.run_on_terminal(argv, timeout, prompt=b"Type yes", answer=answer)

    # ---- the data is kept
    def test_keeps_every_claim_and_lists_them_with_sizes(self):
        path = self.applied_db()
        before = self.claims()
        p = self.kstatec("delete", path)
        self.assertOk(p)
        self.assertEqual(self.claims(), before)  # same names, same UIDs
        for i in range(3):
            self.assertIn("kept PersistentVolumeClaim %s/data-db-%d (1Gi)" % (self.ns, i), p.stdout)
            self.assertIn("  data-db-%d (1Gi)" % i, p.stdout)  # in the plan, before anything is deleted
        self.assertIn("whenDeleted=Retain, whenScaled=Retain", p.stdout)
        self.assertIsNone(self.sts())
        self.assertEqual(self.items("pods"), [])
        self.assertEqual(self.items("services"), [])
        self.assertEqual(self.requests("DELETE", "/namespaces/%s/persistentvolumeclaims" % self.ns), [])

    def test_objects_go_in_reverse_apply_order_and_the_namespace_stays(self):
        self.server.clear_log()
        path = self.applied_db()
        applied = []
        for r in self.requests("PATCH", "/namespaces/%s" % self.ns):
            if "/secrets/kstate." not in r["path"] and r["path"] not in applied:
                applied.append(r["path"])
        p = self.kstatec("delete", path)
        self.assertOk(p)
        namespace_path = "/api/v1/namespaces/%s" % self.ns
        self.assertEqual(applied[0], namespace_path)
        deleted = [d for d in self.deletes() if "/secrets/kstate." not in d]
        self.assertEqual(deleted, list(reversed(applied[1:])))
        self.assertEqual([r for r in self.requests("DELETE") if r["path"] == namespace_path], [])
        self.assertIsNotNone(self.get(namespace_path))
        self.assertIn("kept Namespace %s: deleting a namespace deletes everything in it" % self.ns, p.stdout)
        # Background propagation, and only the object kstatec read (its UID) is deleted.
        for r in self.requests("DELETE", "/namespaces/%s/" % self.ns):
            body = json.loads(r["body"])
            self.assertEqual(body["propagationPolicy"], "Background")
            self.assertTrue(body["preconditions"]["uid"])
        lines = p.stdout.splitlines()
        order = [lines.index("deleted PodDisruptionBudget %s/db" % self.ns),
                 self.statefulset_line(lines, "db"),
                 lines.index("deleted Service %s/db" % self.ns)]
        self.assertEqual(order, sorted(order), p.stdout)

    def test_a_component_goes_before_the_one_it_depends_on(self):
        # `api` is declared first but depends on `db`: apply starts db first, so delete ends with it.
        text = """namespace "{ns}"

component api {{
  image = "docker.io/library/nginx:1.27.0"
  port http = 80
  readiness = tcp(http)
  resources {{ cpu = 50m; memory = 32Mi }}
  dependsOn = db
}}

component db {{
  image = "docker.io/library/postgres:16.4"
  port pg = 5432
  readiness = tcp(pg)
  resources {{ cpu = 100m; memory = 128Mi }}
  storage data {{ size = 1Gi; mount = "/var/lib/postgresql/data" }}
}}
""".format(ns=self.ns)
        path = self.write("system.kstate", text)
        self.client.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                "metadata": {"name": self.ns}})
        self.apply(path)
        p = self.kstatec("delete", path)
        self.assertOk(p)
        statefulsets = [d.rsplit("/", 1)[1] for d in self.deletes() if "/statefulsets/" in d]
        self.assertEqual(statefulsets, ["api", "db"])

    def test_deleting_twice_says_already_gone(self):
        path = self.applied_db()
        self.assertOk(self.kstatec("delete", path))
        p = self.kstatec("delete", path)
        self.assertOk(p)
        self.assertIn("StatefulSet %s/db: already gone" % self.ns, p.stdout)
        self.assertIn("Service %s/db: already gone" % self.ns, p.stdout)
        self.assertEqual(len(self.claims()), 3)

    def test_dry_run_changes_nothing(self):
        path = self.applied_db()
        before = {kind: self.uids(kind, group) for kind, group in
                  (("statefulsets", "apps/v1"), ("services", ""), ("pods", ""), ("persistentvolumeclaims", ""),
                   ("secrets", ""))}
        for extra in ([], ["--delete-data", "--yes"]):
            p = self.kstatec("delete", path, "--dry-run=server", *extra, stdin="")
            self.assertOk(p)
            self.assertIn("would delete StatefulSet %s/db" % self.ns, p.stdout)
            self.assertIn("dry run: nothing was changed", p.stdout)
        self.assertIn("would delete PersistentVolumeClaim %s/data-db-0 (1Gi)" % self.ns, p.stdout)
        self.assertTrue(self.deletes(dry_run=True))
        self.assertEqual(self.deletes(dry_run=False), [])
        after = {kind: self.uids(kind, group) for kind, group in
                 (("statefulsets", "apps/v1"), ("services", ""), ("pods", ""), ("persistentvolumeclaims", ""),
                  ("secrets", ""))}
        self.assertEqual(after, before)

    # ---- --delete-data
    def test_delete_data_off_a_terminal_needs_yes(self):
        path = self.applied_db()
        before = self.claims()
        p = self.kstatec("delete", path, "--delete-data", stdin="")
        self.assertOk(p, 1)
        self.assertIn("--yes", p.stderr)
        self.assertIn("nothing was deleted", p.stderr)
        self.assertTrue(p.stderr.startswith("kstatec delete: "), p.stderr)
        self.assertEqual(self.deletes(), [])
        self.assertEqual(self.claims(), before)
        self.assertIsNotNone(self.sts())

    def test_delete_data_with_yes_deletes_that_statefulsets_claims_only(self):
        path = self.applied_db()
        cache = self.write("cache.kstate", CACHE.format(ns=self.ns))
        self.apply(cache)
        cache_claims = {n: v for n, v in self.claims().items() if n.startswith("data-cache-")}
        self.assertEqual(len(cache_claims), 1)
        p = self.kstatec("delete", path, "--delete-data", "--yes", stdin="")
        self.assertOk(p)
        for i in range(3):
            self.assertIn("deleted PersistentVolumeClaim %s/data-db-%d (1Gi)" % (self.ns, i), p.stdout)
        self.assertEqual(self.claims(), cache_claims)
        self.assertIsNotNone(self.sts("cache"))
        # The claims went after the StatefulSet and its pods, each with its UID as a precondition.
        deletes = self.deletes()
        claim_deletes = [d for d in deletes if "/persistentvolumeclaims/" in d]
        self.assertEqual(len(claim_deletes), 3)
        self.assertGreater(deletes.index(claim_deletes[0]), deletes.index(
            "/apis/apps/v1/namespaces/%s/statefulsets/db" % self.ns))
        for r in self.requests("DELETE", "/persistentvolumeclaims/"):
            self.assertTrue(json.loads(r["body"])["preconditions"]["uid"])

    def test_confirmation_on_a_terminal(self):
        path = self.applied_db()
        before = self.claims()
        code, out = self.on_terminal([path, "--delete-data"], "no")
        self.assertEqual(code, 1, out)
        self.assertIn("--delete-data deletes 3 PersistentVolumeClaims", out)
        self.assertIn("PersistentVolumeClaim %s/data-db-2 (1Gi)" % self.ns, out)
        self.assertIn("cancelled; nothing was deleted", out)
        self.assertEqual(self.deletes(), [])
        self.assertEqual(self.claims(), before)
        code, out = self.on_terminal([path, "--delete-data"], "yes")
        self.assertEqual(code, 0, out)
        self.assertEqual(self.claims(), {})
        self.assertIsNone(self.sts())

    def test_when_deleted_delete_is_refused_without_delete_data(self):
        text = DB.format(ns=self.ns, replicas=2, size="1Gi").replace(
            "  replicas = 2\n", "  replicas = 2\n  retention { whenDeleted = delete }\n")
        path = self.write("db.kstate", text)
        self.apply(path)
        self.assertEqual(self.sts()["spec"]["persistentVolumeClaimRetentionPolicy"]["whenDeleted"], "Delete")
        before = self.claims()
        p = self.kstatec("delete", path)
        self.assertOk(p, 1)
        self.assertIn("whenDeleted=Delete", p.stderr)
        self.assertIn("--delete-data", p.stderr)
        self.assertIn("retention { whenDeleted = retain }", p.stderr)
        self.assertIn("nothing was deleted", p.stderr)
        self.assertEqual(self.deletes(), [])
        self.assertIsNotNone(self.sts())
        self.assertEqual(self.claims(), before)
        p = self.kstatec("delete", path, "--delete-data", "--yes", stdin="")
        self.assertOk(p)
        self.assertEqual(self.claims(), {})

    def test_the_files_rbac_goes_too_cluster_wide_included(self):
        self.applied_db(replicas=1)
        cache = self.write("cache.kstate", CACHE.format(ns=self.ns))
        self.apply(cache)
        rbac = "/apis/rbac.authorization.k8s.io/v1"
        cluster = ["%s/clusterroles/%s-cache" % (rbac, self.ns), "%s/clusterrolebindings/%s-cache" % (rbac, self.ns)]
        for path in cluster:
            self.assertIsNotNone(self.get(path), path)
        p = self.kstatec("delete", cache)
        self.assertOk(p)
        for path in cluster:
            self.assertIsNone(self.get(path), path)
        self.assertEqual(self.items("serviceaccounts", selector="app.kubernetes.io/name=cache"), [])
        self.assertEqual(self.items("roles", "rbac.authorization.k8s.io/v1"), [])
        self.assertIn("deleted ClusterRole %s-cache" % self.ns, p.stdout)
        # The StatefulSet goes before the account its pods run as; db and its claims are untouched.
        lines = p.stdout.splitlines()
        self.assertLess(self.statefulset_line(lines, "cache"),
                        lines.index("deleted ServiceAccount %s/cache" % self.ns))
        self.assertIsNotNone(self.sts("db"))
        self.assertEqual(sorted(self.claims()), ["data-cache-0", "data-db-0"])

    # ---- waiting
    def test_timeout_names_what_is_still_there_and_stops(self):
        path = self.applied_db(replicas=1)
        self.server.set_config(terminate_seconds=5.0)
        try:
            p = self.kstatec("delete", path, "--timeout", "1s")
        finally:
            self.server.set_config(terminate_seconds=0.1)
        self.assertOk(p, 1)
        self.assertIn("kstatec delete: timed out after 1s waiting for the pods of StatefulSet %s/db to go: db-0"
                      % self.ns, p.stderr)
        self.assertIn("kstatec delete: stopped; not deleted: Service %s/db; no PersistentVolumeClaim was deleted"
                      % self.ns, p.stderr)
        self.assertEqual(len(self.items("services")), 1)  # what comes after is not deleted
        self.assertLess(p.seconds, 15)

    def test_no_wait_still_deletes_claims_only_once_the_pods_are_gone(self):
        path = self.applied_db(replicas=2)
        self.server.set_config(terminate_seconds=1.0)
        try:
            p = self.kstatec("delete", path, "--no-wait", "--delete-data", "--yes", stdin="")
        finally:
            self.server.set_config(terminate_seconds=0.1)
        self.assertOk(p)
        lines = p.stdout.splitlines()
        self.assertIn("deleting StatefulSet %s/db: not waiting for it to go" % self.ns, lines)
        waiting = lines.index("waiting for the pods of StatefulSet %s/db to go before deleting its claims" % self.ns)
        self.assertLess(waiting, lines.index("deleting PersistentVolumeClaim %s/data-db-0 (1Gi): not waiting for it "
                                             "to go" % self.ns))
        self.assertEqual(self.items("pods"), [])  # they were gone before the claims were deleted

    def test_an_object_recreated_meanwhile_is_not_deleted(self):
        path = self.applied_db()  # 3 replicas: with a PodDisruptionBudget, deleted first
        # The first DELETE (the PodDisruptionBudget) is held back while the Service is replaced
        # (6 s: room for a loaded machine).
        self.server.script({"action": "latency", "seconds": 6, "count": 1, "method": "DELETE",
                            "path": "/namespaces/%s/poddisruptionbudgets/" % self.ns})
        result = {}
        runner = threading.Thread(target=lambda: result.update(p=self.kstatec("delete", path)))
        runner.start()
        deadline = time.monotonic() + 30
        while not self.requests("DELETE", "/namespaces/%s/poddisruptionbudgets/" % self.ns):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        service_path = "/api/v1/namespaces/%s/services/db" % self.ns
        old = self.get(service_path)
        self.assertEqual(self.client.delete(service_path).status, 200)
        body = {"apiVersion": "v1", "kind": "Service", "spec": {"ports": old["spec"]["ports"]},
                "metadata": {"name": "db", "labels": {"made-by": "someone-else"}}}
        r = self.client.post("/api/v1/namespaces/%s/services" % self.ns, body)
        self.assertEqual(r.status, 201, r.raw)
        runner.join(60)
        p = result["p"]
        self.assertOk(p, 1)
        self.assertIn("kstatec delete: Service %s/db was replaced by another object of that name" % self.ns, p.stderr)
        self.assertEqual(self.get(service_path)["metadata"]["labels"], {"made-by": "someone-else"})
        self.assertIsNone(self.sts())  # what came before it in the order was deleted
        self.assertNotIn("ApplySet parent", p.stdout)  # and nothing after it

    # ---- the ApplySet parent
    def test_the_parent_goes_when_its_set_is_empty(self):
        path = self.applied_db(replicas=1)
        self.write_parent(["PodDisruptionBudget.policy", "Service", "StatefulSet.apps"])
        p = self.kstatec("delete", path)
        self.assertOk(p)
        self.assertIsNone(self.get(self.parent_path()))
        self.assertIn("deleted ApplySet parent Secret %s/kstate.db" % self.ns, p.stdout)
        self.assertEqual(self.deletes()[-1], self.parent_path())

    def test_the_parent_stays_while_other_members_remain(self):
        path = self.applied_db(replicas=1)
        set_id = applyset_id("kstate.db", self.ns)
        self.write_parent(["ConfigMap", "Service", "StatefulSet.apps"])
        left = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b"},
                "metadata": {"name": "left-behind", "labels": {"applyset.kubernetes.io/part-of": set_id}}}
        self.assertEqual(self.client.post("/api/v1/namespaces/%s/configmaps" % self.ns, left).status, 201)
        p = self.kstatec("delete", path)
        self.assertOk(p)
        self.assertIsNotNone(self.get(self.parent_path()))
        self.assertIn("kept ApplySet parent Secret %s/kstate.db: 1 object not in the files" % self.ns, p.stdout)
        self.assertIn("  ConfigMap %s/left-behind" % self.ns, p.stdout)
        self.assertIsNotNone(self.get("/api/v1/namespaces/%s/configmaps/left-behind" % self.ns))

    def test_the_parent_stays_with_an_unfinished_recreation(self):
        path = self.applied_db(replicas=1)
        self.write_parent(["Service", "StatefulSet.apps"], {"recreate.kstate.dev/db": '{"step": "deleted"}'})
        p = self.kstatec("delete", path)
        self.assertOk(p)
        self.assertIsNotNone(self.get(self.parent_path()))
        self.assertIn("it records an unfinished recreation of StatefulSet db", p.stdout)

    def test_a_secret_that_is_not_kstatecs_parent_is_left_alone(self):
        path = self.applied_db(replicas=1)
        self.client.delete(self.parent_path())
        body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "kstate.db"}, "stringData": {"k": "v"}}
        self.assertEqual(self.client.post("/api/v1/namespaces/%s/secrets" % self.ns, body).status, 201)
        p = self.kstatec("delete", path)
        self.assertOk(p)
        self.assertIsNotNone(self.get(self.parent_path()))
        self.assertIn("kept Secret %s/kstate.db: " % self.ns, p.stdout)

    # ---- usage
    def test_bad_usage_exits_2(self):
        path = self.db()
        self.assertOk(self.kstatec("delete", path, "--applyset", "Not_A_Name"), 2)
        self.assertOk(self.kstatec("delete", path, "--timeout", "soon"), 2)


if __name__ == "__main__":
    main()
