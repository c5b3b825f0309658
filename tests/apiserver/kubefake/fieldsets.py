"""Field sets and managedFields, after sigs.k8s.io/structured-merge-diff.

A field set is a Python set of paths; a path is a tuple of FieldsV1 elements
(`f:spec`, `k:{"name":"db"}`, `v:"x"`, `i:0`). The schema knowledge is a small
table: which lists are keyed (containers by name, ports by containerPort and
protocol, ...), which are sets, which maps are atomic; every other list is
atomic. That is an approximation of the real OpenAPI-driven schema, good for
the workload, service, config and RBAC objects kstatec emits.
"""

import copy
import json

ATOMIC_MAPS = {"selector", "nodeSelector", "labelSelector", "namespaceSelector"}
SET_LISTS = {"finalizers"}
LIST_KEYS = {
    "containers": ("name",), "initContainers": ("name",), "ephemeralContainers": ("name",),
    "env": ("name",), "volumes": ("name",), "volumeMounts": ("mountPath",),
    "volumeDevices": ("devicePath",), "imagePullSecrets": ("name",), "ownerReferences": ("uid",),
    "conditions": ("type",), "hostAliases": ("ip",), "resourceClaims": ("name",),
    "topologySpreadConstraints": ("topologyKey", "whenUnsatisfiable"),
}
CONTAINER_LISTS = {"containers", "initContainers", "ephemeralContainers"}
# Go structs held by value: created together with their parent, so an Update
# that creates them does not own them on their own (no "." entry).
VALUE_STRUCTS = {"metadata", "spec", "status", "template"}
# Fields the apiserver never tracks (fieldmanager's stripMeta).
STRIPPED = {("f:apiVersion",), ("f:kind",), ("f:metadata",)} | {
    ("f:metadata", "f:" + f) for f in ("name", "namespace", "creationTimestamp", "uid",
                                       "resourceVersion", "generation", "managedFields", "selfLink",
                                       "deletionTimestamp", "deletionGracePeriodSeconds")}


def _dump(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def list_kind(parents):
    """('map', keys), ('set', None) or ('atomic', None) for the list at `parents`."""
    name = parents[-1] if parents else None
    if name in SET_LISTS:
        return "set", None
    if name == "ports":
        parent = parents[-2] if len(parents) > 1 else None
        return "map", (("containerPort", "protocol") if parent in CONTAINER_LISTS else ("port", "protocol"))
    keys = LIST_KEYS.get(name)
    return ("map", keys) if keys else ("atomic", None)


def item_element(kind, keys, item, index):
    """The path element naming one list item."""
    if kind == "set":
        return "v:" + _dump(item)
    if not isinstance(item, dict):
        return "i:%d" % index
    key = {}
    for k in keys:
        if k in item:
            key[k] = item[k]
        elif k == "protocol":
            key[k] = "TCP"  # the defaulted key value, as the apiserver sees it
    return "k:" + _dump(key) if key else "i:%d" % index


def _is_atomic_map(parents):
    return bool(parents) and parents[-1] in ATOMIC_MAPS


def to_set(value, path=(), parents=()):
    """The fields an applied configuration sets (structured-merge-diff ToFieldSet)."""
    out = set()
    _walk(value, path, parents, out)
    return out


def _walk(value, path, parents, out, maps=False):
    """Adds the paths of `value`'s fields to `out`; with `maps`, non-empty maps count too.

    `maps` is how Compare marks a map an update created: as owned on its own
    (".") unless it is one of the VALUE_STRUCTS.
    """
    if isinstance(value, dict) and not _is_atomic_map(parents):
        if path and (not value or (maps and parents[-1] not in VALUE_STRUCTS)):
            out.add(path)
        for k, v in value.items():
            _walk(v, path + ("f:" + k,), parents + (k,), out, maps)
    elif isinstance(value, list):
        kind, keys = list_kind(parents)
        if kind == "atomic":
            out.add(path)
            return
        for i, item in enumerate(value):
            _walk_item(kind, keys, item, path + (item_element(kind, keys, item, i),), parents, out, maps)
    elif path:
        out.add(path)


def _walk_item(kind, keys, item, path, parents, out, maps):
    """A list item is owned itself, and so are its fields."""
    out.add(path)
    if kind == "map" and isinstance(item, dict):
        for k, v in item.items():
            _walk(v, path + ("f:" + k,), parents + (k,), out, maps)


class Comparison:
    """Paths added, modified and removed between two objects."""

    def __init__(self):
        self.added, self.modified, self.removed = set(), set(), set()

    def changed(self):
        return self.added | self.modified


def compare(old, new):
    result = Comparison()
    _compare(old, new, (), (), result)
    return result


def _compare(old, new, path, parents, result):
    if isinstance(old, dict) and isinstance(new, dict) and not _is_atomic_map(parents):
        for k in list(old) + [k for k in new if k not in old]:
            p, ps = path + ("f:" + k,), parents + (k,)
            if k not in new:
                _walk(old[k], p, ps, result.removed, maps=True)
            elif k not in old:
                _walk(new[k], p, ps, result.added, maps=True)
            else:
                _compare(old[k], new[k], p, ps, result)
    elif isinstance(old, list) and isinstance(new, list) and list_kind(parents)[0] != "atomic":
        kind, keys = list_kind(parents)
        olds = {item_element(kind, keys, it, i): it for i, it in enumerate(old)}
        news = {item_element(kind, keys, it, i): it for i, it in enumerate(new)}
        for e, item in news.items():
            if e not in olds:
                _walk_item(kind, keys, item, path + (e,), parents, result.added, True)
            elif kind == "map":
                _compare(olds[e], item, path + (e,), parents, result)
        for e, item in olds.items():
            if e not in news:
                _walk_item(kind, keys, item, path + (e,), parents, result.removed, True)
    elif old != new:
        result.modified.add(path)


def merge(live, cfg, parents=()):
    """Merges an applied configuration into the live object (by schema)."""
    if isinstance(live, dict) and isinstance(cfg, dict) and not _is_atomic_map(parents):
        out = dict(live)
        for k, v in cfg.items():
            out[k] = merge(live[k], v, parents + (k,)) if k in live else copy.deepcopy(v)
        return out
    if isinstance(live, list) and isinstance(cfg, list):
        kind, keys = list_kind(parents)
        if kind == "set":
            return copy.deepcopy(live) + [copy.deepcopy(v) for v in cfg if v not in live]
        if kind == "map":
            cfg_by = {item_element(kind, keys, it, i): it for i, it in enumerate(cfg)}
            out, seen = [], set()
            for i, it in enumerate(live):
                e = item_element(kind, keys, it, i)
                out.append(merge(it, cfg_by[e], parents) if e in cfg_by else copy.deepcopy(it))
                seen.add(e)
            out += [copy.deepcopy(it) for e, it in cfg_by.items() if e not in seen]
            return out
    return copy.deepcopy(cfg)


def remove_path(obj, path):
    """Deletes the field or list item at `path` from `obj`, if it is there."""
    node, parents = obj, ()
    for i, elem in enumerate(path):
        last = i == len(path) - 1
        if elem.startswith("f:"):
            name = elem[2:]
            if not isinstance(node, dict) or name not in node:
                return
            if last:
                del node[name]
                return
            node, parents = node[name], parents + (name,)
            continue
        if not isinstance(node, list):
            return
        kind, keys = list_kind(parents)
        found = [j for j, it in enumerate(node) if item_element(kind, keys, it, j) == elem]
        if not found:
            return
        if last:
            del node[found[0]]
            return
        node = node[found[0]]


def strip(paths, subresource, has_status):
    """Drops the fields the apiserver never tracks, and those the endpoint resets."""
    out = set()
    for p in paths:
        if p in STRIPPED or p[:2] == ("f:metadata", "f:managedFields"):
            continue
        if subresource == "status" and p[:1] != ("f:status",):
            continue
        if subresource == "" and has_status and p[:1] == ("f:status",):
            continue
        out.add(p)
    return out


def path_string(path):
    """fieldpath.Path.String(): `.spec.template.spec.containers[name="db"].image`."""
    out = []
    for e in path:
        kind, rest = e[0], e[2:]
        if kind == "f":
            out.append("." + rest)
        elif kind == "k":
            out.append("[" + ",".join("%s=%s" % (k, _dump(v)) for k, v in json.loads(rest).items()) + "]")
        elif kind == "v":
            out.append("[=" + rest + "]")
        else:
            out.append("[" + rest + "]")
    return "".join(out)


def to_fields_v1(paths):
    """The FieldsV1 JSON tree; a member that also has children gets a "." entry."""
    root = {}
    for p in paths:
        node = root
        for e in p:
            node = node.setdefault(e, {})
    for p in paths:
        node = root
        for e in p:
            node = node[e]
        if node:
            node["."] = {}
    return _sorted_tree(root)


def _sorted_tree(node):
    return {k: _sorted_tree(node[k]) for k in sorted(node, key=lambda k: (k != ".", k))}


def from_fields_v1(tree, prefix=()):
    out = set()
    for k, child in tree.items():
        if k == ".":
            out.add(prefix)
            continue
        p = prefix + (k,)
        if not child:
            out.add(p)
        else:
            out |= from_fields_v1(child, p)
    return out
