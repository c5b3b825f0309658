"""The object store: one global resourceVersion counter, like etcd's revision.

Every write takes the store lock, stamps the next resourceVersion and records
an event (with the previous object, so a watch can tell objects that move in or
out of its selector). Watches read history after their resourceVersion, then
live events; `compact()` drops history so an old resourceVersion gets 410.
"""

import collections
import pickle
import queue
import threading


def clone(obj):
    """A deep copy of an object's JSON data, as copy.deepcopy makes it.

    Every read and write of the store copies (callers may change what they
    get), and the controllers list every pod and claim several times a
    second: through pickle this is about four times faster than deepcopy,
    which kept a core busy for the length of the lifecycle tests.
    """
    return pickle.loads(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))


class Event:
    """One change: ADDED, MODIFIED or DELETED, at resourceVersion `rv`."""

    __slots__ = ("rv", "key", "type", "obj", "prev")

    def __init__(self, rv, key, etype, obj, prev):
        self.rv, self.key, self.type, self.obj, self.prev = rv, key, etype, obj, prev


class Watcher:
    """A live subscription: events for one resource (and maybe one namespace)."""

    def __init__(self, store, key, namespace):
        self.store, self.key, self.namespace = store, key, namespace
        self.queue = queue.Queue()

    def matches(self, event):
        if event.key != self.key:
            return False
        return not self.namespace or event.obj["metadata"].get("namespace") == self.namespace

    def close(self):
        self.store.unwatch(self)
        self.queue.put(None)


class Store:
    """Objects by resource key ((group, plural)) and (namespace, name)."""

    HISTORY = 20000

    def __init__(self):
        self.lock = threading.RLock()
        self.objects = collections.defaultdict(dict)
        self.rv = 1000
        self.history = collections.deque(maxlen=self.HISTORY)
        self.oldest_rv = self.rv  # history holds every event with rv > oldest_rv
        self.watchers = set()

    def current_rv(self):
        with self.lock:
            return self.rv

    def get(self, key, namespace, name):
        """A copy of the stored object, or None."""
        with self.lock:
            obj = self.objects[key].get((namespace or "", name))
            return clone(obj) if obj is not None else None

    def list(self, key, namespace=None):
        """Copies of the objects (of one namespace, or all), in etcd key order; and the list RV."""
        with self.lock:
            items = [clone(o) for (ns, _), o in sorted(self.objects[key].items())
                     if namespace is None or ns == namespace]
            return items, self.rv

    # peek and scan hand out the stored objects themselves, for the controllers'
    # read-only passes (the garbage collector, a StatefulSet's pods and
    # revisions, existence checks), which run under the store lock and change
    # nothing they read; what they do change, they copy first.
    # A stored object is never changed in place (put stores a new copy), so
    # what they return stays the version it was when read.
    def peek(self, key, namespace, name):
        """The stored object itself, not a copy, or None: for readers that change nothing."""
        with self.lock:
            return self.objects[key].get((namespace or "", name))

    def scan(self, key, namespace=None):
        """list() without the copies: the stored objects themselves, for readers that change nothing."""
        with self.lock:
            return [o for (ns, _), o in sorted(self.objects[key].items()) if namespace is None or ns == namespace]

    def keys(self):
        with self.lock:
            return list(self.objects)

    def _record(self, key, etype, obj, prev):
        event = Event(self.rv, key, etype, clone(obj), prev)
        if len(self.history) == self.history.maxlen:
            self.oldest_rv = self.history[0].rv
        self.history.append(event)
        for w in list(self.watchers):
            if w.matches(event):
                w.queue.put(event)

    def put(self, key, obj):
        """Creates or replaces the object; stamps a new resourceVersion; returns a copy."""
        with self.lock:
            meta = obj["metadata"]
            ident = (meta.get("namespace", ""), meta["name"])
            prev = self.objects[key].get(ident)
            self.rv += 1
            meta["resourceVersion"] = str(self.rv)
            stored = clone(obj)
            self.objects[key][ident] = stored
            self._record(key, "MODIFIED" if prev is not None else "ADDED", stored, prev)
            return clone(stored)

    def remove(self, key, namespace, name):
        """Deletes the object; the DELETED event carries the deletion's resourceVersion."""
        with self.lock:
            prev = self.objects[key].pop((namespace or "", name), None)
            if prev is None:
                return None
            self.rv += 1
            final = clone(prev)
            final["metadata"]["resourceVersion"] = str(self.rv)
            self._record(key, "DELETED", final, prev)
            return final

    def watch(self, key, namespace, since_rv):
        """Registers a watcher and returns (watcher, replay events), or None when too old.

        `since_rv` None means "now" (the caller sends the current state itself).
        """
        with self.lock:
            w = Watcher(self, key, namespace)
            replay = []
            if since_rv is not None:
                if since_rv < self.oldest_rv:
                    return None
                replay = [e for e in self.history if e.rv > since_rv and w.matches(e)]
            self.watchers.add(w)
            return w, replay

    def unwatch(self, watcher):
        with self.lock:
            self.watchers.discard(watcher)

    def close_watches(self):
        """Ends every watch (used by the simulated apiserver restart)."""
        with self.lock:
            watchers = list(self.watchers)
        for w in watchers:
            w.close()

    def compact(self):
        """Forgets history: watches from any resourceVersion before now get 410 Gone."""
        with self.lock:
            self.history.clear()
            self.oldest_rv = self.rv
