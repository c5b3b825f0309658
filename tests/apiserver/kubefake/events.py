"""core/v1 Events recorded by the simulated scheduler, kubelet and controllers.

Repeats of one (object, reason, message) are folded into one Event whose
`count` and `lastTimestamp` grow, as the real event recorder does.
"""

import secrets

from .registry import now
from .resources import lookup

EVENTS = lookup("", "v1", "events")


def record(registry, obj, etype, reason, message, component, host=""):
    """Creates or bumps the Event about `obj`."""
    meta = obj["metadata"]
    ns = meta.get("namespace") or "default"
    with registry.store.lock:
        items, _ = registry.store.list(EVENTS.key, ns)
        for ev in items:
            inv = ev.get("involvedObject", {})
            if inv.get("uid") == meta.get("uid") and ev.get("reason") == reason and ev.get("message") == message:
                ev["count"] = ev.get("count", 1) + 1
                ev["lastTimestamp"] = now()
                return registry.system_update(EVENTS, ev, component)
        stamp = now()
        event = {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "%s.%s" % (meta["name"], secrets.token_hex(8)), "namespace": ns},
            "involvedObject": {"kind": obj.get("kind", ""), "namespace": meta.get("namespace", ""),
                               "name": meta["name"], "uid": meta.get("uid", ""),
                               "apiVersion": obj.get("apiVersion", ""),
                               "resourceVersion": meta.get("resourceVersion", "")},
            "reason": reason, "message": message, "type": etype,
            "source": {"component": component} if not host else {"component": component, "host": host},
            "firstTimestamp": stamp, "lastTimestamp": stamp, "count": 1,
            "reportingComponent": component, "reportingInstance": host,
        }
        if not event["involvedObject"]["namespace"]:
            del event["involvedObject"]["namespace"]
        return registry.system_create(EVENTS, event, component)
