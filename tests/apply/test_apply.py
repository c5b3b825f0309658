#!/usr/bin/env python3
"""`kstatec apply` against the fake API server (tests/apiserver): the order of
objects, dependsOn, waiting for readiness, the live view on a terminal, JSON
events, fail-fast on broken pods with the OrderedReady recovery, PVCs stuck
Pending, server-side dry run, field-ownership conflicts, API errors mapped to
.kstate lines, and kubeconfig problems.

Run: test_apply.py --kstatec PATH --repo DIR (exits 77 when the fixture cannot start)."""
import argparse
import json
import os
import socket
import socketserver
import threading
import select
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apiserver"))
import support  # noqa: E402  (exits 77, a skip, when the fixture cannot make certificates)
from support import write_file as write  # noqa: E402

ARGS = None


SYSTEM = """namespace "shop" { create = true }

component cache {
  image    = "docker.io/library/redis:7.2.4"
  replicas = 3
  port redis = 6379
  readiness = tcp(redis)
  resources { cpu = 100m; memory = 128Mi }
  storage data { size = 1Gi; mount = "/data" }
}

component api {
  image     = "quay.io/example/api:1.0.0"
  replicas  = 2
  dependsOn = [cache]
  port http = 8080
  readiness = http("/ready", http)
  resources { cpu = 100m; memory = 128Mi }
}
"""


class ConnectProxy(socketserver.ThreadingTCPServer):
    """An HTTP CONNECT proxy that relays bytes and records where it connected."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.targets = []

        class Handler(socketserver.BaseRequestHandler):
            def handle(handler):
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = handler.request.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                line = request.split(b"\r\n")[0].decode()
                method, target, _ = line.split(" ", 2)
                if method != "CONNECT":
                    handler.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
                    return
                self.targets.append(target)
                host, port = target.rsplit(":", 1)
                upstream = socket.create_connection((host, int(port)))
                handler.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                sockets = [handler.request, upstream]
                while True:
                    ready, _, _ = select.select(sockets, [], [], 30)
                    if not ready:
                        break
                    for sock in ready:
                        data = sock.recv(65536)
                        if not data:
                            upstream.close()
                            return
                        (upstream if sock is handler.request else handler.request).sendall(data)

        super().__init__(("127.0.0.1", 0), Handler)


class ApplyTest(support.FakeServerTestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kstate-apply-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def kstatec(self, *args, timeout=60):
        return support.run_kstatec(ARGS.kstatec, self.server, "apply", *args, timeout=timeout)

    def requests(self):
        return self.server.log()

    def test_system_in_order_with_depends_on(self):
        path = write(self.dir, "system.kstate", SYSTEM)
        p = self.kstatec(path, "--timeout", "60s")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        out = p.stdout
        # The namespace first; the cache's objects in apply order; api only after cache is ready.
        order = [out.index(s) for s in ["Namespace shop applied", "Service shop/cache applied",
                                        "StatefulSet shop/cache applied", "PodDisruptionBudget shop/cache applied",
                                        "cache ready", "Service shop/api applied", "api ready"]]
        self.assertEqual(order, sorted(order), out)
        self.assertIn("3/3 ready at revision", out)
        sts = json.loads(self.client.get("/apis/apps/v1/namespaces/shop/statefulsets/cache").raw)
        self.assertEqual(sts["status"]["readyReplicas"], 3)
        managers = {m["manager"] for m in sts["metadata"]["managedFields"]}
        self.assertIn("kstatec", managers)
        patches = [r for r in self.requests() if r["method"] == "PATCH" and "/shop/" in r["path"]]
        self.assertTrue(patches)
        for r in patches:
            self.assertEqual(r["content_type"], "application/apply-patch+yaml")
            self.assertEqual(r["query"].get("fieldManager"), "kstatec")

    def test_mariadb_example_live_view_on_a_terminal(self):
        self.client.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                "metadata": {"name": "demo"}})
        example = os.path.join(ARGS.repo, "examples", "mariadb", "mariadb.kstate")
        code, text = support.run_on_terminal([ARGS.kstatec, "apply", example, "--kubeconfig",
                                                   self.server.kubeconfig, "--context", "admin-cert", "--timeout", "60s"])
        self.assertEqual(code, 0, text)
        # Redrawn in place: cursor up and clear, a line per pod ordinal.
        self.assertIn("\x1b[", text)
        self.assertIn("mariadb-0", text)
        self.assertIn("1/1 ready at revision", text)
        # The same example with a new image whose pod crashes: exit 1 within seconds, naming pod and reason.
        self.server.script({"action": "pod", "behavior": "crash", "namespace": "demo", "statefulset": "mariadb",
                            "revision": "next"})
        with open(example, encoding="utf-8") as f:
            changed = f.read().replace("10.3.22-debian-10-r27", "10.3.23-debian-10-r0")
        p = self.kstatec(write(self.dir, "mariadb.kstate", changed), "--timeout", "60s")
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertLess(p.seconds, 15)
        self.assertIn("pod mariadb-0 (container mariadb): CrashLoopBackOff", p.stdout)

    def test_json_events(self):
        path = write(self.dir, "one.kstate", SYSTEM.replace("shop", "jsonns").split("component api")[0])
        p = self.kstatec(path, "-o", "json")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        events = [json.loads(line) for line in p.stdout.splitlines()]
        states = [e["state"] for e in events if e["event"] == "component"]
        self.assertEqual(states[0], "waiting")
        self.assertEqual(states[-1], "ready")
        self.assertTrue(any(e["pods"] for e in events if e["event"] == "component"))

    def test_crash_fails_fast_with_the_recovery_command(self):
        path = write(self.dir, "crash.kstate", SYSTEM.replace("shop", "crashns"))
        self.assertEqual(self.kstatec(path).returncode, 0)
        self.server.script({"action": "pod", "behavior": "crash", "namespace": "crashns", "statefulset": "cache",
                            "revision": "next"})
        write(self.dir, "crash.kstate", SYSTEM.replace("shop", "crashns").replace("7.2.4", "7.2.5"))
        p = self.kstatec(path)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertLess(p.seconds, 15)
        self.assertIn("pod cache-2 (container cache): CrashLoopBackOff", p.stdout)
        self.assertIn("kubectl delete pod cache-2 -n crashns", p.stdout)
        self.assertIn("api skipped", p.stdout)

    def test_image_pull_and_unschedulable_and_pending_claim(self):
        cases = [("image_pull", "ImagePullBackOff|ErrImagePull"), ("unschedulable", "Unschedulable: 0/3 nodes")]
        for n, (behavior, expected) in enumerate(cases):
            ns = "fail%d" % n
            self.server.script({"action": "pod", "behavior": behavior, "namespace": ns, "name": "cache-0"})
            path = write(self.dir, "%s.kstate" % ns, SYSTEM.replace("shop", ns))
            p = self.kstatec(path)
            self.assertEqual(p.returncode, 1, p.stdout)
            self.assertRegex(p.stdout, "pod cache-0.*(%s)" % expected)
        self.server.script({"action": "pvc", "behavior": "pending", "namespace": "pvcns", "statefulset": "cache",
                            "reason": "ProvisioningFailed"})
        path = write(self.dir, "pvc.kstate", SYSTEM.replace("shop", "pvcns"))
        p = self.kstatec(path, "--claim-grace", "1s")
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertRegex(p.stdout, r"PersistentVolumeClaim data-cache-0 is still Pending after \d+ s:\n.*ProvisioningFailed")

    def test_config_error_and_timeout(self):
        self.server.script({"action": "pod", "behavior": "config_error", "secret": "db-credentials",
                            "namespace": "cfgns", "name": "cache-0"})
        path = write(self.dir, "cfg.kstate", SYSTEM.replace("shop", "cfgns"))
        p = self.kstatec(path)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("pod cache-0 (container cache): CreateContainerConfigError", p.stdout)
        self.server.script({"action": "pod", "behavior": "not_ready", "namespace": "slowns", "name": "cache-1"})
        path = write(self.dir, "slow.kstate", SYSTEM.replace("shop", "slowns"))
        p = self.kstatec(path, "--timeout", "3s")
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertLess(p.seconds, 10)
        self.assertIn("cache failed       timed out: 2/3 pods created, 1 ready", p.stdout)

    def test_server_dry_run_changes_nothing(self):
        path = write(self.dir, "dry.kstate", SYSTEM.replace("shop", "dryns"))
        self.server.script({"action": "clear_log"})
        p = self.kstatec(path, "--dry-run=server")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("Namespace dryns applied (server dry run)", p.stdout)
        self.assertIn("StatefulSet dryns/cache not checked: namespace dryns does not exist yet", p.stdout)
        # In an existing namespace the server checks every object.
        self.client.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dryns"}})
        p = self.kstatec(path, "--dry-run=server")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("StatefulSet dryns/cache applied (server dry run)", p.stdout)
        writes = [r for r in self.requests() if r["method"] not in ("GET", "POST")]
        self.assertTrue(writes)
        for r in writes:
            self.assertEqual(r["query"].get("dryRun"), "All", r)
        self.assertEqual(self.client.get("/apis/apps/v1/namespaces/dryns/statefulsets/cache").status, 404)

    def test_conflict_names_the_field_and_force_takes_it(self):
        path = write(self.dir, "conflict.kstate", SYSTEM.replace("shop", "confns").split("component api")[0])
        self.assertEqual(self.kstatec(path).returncode, 0)
        r = self.client.apply("/apis/apps/v1/namespaces/confns/statefulsets/cache",
                              {"apiVersion": "apps/v1", "kind": "StatefulSet",
                               "metadata": {"name": "cache", "namespace": "confns"}, "spec": {"replicas": 5}},
                              manager="ops", force=True)
        self.assertEqual(r.status, 200, r)
        p = self.kstatec(path)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn('conflict with "ops"', p.stdout)
        self.assertIn(".spec.replicas", p.stdout)
        self.assertIn("--force-conflicts", p.stdout)
        p = self.kstatec(path, "--force-conflicts")
        self.assertEqual(p.returncode, 0, p.stdout)

    def test_a_spec_the_server_finds_invalid_changes_nothing(self):
        # The dry run's 422 makes the change impossible as it is: plan exits 1,
        # and apply refuses before it applies the component's other objects.
        text = SYSTEM.replace("shop", "invns").split("component api")[0]
        path = write(self.dir, "inv.kstate", text)
        self.assertEqual(self.kstatec(path).returncode, 0)
        write(self.dir, "inv.kstate", text.replace("replicas = 3", "replicas = 4").rstrip().rstrip("}") +
              '  patch statefulset { spec.template.spec.restartPolicy = "Never" }\n}\n')
        plan = subprocess.run([ARGS.kstatec, "plan", path, "--kubeconfig", self.server.kubeconfig,
                               "--context", "admin-cert"], capture_output=True, text=True, timeout=60)
        self.assertEqual(plan.returncode, 1, plan.stdout + plan.stderr)
        self.assertIn("422", plan.stdout + plan.stderr)
        self.server.clear_log()
        p = self.kstatec(path)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("nothing was changed", p.stdout + p.stderr)
        writes = [r for r in self.requests() if r["method"] in ("PATCH", "PUT", "POST", "DELETE")
                  and "dryRun" not in r.get("query", "") and "dryRun" not in r["path"]]
        self.assertEqual(writes, [])

    def test_immutable_change_points_at_the_source(self):
        text = SYSTEM.replace("shop", "immns").split("component api")[0]
        path = write(self.dir, "imm.kstate", text)
        self.assertEqual(self.kstatec(path).returncode, 0)
        write(self.dir, "imm.kstate", text.replace("size = 1Gi", "size = 2Gi"))
        p = self.kstatec(path)
        self.assertEqual(p.returncode, 1, p.stdout)
        # The plan refuses it before anything is sent, pointing at the line that changed.
        self.assertRegex(p.stdout, r"StatefulSet immns/cache needs recreation: the API server forbids this change in "
                                   r"place \(storage of data: 1Gi -> 2Gi .*\(.*imm\.kstate:\d+:\d+\)\)")
        # An error only the server finds is traced to its line too: a headless Service's clusterIP cannot change.
        write(self.dir, "imm.kstate", text.replace("port redis = 6379",
                                                   'port redis = 6379\n  patch service { spec.clusterIP = "10.0.0.5" }'))
        p = self.kstatec(path)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("may not change once set", p.stdout)
        self.assertRegex(p.stdout, r"comes from .*imm\.kstate:\d+:\d+")

    def test_diff_and_status(self):
        text = SYSTEM.replace("shop", "diffns").split("component api")[0]
        path = write(self.dir, "diff.kstate", text)
        diff = subprocess.run([ARGS.kstatec, "diff", path, "--kubeconfig", self.server.kubeconfig,
                               "--context", "admin-cert"], capture_output=True, text=True, timeout=60)
        self.assertEqual(diff.returncode, 1, diff.stderr)
        self.assertIn("--- /dev/null\n+++ applied StatefulSet diffns/cache", diff.stdout)
        self.assertEqual(self.kstatec(path).returncode, 0)
        diff = subprocess.run([ARGS.kstatec, "diff", path, "--kubeconfig", self.server.kubeconfig,
                               "--context", "admin-cert"], capture_output=True, text=True, timeout=60)
        self.assertEqual((diff.returncode, diff.stdout), (0, ""), diff.stderr)
        write(self.dir, "diff.kstate", text.replace("replicas = 3", "replicas = 4"))
        diff = subprocess.run([ARGS.kstatec, "diff", path, "--kubeconfig", self.server.kubeconfig,
                               "--context", "admin-cert"], capture_output=True, text=True, timeout=60)
        self.assertEqual(diff.returncode, 1, diff.stderr)
        self.assertIn("-  replicas: 3\n+  replicas: 4", diff.stdout)
        self.assertNotIn("managedFields", diff.stdout)
        self.assertNotIn("resourceVersion", diff.stdout)
        # Nothing changed by the diff (a dry run), and status shows the live state.
        status = subprocess.run([ARGS.kstatec, "status", path, "--kubeconfig", self.server.kubeconfig,
                                 "--context", "admin-cert"], capture_output=True, text=True, timeout=60)
        self.assertEqual(status.returncode, 0, status.stderr)
        self.assertIn("cache (diffns/cache): ready: 3/3 ready at revision", status.stdout)
        self.assertRegex(status.stdout, r"pod cache-2 +rev \w+ +Running +ready")
        self.assertRegex(status.stdout, r"claim data-cache-0 +Bound +1Gi")
        broken = subprocess.run([ARGS.kstatec, "diff", path, "--kubeconfig", self.server.kubeconfig,
                                 "--context", "nowhere"], capture_output=True, text=True, timeout=60)
        self.assertEqual(broken.returncode, 2)
        # Answers of a shape no API server gives end the command with an
        # error, never an abort (status reads them in the main thread, apply
        # plans StatefulSets on worker threads), and change nothing.
        for command in ("status", "apply"):
            self.server.script({"action": "answer", "body": [], "count": 20, "method": "GET",
                                "path": "/statefulsets/cache"})
            p = subprocess.run([ARGS.kstatec, command, path, "--kubeconfig", self.server.kubeconfig,
                                "--context", "admin-cert"], capture_output=True, text=True, timeout=60)
            self.server.script({"action": "clear_faults"})
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertNotIn("terminate called", p.stderr)
            if command == "status":
                self.assertIn("does not have the shape Kubernetes documents", p.stderr)
            else:
                self.assertIn("nothing was changed", p.stdout + p.stderr)
        # Pods that cannot be listed are an error, not "pod cache-0 not created".
        self.server.script({"action": "fail", "status": 500, "count": 10, "method": "GET", "path": "/pods"})
        status = subprocess.run([ARGS.kstatec, "status", path, "--kubeconfig", self.server.kubeconfig,
                                 "--context", "admin-cert"], capture_output=True, text=True, timeout=60)
        self.server.script({"action": "clear_faults"})
        self.assertEqual(status.returncode, 1, status.stdout + status.stderr)
        self.assertIn("cannot list its pods", status.stderr)
        self.assertNotIn("not created", status.stdout)

    def test_through_a_proxy(self):
        proxy = ConnectProxy()
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        try:
            with open(self.server.kubeconfig, encoding="utf-8") as f:
                lines = f.read().split("\n")
            # Every cluster goes through the proxy.
            out = []
            for line in lines:
                out.append(line)
                if line.strip().startswith("server:"):
                    indent = line[:len(line) - len(line.lstrip())]
                    out.append("%sproxy-url: http://127.0.0.1:%d" % (indent, proxy.server_address[1]))
            kubeconfig = write(self.dir, "proxied-kubeconfig", "\n".join(out))
            path = write(self.dir, "proxy.kstate", SYSTEM.replace("shop", "proxyns").split("component api")[0])
            p = subprocess.run([ARGS.kstatec, "apply", path, "--kubeconfig", kubeconfig, "--context", "admin-cert"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertIn("127.0.0.1:%d" % self.server.port, proxy.targets)
        finally:
            proxy.shutdown()
            proxy.server_close()

    def test_exec_plugin_with_a_client_certificate(self):
        directory = os.path.dirname(self.server.kubeconfig)
        with open(os.path.join(directory, "admin.crt")) as f:
            cert = f.read()
        with open(os.path.join(directory, "admin.key")) as f:
            key = f.read()
        credential = {"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                      "status": {"clientCertificateData": cert, "clientKeyData": key}}
        write(self.dir, "credential.json", json.dumps(credential))
        plugin = write(self.dir, "plugin.sh", "#!/bin/sh\ncat %s/credential.json\n" % self.dir)
        os.chmod(plugin, 0o755)
        kubeconfig = write(self.dir, "exec-kubeconfig", """apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: plugin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: %s
      interactiveMode: Never
contexts:
- name: exec
  context: {cluster: fake, user: plugin}
current-context: exec
""" % (self.server.url, self.server.ca, plugin))
        path = write(self.dir, "exec.kstate", SYSTEM.replace("shop", "execns").split("component api")[0])
        p = subprocess.run([ARGS.kstatec, "apply", path, "--kubeconfig", kubeconfig, "--no-wait"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("StatefulSet execns/cache applied", p.stdout)
        # A plugin that fails is reported before anything is sent.
        write(self.dir, "plugin.sh", "#!/bin/sh\necho 'no session: run login' >&2\nexit 3\n")
        p = subprocess.run([ARGS.kstatec, "apply", path, "--kubeconfig", kubeconfig],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no session: run login", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_verbose_never_shows_credentials(self):
        path = write(self.dir, "verbose.kstate", SYSTEM.replace("shop", "verbosens").split("component api")[0])
        p = subprocess.run([ARGS.kstatec, "apply", path, "--kubeconfig", self.server.kubeconfig,
                            "--context", "admin-token", "-v", "--no-wait"], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("PATCH", p.stderr)  # it does log requests
        self.assertNotIn(self.server.token, p.stdout + p.stderr)

    def test_kubeconfig_and_auth_problems(self):
        path = write(self.dir, "auth.kstate", SYSTEM.replace("shop", "authns"))
        p = subprocess.run([ARGS.kstatec, "apply", path, "--kubeconfig", self.server.kubeconfig,
                            "--context", "nowhere"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn("nowhere", p.stderr)
        p = subprocess.run([ARGS.kstatec, "apply", path, "--kubeconfig", self.server.kubeconfig,
                            "--context", "forbidden"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn("forbidden", p.stdout + p.stderr)
        p = subprocess.run([ARGS.kstatec, "apply", path, "--kubeconfig", os.path.join(self.dir, "missing")],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn("missing", p.stderr)
        p = subprocess.run([ARGS.kstatec, "apply", path, "--timeout", "soon"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 2)


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kstatec", required=True)
    ap.add_argument("--repo", required=True)
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
