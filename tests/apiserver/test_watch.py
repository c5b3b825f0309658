"""Fake apiserver: watch streams (events, selectors, timeouts, 410 Gone, bookmarks, restarts)."""

import threading
import time
import unittest

from support import ServerTestCase, wait_for


def cm(name, labels=None, data="1"):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels or {"a": "b"}},
            "data": {"k": data}}


class WatchTest(ServerTestCase):
    def collect(self, query, count, timeout=5, accept=None):
        """Starts a watch on configmaps in a thread; returns (events list, thread)."""
        events = []

        def run():
            try:
                for ev in self.client.watch(self.path("configmaps"), query, timeout=timeout, accept=accept):
                    events.append(ev)
                    if len(events) >= count:
                        return
            except OSError as e:  # the test sees the missing events
                events.append({"type": "CLIENT-ERROR", "object": str(e)})
        t = threading.Thread(target=run, daemon=True)
        t.start()
        return events, t

    def test_events_from_resource_version(self):
        rv = self.client.get(self.path("configmaps")).body["metadata"]["resourceVersion"]
        self.client.post(self.path("configmaps"), cm("a"))
        self.client.patch(self.path("configmaps", "a"), {"data": {"k": "2"}})
        self.client.delete(self.path("configmaps", "a"))
        events = list(self.client.watch(self.path("configmaps"), {"resourceVersion": rv, "timeoutSeconds": 1}))
        self.assertEqual([e["type"] for e in events], ["ADDED", "MODIFIED", "DELETED"])
        self.assertEqual(events[0]["object"]["kind"], "ConfigMap", "watch objects carry their kind")
        self.assertEqual(events[1]["object"]["data"], {"k": "2"})
        rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
        self.assertEqual(rvs, sorted(rvs))

    def test_live_events_and_initial_state(self):
        self.client.post(self.path("configmaps"), cm("old"))
        events, t = self.collect({"timeoutSeconds": 5}, 2)
        wait_for(lambda: events, what="initial event")
        self.client.post(self.path("configmaps"), cm("new"))
        t.join(5)
        self.assertEqual([(e["type"], e["object"]["metadata"]["name"]) for e in events],
                         [("ADDED", "old"), ("ADDED", "new")])

    def test_timeout_seconds_ends_the_stream(self):
        start = time.monotonic()
        events = list(self.client.watch(self.path("configmaps"), {"timeoutSeconds": 1, "resourceVersion": "0"}))
        self.assertEqual(events, [])
        self.assertLess(time.monotonic() - start, 3)
        self.assertGreaterEqual(time.monotonic() - start, 0.9)

    def test_too_old_resource_version_is_410(self):
        old = self.client.get(self.path("configmaps")).body["metadata"]["resourceVersion"]
        self.client.post(self.path("configmaps"), cm("x"))
        self.server.compact()
        events = list(self.client.watch(self.path("configmaps"), {"resourceVersion": old, "timeoutSeconds": 1}))
        self.assertEqual(len(events), 1)
        self.assertEqual(events[0]["type"], "ERROR")
        status = events[0]["object"]
        self.assertEqual((status["kind"], status["code"], status["reason"]), ("Status", 410, "Expired"))
        self.assertTrue(status["message"].startswith("too old resource version: %s (" % old))

    def test_label_selector_moves(self):
        rv = self.client.get(self.path("configmaps")).body["metadata"]["resourceVersion"]
        self.client.post(self.path("configmaps"), cm("m", {"tier": "db"}))
        self.client.patch(self.path("configmaps", "m"), {"metadata": {"labels": {"tier": "web"}}})
        self.client.patch(self.path("configmaps", "m"), {"metadata": {"labels": {"tier": "db"}}})
        events = list(self.client.watch(self.path("configmaps"), {"resourceVersion": rv, "timeoutSeconds": 1,
                                                                  "labelSelector": "tier=db"}))
        self.assertEqual([e["type"] for e in events], ["ADDED", "DELETED", "ADDED"])

    def test_field_selector_on_name(self):
        rv = self.client.get(self.path("configmaps")).body["metadata"]["resourceVersion"]
        self.client.post(self.path("configmaps"), cm("one"))
        self.client.post(self.path("configmaps"), cm("two"))
        events = list(self.client.watch(self.path("configmaps"), {"resourceVersion": rv, "timeoutSeconds": 1,
                                                                  "fieldSelector": "metadata.name=two"}))
        self.assertEqual([e["object"]["metadata"]["name"] for e in events], ["two"])

    def test_bookmarks(self):
        self.server.set_config(bookmark_seconds=0.2)
        try:
            rv = self.client.get(self.path("configmaps")).body["metadata"]["resourceVersion"]
            events = list(self.client.watch(self.path("configmaps"), {
                "resourceVersion": rv, "timeoutSeconds": 1, "allowWatchBookmarks": "true"}))
        finally:
            self.server.set_config(bookmark_seconds=1.0)
        self.assertTrue(events)
        self.assertEqual({e["type"] for e in events}, {"BOOKMARK"})
        self.assertEqual(events[0]["object"]["kind"], "ConfigMap")
        self.assertTrue(int(events[-1]["object"]["metadata"]["resourceVersion"]) >= int(rv))

    def test_table_watch(self):
        self.client.post(self.path("configmaps"), cm("t"))
        events = list(self.client.watch(self.path("configmaps"), {"timeoutSeconds": 1},
                                        accept="application/json;as=Table;v=v1;g=meta.k8s.io"))
        self.assertEqual(events[0]["object"]["kind"], "Table")
        self.assertEqual(events[0]["object"]["rows"][0]["cells"][:2], ["t", 1])

    def test_restart_ends_watches(self):
        events, t = self.collect({"timeoutSeconds": 30}, 1000)
        wait_for(lambda: any(w.key == ("", "configmaps") and w.namespace == self.ns
                             for w in list(self.server.store.watchers)), what="watch")
        self.server.restart(0.2)
        t.join(5)
        self.assertFalse(t.is_alive(), "the watch stream ended")
        wait_for(lambda: self.client.get("/version").status == 200, what="server back")


if __name__ == "__main__":
    unittest.main()
