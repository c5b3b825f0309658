"""The resources this fake serves, and the discovery documents built from them.

Each Resource knows its group, version, plural, kind, scope, short names and
subresources; discovery (/api, /apis, /apis/<g>/<v>) and the minimal OpenAPI v3
documents kubectl reads to learn that PATCH takes `fieldValidation` come from here.
"""

import hashlib
import json

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
SERVER_VERSION = {
    "major": "1", "minor": "32", "gitVersion": "v1.32.0-kubefake",
    "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
    "buildDate": "2024-12-11T00:00:00Z", "goVersion": "go1.23.3", "compiler": "gc",
    "platform": "linux/amd64",
}


class Resource:
    """One served resource (plural name under one group/version)."""

    def __init__(self, group, version, plural, kind, namespaced, short=(), singular="",
                 subresources=(), categories=(), verbs=VERBS, has_status=True):
        self.group, self.version, self.plural, self.kind = group, version, plural, kind
        self.namespaced = namespaced
        self.short_names = list(short)
        self.singular = singular or kind.lower()
        self.subresources = list(subresources)
        self.categories = list(categories)
        self.verbs = list(verbs)
        self.has_status = has_status

    @property
    def api_version(self):
        return self.group + "/" + self.version if self.group else self.version

    @property
    def key(self):
        return (self.group, self.plural)

    def discovery_entries(self):
        """The APIResource entries for this resource and its subresources."""
        main = {"name": self.plural, "singularName": self.singular, "namespaced": self.namespaced,
                "kind": self.kind, "verbs": self.verbs}
        if self.short_names:
            main["shortNames"] = self.short_names
        if self.categories:
            main["categories"] = self.categories
        main["storageVersionHash"] = hashlib.sha256(
            (self.api_version + self.kind).encode()).digest()[:8].hex()[:11]
        entries = [main]
        for sub in self.subresources:
            entry = {"name": self.plural + "/" + sub, "singularName": "", "namespaced": self.namespaced,
                     "kind": self.kind, "verbs": ["get", "patch", "update"]}
            if sub == "scale":
                entry.update({"group": "autoscaling", "version": "v1", "kind": "Scale"})
            entries.append(entry)
        return entries


RESOURCES = [
    Resource("", "v1", "namespaces", "Namespace", False, ["ns"], subresources=["finalize", "status"],
             verbs=["create", "delete", "get", "list", "patch", "update", "watch"]),
    Resource("", "v1", "pods", "Pod", True, ["po"], subresources=["status"], categories=["all"]),
    Resource("", "v1", "services", "Service", True, ["svc"], subresources=["status"], categories=["all"],
             verbs=["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]),
    Resource("", "v1", "configmaps", "ConfigMap", True, ["cm"], has_status=False),
    Resource("", "v1", "secrets", "Secret", True, has_status=False),
    Resource("", "v1", "serviceaccounts", "ServiceAccount", True, ["sa"], has_status=False),
    Resource("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", True, ["pvc"],
             subresources=["status"]),
    Resource("", "v1", "events", "Event", True, ["ev"], has_status=False),
    Resource("apps", "v1", "statefulsets", "StatefulSet", True, ["sts"], subresources=["scale", "status"],
             categories=["all"]),
    Resource("apps", "v1", "controllerrevisions", "ControllerRevision", True, has_status=False),
    Resource("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True, ["pdb"],
             subresources=["status"]),
    Resource("rbac.authorization.k8s.io", "v1", "roles", "Role", True, has_status=False),
    Resource("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", True, has_status=False),
    Resource("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", False, has_status=False),
    Resource("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", False,
             has_status=False),
    Resource("storage.k8s.io", "v1", "storageclasses", "StorageClass", False, ["sc"], has_status=False),
]

BY_PATH = {(r.group, r.version, r.plural): r for r in RESOURCES}
BY_KIND = {(r.group, r.kind): r for r in RESOURCES}
GROUP_VERSIONS = sorted({(r.group, r.version) for r in RESOURCES if r.group},
                        key=lambda gv: [r.group for r in RESOURCES].index(gv[0]))


def lookup(group, version, plural):
    return BY_PATH.get((group, version, plural))


def by_kind(api_version, kind):
    group = api_version.split("/")[0] if "/" in api_version else ""
    return BY_KIND.get((group, kind))


def api_versions(address):
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}]}


def api_group(group):
    versions = [{"groupVersion": group + "/" + v, "version": v} for g, v in GROUP_VERSIONS if g == group]
    return {"name": group, "versions": versions, "preferredVersion": versions[0]}


def api_group_list():
    groups = []
    for g in dict.fromkeys(g for g, _ in GROUP_VERSIONS):
        groups.append(api_group(g))
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_resource_list(group, version):
    items = [r for r in RESOURCES if r.group == group and r.version == version]
    if not items:
        return None
    entries = [e for r in items for e in r.discovery_entries()]
    gv = group + "/" + version if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": entries}


def _gv_path(group, version):
    return "apis/%s/%s" % (group, version) if group else "api/" + version


def openapi_v3_root():
    """/openapi/v3: where each group-version's document lives."""
    paths = {}
    for group, version in [("", "v1")] + GROUP_VERSIONS:
        p = _gv_path(group, version)
        digest = hashlib.sha512(json.dumps(openapi_v3_document(group, version)).encode()).hexdigest()
        paths[p] = {"serverRelativeURL": "/openapi/v3/%s?hash=%s" % (p, digest.upper()[:128])}
    return {"paths": paths}


def openapi_v3_document(group, version):
    """A minimal OpenAPI v3 document for one group-version.

    It only lists each resource's item path with a PATCH operation tagged with
    its group-version-kind and the `fieldValidation` parameter: that is what
    kubectl reads to decide that validation happens on the server. There are no
    schemas, so `kubectl explain` and client-side apply get nothing useful.
    """
    items = [r for r in RESOURCES if r.group == group and r.version == version]
    if not items:
        return None
    paths = {}
    for r in items:
        base = "/" + _gv_path(group, version)
        ns = "/namespaces/{namespace}" if r.namespaced else ""
        gvk = {"group": group, "version": version, "kind": r.kind}
        params = [{"name": n, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
                  for n in ("dryRun", "fieldManager", "fieldValidation", "force")]
        op = lambda action, ps: {"x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk,
                                 "parameters": ps}
        writes = [p for p in params if p["name"] != "force"]
        paths[base + ns + "/" + r.plural + "/{name}"] = {
            "get": op("get", []), "put": op("put", writes), "patch": op("patch", params),
            "delete": op("delete", params[:1]),
            "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
        }
        paths[base + ns + "/" + r.plural] = {"get": op("list", []), "post": op("post", writes)}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": SERVER_VERSION["gitVersion"]},
            "paths": paths, "components": {"schemas": {}}}
