"""Fake apiserver: TLS, authentication, authorization, kubeconfig, discovery, OpenAPI, CLI."""

import base64
import http.client
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import unittest
import warnings

from support import Client, ServerTestCase

HERE = os.path.dirname(os.path.abspath(__file__))


class AuthTest(ServerTestCase):
    def test_client_certificate_admin(self):
        r = self.client.get("/api/v1/namespaces")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["Content-Type"], "application/json")
        names = [n["metadata"]["name"] for n in r.body["items"]]
        self.assertIn("default", names)
        self.assertIn(self.ns, names)

    def test_bearer_token_admin(self):
        r = Client(self.server, user=None, token=self.server.token).get("/api/v1/namespaces/default")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["metadata"]["name"], "default")

    def test_no_credentials_is_401(self):
        r = Client(self.server, user=None).get("/api/v1/namespaces")
        self.assertEqual(r.status, 401)
        self.assertEqual(r.body, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                  "message": "Unauthorized", "reason": "Unauthorized", "code": 401})

    def test_wrong_token_is_401(self):
        r = Client(self.server, user=None, token="not-a-token").get("/api")
        self.assertEqual(r.status, 401)

    def test_forbidden_user_gets_rbac_message(self):
        jane = Client(self.server, user="forbidden")
        r = jane.get(self.path("configmaps", "x"))
        self.assertEqual(r.status, 403)
        self.assertEqual(r.body["reason"], "Forbidden")
        self.assertEqual(r.body["message"], 'configmaps "x" is forbidden: User "jane" cannot get resource '
                         '"configmaps" in API group "" in the namespace "%s"' % self.ns)
        self.assertEqual(r.body["details"], {"name": "x", "kind": "configmaps"})
        r = jane.apply(self.sts_path("db"), {"apiVersion": "apps/v1", "kind": "StatefulSet"})
        self.assertEqual(r.body["message"], 'statefulsets.apps "db" is forbidden: User "jane" cannot patch '
                         'resource "statefulsets" in API group "apps" in the namespace "%s"' % self.ns)
        r = jane.get("/api/v1/namespaces")
        self.assertEqual(r.body["message"], 'namespaces is forbidden: User "jane" cannot list resource '
                         '"namespaces" in API group "" at the cluster scope')
        r = Client(self.server, user=None, token=self.server.forbidden_token).get(self.sts_path("db", "status"))
        self.assertIn('cannot get resource "statefulsets/status" in API group "apps"', r.body["message"])

    def test_forbidden_user_may_read_discovery(self):
        jane = Client(self.server, user="forbidden")
        self.assertEqual(jane.get("/api").status, 200)
        self.assertEqual(jane.get("/apis/apps/v1").status, 200)
        self.assertEqual(jane.get("/version").status, 200)

    def test_tls_1_1_is_refused(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(self.server.ca)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        client = Client(self.server)
        client.ctx = ctx
        with self.assertRaises((ssl.SSLError, OSError)):
            client.get("/version")

    def test_server_certificate_names(self):
        ctx = ssl.create_default_context(cafile=self.server.ca)
        for host in ("localhost", "127.0.0.1"):
            conn = http.client.HTTPSConnection(host, self.server.port, context=ctx, timeout=5)
            conn.request("GET", "/version", headers={"Authorization": "Bearer " + self.server.token})
            self.assertEqual(conn.getresponse().status, 200)
            conn.close()


class KubeconfigTest(ServerTestCase):
    def read(self):
        with open(self.server.kubeconfig, encoding="utf-8") as f:
            return f.read()

    def test_contexts(self):
        text = self.read()
        for ctx in ("admin-cert", "admin-cert-data", "admin-token", "admin-token-file", "forbidden", "insecure"):
            self.assertIn("- name: %s\n  context:" % ctx, text)
        self.assertIn("current-context: admin-cert", text)
        self.assertIn("insecure-skip-tls-verify: true", text)
        self.assertIn('server: "%s"' % self.server.url, text)

    def test_data_fields_hold_the_files(self):
        text = self.read()
        fields = dict(line.strip().split(": ", 1) for line in text.splitlines() if "-data: " in line)
        for key, path in (("certificate-authority-data", self.server.ca),
                          ("client-certificate-data", self.server.material.admin_crt),
                          ("client-key-data", self.server.material.admin_key)):
            with open(path, "rb") as f:
                self.assertEqual(base64.b64decode(fields[key]), f.read())

    def test_token_file_holds_the_token(self):
        text = self.read()
        path = next(line.split(": ", 1)[1].strip('"') for line in text.splitlines() if "tokenFile:" in line)
        with open(path, encoding="utf-8") as f:
            token = f.read().strip()
        self.assertEqual(Client(self.server, user=None, token=token).get("/api").status, 200)


class DiscoveryTest(ServerTestCase):
    def test_api_versions(self):
        r = self.client.get("/api")
        self.assertEqual(r.body["kind"], "APIVersions")
        self.assertEqual(r.body["versions"], ["v1"])

    def test_group_list(self):
        r = self.client.get("/apis")
        self.assertEqual(r.body["kind"], "APIGroupList")
        groups = {g["name"]: g for g in r.body["groups"]}
        for name in ("apps", "policy", "rbac.authorization.k8s.io", "storage.k8s.io"):
            self.assertEqual(groups[name]["preferredVersion"], {"groupVersion": name + "/v1", "version": "v1"})
        r = self.client.get("/apis/apps")
        self.assertEqual((r.body["kind"], r.body["name"]), ("APIGroup", "apps"))

    def test_core_resources(self):
        r = self.client.get("/api/v1")
        self.assertEqual((r.body["kind"], r.body["groupVersion"]), ("APIResourceList", "v1"))
        by_name = {e["name"]: e for e in r.body["resources"]}
        for name in ("namespaces", "pods", "services", "configmaps", "secrets", "serviceaccounts",
                     "persistentvolumeclaims", "events", "pods/status"):
            self.assertIn(name, by_name)
        self.assertFalse(by_name["namespaces"]["namespaced"])
        self.assertEqual(by_name["persistentvolumeclaims"]["shortNames"], ["pvc"])
        self.assertEqual(by_name["configmaps"]["singularName"], "configmap")

    def test_statefulsets_and_subresources(self):
        r = self.client.get("/apis/apps/v1")
        by_name = {e["name"]: e for e in r.body["resources"]}
        sts = by_name["statefulsets"]
        self.assertEqual((sts["kind"], sts["singularName"], sts["shortNames"], sts["namespaced"]),
                         ("StatefulSet", "statefulset", ["sts"], True))
        self.assertIn("patch", sts["verbs"])
        self.assertEqual(by_name["statefulsets/status"]["verbs"], ["get", "patch", "update"])
        self.assertEqual((by_name["statefulsets/scale"]["kind"], by_name["statefulsets/scale"]["group"]),
                         ("Scale", "autoscaling"))
        self.assertIn("controllerrevisions", by_name)
        names = lambda gv: {e["name"] for e in self.client.get(gv).body["resources"]}
        self.assertIn("poddisruptionbudgets", names("/apis/policy/v1"))
        self.assertTrue({"roles", "rolebindings", "clusterroles", "clusterrolebindings"}
                        <= names("/apis/rbac.authorization.k8s.io/v1"))
        self.assertIn("storageclasses", names("/apis/storage.k8s.io/v1"))

    def test_storage_classes(self):
        r = self.client.get("/apis/storage.k8s.io/v1/storageclasses")
        classes = {c["metadata"]["name"]: c for c in r.body["items"]}
        self.assertTrue(classes["standard"]["allowVolumeExpansion"])
        self.assertEqual(classes["standard"]["metadata"]["annotations"],
                         {"storageclass.kubernetes.io/is-default-class": "true"})
        self.assertFalse(classes["fixed"]["allowVolumeExpansion"])

    def test_version(self):
        r = self.client.get("/version")
        self.assertEqual((r.body["major"], r.body["minor"]), ("1", "32"))
        self.assertTrue(r.body["gitVersion"].startswith("v1.32."))

    def test_openapi_v3_declares_field_validation(self):
        root = self.client.get("/openapi/v3").body
        url = root["paths"]["apis/apps/v1"]["serverRelativeURL"]
        doc = self.client.get(url).body
        op = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}"]["patch"]
        self.assertEqual(op["x-kubernetes-group-version-kind"], {"group": "apps", "version": "v1",
                                                                 "kind": "StatefulSet"})
        self.assertIn("fieldValidation", [p["name"] for p in op["parameters"]])

    def test_unknown_paths(self):
        r = self.client.get("/nope")
        self.assertEqual((r.status, r.body), (404, "404 page not found\n"))
        r = self.client.get("/apis/apps/v1/namespaces/default/widgets")
        self.assertEqual((r.status, r.body["message"]), (404, "the server could not find the requested resource"))
        self.assertEqual(self.client.get("/openapi/v2").status, 404)


class CommandLineTest(unittest.TestCase):
    def test_prints_ready_line_and_runs_script(self):
        tmp = tempfile.mkdtemp(prefix="kubefake-cli-")
        script = os.path.join(tmp, "script.json")
        with open(script, "w", encoding="utf-8") as f:
            json.dump([{"action": "fail", "status": 500, "count": 1}], f)
        proc = subprocess.Popen([sys.executable, os.path.join(HERE, "apiserver.py"), "--dir", tmp, "--port", "0",
                                 "--script", script], stdout=subprocess.PIPE, text=True)
        try:
            ready = json.loads(proc.stdout.readline())
            self.assertEqual(set(ready), {"url", "port", "kubeconfig", "ca", "pid"})
            self.assertEqual(ready["pid"], proc.pid)
            self.assertTrue(os.path.exists(ready["kubeconfig"]))
            ctx = ssl.create_default_context(cafile=ready["ca"])
            ctx.load_cert_chain(os.path.join(tmp, "admin.crt"), os.path.join(tmp, "admin.key"))
            statuses = []
            for _ in range(2):
                conn = http.client.HTTPSConnection("127.0.0.1", ready["port"], context=ctx, timeout=5)
                conn.request("GET", "/api/v1/namespaces")
                statuses.append(conn.getresponse().status)
                conn.close()
            self.assertEqual(statuses, [500, 200])
        finally:
            proc.terminate()
            self.assertEqual(proc.wait(timeout=10), 0)
            proc.stdout.close()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
