#!/usr/bin/env python3
"""Compares each example with the corpus manifest it translates.

  compare_corpus.py --kstatec KSTATEC --shared SHARED_DIR

tests/examples/corpus_map.json maps an example (examples/NAME/NAME.kstate) to
the original file in SHARED_DIR/corpus/, which is read in place, never copied.
A value is either the corpus file name, or an object:

  {"corpus": "file.yaml",
   "statefulset": "name",                 # which StatefulSet, when the file has several
   "statefulsets": {"original": "example"},  # or: compare several pairs (fields get the
                                          # prefix `statefulsets[ORIGINAL NAME].`)
   "containers": {"example": "original"}, # container names that differ (init containers too)
   "configMaps": {"example": "original"}, # ConfigMap names that differ
   "allowed": [{"field": "path", "reason": "why", "original": v, "example": v}]}

Both sides are reduced to the essential fields of the StatefulSet (replicas,
podManagementPolicy, updateStrategy, termination grace; per container and
init container: image, command, args, ports, env, probes and hooks,
resources, volume mounts and the kind of volume behind each; the claim
templates), of the Service that `serviceName` names (headless or not, port
numbers, publishNotReadyAddresses) and of every ConfigMap (keys, contents).
Kubernetes defaults are filled in and quantities compared by value, so only
real differences remain. Each difference is printed with its path; those the
map allows (an intended fix, or what the language cannot express yet) are
printed with their reason and do not fail, but an allowance whose difference
no longer occurs does, so the map stays exact. The last line is
"N passed, M failed" (examples). Exit 0, 1 on differences, 77 (skipped) when
SHARED_DIR/corpus or PyYAML is absent.
"""
import argparse
import difflib
import json
import os
import re
import subprocess
import sys
from decimal import Decimal, InvalidOperation

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MAP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus_map.json")
SKIP = 77

# ---- normalisation

_SUFFIX = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
           "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": 1,
           "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}
_QUANTITY = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$")


def quantity(v):
    """A Kubernetes quantity as a canonical number string ("10Gi" -> "10737418240", "500m" -> "0.5")."""
    if v is None:
        return None
    text = str(v).strip()
    m = _QUANTITY.match(text)
    if not m:
        return f"<malformed quantity {text!r}>"
    try:
        n = Decimal(m.group(1))
        if m.group(2):
            n = n * (Decimal(10) ** int(m.group(2)[1:]))
        else:
            n = n * Decimal(_SUFFIX[m.group(3) or ""])
    except InvalidOperation:
        return f"<malformed quantity {text!r}>"
    n = n.normalize()
    return format(n, "f")


def port_number(port, container):
    """A probe's port as a number: names are resolved through the container's ports."""
    if isinstance(port, str) and not port.isdigit():
        for p in container.get("ports") or []:
            if p.get("name") == port:
                return p.get("containerPort")
        return f"<unknown port name {port!r}>"
    return int(port) if port is not None else None


PROBE_DEFAULTS = {"initialDelaySeconds": 0, "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1,
                  "failureThreshold": 3}


def handler_facts(facts, prefix, h, container, timings):
    """Facts of a probe or lifecycle hook: its kind, its target and (for probes) its timings."""
    if not isinstance(h, dict):
        return
    kind = next((k for k in ("exec", "httpGet", "tcpSocket", "grpc") if k in h), "<none>")
    facts[prefix] = kind
    if kind == "exec":
        facts[prefix + ".command"] = (h["exec"] or {}).get("command")
    elif kind == "httpGet":
        g = h["httpGet"] or {}
        facts[prefix + ".path"] = g.get("path", "/")
        facts[prefix + ".port"] = port_number(g.get("port"), container)
        facts[prefix + ".scheme"] = g.get("scheme", "HTTP")
        if g.get("host"):
            facts[prefix + ".host"] = g.get("host")
    elif kind in ("tcpSocket", "grpc"):
        facts[prefix + ".port"] = port_number((h[kind] or {}).get("port"), container)
    if timings:
        for k, default in PROBE_DEFAULTS.items():
            facts[prefix + "." + k] = h.get(k, default)


def env_value(e):
    if "valueFrom" not in e:
        return str(e.get("value", ""))
    src = e["valueFrom"] or {}
    if "fieldRef" in src:
        return f"field {src['fieldRef'].get('fieldPath')}"
    if "secretKeyRef" in src:
        r = src["secretKeyRef"]
        return f"secret {r.get('name')}/{r.get('key')}"
    if "configMapKeyRef" in src:
        r = src["configMapKeyRef"]
        return f"configMap {r.get('name')}/{r.get('key')}"
    if "resourceFieldRef" in src:
        r = src["resourceFieldRef"]
        text = f"resource {r.get('resource')} divisor {quantity(r.get('divisor', '1'))}"
        if r.get("containerName"):
            text += f" of {r['containerName']}"
        return text
    return json.dumps(src, sort_keys=True)


def volume_kind(volumes, claims, name, config_names):
    """What a mount's volume is: a claim template, a shared claim, a ConfigMap, scratch, a Secret..."""
    for v in volumes:
        if v.get("name") != name:
            continue
        if "persistentVolumeClaim" in v:
            return f"persistentVolumeClaim {v['persistentVolumeClaim'].get('claimName')} (shared by all pods)"
        if "configMap" in v:
            cm = v["configMap"].get("name")
            return f"configMap {config_names.get(cm, cm)}"
        if "emptyDir" in v:
            return "emptyDir" + (" (memory)" if (v["emptyDir"] or {}).get("medium") == "Memory" else "")
        if "secret" in v:
            return f"secret {v['secret'].get('secretName')}"
        return "volume " + ",".join(sorted(k for k in v if k != "name"))
    if name in claims:  # pod volumes win over claim templates of the same name
        return f"claim template {name}"
    return f"<undeclared volume {name!r}>"


def container_facts(facts, prefix, c, volumes, claims, config_names):
    facts[prefix] = "present"
    facts[prefix + ".image"] = c.get("image")
    facts[prefix + ".command"] = c.get("command")
    facts[prefix + ".args"] = c.get("args")
    ports = []
    for p in c.get("ports") or []:
        text = f"{p.get('containerPort')}/{p.get('protocol', 'TCP')}"
        if p.get("hostPort"):
            text += f" hostPort {p['hostPort']}"
        ports.append(text)
    facts[prefix + ".ports"] = sorted(ports)
    env = c.get("env") or []
    facts[prefix + ".env"] = [e.get("name") for e in env]
    for e in env:
        facts[f"{prefix}.env.{e.get('name')}"] = env_value(e)
    facts[prefix + ".envFrom"] = sorted(json.dumps(e, sort_keys=True) for e in c.get("envFrom") or []) or None
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        handler_facts(facts, f"{prefix}.{probe}", c.get(probe), c, True)
    for hook in ("postStart", "preStop"):
        handler_facts(facts, f"{prefix}.{hook}", (c.get("lifecycle") or {}).get(hook), c, False)
    res = c.get("resources") or {}
    for group in ("requests", "limits"):
        for k, v in sorted((res.get(group) or {}).items()):
            facts[f"{prefix}.resources.{group}.{k}"] = quantity(v)
    for m in c.get("volumeMounts") or []:
        mp = f"{prefix}.volumeMounts[{m.get('mountPath')}]"
        facts[mp] = volume_kind(volumes, claims, m.get("name"), config_names)
        facts[mp + ".subPath"] = m.get("subPath") or None
        facts[mp + ".readOnly"] = bool(m.get("readOnly", False))


def statefulset_facts(sts, services, config_maps, container_names, config_names):
    """The essential fields of a StatefulSet, its Service and the ConfigMaps as {path: value}."""
    facts = {}
    spec = sts.get("spec") or {}
    facts["replicas"] = spec.get("replicas", 1)
    facts["podManagementPolicy"] = spec.get("podManagementPolicy", "OrderedReady")
    facts["updateStrategy"] = (spec.get("updateStrategy") or {}).get("type", "RollingUpdate")
    partition = ((spec.get("updateStrategy") or {}).get("rollingUpdate") or {}).get("partition")
    if partition:
        facts["updateStrategy.partition"] = partition
    pod = (spec.get("template") or {}).get("spec") or {}
    facts["terminationGracePeriodSeconds"] = pod.get("terminationGracePeriodSeconds", 30)
    volumes = pod.get("volumes") or []
    claims = {}
    for t in spec.get("volumeClaimTemplates") or []:
        name = (t.get("metadata") or {}).get("name")
        claims[name] = t
        cs = t.get("spec") or {}
        p = f"volumeClaimTemplates[{name}]"
        facts[p] = "present"
        facts[p + ".storage"] = quantity(((cs.get("resources") or {}).get("requests") or {}).get("storage"))
        facts[p + ".accessModes"] = sorted(cs.get("accessModes") or [])
        facts[p + ".storageClassName"] = cs.get("storageClassName")
    for kind in ("initContainers", "containers"):
        for c in pod.get(kind) or []:
            name = container_names.get(c.get("name"), c.get("name"))
            container_facts(facts, f"{kind}[{name}]", c, volumes, claims, config_names)
    service_name = spec.get("serviceName")
    svc = next((s for s in services if (s.get("metadata") or {}).get("name") == service_name), None)
    if svc is None:
        facts["service"] = f"<no Service named {service_name!r}>"
    else:
        ss = svc.get("spec") or {}
        facts["service"] = "present"
        facts["service.headless"] = ss.get("clusterIP") == "None"
        facts["service.ports"] = sorted(f"{p.get('port')}/{p.get('protocol', 'TCP')}" for p in ss.get("ports") or [])
        facts["service.publishNotReadyAddresses"] = bool(ss.get("publishNotReadyAddresses", False))
    for cm in config_maps:
        name = (cm.get("metadata") or {}).get("name")
        name = config_names.get(name, name)
        data = cm.get("data") or {}
        facts[f"configMaps[{name}]"] = "present"
        facts[f"configMaps[{name}].keys"] = sorted(data)
        for k, v in data.items():
            facts[f"configMaps[{name}].data[{k}]"] = v
    return facts


# ---- loading

def load_corpus(path):
    import yaml
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if isinstance(d, dict)]


def load_example(kstatec, path):
    directory, name = os.path.split(path)
    env = dict(os.environ, NO_COLOR="1")
    p = subprocess.run([kstatec, "build", name, "--format", "json"], cwd=directory, env=env,
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"kstatec build {name} exited {p.returncode}\n{p.stderr.decode('utf-8', 'replace')}")
    doc = json.loads(p.stdout.decode("utf-8"))
    return doc["items"] if isinstance(doc, dict) and doc.get("kind") == "List" else (doc if isinstance(doc, list) else [doc])


def pick_statefulset(objects, name, where):
    sets = [o for o in objects if o.get("kind") == "StatefulSet"]
    if name:
        sets = [o for o in sets if (o.get("metadata") or {}).get("name") == name]
    if len(sets) != 1:
        raise RuntimeError(f"{where}: expected one StatefulSet{' named ' + name if name else ''}, found {len(sets)}")
    return sets[0]


# ---- comparison

def show(v):
    return "(absent)" if v is None else json.dumps(v)


def describe(path, original, example):
    if isinstance(original, str) and isinstance(example, str) and ("\n" in original or "\n" in example):
        lines = difflib.unified_diff(original.splitlines(True), example.splitlines(True), "original", "example", n=1)
        body = "".join("        " + l if l.endswith("\n") else "        " + l + "\n" for l in lines)
        return f"{path}: text differs\n{body.rstrip()}"
    return f"{path}: original {show(original)}, example {show(example)}"


def differences(orig, ex):
    keys = sorted(set(orig) | set(ex))
    diff = [k for k in keys if orig.get(k) != ex.get(k)]
    absent = [k for k in diff if orig.get(k) is None or ex.get(k) is None]

    def under_absent(k):  # a whole container, probe or mount is missing: report it once
        return any(k != a and (k.startswith(a + ".") or k.startswith(a + "[")) for a in absent)

    return [k for k in diff if not under_absent(k)]


def compare(name, entry, kstatec, corpus_dir):
    """Returns (failures, allowed) message lists for one example."""
    if isinstance(entry, str):
        entry = {"corpus": entry}
    container_names = entry.get("containers", {})
    config_names = entry.get("configMaps", {})
    kstate = os.path.join(ROOT, "examples", name, name + ".kstate")
    original_objects = load_corpus(os.path.join(corpus_dir, entry["corpus"]))
    example_objects = load_example(kstatec, kstate)

    def facts(objects, where, names, cfg, sts_name):
        sts = pick_statefulset(objects, sts_name, where)
        return statefulset_facts(sts, [o for o in objects if o.get("kind") == "Service"],
                                 [o for o in objects if o.get("kind") == "ConfigMap"], names, cfg)

    # (original StatefulSet, example StatefulSet, field prefix) for each pair compared.
    if "statefulsets" in entry:
        pairs = [(o, e, f"statefulsets[{o}].") for o, e in entry["statefulsets"].items()]
    else:
        pairs = [(entry.get("statefulset"), None, "")]
    orig, ex = {}, {}
    for o_name, e_name, prefix in pairs:
        for k, v in facts(original_objects, "original", {}, {}, o_name).items():
            orig[prefix + k] = v
        for k, v in facts(example_objects, "example", container_names, config_names, e_name).items():
            ex[prefix + k] = v
    allowed = {}
    for a in entry.get("allowed", []):
        allowed[a["field"]] = a
    failures, accepted = [], []
    seen = set()
    for k in differences(orig, ex):
        a = allowed.get(k)
        text = describe(k, orig.get(k), ex.get(k))
        if a and all(f not in a or a[f] == v for f, v in (("original", orig.get(k)), ("example", ex.get(k)))):
            seen.add(k)
            accepted.append(f"{text}\n        allowed: {a['reason']}")
        else:
            failures.append(text)
    for k in allowed:
        if k not in seen:
            failures.append(f"{k}: listed as an allowed difference, but it does not differ (as described) any more")
    return failures, accepted


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kstatec", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--verbose", action="store_true", help="also print the allowed differences")
    a = ap.parse_args()
    corpus_dir = os.path.join(os.path.abspath(a.shared), "corpus")
    if not os.path.isdir(corpus_dir):
        print(f"skipped: ../shared not found (looked for {corpus_dir})")
        return SKIP
    try:
        import yaml  # noqa: F401  (the corpus is YAML)
    except ImportError:
        print("skipped: PyYAML is not installed; it is needed to read the corpus")
        return SKIP
    with open(MAP, encoding="utf-8") as f:
        mapping = json.load(f)
    kstatec = os.path.abspath(a.kstatec)
    passed = failed = 0
    for name in sorted(k for k in mapping if not k.startswith("_")):
        entry = mapping[name]
        corpus = entry if isinstance(entry, str) else entry.get("corpus")
        try:
            failures, accepted = compare(name, entry, kstatec, corpus_dir)
        except Exception as e:  # a missing file or a failed build fails this example only
            failures, accepted = [f"error: {e}"], []
        if failures:
            failed += 1
            print(f"FAIL {name} (examples/{name}/{name}.kstate vs corpus/{corpus})")
        else:
            passed += 1
            print(f"ok   {name} (vs corpus/{corpus}; {len(accepted)} allowed difference{'' if len(accepted) == 1 else 's'})")
        for m in failures:
            print("    " + m)
        if a.verbose or failures:
            for m in accepted:
                print("    " + m)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
