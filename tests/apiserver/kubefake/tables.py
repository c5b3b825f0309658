"""Server-side printing: meta.k8s.io/v1 Table responses for `kubectl get`.

kubectl asks for `application/json;as=Table;v=v1;g=meta.k8s.io`; these columns
follow the real printers for the served kinds (pods: READY, STATUS, RESTARTS).
"""

import datetime

NAME_COL = {"name": "Name", "type": "string", "format": "name", "priority": 0,
            "description": "Name must be unique within a namespace."}
AGE_COL = {"name": "Age", "type": "string", "format": "", "priority": 0,
           "description": "CreationTimestamp is a timestamp representing the server time when this object "
                          "was created."}


def _col(name, kind="string", priority=0):
    return {"name": name, "type": kind, "format": "", "description": name, "priority": priority}


def human_age(stamp):
    """kubectl's duration.HumanDuration for a creationTimestamp."""
    if not stamp:
        return "<unknown>"
    then = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    s = max(0, int((datetime.datetime.now(datetime.timezone.utc) - then).total_seconds()))
    if s < 120:
        return "%ds" % s
    m = s // 60
    if m < 10:
        return "%dm%ds" % (m, s % 60) if s % 60 else "%dm" % m
    if m < 180:
        return "%dm" % m
    h = m // 60
    if h < 8:
        return "%dh%dm" % (h, m % 60) if m % 60 else "%dh" % h
    if h < 48:
        return "%dh" % h
    return "%dd%dh" % (h // 24, h % 24) if h < 192 and h % 24 else "%dd" % (h // 24)


def _pod_status(pod):
    if pod["metadata"].get("deletionTimestamp"):
        return "Terminating"
    reason = pod.get("status", {}).get("phase", "Pending")
    for c in pod.get("status", {}).get("containerStatuses") or []:
        state = c.get("state", {})
        if "waiting" in state and state["waiting"].get("reason"):
            reason = state["waiting"]["reason"]
        elif "terminated" in state and state["terminated"].get("reason"):
            reason = state["terminated"]["reason"]
    for cond in pod.get("status", {}).get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("status") == "False" and reason == "Pending":
            return "Pending"
    return reason


def _pod(pod):
    statuses = pod.get("status", {}).get("containerStatuses") or []
    ready = sum(1 for c in statuses if c.get("ready"))
    total = len(pod.get("spec", {}).get("containers") or [])
    restarts = sum(c.get("restartCount", 0) for c in statuses)
    return ["%d/%d" % (ready, total), _pod_status(pod), restarts]


def _service(svc):
    spec = svc.get("spec", {})
    ports = ",".join("%s/%s" % (p.get("port"), p.get("protocol", "TCP")) for p in spec.get("ports") or [])
    return [spec.get("type", "ClusterIP"), spec.get("clusterIP", "<none>"), "<none>", ports or "<none>"]


def _pvc(pvc):
    spec, status = pvc.get("spec", {}), pvc.get("status", {})
    modes = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}
    return [status.get("phase", ""), spec.get("volumeName", ""), status.get("capacity", {}).get("storage", ""),
            ",".join(modes.get(m, m) for m in status.get("accessModes") or []),
            spec.get("storageClassName", "<unset>"), "<unset>"]


COLUMNS = {
    "namespaces": ([_col("Status")], lambda o: [o.get("status", {}).get("phase", "")]),
    "pods": ([_col("Ready"), _col("Status"), _col("Restarts", "string")], _pod),
    "services": ([_col("Type"), _col("Cluster-IP"), _col("External-IP"), _col("Port(s)")], _service),
    "configmaps": ([_col("Data", "integer")],
                   lambda o: [len(o.get("data") or {}) + len(o.get("binaryData") or {})]),
    "secrets": ([_col("Type"), _col("Data", "integer")], lambda o: [o.get("type", ""), len(o.get("data") or {})]),
    "serviceaccounts": ([_col("Secrets", "integer")], lambda o: [len(o.get("secrets") or [])]),
    "persistentvolumeclaims": ([_col("Status"), _col("Volume"), _col("Capacity"), _col("Access Modes"),
                                _col("StorageClass"), _col("VolumeAttributesClass")], _pvc),
    "statefulsets": ([_col("Ready")], lambda o: ["%d/%d" % (o.get("status", {}).get("readyReplicas", 0),
                                                            o.get("spec", {}).get("replicas", 0))]),
    "controllerrevisions": ([_col("Controller"), _col("Revision", "integer")], lambda o: [
        next(("%s.%s/%s" % (r["kind"].lower(), r["apiVersion"].split("/")[0], r["name"])
              for r in o["metadata"].get("ownerReferences") or []), "<none>"), o.get("revision", 0)]),
    "storageclasses": ([_col("Provisioner"), _col("ReclaimPolicy"), _col("VolumeBindingMode"),
                        _col("AllowVolumeExpansion", "boolean")], lambda o: [
        o.get("provisioner", ""), o.get("reclaimPolicy", "Delete"), o.get("volumeBindingMode", "Immediate"),
        o.get("allowVolumeExpansion", False)]),
    "events": ([_col("Type"), _col("Reason"), _col("Object"), _col("Message")], lambda o: [
        o.get("type", ""), o.get("reason", ""),
        "%s/%s" % (o.get("involvedObject", {}).get("kind", "").lower(), o.get("involvedObject", {}).get("name", "")),
        o.get("message", "")]),
}


def _row(plural, obj, include):
    _, cells = COLUMNS.get(plural, ([], lambda o: []))
    row = {"cells": [obj["metadata"]["name"]] + cells(obj) + [human_age(obj["metadata"].get("creationTimestamp"))]}
    if include == "Object":
        row["object"] = obj
    elif include != "None":
        row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                         "metadata": obj["metadata"]}
    return row


def to_table(plural, objects, rv, include="Metadata", headers=True):
    """A Table of `objects`; `include` is the includeObject query parameter."""
    columns, _ = COLUMNS.get(plural, ([], None))
    table = {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": str(rv)}}
    if headers:
        table["columnDefinitions"] = [NAME_COL] + columns + [AGE_COL]
    table["rows"] = [_row(plural, o, include) for o in objects]
    return table


def wants_table(accept):
    return "as=Table" in (accept or "")
