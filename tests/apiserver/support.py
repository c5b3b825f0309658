"""Helpers shared by the fake apiserver's tests: an HTTPS client and a base TestCase.

Each test module starts one server (certificates take a moment to make) and
each test works in a namespace of its own.
"""

import http.client
import itertools
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from apiserver import start_server  # noqa: E402

if shutil.which("openssl") is None:  # the fixture makes its certificates with it
    print("openssl not found: skipping")
    sys.exit(77)

APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"
_names = itertools.count(1)


class Response:
    def __init__(self, status, headers, raw):
        self.status, self.headers, self.raw = status, headers, raw
        try:
            self.body = json.loads(raw) if raw else None
        except ValueError:
            self.body = raw.decode("utf-8", "replace")

    def __repr__(self):
        return "<%d %s>" % (self.status, self.raw[:300])


class Client:
    """A small HTTPS client: admin certificate by default, or a token, or nothing."""

    def __init__(self, server, user="admin", token=None, user_agent="kubefake-tests/1.0"):
        self.server, self.token, self.user_agent = server, token, user_agent
        self.ctx = server.ssl_context(user)

    def connect(self, timeout=10):
        return http.client.HTTPSConnection("127.0.0.1", self.server.port, context=self.ctx, timeout=timeout)

    def request(self, method, path, body=None, content_type="application/json", query=None, headers=None):
        if query:
            path += "?" + urllib.parse.urlencode(query, doseq=True)
        data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        hdrs = {"User-Agent": self.user_agent}
        if data is not None:
            hdrs["Content-Type"] = content_type
        if self.token:
            hdrs["Authorization"] = "Bearer " + self.token
        hdrs.update(headers or {})
        conn = self.connect()
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            return Response(resp.status, dict(resp.getheaders()), resp.read())
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body, **kw):
        return self.request("PUT", path, body, **kw)

    def patch(self, path, body, content_type=MERGE, **kw):
        return self.request("PATCH", path, body, content_type=content_type, **kw)

    def apply(self, path, body, manager="kstatec", force=False, query=None):
        q = dict(query or {})
        if manager:
            q["fieldManager"] = manager
        if force:
            q["force"] = "true"
        return self.request("PATCH", path, body, content_type=APPLY, query=q)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def watch(self, path, query=None, timeout=10, accept=None):
        """Yields watch events until the stream ends or `timeout` passes."""
        q = dict(query or {}, watch="true")
        conn = self.connect(timeout=timeout)
        hdrs = {"User-Agent": self.user_agent}
        if accept:
            hdrs["Accept"] = accept
        conn.request("GET", path + "?" + urllib.parse.urlencode(q), headers=hdrs)
        resp = conn.getresponse()
        try:
            if resp.status != 200:
                raise AssertionError("watch got %d: %s" % (resp.status, resp.read()))
            while True:
                try:
                    line = resp.readline()
                except (OSError, http.client.HTTPException):
                    return
                if not line:
                    return
                yield json.loads(line)
        finally:
            conn.close()


def wait_for(predicate, timeout=8.0, interval=0.03, what="condition"):
    """Polls `predicate` until it returns something true (connection errors count as false)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except (OSError, http.client.HTTPException):  # e.g. while a simulated restart refuses connections
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(interval)


def run_on_terminal(argv, timeout=60, prompt=None, answer=None):
    """Runs `argv` on a pseudo-terminal until it exits; types `answer` once `prompt` (bytes) appears.
    Returns (exit code, everything it wrote, as text)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    output, answered = b"", False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if answer is not None and not answered and prompt in output:
            os.write(fd, answer.encode() + b"\n")
            answered = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.WEXITSTATUS(status), output.decode("utf-8", "replace")


def statefulset(name, replicas=1, image="mariadb:11.4", claims=True, **spec):
    """A small StatefulSet manifest."""
    labels = {"app": name}
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name, "labels": labels},
           "spec": {"serviceName": name, "replicas": replicas, "selector": {"matchLabels": labels},
                    "template": {"metadata": {"labels": labels},
                                 "spec": {"containers": [{"name": "db", "image": image,
                                                          "ports": [{"name": "sql", "containerPort": 3306}]}]}}}}
    if claims:
        sts["spec"]["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": {
            "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]
        sts["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
    sts["spec"].update(spec)
    return sts


def write_file(directory, name, text):
    """Writes `text` to directory/name; returns the path."""
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def run_kstatec(kstatec, server, command, *args, timeout=60, stdin=None):
    """Runs `kstatec COMMAND ARGS` against `server` as its admin; the CompletedProcess also has .seconds."""
    cmd = [kstatec, command, "--kubeconfig", server.kubeconfig, "--context", "admin-cert", *args]
    start = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=stdin)
    p.seconds = time.monotonic() - start
    return p


class FakeServerTestCase(unittest.TestCase):
    """Starts one fake apiserver per test class (certificates take a moment to make)."""

    config = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kubefake-test-")
        cls.server = start_server(cls.tmp, config=cls.config)
        cls.client = Client(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)


class ServerTestCase(FakeServerTestCase):
    """FakeServerTestCase that gives each test a fresh namespace and checks the fixture stayed sound."""

    def setUp(self):
        self.ns = "t%d" % next(_names)
        r = self.client.apply("/api/v1/namespaces/" + self.ns,
                              {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": self.ns}})
        self.assertEqual(r.status, 201, r)

    def tearDown(self):
        self.assertEqual(self.server.controller.errors, [], "the simulated controllers raised")
        self.assertEqual(self.server.http.errors, [], "the fixture failed on a request")

    # ---- paths
    def path(self, plural, name="", group="", ns=None, sub=""):
        base = "/apis/%s/v1" % group if group else "/api/v1"
        ns = self.ns if ns is None else ns
        out = base + ("/namespaces/" + ns if ns else "") + "/" + plural
        return out + ("/" + name if name else "") + ("/" + sub if sub else "")

    def sts_path(self, name="", sub=""):
        return self.path("statefulsets", name, "apps", sub=sub)

    def get_obj(self, plural, name, group=""):
        r = self.client.get(self.path(plural, name, group))
        return r.body if r.status == 200 else None

    def items(self, plural, group="", query=None):
        r = self.client.get(self.path(plural, group=group), query=query)
        self.assertEqual(r.status, 200, r)
        return r.body["items"]

    def create_sts(self, name="db", **kw):
        r = self.client.apply(self.sts_path(name), statefulset(name, **kw))
        self.assertEqual(r.status, 201, r)
        return r.body

    def wait_ready(self, name="db", replicas=None, timeout=8.0):
        def ready():
            sts = self.get_obj("statefulsets", name, "apps")
            want = sts["spec"]["replicas"] if replicas is None else replicas
            status = sts.get("status", {})
            ok = (status.get("readyReplicas", 0) == want and status.get("replicas") == want
                  and status.get("updatedReplicas", 0) == want
                  and status.get("currentRevision") == status.get("updateRevision")
                  and status.get("observedGeneration") == sts["metadata"]["generation"])
            return sts if ok else None
        return wait_for(ready, timeout, what="statefulset %s ready" % name)
