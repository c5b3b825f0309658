"""metadata.managedFields: who owns which field, and apply conflicts.

Follows structured-merge-diff's Updater: an Apply sets the applier's field set
to exactly what it sent, drops fields it alone owned and no longer sends, and
fails with 409 when it changes a field another manager owns (unless forced);
an Update (create, PUT, merge/strategic/JSON patch, scale, status) gives the
updater the fields it added or changed and takes them from everyone else.
"""

import json

from . import fieldsets
from .status import ApiError, status_body


class Entry:
    """One managedFields entry."""

    def __init__(self, manager, operation, api_version, subresource="", time="", fields=None):
        self.manager, self.operation, self.api_version = manager, operation, api_version
        self.subresource, self.time = subresource, time
        self.fields = set(fields or ())

    def identity(self):
        # Appliers are one manager whatever apiVersion they used (BuildManagerIdentifier).
        version = self.api_version if self.operation == "Update" else ""
        return (self.manager, self.operation, self.subresource, version)

    def describe(self):
        """printManager(): `"kubectl" with subresource "scale" using apps/v1`."""
        text = json.dumps(self.manager)
        if self.subresource:
            text += " with subresource " + json.dumps(self.subresource)
        if self.operation == "Update":
            text += " using " + self.api_version
        return text

    def to_json(self):
        out = {"manager": self.manager, "operation": self.operation, "apiVersion": self.api_version,
               "time": self.time, "fieldsType": "FieldsV1",
               "fieldsV1": fieldsets.to_fields_v1(self.fields)}
        if self.subresource:
            out["subresource"] = self.subresource
        return out


def read_entries(obj):
    entries = []
    for e in obj.get("metadata", {}).get("managedFields") or []:
        entries.append(Entry(e.get("manager", ""), e.get("operation", "Update"), e.get("apiVersion", ""),
                             e.get("subresource", ""), e.get("time", ""),
                             fieldsets.from_fields_v1(e.get("fieldsV1") or {})))
    return entries


def write_entries(obj, entries):
    """Stores the entries, Apply entries first, then by time and manager."""
    live = [e for e in entries if e.fields]
    live.sort(key=lambda e: (e.operation != "Apply", e.time, e.manager))
    if live:
        obj["metadata"]["managedFields"] = [e.to_json() for e in live]
    else:
        obj["metadata"].pop("managedFields", None)


def _without_bookkeeping(obj):
    meta = {k: v for k, v in (obj or {}).get("metadata", {}).items()
            if k not in ("managedFields", "resourceVersion")}
    out = dict(obj or {})
    out["metadata"] = meta
    return out


def apply_merge(live, cfg, entries, manager, subresource, has_status):
    """The object an Apply produces (before defaulting), and the applier's field set."""
    applied = fieldsets.strip(fieldsets.to_set(cfg), subresource, has_status)
    merged = fieldsets.merge(_without_bookkeeping(live), cfg)
    me = Entry(manager, "Apply", "", subresource).identity()
    last = next((e.fields for e in entries if e.identity() == me), set())
    others = set()
    for e in entries:
        if e.identity() != me:
            others |= e.fields
    for path in sorted(last - applied - others, key=len, reverse=True):
        fieldsets.remove_path(merged, path)
    return merged, applied


def _conflict_error(conflicts):
    causes = [{"type": "FieldManagerConflict", "message": "conflict with " + e.describe(),
               "field": fieldsets.path_string(p)} for e, p in conflicts]
    if len(conflicts) == 1:
        e, p = conflicts[0]
        message = "Apply failed with 1 conflict: conflict with %s: %s" % (e.describe(), fieldsets.path_string(p))
    else:
        lines = []
        by_manager = {}
        for e, p in conflicts:
            by_manager.setdefault(e.describe(), []).append(fieldsets.path_string(p))
        for who in sorted(by_manager):
            lines.append("conflicts with %s:" % who)
            lines += ["- " + p for p in by_manager[who]]
        message = "Apply failed with %d conflicts: %s" % (len(conflicts), "\n".join(lines))
    # NewApplyConflict: the details carry only the causes.
    return ApiError(status_body(409, "Conflict", message, {"causes": causes}))


def _settle(entries, live, new, me, subresource, has_status, force):
    """Takes changed fields from other managers (or fails) and drops removed ones."""
    diff = fieldsets.compare(_without_bookkeeping(live), _without_bookkeeping(new))
    changed = fieldsets.strip(diff.changed(), subresource, has_status)
    removed = fieldsets.strip(diff.removed, subresource, has_status)
    conflicts = []
    for e in entries:
        if e.identity() == me:
            continue
        for p in sorted(e.fields & changed, key=fieldsets.path_string):
            conflicts.append((e, p))
    if conflicts and not force:
        raise _conflict_error(conflicts)
    for e in entries:
        if e.identity() != me:
            e.fields -= changed
            e.fields -= removed
    return diff, changed, removed


def apply_ownership(entries, live, new, applied, manager, api_version, subresource, has_status, force, now):
    """The managedFields after an Apply; raises the 409 conflict error."""
    me = Entry(manager, "Apply", api_version, subresource)
    _settle(entries, live, new, me.identity(), subresource, has_status, force)
    return _set_own(entries, me, applied, now)


def update_ownership(entries, live, new, manager, api_version, subresource, has_status, now):
    """The managedFields after an Update (create, PUT, patch, scale, status)."""
    me = Entry(manager, "Update", api_version, subresource)
    _, changed, removed = _settle(entries, live, new, me.identity(), subresource, has_status, True)
    old = next((e.fields for e in entries if e.identity() == me.identity()), set())
    return _set_own(entries, me, (old - removed) | changed, now)


def _set_own(entries, me, fields, now):
    out = [e for e in entries if e.identity() != me.identity()]
    previous = next((e for e in entries if e.identity() == me.identity()), None)
    if previous is not None and previous.fields == fields:
        me.time = previous.time  # unchanged ownership keeps its time, so a no-op stays a no-op
    else:
        me.time = now
    me.fields = fields
    out.append(me)
    return [e for e in out if e.fields]
