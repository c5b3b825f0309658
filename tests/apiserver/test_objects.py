"""Fake apiserver: CRUD, errors with the real wording, dryRun, subresources, patches, deletion."""

import unittest

from support import JSON_PATCH, MERGE, STRATEGIC, ServerTestCase, statefulset, wait_for


def configmap(name, labels=None, data=None):
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data or {"k": "v"}}
    if labels:
        cm["metadata"]["labels"] = labels
    return cm


def pvc(name, size="1Gi", storage_class=None):
    obj = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
           "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}}
    if storage_class:
        obj["spec"]["storageClassName"] = storage_class
    return obj


class CrudTest(ServerTestCase):
    def test_create_get_list_with_selectors(self):
        for name, tier in (("a", "web"), ("b", "db"), ("c", "db")):
            r = self.client.post(self.path("configmaps"), configmap(name, {"tier": tier}))
            self.assertEqual(r.status, 201, r)
            self.assertTrue(r.body["metadata"]["uid"] and r.body["metadata"]["creationTimestamp"])
        r = self.client.get(self.path("configmaps"), query={"labelSelector": "tier=db"})
        self.assertEqual([i["metadata"]["name"] for i in r.body["items"]], ["b", "c"])
        self.assertEqual((r.body["kind"], r.body["apiVersion"]), ("ConfigMapList", "v1"))
        self.assertTrue(int(r.body["metadata"]["resourceVersion"]) > 0)
        self.assertNotIn("kind", r.body["items"][0], "list items carry no kind on the wire")
        r = self.client.get(self.path("configmaps"), query={"labelSelector": "tier in (web,cache)"})
        self.assertEqual([i["metadata"]["name"] for i in r.body["items"]], ["a"])
        r = self.client.get(self.path("configmaps"), query={"labelSelector": "tier!=db"})
        self.assertEqual([i["metadata"]["name"] for i in r.body["items"]], ["a"])
        r = self.client.get(self.path("configmaps"), query={"fieldSelector": "metadata.name=c"})
        self.assertEqual([i["metadata"]["name"] for i in r.body["items"]], ["c"])
        r = self.client.get(self.path("configmaps", "b"))
        self.assertEqual((r.body["kind"], r.body["data"]), ("ConfigMap", {"k": "v"}))

    def test_selector_errors(self):
        r = self.client.get(self.path("configmaps"), query={"fieldSelector": "spec.foo=x"})
        self.assertEqual((r.status, r.body["message"]), (400, "field label not supported: spec.foo"))
        r = self.client.get(self.path("configmaps"), query={"labelSelector": "a in b"})
        self.assertEqual((r.status, r.body["reason"]), (400, "BadRequest"))

    def test_pagination(self):
        for i in range(5):
            self.client.post(self.path("configmaps"), configmap("cm%d" % i))
        first = self.client.get(self.path("configmaps"), query={"limit": 2}).body
        self.assertEqual(len(first["items"]), 2)
        self.assertEqual(first["metadata"]["remainingItemCount"], 3)
        names = [i["metadata"]["name"] for i in first["items"]]
        token = first["metadata"]["continue"]
        while token:
            page = self.client.get(self.path("configmaps"), query={"limit": 2, "continue": token}).body
            names += [i["metadata"]["name"] for i in page["items"]]
            token = page["metadata"].get("continue")
        self.assertEqual(names, ["cm0", "cm1", "cm2", "cm3", "cm4"])

    def test_already_exists(self):
        self.client.post(self.path("configmaps"), configmap("dup"))
        r = self.client.post(self.path("configmaps"), configmap("dup"))
        self.assertEqual(r.status, 409)
        self.assertEqual((r.body["reason"], r.body["message"]), ("AlreadyExists", 'configmaps "dup" already exists'))
        self.assertEqual(r.body["details"], {"name": "dup", "kind": "configmaps"})
        self.client.post(self.sts_path(), statefulset("db"))
        r = self.client.post(self.sts_path(), statefulset("db"))
        self.assertEqual(r.body["message"], 'statefulsets.apps "db" already exists')

    def test_not_found(self):
        r = self.client.get(self.sts_path("db"))
        self.assertEqual(r.status, 404)
        self.assertEqual(r.body, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                  "message": 'statefulsets.apps "db" not found', "reason": "NotFound",
                                  "details": {"name": "db", "group": "apps", "kind": "statefulsets"}, "code": 404})
        r = self.client.delete(self.path("configmaps", "nope"))
        self.assertEqual((r.status, r.body["message"]), (404, 'configmaps "nope" not found'))

    def test_namespace_must_exist(self):
        r = self.client.post(self.path("configmaps", ns="missing"), configmap("x"))
        self.assertEqual((r.status, r.body["message"]), (404, 'namespaces "missing" not found'))

    def test_update_and_resource_version_conflict(self):
        created = self.client.post(self.path("configmaps"), configmap("cm")).body
        changed = dict(created, data={"k": "v2"})
        r = self.client.put(self.path("configmaps", "cm"), changed)
        self.assertEqual(r.status, 200, r)
        self.assertGreater(int(r.body["metadata"]["resourceVersion"]), int(created["metadata"]["resourceVersion"]))
        self.assertEqual(r.body["metadata"]["uid"], created["metadata"]["uid"])
        r = self.client.put(self.path("configmaps", "cm"), changed)  # stale resourceVersion
        self.assertEqual(r.status, 409)
        self.assertEqual((r.body["reason"], r.body["message"]), ("Conflict", 'Operation cannot be fulfilled on '
                         'configmaps "cm": the object has been modified; please apply your changes to the latest '
                         'version and try again'))

    def test_resource_versions_increase_across_resources(self):
        a = int(self.client.post(self.path("configmaps"), configmap("a")).body["metadata"]["resourceVersion"])
        secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}
        b = int(self.client.post(self.path("secrets"), secret).body["metadata"]["resourceVersion"])
        c = int(self.client.post(self.path("configmaps"), configmap("c")).body["metadata"]["resourceVersion"])
        self.assertLess(a, b)
        self.assertLess(b, c)

    def test_unsupported_media_type(self):
        r = self.client.post(self.path("configmaps"), "x", content_type="text/plain")
        self.assertEqual((r.status, r.body["reason"]), (415, "UnsupportedMediaType"))

    def test_yaml_create(self):
        body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  a: |\n    line\n"
        r = self.client.post(self.path("configmaps"), body, content_type="application/yaml")
        self.assertEqual((r.status, r.body["data"]), (201, {"a": "line\n"}))

    def test_table_output(self):
        r = self.client.get("/api/v1/namespaces", headers={
            "Accept": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"})
        self.assertEqual(r.body["kind"], "Table")
        self.assertEqual([c["name"] for c in r.body["columnDefinitions"]], ["Name", "Status", "Age"])
        self.assertIn([self.ns, "Active"], [row["cells"][:2] for row in r.body["rows"]])


class StatusAndGenerationTest(ServerTestCase):
    def test_generation_and_status_subresource(self):
        sts = self.client.post(self.sts_path(), statefulset("db", replicas=0)).body
        self.assertEqual(sts["metadata"]["generation"], 1)
        del sts["metadata"]["resourceVersion"]  # unconditional updates: the controller writes status meanwhile
        sts["metadata"]["labels"]["extra"] = "yes"
        sts["status"] = {"replicas": 42}
        r = self.client.put(self.sts_path("db"), sts)
        self.assertEqual(r.body["metadata"]["generation"], 1, "metadata-only change")
        self.assertNotEqual(r.body.get("status", {}).get("replicas"), 42, "main endpoint ignores status")
        sts = r.body
        del sts["metadata"]["resourceVersion"]
        sts["spec"]["replicas"] = 0
        sts["spec"]["minReadySeconds"] = 5
        r = self.client.put(self.sts_path("db"), sts)
        self.assertEqual(r.body["metadata"]["generation"], 2, "spec change")
        sts = r.body
        del sts["metadata"]["resourceVersion"]
        sts["status"]["replicas"] = 7
        sts["spec"]["replicas"] = 9
        r = self.client.put(self.sts_path("db", "status"), sts)
        self.assertEqual((r.body["status"]["replicas"], r.body["spec"]["replicas"]), (7, 0))
        self.assertEqual(r.body["metadata"]["generation"], 2, "status change")
        r = self.client.patch(self.sts_path("db", "status"), {"status": {"replicas": 0}})
        self.assertEqual(r.body["status"]["replicas"], 0)

    def test_scale_subresource(self):
        self.client.post(self.sts_path(), statefulset("db", replicas=0))
        r = self.client.get(self.sts_path("db", "scale"))
        self.assertEqual((r.body["kind"], r.body["apiVersion"], r.body["spec"]), ("Scale", "autoscaling/v1",
                                                                                  {"replicas": 0}))
        self.assertEqual(r.body["status"]["selector"], "app=db")
        r = self.client.patch(self.sts_path("db", "scale"), {"spec": {"replicas": 2}},
                              query={"fieldManager": "scaler"})
        self.assertEqual(r.body["spec"]["replicas"], 2)
        sts = self.get_obj("statefulsets", "db", "apps")
        self.assertEqual(sts["spec"]["replicas"], 2)
        entry = next(e for e in sts["metadata"]["managedFields"] if e["manager"] == "scaler")
        self.assertEqual((entry["operation"], entry["subresource"], entry["fieldsV1"]),
                         ("Update", "scale", {"f:spec": {"f:replicas": {}}}))


class DryRunTest(ServerTestCase):
    def test_dry_run_changes_nothing(self):
        r = self.client.post(self.path("configmaps"), configmap("dry"), query={"dryRun": "All"})
        self.assertEqual(r.status, 201)
        self.assertTrue(r.body["metadata"]["uid"])
        self.assertNotIn("resourceVersion", r.body["metadata"])
        self.assertIsNone(self.get_obj("configmaps", "dry"))
        created = self.client.post(self.path("configmaps"), configmap("wet")).body
        r = self.client.put(self.path("configmaps", "wet"), dict(created, data={"k": "new"}), query={"dryRun": "All"})
        self.assertEqual(r.body["data"], {"k": "new"})
        self.assertEqual(self.get_obj("configmaps", "wet")["data"], {"k": "v"})
        r = self.client.patch(self.path("configmaps", "wet"), {"data": {"k": "p"}}, query={"dryRun": "All"})
        self.assertEqual(r.body["data"], {"k": "p"})
        r = self.client.apply(self.path("configmaps", "wet"), configmap("wet", data={"k": "a"}), force=True,
                              query={"dryRun": "All"})
        self.assertEqual(r.body["data"], {"k": "a"})
        r = self.client.delete(self.path("configmaps", "wet"), query={"dryRun": "All"})
        self.assertEqual((r.status, r.body["status"]), (200, "Success"))
        self.assertEqual(self.get_obj("configmaps", "wet")["data"], {"k": "v"})
        self.assertEqual(self.get_obj("configmaps", "wet")["metadata"]["resourceVersion"],
                         created["metadata"]["resourceVersion"])

    def test_bad_dry_run_value(self):
        r = self.client.post(self.path("configmaps"), configmap("x"), query={"dryRun": "Yes"})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.body["message"], 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: '
                         '"Yes": supported values: "All"')


class ValidationTest(ServerTestCase):
    def test_missing_required_fields(self):
        bad = statefulset("db")
        del bad["spec"]["selector"]
        bad["spec"]["template"]["spec"]["containers"][0].pop("image")
        r = self.client.post(self.sts_path(), bad)
        self.assertEqual((r.status, r.body["reason"]), (422, "Invalid"))
        self.assertEqual(r.body["message"], 'StatefulSet.apps "db" is invalid: [spec.selector: Required value, '
                         'spec.template.spec.containers[0].image: Required value]')
        self.assertEqual(r.body["details"]["causes"], [
            {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.selector"},
            {"reason": "FieldValueRequired", "message": "Required value",
             "field": "spec.template.spec.containers[0].image"}])
        self.assertEqual((r.body["details"]["kind"], r.body["details"]["group"], r.body["details"]["name"]),
                         ("StatefulSet", "apps", "db"))
        r = self.client.post(self.path("configmaps"), {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}})
        self.assertEqual(r.body["message"], 'ConfigMap "" is invalid: metadata.name: Required value: name or '
                         'generateName is required')

    def test_config_map_size_limit(self):
        r = self.client.post(self.path("configmaps"), configmap("big", data={"k": "x" * 1048577}))
        self.assertEqual((r.status, r.body["message"]), (422, 'ConfigMap "big" is invalid: []: Too long: must '
                                                              'have at most 1048576 bytes'))

    def test_statefulset_immutable_fields(self):
        sts = self.client.post(self.sts_path(), statefulset("db", replicas=0)).body
        del sts["metadata"]["resourceVersion"]  # the controller writes status meanwhile
        sts["spec"]["serviceName"] = "other"
        r = self.client.put(self.sts_path("db"), sts)
        self.assertEqual(r.status, 422)
        self.assertEqual(r.body["message"], 'StatefulSet.apps "db" is invalid: spec: Forbidden: updates to '
                         "statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                         "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
                         "'minReadySeconds' are forbidden")
        self.assertEqual(r.body["details"]["causes"][0]["field"], "spec")
        self.assertEqual(r.body["details"]["causes"][0]["reason"], "FieldValueForbidden")
        r = self.client.patch(self.sts_path("db"), {"spec": {"volumeClaimTemplates": [
            {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                    "resources": {"requests": {"storage": "9Gi"}}}}]}})
        self.assertEqual(r.status, 422)
        r = self.client.patch(self.sts_path("db"), {"spec": {"replicas": 0, "revisionHistoryLimit": 3}})
        self.assertEqual(r.status, 200, r)

    def test_pvc_resize_rules(self):
        self.client.post(self.path("persistentvolumeclaims"), pvc("grow", "1Gi"))
        self.client.post(self.path("persistentvolumeclaims"), pvc("fixed", "1Gi", "fixed"))
        for name in ("grow", "fixed"):
            wait_for(lambda: (self.get_obj("persistentvolumeclaims", name) or {}).get("status", {})
                     .get("phase") == "Bound", what="claim bound")
        path = self.path("persistentvolumeclaims", "grow")
        r = self.client.patch(path, {"spec": {"resources": {"requests": {"storage": "2Gi"}}}})
        self.assertEqual(r.status, 200, r)
        wait_for(lambda: self.get_obj("persistentvolumeclaims", "grow")["status"]["capacity"]["storage"] == "2Gi",
                 what="capacity grows")
        r = self.client.patch(path, {"spec": {"resources": {"requests": {"storage": "1Gi"}}}})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.body["message"], 'PersistentVolumeClaim "grow" is invalid: spec.resources.requests.'
                         'storage: Forbidden: field can not be less than status.capacity')
        r = self.client.patch(path, {"spec": {"accessModes": ["ReadWriteMany"]}})
        self.assertEqual(r.status, 422)
        self.assertIn("spec: Forbidden: spec is immutable after creation except resources.requests and "
                      "volumeAttributesClassName for bound claims", r.body["message"])
        r = self.client.patch(self.path("persistentvolumeclaims", "fixed"),
                              {"spec": {"resources": {"requests": {"storage": "2Gi"}}}})
        self.assertEqual(r.status, 403)
        self.assertEqual(r.body["message"], 'persistentvolumeclaims "fixed" is forbidden: only dynamically '
                         'provisioned pvc can be resized and the storageclass that provisions the pvc must '
                         'support resize')


class PatchTest(ServerTestCase):
    def test_merge_strategic_and_json_patches(self):
        self.client.post(self.sts_path(), statefulset("db", replicas=0))
        r = self.client.patch(self.sts_path("db"), {"spec": {"template": {"spec": {"containers": [
            {"name": "db", "image": "mariadb:11.5"}]}}}}, content_type=STRATEGIC)
        container = r.body["spec"]["template"]["spec"]["containers"][0]
        self.assertEqual(container["image"], "mariadb:11.5")
        self.assertEqual(container["ports"][0]["containerPort"], 3306, "strategic merge keeps the rest")
        r = self.client.patch(self.sts_path("db"), {"metadata": {"labels": {"app": None, "x": "y"}}},
                              content_type=MERGE)
        self.assertEqual(r.body["metadata"]["labels"], {"x": "y"})
        r = self.client.patch(self.sts_path("db"), [{"op": "replace", "path": "/spec/replicas", "value": 0},
                                                    {"op": "add", "path": "/metadata/labels/z", "value": "1"}],
                              content_type=JSON_PATCH)
        self.assertEqual(r.body["metadata"]["labels"], {"x": "y", "z": "1"})
        r = self.client.patch(self.sts_path("db"), {"spec": {}}, content_type=MERGE, query={"force": "true"})
        self.assertEqual((r.status, r.body["message"]), (422, 'PatchOptions.meta.k8s.io "" is invalid: force: '
                                                              'Forbidden: may not be specified for non-apply patch'))

    def test_field_manager_from_query_or_user_agent(self):
        self.client.post(self.path("configmaps"), configmap("cm"), query={"fieldManager": "creator"})
        self.client.patch(self.path("configmaps", "cm"), {"data": {"other": "x"}})
        entries = self.get_obj("configmaps", "cm")["metadata"]["managedFields"]
        managers = {(e["manager"], e["operation"]) for e in entries}
        self.assertEqual(managers, {("creator", "Update"), ("kubefake-tests", "Update")})
        creator = next(e for e in entries if e["manager"] == "creator")
        self.assertEqual(creator["fieldsV1"], {"f:data": {".": {}, "f:k": {}}})


class DeleteTest(ServerTestCase):
    def pods(self):
        return sorted(p["metadata"]["name"] for p in self.items("pods"))

    def test_background_delete_removes_pods_keeps_claims(self):
        self.create_sts("db", replicas=2)
        self.wait_ready("db")
        r = self.client.delete(self.sts_path("db"), query={"propagationPolicy": "Background"})
        self.assertEqual(r.status, 200)
        self.assertEqual((r.body["kind"], r.body["status"], r.body["details"]["name"], r.body["details"]["kind"]),
                         ("Status", "Success", "db", "statefulsets"))
        wait_for(lambda: not self.pods(), what="pods deleted")
        self.assertEqual(sorted(p["metadata"]["name"] for p in self.items("persistentvolumeclaims")),
                         ["data-db-0", "data-db-1"])

    def test_orphan_delete_leaves_pods(self):
        self.create_sts("db", replicas=2)
        self.wait_ready("db")
        uids = {p["metadata"]["uid"] for p in self.items("pods")}
        r = self.client.delete(self.sts_path("db"), query={"propagationPolicy": "Orphan"})
        self.assertEqual((r.status, r.body["kind"]), (200, "StatefulSet"))
        self.assertEqual(r.body["metadata"]["finalizers"], ["orphan"])
        self.assertIn("deletionTimestamp", r.body["metadata"])
        wait_for(lambda: self.get_obj("statefulsets", "db", "apps") is None, what="statefulset gone")
        pods = self.items("pods")
        self.assertEqual({p["metadata"]["uid"] for p in pods}, uids)
        self.assertTrue(all("ownerReferences" not in p["metadata"] for p in pods))
        # A new StatefulSet adopts the orphans and keeps their UIDs.
        self.create_sts("db", replicas=2)
        self.wait_ready("db")
        pods = self.items("pods")
        self.assertEqual({p["metadata"]["uid"] for p in pods}, uids)
        self.assertTrue(all(p["metadata"]["ownerReferences"][0]["kind"] == "StatefulSet" for p in pods))

    def test_foreground_delete_waits_for_pods(self):
        self.create_sts("db", replicas=1)
        self.wait_ready("db")
        r = self.client.delete(self.sts_path("db"), body={"kind": "DeleteOptions", "apiVersion": "v1",
                                                          "propagationPolicy": "Foreground"})
        self.assertEqual(r.body["metadata"]["finalizers"], ["foregroundDeletion"])
        wait_for(lambda: self.get_obj("statefulsets", "db", "apps") is None, what="statefulset gone")
        self.assertEqual(self.pods(), [])

    def test_retention_policy_delete_removes_claims(self):
        self.create_sts("db", replicas=1, persistentVolumeClaimRetentionPolicy={"whenDeleted": "Delete",
                                                                                "whenScaled": "Retain"})
        self.wait_ready("db")
        self.client.delete(self.sts_path("db"))
        wait_for(lambda: not self.items("persistentvolumeclaims"), what="claims deleted")

    def test_namespace_deletion(self):
        self.client.post(self.path("configmaps"), configmap("cm"))
        r = self.client.delete("/api/v1/namespaces/" + self.ns)
        self.assertEqual((r.status, r.body["status"]["phase"]), (200, "Terminating"))
        r = self.client.post(self.path("configmaps"), configmap("late"))
        self.assertEqual((r.status, r.body["message"]), (403, 'configmaps "late" is forbidden: unable to create '
                                                              'new content in namespace %s because it is being '
                                                              'terminated' % self.ns))
        wait_for(lambda: self.client.get("/api/v1/namespaces/" + self.ns).status == 404, what="namespace gone")


if __name__ == "__main__":
    unittest.main()
