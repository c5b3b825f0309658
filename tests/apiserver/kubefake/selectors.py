"""labelSelector and fieldSelector query parameters, parsed and matched.

Label selectors: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`.
Field selectors: `f=v`, `f==v`, `f!=v` over the fields each resource supports
(metadata.name and metadata.namespace everywhere, a few more for pods, events,
namespaces and secrets), like the real apiserver's field label conversions.
"""

import re

from .status import bad_request

FIELDS = {
    "pods": ("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
             "status.phase", "status.podIP", "status.nominatedNodeName"),
    "events": ("involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
               "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
               "reason", "reportingComponent", "source", "type"),
    "namespaces": ("status.phase",),
    "secrets": ("type",),
}


def _split_terms(text):
    terms, depth, current = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            terms.append(current)
            current = ""
        else:
            current += ch
    terms.append(current)
    return [t.strip() for t in terms if t.strip()]


def parse_labels(text):
    """A list of (key, op, values); raises the 400 for a selector it cannot parse."""
    reqs = []
    for term in _split_terms(text or ""):
        m = re.fullmatch(r"([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)", term)
        if m:
            values = [v.strip() for v in m.group(3).split(",") if v.strip()]
            reqs.append((m.group(1), m.group(2), values))
            continue
        m = re.fullmatch(r"([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)", term)
        if m:
            reqs.append((m.group(1), "!=" if m.group(2) == "!=" else "=", [m.group(3)]))
            continue
        m = re.fullmatch(r"(!?)([\w./-]+)", term)
        if m:
            reqs.append((m.group(2), "!" if m.group(1) else "exists", []))
            continue
        raise bad_request("unable to parse requirement: found '%s', expected: identifier" % term)
    return reqs


def labels_match(reqs, labels):
    labels = labels or {}
    for key, op, values in reqs:
        has, value = key in labels, labels.get(key)
        if op == "=" and value != values[0]:
            return False
        if op == "!=" and has and value == values[0]:
            return False
        if op == "in" and value not in values:
            return False
        if op == "notin" and has and value in values:
            return False
        if op == "exists" and not has:
            return False
        if op == "!" and has:
            return False
    return True


def parse_fields(text, plural):
    """A list of (field, negate, value); unknown fields get the apiserver's 400."""
    reqs = []
    allowed = ("metadata.name", "metadata.namespace") + FIELDS.get(plural, ())
    for term in _split_terms(text or ""):
        m = re.fullmatch(r"([\w.]+)\s*(==|=|!=)\s*(.*)", term)
        if not m:
            raise bad_request("invalid selector: '%s'; can't understand '%s'" % (text, term))
        if m.group(1) not in allowed:
            raise bad_request("field label not supported: " + m.group(1))
        reqs.append((m.group(1), m.group(2) == "!=", m.group(3)))
    return reqs


def field_value(obj, path):
    node = obj
    for part in path.split("."):
        if not isinstance(node, dict):
            return ""
        node = node.get(part)
    if isinstance(node, dict) and path == "source":
        return node.get("component", "")
    return "" if node is None else str(node)


def fields_match(reqs, obj):
    for path, negate, value in reqs:
        if (field_value(obj, path) == value) == negate:
            return False
    return True
