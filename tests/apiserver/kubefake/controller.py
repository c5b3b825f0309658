"""The background thread standing in for kube-controller-manager and kubelets.

Every `tick_seconds` it runs, under the store lock: the StatefulSet controller,
the PVC binder (and resizer), the pod simulation, pod termination, the garbage
collector (Background, Foreground and Orphan propagation) and the namespace
lifecycle. All writes go through the registry, so watches see them.
"""

import threading
import time
import traceback

from . import events
from . import status as st
from .pods import PodSim
from .registry import Params
from .resources import RESOURCES, lookup
from .statefulsets import MANAGER, StatefulSetController
from .validation import quantity

PODS = lookup("", "v1", "pods")
PVCS = lookup("", "v1", "persistentvolumeclaims")
STS = lookup("apps", "v1", "statefulsets")
NAMESPACES = lookup("", "v1", "namespaces")
CLASSES = lookup("storage.k8s.io", "v1", "storageclasses")
BY_KIND = {(r.api_version, r.kind): r for r in RESOURCES}


class Controller:
    """Owns the simulation state; `start()` runs it on a daemon thread."""

    def __init__(self, registry, script, config):
        self.registry, self.script, self.config = registry, script, config
        self.store = registry.store
        self.podsim = PodSim(registry, config)
        self.statefulsets = StatefulSetController(registry, self.podsim, script, config)
        self.first_seen = {}
        self.stop_event = threading.Event()
        self.thread = None
        self.errors = []

    def start(self):
        self.thread = threading.Thread(target=self._run, name="kubefake-controller", daemon=True)
        self.thread.start()

    def stop(self):
        self.stop_event.set()
        if self.thread:
            self.thread.join(timeout=5)

    def _run(self):
        while not self.stop_event.wait(self.config["tick_seconds"]):
            if self.config.get("paused"):
                continue
            try:
                with self.store.lock:
                    self.tick()
            except Exception:  # keep simulating; tests read the errors through the fixture state
                self.errors.append(traceback.format_exc())

    def _age(self, obj, tag=""):
        """Seconds since this loop first saw `obj` (by uid and tag)."""
        key = (obj["metadata"]["uid"], tag)
        return time.monotonic() - self.first_seen.setdefault(key, time.monotonic())

    def tick(self):
        self._namespaces()
        self._collect_garbage()
        for sts, _ in self._all(STS):
            # One StatefulSet the controller cannot sync (a pod of its name that it
            # does not own already exists) must not stop the others, nor the garbage
            # collector: the real controller records a FailedCreate event and retries.
            try:
                self.statefulsets.sync(sts)
            except st.ApiError as e:
                events.record(self.registry, sts, "Warning", "FailedCreate", "create Pod in StatefulSet %s failed "
                              "error: %s" % (sts["metadata"]["name"], e.status.get("message", "")),
                              "statefulset-controller")
        self._claims()
        self._pods()

    def _all(self, res):
        items, _ = self.store.list(res.key)
        return [(o, res) for o in items]

    # ---- pods
    def _pods(self):
        pending = {(o["metadata"]["namespace"], o["metadata"]["name"]) for o, _ in self._all(PVCS)
                   if o.get("status", {}).get("phase") != "Bound"}
        for pod, _ in self._all(PODS):
            meta = pod["metadata"]
            if meta.get("deletionTimestamp"):
                if meta.get("finalizers"):
                    continue
                if self._age(pod, "terminating") >= self.config["terminate_seconds"]:
                    self.store.remove(PODS.key, meta["namespace"], meta["name"])
                    self.podsim.forget(meta["uid"])
                continue
            claims = [v["persistentVolumeClaim"]["claimName"] for v in pod["spec"].get("volumes") or []
                      if "persistentVolumeClaim" in v]
            missing = any(self.store.peek(PVCS.key, meta["namespace"], c) is None for c in claims)
            waiting = missing or any((meta["namespace"], c) in pending for c in claims)
            self.podsim.step(pod, waiting)

    # ---- persistent volume claims
    def _claims(self):
        for pvc, _ in self._all(PVCS):
            meta, spec = pvc["metadata"], pvc["spec"]
            if meta.get("deletionTimestamp"):
                continue
            phase = pvc.get("status", {}).get("phase", "Pending")
            rule = self.script.pvc_rule(pvc)
            if phase != "Bound":
                if rule:
                    events.record(self.registry, pvc, "Warning", rule["reason"], rule["message"], rule["component"])
                    continue
                sc = self.store.get(CLASSES.key, "", spec.get("storageClassName", ""))
                if sc is None:
                    events.record(self.registry, pvc, "Warning", "ProvisioningFailed", 'storageclass.storage.k8s.io '
                                  '"%s" not found' % spec.get("storageClassName", ""), "persistentvolume-controller")
                    continue
                if self._age(pvc) >= self.config["bind_seconds"]:
                    self._bind(pvc, sc)
                continue
            want = spec.get("resources", {}).get("requests", {}).get("storage")
            have = pvc.get("status", {}).get("capacity", {}).get("storage")
            if quantity(want) and quantity(have) and quantity(want) > quantity(have):
                pvc["status"]["capacity"]["storage"] = want
                self.registry.system_update(PVCS, pvc, "kubelet", "status")

    def _bind(self, pvc, sc):
        meta = pvc["metadata"]
        annotations = meta.setdefault("annotations", {})
        annotations.update({"pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes",
                            "volume.beta.kubernetes.io/storage-provisioner": sc.get("provisioner", ""),
                            "volume.kubernetes.io/storage-provisioner": sc.get("provisioner", "")})
        pvc["spec"]["volumeName"] = "pvc-" + meta["uid"]
        pvc = self.registry.system_update(PVCS, pvc, MANAGER)
        if pvc is None:
            return
        pvc["status"] = {"phase": "Bound", "accessModes": pvc["spec"].get("accessModes", []),
                         "capacity": {"storage": pvc["spec"].get("resources", {}).get("requests", {}).get("storage")}}
        self.registry.system_update(PVCS, pvc, MANAGER, "status")

    # ---- garbage collector
    def _owner_alive(self, obj, ref):
        res = BY_KIND.get((ref.get("apiVersion"), ref.get("kind")))
        if res is None:
            return True
        owner = self.store.peek(res.key, obj["metadata"].get("namespace", "") if res.namespaced else "", ref["name"])
        return owner is not None and owner["metadata"]["uid"] == ref.get("uid")

    def _dependents(self, owner):
        uid = owner["metadata"]["uid"]
        out = []
        for key in self.store.keys():
            items, _ = self.store.list(key, owner["metadata"].get("namespace") or None)
            for o in items:
                if any(r.get("uid") == uid for r in o["metadata"].get("ownerReferences") or []):
                    out.append((o, next(r for r in RESOURCES if r.key == key)))
        return out

    def _collect_garbage(self):
        for key in self.store.keys():
            res = next(r for r in RESOURCES if r.key == key)
            for obj in self.store.scan(key):  # read only: _finalize changes a copy
                meta = obj["metadata"]
                finalizers = meta.get("finalizers") or []
                if meta.get("deletionTimestamp") and ("orphan" in finalizers or "foregroundDeletion" in finalizers):
                    # An earlier object's finalizing may have removed this one since the scan.
                    owner = self.store.get(key, meta.get("namespace", ""), meta["name"])
                    if owner is not None:
                        self._finalize(owner, res, finalizers)
                refs = meta.get("ownerReferences") or []
                if refs and not meta.get("deletionTimestamp") and not any(self._owner_alive(obj, r) for r in refs):
                    self.registry.delete(res, meta.get("namespace", ""), meta["name"], {},
                                         Params("generic-garbage-collector"))

    def _finalize(self, owner, res, finalizers):
        dependents = self._dependents(owner)
        if "orphan" in finalizers:
            for dep, dep_res in dependents:
                dep["metadata"]["ownerReferences"] = [r for r in dep["metadata"]["ownerReferences"]
                                                      if r.get("uid") != owner["metadata"]["uid"]]
                if not dep["metadata"]["ownerReferences"]:
                    del dep["metadata"]["ownerReferences"]
                self.registry.system_update(dep_res, dep, "generic-garbage-collector")
            finalizers = [f for f in finalizers if f != "orphan"]
        elif dependents:
            for dep, dep_res in dependents:
                if not dep["metadata"].get("deletionTimestamp"):
                    self.registry.delete(dep_res, dep["metadata"].get("namespace", ""), dep["metadata"]["name"],
                                         {}, Params("generic-garbage-collector"))
            return
        else:
            finalizers = [f for f in finalizers if f != "foregroundDeletion"]
        owner["metadata"]["finalizers"] = finalizers
        if not finalizers:
            del owner["metadata"]["finalizers"]
        self.registry.system_update(res, owner, "generic-garbage-collector")

    # ---- namespaces
    def _namespaces(self):
        """Terminating namespaces: after a pause, delete their content, then the namespace."""
        for ns, _ in self._all(NAMESPACES):
            if not ns["metadata"].get("deletionTimestamp"):
                continue
            if self._age(ns, "terminating") < self.config["namespace_terminate_seconds"]:
                continue
            name, left = ns["metadata"]["name"], 0
            for res in RESOURCES:
                if not res.namespaced:
                    continue
                items, _ = self.store.list(res.key, name)
                for obj in items:
                    left += 1
                    if not obj["metadata"].get("deletionTimestamp"):
                        self.registry.delete(res, name, obj["metadata"]["name"], {}, Params("namespace-controller"))
            if not left:
                self.store.remove(NAMESPACES.key, "", name)

def seed(registry):
    """The objects a fresh cluster has: system namespaces and two StorageClasses."""
    for name in ("default", "kube-system", "kube-public", "kube-node-lease"):
        registry.system_create(NAMESPACES, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
                               "kube-apiserver")
    for name, expand, default in (("standard", True, True), ("fixed", False, False)):
        sc = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
              "metadata": {"name": name}, "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete",
              "volumeBindingMode": "Immediate", "allowVolumeExpansion": expand}
        if default:
            sc["metadata"]["annotations"] = {"storageclass.kubernetes.io/is-default-class": "true"}
        registry.system_create(CLASSES, sc, "kube-apiserver")
