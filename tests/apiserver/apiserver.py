#!/usr/bin/env python3
"""A fake kube-apiserver for testing kstatec's runtime without a cluster.

Command line:  python3 apiserver.py --dir DIR [--port 0] [--script FILE] [--config JSON]
prints one JSON line {"url", "port", "kubeconfig", "ca", "pid"} when ready and
serves HTTPS until killed. Python:  `from apiserver import start_server`.
See README.md for what it serves and how it differs from a real apiserver.
"""

import argparse
import json
import os
import shutil
import signal
import ssl
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kubefake import certs, kubeconfig  # noqa: E402
from kubefake.controller import Controller, seed  # noqa: E402
from kubefake.http_server import ApiServer  # noqa: E402
from kubefake.registry import Registry  # noqa: E402
from kubefake.scripting import DEFAULT_CONFIG, Script  # noqa: E402
from kubefake.store import Store  # noqa: E402


class FakeApiServer:
    """A running fake apiserver: its URL, files, and the scripting methods."""

    def __init__(self, directory, port=0, config=None, owns_dir=False):
        directory = os.path.abspath(directory)  # the kubeconfig names files by absolute path
        self.dir = directory
        self.owns_dir = owns_dir
        self.material = certs.make_material(directory)
        self.config = dict(DEFAULT_CONFIG, **(config or {}))
        self.store = Store()
        self.registry = Registry(self.store)
        self.script_engine = Script(self.store, self.config)
        self.http = ApiServer(self.material, self.registry, self.script_engine, self.config, port)
        self.controller = Controller(self.registry, self.script_engine, self.config)
        self.http.controller = self.controller
        self.script_engine.hooks.update(restart=self.http.restart, clear_log=self.http.clear_log,
                                        pods=self.controller.podsim)
        seed(self.registry)
        self.port = self.http.port
        self.url = "https://127.0.0.1:%d" % self.port
        self.kubeconfig = kubeconfig.write_kubeconfig(self.material, self.url)
        self.ca = self.material.ca_crt
        self.token = self.material.admin_token
        self.forbidden_token = self.material.forbidden_token

    def start(self):
        self.http.start()
        self.controller.start()
        return self

    def stop(self):
        """Stops serving; removes the directory when start_server made it."""
        self.controller.stop()
        self.http.stop()
        if self.owns_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # ---- clients
    def ssl_context(self, user="admin"):
        """A client SSLContext trusting the CA; with the admin's (or jane's) client certificate."""
        ctx = ssl.create_default_context(cafile=self.ca)
        if user == "admin":
            ctx.load_cert_chain(self.material.admin_crt, self.material.admin_key)
        elif user == "forbidden":
            ctx.load_cert_chain(self.material.forbidden_crt, self.material.forbidden_key)
        return ctx

    # ---- scripting
    def script(self, actions):
        """Runs scripting actions (see kubefake/scripting.py); returns their results."""
        return self.script_engine.run(actions)

    def fail_next(self, count, status=429, retry_after=1, method=None, path=None):
        return self.script({"action": "fail", "status": status, "count": count, "retry_after": retry_after,
                            "method": method, "path": path})

    def add_latency(self, seconds, count=None, method=None, path=None):
        return self.script({"action": "latency", "seconds": seconds, "count": count, "method": method, "path": path})

    def restart(self, down_seconds=0.5):
        return self.script({"action": "restart", "down_seconds": down_seconds})

    def compact(self):
        return self.script({"action": "compact"})

    def pod_behavior(self, behavior, namespace="default", name=None, statefulset=None, revision="next", **extra):
        action = dict({"action": "pod", "behavior": behavior, "namespace": namespace, "revision": revision},
                      **extra)
        if name:
            action["name"] = name
        if statefulset:
            action["statefulset"] = statefulset
        return self.script(action)

    def pvc_pending(self, namespace="default", name=None, statefulset=None, reason="ProvisioningFailed",
                    message=None):
        return self.script({"action": "pvc", "behavior": "pending", "namespace": namespace, "name": name,
                            "statefulset": statefulset, "reason": reason, "message": message})

    def pvc_bind(self, namespace="default", name=None, statefulset=None):
        return self.script({"action": "pvc", "behavior": "bind", "namespace": namespace, "name": name,
                            "statefulset": statefulset})

    def set_config(self, **values):
        return self.script(dict(values, action="config"))

    def log(self):
        """The request log: method, path, query, content_type, accept, user_agent, user, status, body."""
        with self.http.lock:
            return [dict(e) for e in self.http.log]

    def clear_log(self):
        self.http.clear_log()

    def get(self, resource_key, namespace, name):
        """Reads an object straight from the store (no HTTP), e.g. (("apps", "statefulsets"), "demo", "db")."""
        return self.store.get(resource_key, namespace, name)


def start_server(directory=None, port=0, config=None, script=None):
    """Starts a fake apiserver (in a new temporary directory, removed by stop(), unless given one)."""
    owns = directory is None
    directory = directory or tempfile.mkdtemp(prefix="kubefake-")
    server = FakeApiServer(directory, port, config, owns).start()
    if script:
        server.script(script)
    return server


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", required=True, help="where to write certificates, tokens and the kubeconfig")
    parser.add_argument("--port", type=int, default=0, help="the port to listen on (0: any free port)")
    parser.add_argument("--script", help="a JSON file with scripting actions to run at start")
    parser.add_argument("--config", help="JSON object of simulation timings, e.g. '{\"ready_seconds\": 1}'")
    args = parser.parse_args()
    actions = None
    if args.script:
        with open(args.script, encoding="utf-8") as f:
            actions = json.load(f)
    server = start_server(os.path.abspath(args.dir), args.port, json.loads(args.config) if args.config else None,
                          actions)
    print(json.dumps({"url": server.url, "port": server.port, "kubeconfig": server.kubeconfig, "ca": server.ca,
                      "pid": os.getpid()}), flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    server.stop()


if __name__ == "__main__":
    main()
