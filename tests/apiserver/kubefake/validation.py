"""Validation of creates and updates, worded like pkg/apis/*/validation.

Covers what a client of these kinds is likely to trip on: required fields,
names, selector/template agreement, StatefulSet spec immutability, PVC resize
rules, Service clusterIP and immutable ConfigMaps. Everything else is accepted.
"""

import re

from .status import FieldError

SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                 "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
                 "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
             "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
             "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1035_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
               "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
               "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
STS_MUTABLE = ("replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
               "persistentVolumeClaimRetentionPolicy", "minReadySeconds")
STS_FORBIDDEN = ("updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                 "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
                 "'minReadySeconds' are forbidden")
SUFFIX = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
          "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60, "m": 10**-3}


def quantity(text):
    """The value of a resource.Quantity string ("8Gi", "500m", "1e3"), or None."""
    m = re.fullmatch(r"([+-]?[0-9.]+)(e[0-9]+|[a-zA-Z]*)", str(text))
    if not m:
        return None
    number, suffix = m.groups()
    try:
        if suffix.startswith("e"):
            return float(number) * 10 ** int(suffix[1:])
        return float(number) * SUFFIX[suffix]
    except (KeyError, ValueError):
        return None


def _name(obj, kind):
    name = obj.get("metadata", {}).get("name", "")
    if not name:
        return [FieldError("Required", "metadata.name", "name or generateName is required")]
    if kind == "Service":
        ok, msg = DNS1035.match(name), DNS1035_MSG
    elif kind == "Namespace":
        ok, msg = LABEL.match(name), LABEL_MSG
    else:
        ok, msg = SUBDOMAIN.match(name), SUBDOMAIN_MSG
    return [] if ok and len(name) <= 253 else [FieldError("Invalid", "metadata.name", msg, name)]


def _containers(spec, path, volumes):
    errs = []
    containers = spec.get("containers") or []
    if not containers:
        errs.append(FieldError("Required", path + ".containers"))
    for i, c in enumerate(containers):
        cp = "%s.containers[%d]" % (path, i)
        if not c.get("name"):
            errs.append(FieldError("Required", cp + ".name"))
        if not c.get("image"):
            errs.append(FieldError("Required", cp + ".image"))
        for j, m in enumerate(c.get("volumeMounts") or []):
            if m.get("name") not in volumes:
                errs.append(FieldError("NotFound", "%s.volumeMounts[%d].name" % (cp, j), value=m.get("name")))
    restart = spec.get("restartPolicy", "Always")
    return errs, restart


def _statefulset(obj):
    spec = obj.get("spec") or {}
    errs = []
    if spec.get("replicas", 0) < 0:
        errs.append(FieldError("Invalid", "spec.replicas", "must be greater than or equal to 0", spec["replicas"]))
    policy = spec.get("podManagementPolicy")
    if policy not in ("OrderedReady", "Parallel"):
        errs.append(FieldError("Invalid", "spec.podManagementPolicy", "must be 'OrderedReady' or 'Parallel'", policy))
    strategy = (spec.get("updateStrategy") or {}).get("type")
    if strategy not in ("RollingUpdate", "OnDelete"):
        errs.append(FieldError("Invalid", "spec.updateStrategy", "must be 'RollingUpdate' or 'OnDelete'", strategy))
    selector = spec.get("selector")
    template = spec.get("template") or {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    if selector is None:
        errs.append(FieldError("Required", "spec.selector"))
    elif not (selector.get("matchLabels") or selector.get("matchExpressions")):
        errs.append(FieldError("Invalid", "spec.selector", "empty selector is not valid for statefulset.", selector))
    elif any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        errs.append(FieldError("Invalid", "spec.template.metadata.labels",
                               "`selector` does not match template `labels`", labels))
    volumes = {v.get("name") for v in (template.get("spec") or {}).get("volumes") or []}
    volumes |= {(c.get("metadata") or {}).get("name") for c in spec.get("volumeClaimTemplates") or []}
    more, restart = _containers(template.get("spec") or {}, "spec.template.spec", volumes)
    errs += more
    if restart != "Always":
        errs.append(FieldError("NotSupported", "spec.template.spec.restartPolicy", value=restart,
                               supported=["Always"]))
    for i, claim in enumerate(spec.get("volumeClaimTemplates") or []):
        errs += _pvc_spec(claim.get("spec") or {}, "spec.volumeClaimTemplates[%d].spec" % i)
    return errs


def _pvc_spec(spec, path):
    errs = []
    if not spec.get("accessModes"):
        errs.append(FieldError("Required", path + ".accessModes", "at least 1 access mode is required"))
    if quantity(((spec.get("resources") or {}).get("requests") or {}).get("storage", "")) is None:
        errs.append(FieldError("Required", path + ".resources[storage]"))
    return errs


def _service(obj):
    spec = obj.get("spec") or {}
    headless = spec.get("clusterIP") == "None"
    if not spec.get("ports") and not headless and spec.get("type") != "ExternalName":
        return [FieldError("Required", "spec.ports")]
    errs = []
    for i, p in enumerate(spec.get("ports") or []):
        if not isinstance(p.get("port"), int) or not 0 < p["port"] < 65536:
            errs.append(FieldError("Invalid", "spec.ports[%d].port" % i,
                                   "must be between 1 and 65535, inclusive", p.get("port")))
        if len(spec["ports"]) > 1 and not p.get("name"):
            errs.append(FieldError("Required", "spec.ports[%d].name" % i))
    return errs


def _pod(obj):
    spec = obj.get("spec") or {}
    errs, _ = _containers(spec, "spec", {v.get("name") for v in spec.get("volumes") or []})
    return errs


def _role_binding(obj):
    ref = obj.get("roleRef") or {}
    return [FieldError("Required", "roleRef." + f) for f in ("kind", "name") if not ref.get(f)]


def _config_size(obj):
    size = sum(len(k) + len(v) for k, v in (obj.get("data") or {}).items())
    size += sum(len(k) + len(v) * 3 // 4 for k, v in (obj.get("binaryData") or {}).items())
    if size > 1048576:
        return [FieldError("TooLong", "[]", "must have at most 1048576 bytes")]
    return []


CREATE = {"StatefulSet": _statefulset, "ConfigMap": _config_size, "Service": _service, "Pod": _pod,
          "PersistentVolumeClaim": lambda o: _pvc_spec(o.get("spec") or {}, "spec"),
          "RoleBinding": _role_binding, "ClusterRoleBinding": _role_binding}


def validate_create(obj):
    """Field errors for a new object (an empty list when it is valid)."""
    kind = obj.get("kind")
    return _name(obj, kind) + CREATE.get(kind, lambda o: [])(obj)


def _statefulset_update(old, new):
    strip = lambda spec: {k: v for k, v in (spec or {}).items() if k not in STS_MUTABLE}
    if strip(old.get("spec")) != strip(new.get("spec")):
        return [FieldError("Forbidden", "spec", STS_FORBIDDEN)]
    return []


def _pvc_update(old, new):
    old_spec, new_spec = dict(old.get("spec") or {}), dict(new.get("spec") or {})
    bound = (old.get("status") or {}).get("phase") == "Bound"
    errs = []
    old_req = ((old_spec.get("resources") or {}).get("requests") or {}).get("storage")
    new_req = ((new_spec.get("resources") or {}).get("requests") or {}).get("storage")
    if not old_spec.get("volumeName"):
        new_spec.pop("volumeName", None)  # binding fills it in once
        old_spec.pop("volumeName", None)
    if bound:
        for spec in (old_spec, new_spec):
            spec.pop("resources", None)
            spec.pop("volumeAttributesClassName", None)
    if old_spec != new_spec:
        changed = sorted(k for k in set(old_spec) | set(new_spec) if old_spec.get(k) != new_spec.get(k))
        diff = "\n".join("  -  %s: %r\n  +  %s: %r" % (k, old_spec.get(k), k, new_spec.get(k)) for k in changed)
        errs.append(FieldError("Forbidden", "spec", "spec is immutable after creation except resources.requests "
                               "and volumeAttributesClassName for bound claims\n  core.PersistentVolumeClaimSpec{\n"
                               + diff + "\n  }\n"))
    capacity = ((old.get("status") or {}).get("capacity") or {}).get("storage", old_req)
    if bound and quantity(new_req) is not None and quantity(old_req) is not None:
        if quantity(new_req) < quantity(old_req) and quantity(new_req) <= quantity(capacity):
            # RecoverVolumeExpansionFailure (beta, on since 1.32) allows going back down to the capacity only.
            errs.append(FieldError("Forbidden", "spec.resources.requests.storage",
                                   "field can not be less than status.capacity"))
    return errs


def _service_update(old, new):
    old_ip, new_ip = (old.get("spec") or {}).get("clusterIP"), (new.get("spec") or {}).get("clusterIP")
    if old_ip and new_ip and old_ip != new_ip:
        return [FieldError("Invalid", "spec.clusterIPs[0]", "may not change once set", [new_ip])]
    return []


def _configmap_update(old, new):
    if old.get("immutable") and any(old.get(f) != new.get(f) for f in ("data", "binaryData")):
        return [FieldError("Forbidden", "data", "field is immutable when `immutable` is set")]
    return []


UPDATE = {"StatefulSet": _statefulset_update, "PersistentVolumeClaim": _pvc_update,
          "Service": _service_update, "ConfigMap": _configmap_update, "Secret": _configmap_update}


def validate_update(old, new):
    """Field errors for replacing `old` by `new`."""
    kind = new.get("kind")
    return CREATE.get(kind, lambda o: [])(new) + UPDATE.get(kind, lambda o, n: [])(old, new)
