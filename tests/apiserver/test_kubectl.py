"""The fake apiserver against the real kubectl: get, server-side apply, conflicts, watch, delete.

Exits 77 (skipped) when kubectl is not installed. With KSTATEC set to a kstatec
binary, the manifests come from `kstatec build examples/mariadb/mariadb.kstate`;
otherwise from testdata/mariadb.yaml.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from support import wait_for
from apiserver import start_server

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
KUBECTL = shutil.which("kubectl")
NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n---\n"


def manifests():
    kstatec = os.environ.get("KSTATEC")
    if kstatec and os.access(kstatec, os.X_OK):
        out = subprocess.run([kstatec, "build", os.path.join(REPO, "examples", "mariadb", "mariadb.kstate")],
                             check=True, capture_output=True, text=True).stdout
        return NAMESPACE + out
    with open(os.path.join(HERE, "testdata", "mariadb.yaml"), encoding="utf-8") as f:
        return f.read()


class KubectlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kubefake-kubectl-")
        cls.server = start_server(os.path.join(cls.tmp, "server"))
        cls.yaml = os.path.join(cls.tmp, "mariadb.yaml")
        with open(cls.yaml, "w", encoding="utf-8") as f:
            f.write(manifests())

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def kubectl(self, *args, context="admin-cert", check=True, timeout=30):
        cmd = [KUBECTL, "--kubeconfig", self.server.kubeconfig, "--context", context,
               "--cache-dir", os.path.join(self.tmp, "cache")] + list(args)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            self.fail("%s failed (%d):\n%s%s" % (" ".join(args), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def test_every_context_reaches_the_server(self):
        for context in ("admin-cert", "admin-cert-data", "admin-token", "admin-token-file", "insecure"):
            out = self.kubectl("get", "namespaces", context=context).stdout
            self.assertRegex(out, r"(?m)^NAME\s+STATUS\s+AGE$")
            self.assertRegex(out, r"(?m)^default\s+Active\s+\d+s$")
        proc = self.kubectl("get", "namespaces", context="forbidden", check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn('Error from server (Forbidden): namespaces is forbidden: User "jane" cannot list resource '
                      '"namespaces" in API group "" at the cluster scope', proc.stderr)

    def test_apply_progress_conflict_watch_delete(self):
        out = self.kubectl("apply", "--server-side", "-f", self.yaml).stdout
        for line in ("namespace/demo serverside-applied", "configmap/mariadb serverside-applied",
                     "service/mariadb serverside-applied", "statefulset.apps/mariadb serverside-applied"):
            self.assertIn(line, out)
        applies = [e for e in self.server.log() if e["method"] == "PATCH"]
        self.assertEqual({e["content_type"] for e in applies}, {"application/apply-patch+yaml"})
        self.assertEqual({e["query"].get("fieldManager") for e in applies}, {"kubectl"})
        seen = []

        def ready():
            sts = json.loads(self.kubectl("get", "statefulset", "mariadb", "-n", "demo", "-o", "json").stdout)
            seen.append(sts.get("status", {}).get("readyReplicas", 0))
            return sts["status"].get("readyReplicas") == sts["spec"]["replicas"] == 1
        wait_for(ready, timeout=15, interval=0.1, what="kubectl sees the StatefulSet ready")
        self.assertEqual(seen[-1], 1)
        pods = self.kubectl("get", "pods", "-n", "demo").stdout
        self.assertRegex(pods, r"(?m)^mariadb-0\s+1/1\s+Running\s+0\s+")

        changed = os.path.join(self.tmp, "changed.yaml")
        with open(self.yaml, encoding="utf-8") as f:
            text = f.read()
        with open(changed, "w", encoding="utf-8") as f:
            f.write(text.replace("replicas: 1", "replicas: 2"))
        proc = self.kubectl("apply", "--server-side", "--field-manager=other", "-f", changed, check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn('error: Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas', proc.stderr)
        self.assertIn("--force-conflicts", proc.stderr)

        watch = subprocess.Popen([KUBECTL, "--kubeconfig", self.server.kubeconfig, "--cache-dir",
                                  os.path.join(self.tmp, "cache"), "get", "statefulsets", "-n", "demo", "--watch"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        self.kubectl("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", changed)
        time.sleep(1.5)
        watch.terminate()
        out, _ = watch.communicate(timeout=10)
        rows = [line.split() for line in out.splitlines() if line.startswith("mariadb")]
        self.assertEqual(rows[0][1], "1/1")
        self.assertIn("2/2", [r[1] for r in rows], "the watch shows the scale-up")

        out = self.kubectl("delete", "--ignore-not-found", "-f", self.yaml, timeout=60).stdout
        self.assertIn('statefulset.apps "mariadb" deleted', out)
        self.assertIsNone(self.server.get(("apps", "statefulsets"), "demo", "mariadb"))


if __name__ == "__main__":
    if KUBECTL is None:
        print("kubectl not found: skipping")
        sys.exit(77)
    unittest.main()
