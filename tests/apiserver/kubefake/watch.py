"""Watch streams: chunked, newline-delimited `{"type": ..., "object": ...}` events.

Starts from the current state (no resourceVersion, or "0": synthetic ADDED
events), or replays history after a resourceVersion; a resourceVersion older
than the kept history yields one ERROR event with a 410 Expired Status, as the
watch cache does. Objects moving out of a selector arrive as DELETED, into it as
ADDED. BOOKMARK events come every `bookmark_seconds` when asked for.
"""

import json
import queue
import time

from . import selectors, tables
from .status import gone

DEFAULT_TIMEOUT = 1800.0


def _encode(etype, obj):
    return (json.dumps({"type": etype, "object": obj}, separators=(",", ":")) + "\n").encode()


def _with_type(res, obj):
    out = {"kind": res.kind, "apiVersion": res.api_version}
    out.update({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")})
    return out


def _visible(event, matches):
    """The event as a selector-filtered watch sees it, or None."""
    now_in = matches(event.obj)
    was_in = event.prev is not None and matches(event.prev)
    if event.type == "DELETED":
        return "DELETED" if was_in else None
    if event.type == "ADDED":
        return "ADDED" if now_in else None
    if now_in and was_in:
        return "MODIFIED"
    if now_in:
        return "ADDED"
    return "DELETED" if was_in else None


def serve(stream, store, res, ns, query, accept, bookmark_seconds):
    """Writes the watch to `stream` (an object with write_chunk(bytes) -> bool) until done."""
    label_reqs = selectors.parse_labels(query.get("labelSelector", ""))
    field_reqs = selectors.parse_fields(query.get("fieldSelector", ""), res.plural)
    matches = lambda o: (selectors.labels_match(label_reqs, o["metadata"].get("labels"))
                         and selectors.fields_match(field_reqs, o))
    as_table = tables.wants_table(accept)
    include = query.get("includeObject", "Metadata")
    bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
    timeout = float(query.get("timeoutSeconds") or DEFAULT_TIMEOUT)
    deadline = time.monotonic() + timeout
    rv_text = query.get("resourceVersion", "")

    def send(etype, obj):
        obj = _with_type(res, obj)
        if as_table and etype != "ERROR" and etype != "BOOKMARK":
            obj = tables.to_table(res.plural, [obj], obj["metadata"].get("resourceVersion", ""), include)
        return stream.write_chunk(_encode(etype, obj))

    with store.lock:
        initial = []
        if rv_text in ("", "0"):
            items, _ = store.list(res.key, ns or None)
            initial = [o for o in items if matches(o)]
            registration = store.watch(res.key, ns, None)
        else:
            try:
                since = int(rv_text)
            except ValueError:
                since = -1
            registration = store.watch(res.key, ns, since) if since >= 0 else None
            if registration is None:
                status = gone("too old resource version: %s (%d)" % (rv_text, store.oldest_rv)).status
                stream.write_chunk(_encode("ERROR", status))
                return
    watcher, replay = registration
    try:
        for obj in initial:
            if not send("ADDED", obj):
                return
        for event in replay:
            etype = _visible(event, matches)
            if etype and not send(etype, event.obj):
                return
        next_bookmark = time.monotonic() + bookmark_seconds
        while True:
            now = time.monotonic()
            if now >= deadline:
                return
            wait = min(deadline - now, max(0.01, next_bookmark - now) if bookmarks else deadline - now)
            try:
                event = watcher.queue.get(timeout=wait)
            except queue.Empty:
                event = False
            if event is None:
                return  # closed by a simulated restart
            if event:
                etype = _visible(event, matches)
                if etype and not send(etype, event.obj):
                    return
            elif bookmarks and time.monotonic() >= next_bookmark:
                with store.lock:
                    rv = store.rv if watcher.queue.empty() else None
                if rv is not None:
                    mark = {"kind": res.kind, "apiVersion": res.api_version,
                            "metadata": {"resourceVersion": str(rv), "creationTimestamp": None}}
                    if not stream.write_chunk(_encode("BOOKMARK", mark)):
                        return
                next_bookmark = time.monotonic() + bookmark_seconds
    finally:
        watcher.close()
