"""The StatefulSet controller, after pkg/controller/statefulset.

Revisions are ControllerRevisions named `<set>-<hash of the pod template>`;
pods `<set>-<ordinal>` carry the controller-revision-hash, pod-name and
pod-index labels and a controller ownerReference; claims are
`<template>-<set>-<ordinal>`. OrderedReady creates ordinal n+1 only when n is
Running and Ready and scales down from the highest ordinal one at a time;
Parallel does everything at once. RollingUpdate replaces pods from the highest
ordinal down to the partition, one at a time, each after the previous is Ready;
OnDelete only uses the new revision for pods that were deleted. Orphaned pods
matching the selector are adopted (their UIDs kept).
"""

import copy
import json

from .registry import Params
from .store import clone
from .resources import lookup

PODS = lookup("", "v1", "pods")
PVCS = lookup("", "v1", "persistentvolumeclaims")
STS = lookup("apps", "v1", "statefulsets")
REVISIONS = lookup("apps", "v1", "controllerrevisions")
MANAGER = "kube-controller-manager"
SAFE = "bcdfghjklmnpqrstvwxz2456789"


def template_hash(template):
    """rand.SafeEncodeString of the FNV-32a hash, as ControllerRevision names use."""
    h = 0x811C9DC5
    for b in json.dumps(template, sort_keys=True).encode():
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return "".join(SAFE[ord(c) % len(SAFE)] for c in str(h))


def owner_ref(obj, controller=True):
    return {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": obj["metadata"]["name"],
            "uid": obj["metadata"]["uid"], "controller": controller, "blockOwnerDeletion": True}


def controller_uid(obj):
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return ref.get("uid")
    return None


def ordinal_of(sts_name, pod_name):
    prefix = sts_name + "-"
    if pod_name.startswith(prefix) and pod_name[len(prefix):].isdigit():
        return int(pod_name[len(prefix):])
    return None


def running_and_ready(pod):
    if pod["metadata"].get("deletionTimestamp") or pod.get("status", {}).get("phase") != "Running":
        return False
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in pod.get("status", {}).get("conditions") or [])


class StatefulSetController:
    """Reconciles every StatefulSet once per tick."""

    def __init__(self, registry, podsim, script, config):
        self.registry, self.podsim, self.script, self.config = registry, podsim, script, config

    def sync(self, sts):
        ns, name = sts["metadata"]["namespace"], sts["metadata"]["name"]
        if sts["metadata"].get("deletionTimestamp"):
            return
        spec = sts["spec"]
        revisions = self._revisions(sts)
        update_rev = self._revision_for(sts, revisions)
        current_name = sts.get("status", {}).get("currentRevision")
        if current_name not in revisions:
            current_name = update_rev
        pods = self._pods(sts)
        start = (spec.get("ordinals") or {}).get("start", 0)
        want = range(start, start + spec.get("replicas", 1))
        monotonic = spec.get("podManagementPolicy", "OrderedReady") == "OrderedReady"
        by_ord = {ordinal_of(name, p["metadata"]["name"]): p for p in pods}
        partition = (spec.get("updateStrategy", {}).get("rollingUpdate") or {}).get("partition", 0)
        rolling = spec.get("updateStrategy", {}).get("type") == "RollingUpdate"
        blocked = False
        for o in want:
            pod = by_ord.get(o)
            if pod is not None and pod.get("status", {}).get("phase") in ("Failed", "Succeeded") \
                    and not pod["metadata"].get("deletionTimestamp"):
                self.registry.delete(PODS, ns, pod["metadata"]["name"], {}, Params(MANAGER))
                blocked = True
                break
            if pod is None:
                use_current = rolling and o < start + partition
                rev = current_name if use_current else update_rev
                self._create_pod(sts, o, rev, revisions[rev])
                if monotonic:
                    blocked = True
                    break
                continue
            if monotonic and not running_and_ready(pod):
                blocked = True
                break
        condemned = sorted((p for o, p in by_ord.items() if o is None or o not in want),
                           key=lambda p: -(ordinal_of(name, p["metadata"]["name"]) or 0))
        if condemned and not blocked:
            blocked = self._scale_down(sts, condemned, monotonic)
        in_range = [by_ord.get(o) for o in want]
        if rolling and not blocked and all(p is not None and running_and_ready(p) for p in in_range):
            for o in reversed(want):
                pod = by_ord[o]
                if o < start + partition:
                    break
                if pod["metadata"].get("labels", {}).get("controller-revision-hash") != update_rev:
                    self.registry.delete(PODS, ns, pod["metadata"]["name"], {}, Params(MANAGER))
                    break
        self._status(sts, self._pods(sts), current_name, update_rev, rolling)

    def _scale_down(self, sts, condemned, monotonic):
        ns = sts["metadata"]["namespace"]
        for pod in condemned:
            if pod["metadata"].get("deletionTimestamp"):
                if monotonic:
                    return True
                continue
            self.registry.delete(PODS, ns, pod["metadata"]["name"], {}, Params(MANAGER))
            if sts["spec"].get("persistentVolumeClaimRetentionPolicy", {}).get("whenScaled") == "Delete":
                ordinal = ordinal_of(sts["metadata"]["name"], pod["metadata"]["name"])
                for claim in sts["spec"].get("volumeClaimTemplates") or []:
                    pvc = "%s-%s-%d" % (claim["metadata"]["name"], sts["metadata"]["name"], ordinal)
                    if self.registry.store.get(PVCS.key, ns, pvc):
                        self.registry.delete(PVCS, ns, pvc, {}, Params(MANAGER))
            if monotonic:
                return True
        return True

    def _revisions(self, sts):
        """This set's ControllerRevisions by name, adopting orphans whose labels fit."""
        # Read without copies (store.scan): only an adopted revision is changed, on its own copy.
        items = self.registry.store.scan(REVISIONS.key, sts["metadata"]["namespace"])
        match = (sts["spec"].get("selector") or {}).get("matchLabels") or {}
        out = {}
        for r in items:
            ref = controller_uid(r)
            if ref is None and all(r["metadata"].get("labels", {}).get(k) == v for k, v in match.items()):
                r = clone(r)
                r["metadata"].setdefault("ownerReferences", []).append(owner_ref(sts))
                r = self.registry.system_update(REVISIONS, r, MANAGER) or r
                ref = sts["metadata"]["uid"]
            if ref == sts["metadata"]["uid"]:
                out[r["metadata"]["name"]] = r
        return out

    def _revision_for(self, sts, revisions):
        """The revision of the current template, created if new."""
        template = sts["spec"]["template"]
        name = "%s-%s" % (sts["metadata"]["name"], template_hash(template))
        if name not in revisions:
            number = 1 + max([r.get("revision", 0) for r in revisions.values()] or [0])
            labels = dict((sts["spec"].get("selector") or {}).get("matchLabels") or {})
            labels["controller.kubernetes.io/hash"] = name.rsplit("-", 1)[1]
            rev = {"apiVersion": "apps/v1", "kind": "ControllerRevision",
                   "metadata": {"name": name, "namespace": sts["metadata"]["namespace"], "labels": labels,
                                "ownerReferences": [owner_ref(sts)]},
                   "data": {"spec": {"template": dict(copy.deepcopy(template), **{"$patch": "replace"})}},
                   "revision": number}
            revisions[name] = self.registry.system_create(REVISIONS, rev, MANAGER)
            self._trim_history(sts, revisions, name)
        return name

    def _trim_history(self, sts, revisions, keep):
        limit = sts["spec"].get("revisionHistoryLimit", 10)
        in_use = {sts.get("status", {}).get("currentRevision"), sts.get("status", {}).get("updateRevision"), keep}
        old = sorted((r for n, r in revisions.items() if n not in in_use), key=lambda r: r.get("revision", 0))
        for r in old[:max(0, len(old) - limit)]:
            self.registry.delete(REVISIONS, r["metadata"]["namespace"], r["metadata"]["name"], {}, Params(MANAGER))
            revisions.pop(r["metadata"]["name"], None)

    def _pods(self, sts):
        """Owned pods, adopting orphans whose name and labels fit (UIDs kept)."""
        ns, name, uid = sts["metadata"]["namespace"], sts["metadata"]["name"], sts["metadata"]["uid"]
        match = (sts["spec"].get("selector") or {}).get("matchLabels") or {}
        # Read without copies (store.scan): the pods returned are only read, and
        # an adopted pod is changed on its own copy.
        items = self.registry.store.scan(PODS.key, ns)
        owned = []
        for pod in items:
            ref = controller_uid(pod)
            if ref == uid:
                owned.append(pod)
            elif ref is None and ordinal_of(name, pod["metadata"]["name"]) is not None \
                    and all(pod["metadata"].get("labels", {}).get(k) == v for k, v in match.items()) \
                    and not pod["metadata"].get("deletionTimestamp"):
                pod = clone(pod)
                pod["metadata"].setdefault("ownerReferences", []).append(owner_ref(sts))
                adopted = self.registry.system_update(PODS, pod, MANAGER)
                if adopted:
                    owned.append(adopted)
        return owned

    def _create_pod(self, sts, ordinal, rev_name, revision):
        ns, name = sts["metadata"]["namespace"], sts["metadata"]["name"]
        template = copy.deepcopy(revision["data"]["spec"]["template"])
        template.pop("$patch", None)
        pod_name = "%s-%d" % (name, ordinal)
        meta = template.get("metadata") or {}
        labels = dict(meta.get("labels") or {})
        labels.update({"controller-revision-hash": rev_name, "statefulset.kubernetes.io/pod-name": pod_name,
                       "apps.kubernetes.io/pod-index": str(ordinal)})
        spec = template.get("spec") or {}
        spec["hostname"] = pod_name
        if sts["spec"].get("serviceName"):
            spec["subdomain"] = sts["spec"]["serviceName"]
        volumes = [v for v in spec.get("volumes") or []]
        for claim in sts["spec"].get("volumeClaimTemplates") or []:
            cname = claim["metadata"]["name"]
            claim_name = "%s-%s-%d" % (cname, name, ordinal)
            self._ensure_claim(sts, claim, claim_name)
            volumes = [v for v in volumes if v.get("name") != cname]
            volumes.append({"name": cname, "persistentVolumeClaim": {"claimName": claim_name}})
        if volumes:
            spec["volumes"] = volumes
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": pod_name, "namespace": ns, "labels": labels,
                            "ownerReferences": [owner_ref(sts)]},
               "spec": spec}
        if meta.get("annotations"):
            pod["metadata"]["annotations"] = meta["annotations"]
        created = self.registry.system_create(PODS, pod, MANAGER)
        behavior = self.script.claim_pod(created, sts)
        if behavior:
            self.podsim.attach(created, behavior)
        return created

    def _ensure_claim(self, sts, claim, claim_name):
        ns = sts["metadata"]["namespace"]
        if self.registry.store.peek(PVCS.key, ns, claim_name) is not None:
            return
        labels = dict((claim.get("metadata") or {}).get("labels") or {})
        labels.update((sts["spec"].get("selector") or {}).get("matchLabels") or {})
        pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
               "metadata": {"name": claim_name, "namespace": ns, "labels": labels},
               "spec": copy.deepcopy(claim.get("spec") or {})}
        if sts["spec"].get("persistentVolumeClaimRetentionPolicy", {}).get("whenDeleted") == "Delete":
            pvc["metadata"]["ownerReferences"] = [owner_ref(sts)]
        self.registry.system_create(PVCS, pvc, MANAGER)

    def _status(self, sts, pods, current, update, rolling):
        min_ready = sts["spec"].get("minReadySeconds", 0) * self.config["min_ready_scale"]
        status = {"observedGeneration": sts["metadata"].get("generation", 1), "replicas": 0, "readyReplicas": 0,
                  "currentReplicas": 0, "updatedReplicas": 0, "currentRevision": current,
                  "updateRevision": update, "collisionCount": 0, "availableReplicas": 0}
        for pod in pods:
            status["replicas"] += 1
            if running_and_ready(pod):
                status["readyReplicas"] += 1
                if (self.podsim.ready_for(pod) or 0) >= min_ready:
                    status["availableReplicas"] += 1
            if not pod["metadata"].get("deletionTimestamp"):
                rev = pod["metadata"].get("labels", {}).get("controller-revision-hash")
                status["currentReplicas"] += rev == current
                status["updatedReplicas"] += rev == update
        if rolling and status["updatedReplicas"] == status["replicas"] == status["readyReplicas"]:
            status["currentRevision"], status["currentReplicas"] = update, status["updatedReplicas"]
        for k in ("readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"):
            if status[k] == 0 and k != "availableReplicas":
                del status[k]  # zero int32 fields are omitted on the wire (omitempty)
        if sts.get("status") != status:
            sts["status"] = status
            self.registry.system_update(STS, sts, MANAGER, "status")
