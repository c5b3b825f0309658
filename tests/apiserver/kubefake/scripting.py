"""Scripted behaviour: faults, latency, restarts and pod/claim misbehaviour.

Actions are JSON objects (one, or a list), from `--script FILE`, from
`POST /__fixture/script`, or from the Python API:

  {"action": "fail", "status": 429|500|503, "count": N, "retry_after": 1,
   "method": "PATCH", "path": "/statefulsets/"}   next N matching requests fail
  {"action": "answer", "body": JSON, "count": N, "method": "GET", "path": "/statefulsets/db"}
      next N matching requests get 200 with that body (a reply of the wrong shape)
  {"action": "clear_faults"}                     forget the `fail` and `answer` rules not used up
  {"action": "latency", "seconds": 0.2, "count": N}  delay (N requests, or all)
  {"action": "restart", "down_seconds": 0.5}      drop every connection; refuse for a while
  {"action": "compact"}                          forget watch history (old RVs get 410)
  {"action": "pod", "behavior": B, "namespace": "demo", "name": "db-1"}
  {"action": "pod", "behavior": B, "namespace": "demo", "statefulset": "db", "revision": "next"}
      B: crash, image_pull, config_error (with "secret"), unschedulable, not_ready, heal
      "revision": "next" is the first pod created for a template other than the
      set's current updateRevision; "any" the next pod created for the set.
  {"action": "pvc", "behavior": "pending"|"bind", "namespace": "demo", "name": "data-db-0"
      | "statefulset": "db", "reason": "ProvisioningFailed"|"FailedBinding", "message": "..."}
  {"action": "config", "ready_seconds": 0.3, ...}  change simulation timings
  {"action": "pause"} / {"action": "resume"}     stop and restart the controllers
  {"action": "clear_log"}
"""

import threading

from .resources import lookup

DEFAULT_CONFIG = {
    "tick_seconds": 0.02, "schedule_seconds": 0.05, "start_seconds": 0.15, "ready_seconds": 0.3,
    "terminate_seconds": 0.1, "bind_seconds": 0.05, "crash_seconds": 0.4, "image_pull_backoff_seconds": 0.3,
    "namespace_terminate_seconds": 0.5, "bookmark_seconds": 1.0, "min_ready_scale": 0.1, "paused": False,
}
PENDING_MESSAGES = {
    "ProvisioningFailed": ('failed to provision volume with StorageClass "{sc}": rpc error: code = '
                           'ResourceExhausted desc = insufficient capacity'),
    "FailedBinding": "no persistent volumes available for this claim and no storage class is set",
}
PODS = lookup("", "v1", "pods")
STS = lookup("apps", "v1", "statefulsets")


class ScriptError(ValueError):
    pass


class Script:
    """Holds the rules; the HTTP layer and the controller consult it."""

    def __init__(self, store, config):
        self.store, self.config = store, config
        self.lock = threading.Lock()
        self.faults, self.latency, self.pod_rules, self.pvc_rules = [], [], [], []
        self.triggers = []  # restarts that wait for a matching successful request
        self.hooks = {}  # restart, clear_log, pods (the PodSim), set by the server

    def run(self, actions):
        """Runs one action or a list; returns one result per action."""
        if isinstance(actions, dict):
            actions = [actions]
        if not isinstance(actions, list):
            raise ScriptError("a script is an action object or a list of them")
        return [self._one(a) for a in actions]

    def _one(self, a):
        kind = a.get("action")
        if kind == "fail":
            status = int(a.get("status", 500))
            if status not in (429, 500, 503):
                raise ScriptError("fail: status must be 429, 500 or 503")
            rule = {"status": status, "count": int(a.get("count", 1)), "retry_after": int(a.get("retry_after", 1)),
                    "method": a.get("method"), "path": a.get("path"), "message": a.get("message")}
            with self.lock:
                self.faults.append(rule)
        elif kind == "answer":
            rule = {"status": 200, "answer": a.get("body"), "count": int(a.get("count", 1)),
                    "method": a.get("method"), "path": a.get("path")}
            with self.lock:
                self.faults.append(rule)
        elif kind == "clear_faults":
            with self.lock:
                self.faults = []
        elif kind == "latency":
            with self.lock:
                self.latency.append({"seconds": float(a.get("seconds", 0.1)), "count": a.get("count"),
                                     "method": a.get("method"), "path": a.get("path")})
        elif kind == "restart":
            after = a.get("after")
            if after is None:
                self.hooks["restart"](float(a.get("down_seconds", 0.5)))
            else:
                if not isinstance(after, dict):
                    raise ScriptError("restart: after must be an object with method, path and count")
                with self.lock:
                    self.triggers.append({"method": after.get("method"), "path": after.get("path"),
                                          "count": int(after.get("count", 1)),
                                          "down_seconds": float(a.get("down_seconds", 0.5))})
        elif kind == "compact":
            self.store.compact()
        elif kind == "pod":
            return self._pod_rule(a)
        elif kind == "pvc":
            return self._pvc_rule(a)
        elif kind == "config":
            unknown = set(a) - set(DEFAULT_CONFIG) - {"action"}
            if unknown:
                raise ScriptError("config: unknown keys " + ", ".join(sorted(unknown)))
            self.config.update({k: v for k, v in a.items() if k != "action"})
        elif kind in ("pause", "resume"):
            self.config["paused"] = kind == "pause"
        elif kind == "clear_log":
            self.hooks["clear_log"]()
        else:
            raise ScriptError("unknown action %r" % kind)
        return {"ok": True}

    # ---- requests
    @staticmethod
    def _matches(rule, method, path):
        return (not rule.get("method") or rule["method"] == method) and (not rule.get("path") or rule["path"] in path)

    def before_request(self, method, path):
        """(seconds to sleep, fault rule or None) for one API request."""
        delay, fault = 0.0, None
        with self.lock:
            for rule in self.latency:
                if self._matches(rule, method, path) and (rule["count"] is None or rule["count"] > 0):
                    delay += rule["seconds"]
                    if rule["count"] is not None:
                        rule["count"] -= 1
            for rule in self.faults:
                if rule["count"] > 0 and self._matches(rule, method, path):
                    rule["count"] -= 1
                    fault = rule
                    break
            self.faults = [r for r in self.faults if r["count"] > 0]
            self.latency = [r for r in self.latency if r["count"] is None or r["count"] > 0]
        return delay, fault

    def after_request(self, method, path, status):
        """Seconds to go down for, when this successful request completes a restart trigger; else None."""
        if not status or status >= 300:
            return None
        with self.lock:
            for rule in self.triggers:
                if self._matches(rule, method, path):
                    rule["count"] -= 1
                    if rule["count"] <= 0:
                        self.triggers.remove(rule)
                        return rule["down_seconds"]
                    return None
        return None

    # ---- pods
    def _pod_rule(self, a):
        behavior = a.get("behavior")
        if behavior not in ("crash", "image_pull", "config_error", "unschedulable", "not_ready", "heal"):
            raise ScriptError("pod: unknown behavior %r" % behavior)
        ns = a.get("namespace", "default")
        podsim = self.hooks["pods"]
        if a.get("name"):
            with self.store.lock:
                pod = self.store.get(PODS.key, ns, a["name"])
                if pod is not None:
                    podsim.heal(pod) if behavior == "heal" else podsim.attach(pod, dict(a))
                    return {"ok": True, "attached": a["name"]}
        if behavior == "heal":
            with self.store.lock:
                self.pod_rules = [r for r in self.pod_rules if not (r["namespace"] == ns and (
                    r.get("name") == a.get("name") or r.get("statefulset") == a.get("statefulset")))]
                items, _ = self.store.list(PODS.key, ns)
                for pod in items:
                    if a.get("statefulset") and pod["metadata"]["name"].startswith(a["statefulset"] + "-"):
                        podsim.heal(pod)
            return {"ok": True}
        if not a.get("name") and not a.get("statefulset"):
            raise ScriptError("pod: give a name or a statefulset")
        rule = dict(a, namespace=ns, count=int(a.get("count", 1)))
        if a.get("statefulset") and a.get("revision", "next") == "next":
            sts = self.store.get(STS.key, ns, a["statefulset"])
            rule["base"] = (sts or {}).get("status", {}).get("updateRevision")
        with self.store.lock:
            self.pod_rules.append(rule)
        return {"ok": True, "pending": True}

    def claim_pod(self, pod, sts):
        """The behaviour for a pod the StatefulSet controller just created, if a rule wants it."""
        meta = pod["metadata"]
        for rule in self.pod_rules:
            if rule["namespace"] != meta["namespace"] or rule["count"] <= 0:
                continue
            if rule.get("name"):
                hit = rule["name"] == meta["name"]
            else:
                hit = rule["statefulset"] == sts["metadata"]["name"]
                if hit and rule.get("revision", "next") == "next":
                    hit = meta["labels"].get("controller-revision-hash") != rule.get("base")
            if hit:
                rule["count"] -= 1
                self.pod_rules = [r for r in self.pod_rules if r["count"] > 0]
                return dict(rule)
        return None

    # ---- claims
    def _pvc_rule(self, a):
        behavior = a.get("behavior")
        if behavior not in ("pending", "bind"):
            raise ScriptError("pvc: behavior must be pending or bind")
        ns = a.get("namespace", "default")
        with self.store.lock:
            self.pvc_rules = [r for r in self.pvc_rules if not (r["namespace"] == ns and r.get("name") == a.get("name")
                                                               and r.get("statefulset") == a.get("statefulset"))]
            if behavior == "pending":
                reason = a.get("reason", "ProvisioningFailed")
                if reason not in PENDING_MESSAGES:
                    raise ScriptError("pvc: reason must be ProvisioningFailed or FailedBinding")
                self.pvc_rules.append({"namespace": ns, "name": a.get("name"), "statefulset": a.get("statefulset"),
                                       "reason": reason, "message": a.get("message"),
                                       "component": "persistentvolume-controller"})
        return {"ok": True}

    def pvc_rule(self, pvc):
        """The pending rule holding this claim back, with its event reason and message."""
        meta = pvc["metadata"]
        for rule in self.pvc_rules:
            if rule["namespace"] != meta["namespace"]:
                continue
            sts = rule.get("statefulset")
            if rule.get("name") == meta["name"] or (sts and meta["name"].rsplit("-", 1)[0].endswith("-" + sts)):
                message = rule["message"] or PENDING_MESSAGES[rule["reason"]].format(
                    sc=pvc["spec"].get("storageClassName", ""))
                return dict(rule, message=message)
        return None
