"""REST semantics: what GET, LIST, POST, PUT, PATCH and DELETE do to the store.

Writes follow the real registry's order: decode and check the body, keep the
endpoint's half of the object (status subresource vs main resource), default,
validate (422), admit (403), track managedFields (409 on apply conflicts),
skip the write when nothing changed, honour dryRun=All, then store.
"""

import base64
import copy
import datetime
import json
import random
import string
import uuid

from . import defaults, ownership, patches, selectors, validation
from . import status as st

GENERATION_KINDS = {"StatefulSet", "PodDisruptionBudget"}
SYSTEM_META = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation")
APPLY = "application/apply-patch+yaml"
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", APPLY, "application/apply-patch+cbor")


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Params:
    """The write options of one request (dryRun, fieldManager, force, propagation)."""

    def __init__(self, manager="", dry_run=False, force=False, explicit_manager=False):
        self.manager, self.dry_run, self.force = manager, dry_run, force
        self.explicit_manager = explicit_manager


def _drop_nulls(value):
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def _spec_part(obj):
    return {k: v for k, v in obj.items() if k not in ("metadata", "status")}


def _comparable(obj):
    out = copy.deepcopy(obj)
    out.get("metadata", {}).pop("resourceVersion", None)
    for e in out.get("metadata", {}).get("managedFields") or []:
        e.pop("time", None)
    return out


class Registry:
    """The verbs, over one Store. Every write runs under the store lock."""

    def __init__(self, store):
        self.store = store
        self.next_ip = 10

    # ---- reads
    def get(self, res, ns, name, sub=""):
        obj = self.store.get(res.key, ns, name)
        if obj is None:
            raise st.not_found(res.plural, res.group, name)
        return self.scale_of(obj) if sub == "scale" else obj

    def list(self, res, ns, query):
        label_reqs = selectors.parse_labels(query.get("labelSelector", ""))
        field_reqs = selectors.parse_fields(query.get("fieldSelector", ""), res.plural)
        items, rv = self.store.list(res.key, ns or None)
        items = [o for o in items if selectors.labels_match(label_reqs, o["metadata"].get("labels"))
                 and selectors.fields_match(field_reqs, o)]
        meta = {"resourceVersion": str(rv)}
        start = 0
        if query.get("continue"):
            try:
                token = json.loads(base64.b64decode(query["continue"]))
                start, meta["resourceVersion"] = token["start"], token["rv"]
            except (ValueError, KeyError):
                raise st.bad_request("continue key is not valid: illegal base64 data at input byte 0") from None
        limit = int(query.get("limit") or 0)
        if limit > 0 and len(items) > start + limit:
            token = {"rv": meta["resourceVersion"], "start": start + limit}
            meta["continue"] = base64.b64encode(json.dumps(token).encode()).decode()
            meta["remainingItemCount"] = len(items) - start - limit
            items = items[start:start + limit]
        else:
            items = items[start:]
        for o in items:  # list items carry no apiVersion/kind on the wire
            o.pop("apiVersion", None)
            o.pop("kind", None)
        return {"kind": res.kind + "List", "apiVersion": res.api_version, "metadata": meta, "items": items}

    def scale_of(self, obj):
        meta = obj["metadata"]
        match = (obj.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                                  "creationTimestamp") if k in meta},
                "spec": {"replicas": obj.get("spec", {}).get("replicas", 0)},
                "status": {"replicas": obj.get("status", {}).get("replicas", 0),
                           "selector": ",".join("%s=%s" % kv for kv in sorted(match.items()))}}

    # ---- body checks
    def _check_body(self, res, ns, name, body, apply=False):
        if not isinstance(body, dict):
            raise st.bad_request("the object provided is unrecognized (must be of type %s)" % res.kind)
        if not body.get("kind"):
            raise st.bad_request("Object 'Kind' is missing in '%s'" % json.dumps(body, separators=(",", ":")))
        if body.get("apiVersion") != res.api_version:
            raise st.bad_request("the API version in the data (%s) does not match the expected API version (%s)"
                                 % (body.get("apiVersion", ""), res.api_version))
        if body["kind"] != res.kind:
            raise st.bad_request("the kind in the data (%s) does not match the expected kind (%s)"
                                 % (body["kind"], res.kind))
        meta = body.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise st.bad_request("metadata must be an object")
        if apply and meta.get("managedFields") is not None:
            raise st.bad_request("metadata.managedFields must be nil")
        if name is not None and meta.get("name", name) != name:
            raise st.bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                                 % (meta.get("name"), name))
        if res.namespaced:
            if meta.get("namespace", ns) != ns:
                raise st.bad_request("the namespace of the provided object does not match the namespace sent "
                                     "on the request")
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)

    def _check_namespace(self, res, ns, name):
        if not res.namespaced:
            return
        space = self.store.get(("", "namespaces"), "", ns)
        if space is None:
            raise st.not_found("namespaces", "", ns)
        if space["metadata"].get("deletionTimestamp"):
            raise st.forbidden(res.plural, res.group, name, "unable to create new content in namespace %s "
                               "because it is being terminated" % ns)

    def _invalid(self, res, name, errs):
        if errs:
            raise st.invalid(res.kind, res.group, name, errs)

    # ---- create
    def create(self, res, ns, body, params, applied=None):
        """POST (and create-on-apply when `applied` is the applier's field set)."""
        obj = copy.deepcopy(body)
        self._check_body(res, ns, None, obj, apply=applied is not None)
        meta = obj["metadata"]
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(random.choices(string.ascii_lowercase + "2456789", k=5))
        for k in SYSTEM_META + ("resourceVersion", "managedFields"):
            meta.pop(k, None)
        if res.has_status:
            obj.pop("status", None)
        with self.store.lock:
            self._check_namespace(res, ns, meta.get("name", ""))
            defaults.apply_defaults(obj)
            self._invalid(res, meta.get("name", ""), validation.validate_create(obj))
            self._allocate(obj)
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now()
            if obj["kind"] in GENERATION_KINDS:
                meta["generation"] = 1
            if applied is not None:
                entries = ownership.apply_ownership([], {}, obj, applied, params.manager, res.api_version, "",
                                                    res.has_status, True, now())
            else:
                entries = ownership.update_ownership([], {}, obj, params.manager, res.api_version, "",
                                                     res.has_status, now())
            ownership.write_entries(obj, entries)
            if self.store.get(res.key, ns, meta["name"]) is not None:
                raise st.already_exists(res.plural, res.group, meta["name"])
            if params.dry_run:
                return obj
            return self.store.put(res.key, obj)

    def _allocate(self, obj):
        """What the Service IP allocator and the DefaultStorageClass admission add."""
        spec = obj.get("spec") or {}
        if obj["kind"] == "Service" and spec.get("type") != "ExternalName":
            if not spec.get("clusterIP"):
                self.next_ip += 1
                spec["clusterIP"] = "10.96.%d.%d" % (self.next_ip // 250, self.next_ip % 250 + 1)
            spec.setdefault("clusterIPs", [spec["clusterIP"]])
        if obj["kind"] == "PersistentVolumeClaim" and "storageClassName" not in spec:
            spec["storageClassName"] = "standard"

    # ---- update paths
    def update(self, res, ns, name, body, params, sub=""):
        """PUT on the object, its status or its scale."""
        with self.store.lock:
            old = self.get(res, ns, name)
            if sub == "scale":
                return self._scale(res, old, body, params)
            new = copy.deepcopy(body)
            self._check_body(res, ns, name, new)
            self._precondition(res, old, new)
            return self._finish(res, old, new, params, sub)

    def patch(self, res, ns, name, ctype, raw, params, sub=""):
        """PATCH of any type; returns (code, object)."""
        if ctype == APPLY:
            return self.apply(res, ns, name, raw, params, sub)
        if ctype not in PATCH_TYPES:
            raise st.unsupported_media_type('the server does not support the media type "%s"' % ctype)
        if params.force:
            raise st.invalid("PatchOptions", "meta.k8s.io", "", [st.FieldError(
                "Forbidden", "force", "may not be specified for non-apply patch")])
        body = patches.parse_body(raw, yaml_ok=False)
        with self.store.lock:
            old = self.get(res, ns, name)
            target = self.scale_of(old) if sub == "scale" else copy.deepcopy(old)
            try:
                if ctype == "application/json-patch+json":
                    new = patches.json_patch(target, body)
                elif ctype == "application/merge-patch+json":
                    new = patches.merge_patch(target, body)
                else:
                    new = patches.strategic_merge_patch(target, body)
            except patches.ApiPatchError as e:
                raise st.ApiError(st.status_body(422, "Invalid", str(e))) from None
            if sub == "scale":
                return 200, self._scale(res, old, new, params)
            self._precondition(res, old, new)
            return 200, self._finish(res, old, new, params, sub)

    def apply(self, res, ns, name, raw, params, sub=""):
        """Server-side apply; returns (201 when it created the object, object)."""
        if not params.explicit_manager:
            raise st.invalid("PatchOptions", "meta.k8s.io", "", [st.FieldError(
                "Required", "fieldManager", "is required for apply patch")])
        cfg = _drop_nulls(patches.parse_body(raw))
        self._check_body(res, ns, name, cfg, apply=True)
        with self.store.lock:
            old = self.store.get(res.key, ns, name)
            if old is None:
                if sub:
                    raise st.not_found(res.plural, res.group, name)
                merged, applied = ownership.apply_merge(None, cfg, [], params.manager, "", res.has_status)
                return 201, self.create(res, ns, merged, params, applied=applied)
            entries = ownership.read_entries(old)
            merged, applied = ownership.apply_merge(old, cfg, entries, params.manager, sub, res.has_status)
            self._precondition(res, old, cfg)
            merged["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
            return 200, self._finish(res, old, merged, params, sub, applied=applied)

    def _precondition(self, res, old, new):
        rv = new.get("metadata", {}).get("resourceVersion")
        if rv and rv != old["metadata"]["resourceVersion"]:
            raise st.modified_conflict(res.plural, res.group, old["metadata"]["name"])

    def _scale(self, res, old, scale, params):
        if not isinstance(scale, dict) or not isinstance(scale.get("spec", {}).get("replicas", 0), int):
            raise st.bad_request("the object provided is unrecognized (must be of type Scale)")
        self._precondition(res, old, scale)
        new = copy.deepcopy(old)
        new["spec"]["replicas"] = scale.get("spec", {}).get("replicas", 0)
        return self.scale_of(self._finish(res, old, new, params, "scale"))

    def _endpoint(self, res, old, new, sub):
        """Keeps the half of the object this endpoint may not change, and the system metadata."""
        if sub == "status":
            out = copy.deepcopy(old)
            out["status"] = new.get("status", {})
            return out
        meta = new.setdefault("metadata", {})
        for k in SYSTEM_META + ("name", "namespace"):
            if k in old["metadata"]:
                meta[k] = old["metadata"][k]
            else:
                meta.pop(k, None)
        meta.pop("managedFields", None)
        if res.has_status:
            if "status" in old:
                new["status"] = copy.deepcopy(old["status"])
            else:
                new.pop("status", None)
        spec, old_spec = new.get("spec"), old.get("spec") or {}
        if isinstance(spec, dict) and old["kind"] == "Service":
            for k in ("clusterIP", "clusterIPs"):
                if k not in spec and k in old_spec:
                    spec[k] = old_spec[k]
        if isinstance(spec, dict) and old["kind"] == "PersistentVolumeClaim":
            for k in ("storageClassName", "volumeName"):
                if k not in spec and k in old_spec:
                    spec[k] = old_spec[k]
        return new

    def _admit(self, res, old, new):
        """Validating admission: PersistentVolumeClaimResize."""
        if old["kind"] != "PersistentVolumeClaim":
            return
        size = lambda o: validation.quantity(((o.get("spec") or {}).get("resources") or {})
                                             .get("requests", {}).get("storage", "0"))
        if size(new) is not None and size(old) is not None and size(new) > size(old):
            sc = self.store.get(("storage.k8s.io", "storageclasses"), "", old["spec"].get("storageClassName", ""))
            if not sc or not sc.get("allowVolumeExpansion"):
                raise st.forbidden(res.plural, res.group, old["metadata"]["name"], "only dynamically provisioned "
                                   "pvc can be resized and the storageclass that provisions the pvc must "
                                   "support resize")

    def _finish(self, res, old, new, params, sub, applied=None):
        """The common tail of every update: default, validate, admit, own, store."""
        new = self._endpoint(res, old, new, sub)
        defaults.apply_defaults(new)
        if sub != "status":
            self._invalid(res, old["metadata"]["name"], validation.validate_update(old, new))
            self._admit(res, old, new)
        if new["kind"] in GENERATION_KINDS and _spec_part(old) != _spec_part(new):
            new["metadata"]["generation"] = old["metadata"].get("generation", 1) + 1
        entries = ownership.read_entries(old)
        if applied is not None:
            entries = ownership.apply_ownership(entries, old, new, applied, params.manager, res.api_version,
                                                sub, res.has_status, params.force, now())
        else:
            entries = ownership.update_ownership(entries, old, new, params.manager, res.api_version, sub,
                                                 res.has_status, now())
        ownership.write_entries(new, entries)
        new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
        if _comparable(new) == _comparable(old) or params.dry_run:
            return new if params.dry_run else old
        meta = new["metadata"]
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            self.store.put(res.key, new)
            return self.store.remove(res.key, meta.get("namespace", ""), meta["name"])
        return self.store.put(res.key, new)

    # ---- delete
    def delete(self, res, ns, name, options, params):
        """DELETE; returns (code, body): the object while it lingers, else a Success Status."""
        with self.store.lock:
            obj = self.get(res, ns, name)
            meta = obj["metadata"]
            pre = options.get("preconditions") or {}
            if pre.get("uid") and pre["uid"] != meta["uid"]:
                raise st.conflict(res.plural, res.group, name, "Precondition failed: UID in precondition: %s, "
                                  "UID in object meta: %s" % (pre["uid"], meta["uid"]))
            if pre.get("resourceVersion") and pre["resourceVersion"] != meta["resourceVersion"]:
                raise st.conflict(res.plural, res.group, name, "Precondition failed: ResourceVersion in "
                                  "precondition: %s, ResourceVersion in object meta: %s"
                                  % (pre["resourceVersion"], meta["resourceVersion"]))
            policy = options.get("propagationPolicy")
            if not policy and options.get("orphanDependents") is not None:
                policy = "Orphan" if options["orphanDependents"] else "Background"
            if policy not in (None, "Orphan", "Background", "Foreground"):
                raise st.invalid("DeleteOptions", "meta.k8s.io", "", [st.FieldError(
                    "NotSupported", "propagationPolicy", value=policy,
                    supported=["Foreground", "Background", "Orphan", "nil"])])
            if meta.get("deletionTimestamp"):
                return 200, obj
            grace = options.get("gracePeriodSeconds")
            lingers = res.plural in ("pods", "namespaces") and grace != 0
            finalizers = list(meta.get("finalizers") or [])
            if policy == "Orphan" and "orphan" not in finalizers:
                finalizers.append("orphan")
            if policy == "Foreground" and "foregroundDeletion" not in finalizers:
                finalizers.append("foregroundDeletion")
            if not lingers and not finalizers:
                if params.dry_run:
                    return 200, st.success_status(name, res.group, res.plural, meta["uid"])
                gone = self.store.remove(res.key, ns, name)
                if res.plural == "pods":
                    return 200, gone
                return 200, st.success_status(name, res.group, res.plural, meta["uid"])
            new = copy.deepcopy(obj)
            new["metadata"]["deletionTimestamp"] = now()
            if finalizers:
                new["metadata"]["finalizers"] = finalizers
            if res.plural == "pods":
                period = grace if grace is not None else obj["spec"].get("terminationGracePeriodSeconds", 30)
                new["metadata"]["deletionGracePeriodSeconds"] = period
            if res.plural == "namespaces":
                new["status"]["phase"] = "Terminating"
            if params.dry_run:
                return 200, new
            return 200, self.store.put(res.key, new)

    # ---- used by the simulated controllers
    def system_update(self, res, obj, manager, sub=""):
        """An in-process update (a controller's status write, a finalizer removal)."""
        with self.store.lock:
            old = self.store.get(res.key, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
            if old is None:
                return None
            return self._finish(res, old, copy.deepcopy(obj), Params(manager), sub)

    def system_create(self, res, obj, manager):
        return self.create(res, obj["metadata"].get("namespace", ""), obj, Params(manager))
