"""Shared setup of the tests/lifecycle tests: the command line, a fake API
server per test class, a fresh namespace per test, and readers of live state.

A test file does:

    from lifecycle import LifecycleTest, main
    class PruneTest(LifecycleTest):
        def test_x(self):
            path = self.write("db.kstate", DB.format(ns=self.ns))
            p = self.kstatec("apply", path)
            ...
    if __name__ == "__main__":
        main()
"""
import argparse
import base64
import hashlib
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apiserver"))
import support  # noqa: E402  (exits 77, a skip, when the fixture cannot make certificates)

ARGS = None

# A small database: 3 replicas, one claim each, in the test's namespace.
DB = """namespace "{ns}" {{ create = true }}

component db {{
  image    = "docker.io/library/postgres:16.4"
  replicas = {replicas}
  port pg = 5432
  readiness = tcp(pg)
  resources {{ cpu = 100m; memory = 128Mi }}
  storage data {{ size = {size}; mount = "/var/lib/postgresql/data" }}
}}
"""


def applyset_id(parent, ns):
    """kubectl's ApplySet id of a Secret parent (KEP-3659), computed here independently of kstatec."""
    digest = hashlib.sha256(("%s.%s.Secret." % (parent, ns)).encode()).digest()
    return "applyset-%s-v1" % base64.urlsafe_b64encode(digest).decode().rstrip("=")


class LifecycleTest(support.FakeServerTestCase):
    """A fake API server shared by the class; `self.ns` is new for every test."""
    counter = 0

    def setUp(self):
        LifecycleTest.counter += 1
        self.ns = "%s-%d" % (self.__class__.__name__.lower()[:20], LifecycleTest.counter)
        self.dir = tempfile.mkdtemp(prefix="kstate-lifecycle-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def write(self, name, text):
        return support.write_file(self.dir, name, text)

    def db(self, replicas=3, size="1Gi", name="db.kstate"):
        """Writes the DB component in this test's namespace; returns its path."""
        return self.write(name, DB.format(ns=self.ns, replicas=replicas, size=size))

    def kstatec(self, command, *args, timeout=120, stdin=None):
        """Runs `kstatec COMMAND ARGS` against the fake server; the CompletedProcess has .seconds."""
        return support.run_kstatec(ARGS.kstatec, self.server, command, *args, timeout=timeout, stdin=stdin)

    def assertOk(self, p, code=0):
        self.assertEqual(p.returncode, code, "stdout:\n%s\nstderr:\n%s" % (p.stdout, p.stderr))

    # ---- live state
    def get(self, path):
        """The object at an API path, or None when it does not exist."""
        r = self.client.get(path)
        if r.status == 404:
            return None
        self.assertEqual(r.status, 200, r.raw)
        return json.loads(r.raw)

    def items(self, plural, group="", selector=None):
        base = "/api/v1" if not group else "/apis/%s" % group
        query = {"labelSelector": selector} if selector else None
        r = self.client.get("%s/namespaces/%s/%s" % (base, self.ns, plural), query=query)
        self.assertEqual(r.status, 200, r.raw)
        return json.loads(r.raw)["items"]

    def uids(self, plural, group=""):
        """name -> uid of every object of a kind in this test's namespace."""
        return {o["metadata"]["name"]: o["metadata"]["uid"] for o in self.items(plural, group)}

    def sts(self, name="db"):
        return self.get("/apis/apps/v1/namespaces/%s/statefulsets/%s" % (self.ns, name))

    def claims(self):
        """name -> (uid, requested size) of every PVC in this test's namespace."""
        return {o["metadata"]["name"]: (o["metadata"]["uid"], o["spec"]["resources"]["requests"]["storage"])
                for o in self.items("persistentvolumeclaims")}

    def requests(self, method=None, contains=None):
        return [r for r in self.server.log()
                if (method is None or r["method"] == method) and (contains is None or contains in r["path"])]


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--kstatec", required=True)
    ap.add_argument("--repo", required=True)
    ARGS, rest = ap.parse_known_args()
    unittest.main(module="__main__", argv=[sys.argv[0]] + rest, verbosity=2)
