"""Fake apiserver: server-side apply, managedFields and field-manager conflicts."""

import os
import unittest

from support import MERGE, ServerTestCase, statefulset

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

STS_YAML = """\
# a comment
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  labels:
    app: db
spec:
  serviceName: db
  replicas: 0
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: db
        image: "mariadb:11.4"
        args: ["--port", '3306']
        ports:
        - name: sql
          containerPort: 3306
        env:
        - name: GREETING
          value: |
            hello
            world
"""


def entry(obj, manager, operation="Apply"):
    return next((e for e in obj["metadata"].get("managedFields", [])
                 if e["manager"] == manager and e["operation"] == operation), None)


class ApplyTest(ServerTestCase):
    def test_create_on_apply_records_fields_v1(self):
        r = self.client.apply(self.sts_path("db"), statefulset("db", replicas=0, claims=False))
        self.assertEqual(r.status, 201, r)
        e = entry(r.body, "kstatec")
        self.assertEqual((e["operation"], e["apiVersion"], e["fieldsType"]), ("Apply", "apps/v1", "FieldsV1"))
        self.assertTrue(e["time"].endswith("Z"))
        self.assertNotIn("subresource", e)
        f = e["fieldsV1"]
        self.assertEqual(f["f:metadata"], {"f:labels": {"f:app": {}}})
        self.assertEqual(f["f:spec"]["f:selector"], {}, "a label selector is atomic")
        container = f["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"db"}']
        self.assertEqual(container["."], {})
        self.assertEqual(container["f:ports"], {'k:{"containerPort":3306,"protocol":"TCP"}': {
            ".": {}, "f:containerPort": {}, "f:name": {}}})
        self.assertNotIn("f:status", f)
        self.assertNotIn("f:imagePullPolicy", container, "defaulted fields are not the applier's")
        self.assertEqual(r.body["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"], "IfNotPresent")

    def test_identical_apply_is_a_no_op(self):
        first = self.client.apply(self.path("configmaps", "cm"), {
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"a": "1"}}).body
        again = self.client.apply(self.path("configmaps", "cm"), {
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"a": "1"}})
        self.assertEqual(again.status, 200)
        self.assertEqual(again.body["metadata"]["resourceVersion"], first["metadata"]["resourceVersion"])

    def test_field_manager_is_required(self):
        r = self.client.apply(self.path("configmaps", "cm"), {"apiVersion": "v1", "kind": "ConfigMap",
                                                               "metadata": {"name": "cm"}}, manager=None)
        self.assertEqual(r.status, 422)
        self.assertEqual(r.body["message"], 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required '
                         'value: is required for apply patch')
        self.assertEqual(r.body["details"], {"group": "meta.k8s.io", "kind": "PatchOptions", "causes": [
            {"reason": "FieldValueRequired", "message": "Required value: is required for apply patch",
             "field": "fieldManager"}]})

    def test_conflict_with_another_applier(self):
        self.client.apply(self.sts_path("db"), statefulset("db", replicas=0, claims=False), manager="kstatec")
        r = self.client.apply(self.sts_path("db"), statefulset("db", replicas=2, claims=False), manager="other")
        self.assertEqual(r.status, 409)
        self.assertEqual(r.body["reason"], "Conflict")
        self.assertEqual(r.body["message"], 'Apply failed with 1 conflict: conflict with "kstatec": .spec.replicas')
        self.assertEqual(r.body["details"], {"causes": [{"type": "FieldManagerConflict",
                                                         "message": 'conflict with "kstatec"',
                                                         "field": ".spec.replicas"}]})

    def test_conflict_with_an_updater_and_force(self):
        self.client.apply(self.sts_path("db"), statefulset("db", replicas=0, claims=False))
        self.client.patch(self.sts_path("db"), {"spec": {"replicas": 1}}, content_type=MERGE,
                          query={"fieldManager": "kubectl-edit"})
        r = self.client.apply(self.sts_path("db"), statefulset("db", replicas=0, claims=False))
        self.assertEqual(r.status, 409)
        self.assertEqual(r.body["message"], 'Apply failed with 1 conflict: conflict with "kubectl-edit" using '
                         'apps/v1: .spec.replicas')
        self.assertEqual(r.body["details"]["causes"][0]["message"], 'conflict with "kubectl-edit" using apps/v1')
        r = self.client.apply(self.sts_path("db"), statefulset("db", replicas=0, claims=False), force=True)
        self.assertEqual((r.status, r.body["spec"]["replicas"]), (200, 0))
        self.assertIn("f:replicas", entry(r.body, "kstatec")["fieldsV1"]["f:spec"])
        self.assertIsNone(entry(r.body, "kubectl-edit", "Update"), "the updater lost its only field")

    def test_several_conflicts(self):
        sts = statefulset("db", replicas=0, claims=False)
        self.client.apply(self.sts_path("db"), sts, manager="a")
        sts["spec"]["replicas"] = 1
        sts["spec"]["template"]["spec"]["containers"][0]["image"] = "mariadb:12"
        r = self.client.apply(self.sts_path("db"), sts, manager="b")
        self.assertEqual(r.body["message"], 'Apply failed with 2 conflicts: conflicts with "a":\n'
                         '- .spec.replicas\n- .spec.template.spec.containers[name="db"].image')
        self.assertEqual([c["field"] for c in r.body["details"]["causes"]],
                         [".spec.replicas", '.spec.template.spec.containers[name="db"].image'])

    def test_same_value_is_shared_not_a_conflict(self):
        sts = statefulset("db", replicas=0, claims=False)
        self.client.apply(self.sts_path("db"), sts, manager="a")
        r = self.client.apply(self.sts_path("db"), {"apiVersion": "apps/v1", "kind": "StatefulSet",
                                                    "metadata": {"name": "db"}, "spec": {"replicas": 0}},
                              manager="b")
        self.assertEqual(r.status, 200, r)
        self.assertIn("f:replicas", entry(r.body, "a")["fieldsV1"]["f:spec"])
        self.assertEqual(entry(r.body, "b")["fieldsV1"], {"f:spec": {"f:replicas": {}}})

    def test_fields_no_longer_applied_are_removed(self):
        cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "labels": {"a": "1", "b": "2"}},
              "data": {"x": "1", "y": "2"}}
        self.client.apply(self.path("configmaps", "cm"), cm)
        self.client.apply(self.path("configmaps", "cm"), {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
            "name": "cm", "labels": {"b": "2"}}}, manager="other")
        r = self.client.apply(self.path("configmaps", "cm"), {"apiVersion": "v1", "kind": "ConfigMap",
                                                               "metadata": {"name": "cm"}, "data": {"x": "1"}})
        self.assertEqual(r.body["data"], {"x": "1"})
        self.assertEqual(r.body["metadata"]["labels"], {"b": "2"}, "label b is still owned by `other`")

    def test_block_yaml_body(self):
        r = self.client.apply(self.sts_path("db"), STS_YAML)
        self.assertEqual(r.status, 201, r)
        container = r.body["spec"]["template"]["spec"]["containers"][0]
        self.assertEqual(container["args"], ["--port", "3306"])
        self.assertEqual(container["env"], [{"name": "GREETING", "value": "hello\nworld\n"}])

    def test_mariadb_example(self):
        path = os.path.join(REPO, "examples", "mariadb", "mariadb.yaml")
        with open(path, encoding="utf-8") as f:
            docs = [d for d in f.read().split("\n---\n") if d.strip()]
        self.assertEqual(len(docs), 3)
        plurals = {"ConfigMap": ("configmaps", ""), "Service": ("services", ""), "StatefulSet": ("statefulsets",
                                                                                                 "apps")}
        for doc in docs:
            kind = next(line.split(": ")[1] for line in doc.splitlines() if line.startswith("kind: "))
            plural, group = plurals[kind]
            r = self.client.apply(self.path(plural, "mariadb", group), doc.replace("namespace: demo",
                                                                                 "namespace: " + self.ns))
            self.assertEqual(r.status, 201, r)
        svc = self.get_obj("services", "mariadb")
        self.assertEqual((svc["spec"]["clusterIP"], svc["spec"]["ports"][0]["targetPort"]), ("None", "mysql"))
        self.wait_ready("mariadb")

    def test_bad_apply_bodies(self):
        path = self.path("configmaps", "cm")
        r = self.client.apply(path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
            "name": "cm", "managedFields": [{"manager": "x"}]}})
        self.assertEqual((r.status, r.body["message"]), (400, "metadata.managedFields must be nil"))
        r = self.client.apply(path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other"}})
        self.assertEqual((r.status, r.body["message"]), (400, "the name of the object (other) does not match the "
                                                              "name on the URL (cm)"))
        r = self.client.apply(path, {"apiVersion": "v1", "metadata": {"name": "cm"}})
        self.assertEqual(r.status, 400)
        self.assertTrue(r.body["message"].startswith("Object 'Kind' is missing in "))
        r = self.client.apply(path, "key: [unclosed")
        self.assertEqual((r.status, r.body["reason"]), (400, "BadRequest"))


if __name__ == "__main__":
    unittest.main()
