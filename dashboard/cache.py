"""A cache bounded in bytes and age, shared by every session of the process.

Streamlit's caches bound entries by count and age only; one fit of a large
upload can hold hundreds of megabytes, so the app's caches of fits, parsed
uploads and figures are bounded by the bytes their values hold (estimated by
walking arrays, dataclasses and containers). Concurrent requests for the same
missing key compute it once. Values are shared: treat them as read-only.
"""

import dataclasses
import sys
import threading
import time
from collections import OrderedDict

import numpy as np


def deep_nbytes(value, _depth=0, _seen=None):
    """An estimate of the bytes ``value`` holds: arrays, containers, dataclasses, objects.

    Plotly figures are counted by their data arrays. Shared objects count once.
    """
    seen = set() if _seen is None else _seen
    if id(value) in seen or _depth > 12:
        return 0
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        return value.nbytes if value.base is None or id(value.base) not in seen else 0
    if isinstance(value, str | bytes):
        return sys.getsizeof(value)
    if isinstance(value, dict):
        items = list(value.keys()) + list(value.values())
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = [getattr(value, f.name) for f in dataclasses.fields(value)]
    elif hasattr(value, "to_plotly_json"):
        # A Plotly figure's own dicts of data and layout, not a deep copy of them.
        raw = [getattr(value, "_data", None), getattr(value, "_layout", None)]
        items = raw if all(isinstance(r, list | dict) for r in raw) \
            else [value.to_plotly_json()]
    elif hasattr(value, "memory_usage") and hasattr(value, "columns"):  # pandas DataFrame
        return int(value.memory_usage(deep=True).sum())
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        items = list(vars(value).values())
    else:
        return 16
    return 64 + sum(deep_nbytes(v, _depth + 1, seen) for v in items)


class ByteCache:
    """Least-recently-used cache bounded in bytes and age.

    Parameters
    ----------
    max_bytes : int
        Values are evicted (oldest use first) until the total is below this;
        a value larger than it is returned but not kept.
    ttl : float
        Seconds after which an entry is recomputed.
    """

    def __init__(self, max_bytes, ttl=3600.0):
        self.max_bytes = int(max_bytes)
        self.ttl = ttl
        self._entries = OrderedDict()  # key -> (value, size, stored at)
        self._pending = {}  # key -> threading.Event while one thread computes it
        self._lock = threading.Lock()
        self.total_bytes = 0

    def get(self, key, compute):
        """The cached value of ``key``, or ``compute()`` stored under it.

        Exceptions from ``compute`` propagate and nothing is stored.
        """
        while True:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None and time.monotonic() - entry[2] < self.ttl:
                    self._entries.move_to_end(key)
                    return entry[0]
                waiting = self._pending.get(key)
                if waiting is None:
                    done = self._pending[key] = threading.Event()
                    break
            waiting.wait()
        try:
            value = compute()
            size = deep_nbytes(value)
            with self._lock:
                self._store(key, value, size)
            return value
        finally:
            with self._lock:
                del self._pending[key]
            done.set()

    def peek(self, key):
        """The cached value of ``key``, or None (nothing computed, nothing waited for)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or time.monotonic() - entry[2] >= self.ttl:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def _store(self, key, value, size):
        old = self._entries.pop(key, None)
        if old is not None:
            self.total_bytes -= old[1]
        if size > self.max_bytes:
            return
        self._entries[key] = (value, size, time.monotonic())
        self.total_bytes += size
        while self.total_bytes > self.max_bytes:
            _, (_, evicted, _) = self._entries.popitem(last=False)
            self.total_bytes -= evicted

    def __len__(self):
        return len(self._entries)

    def clear(self):
        with self._lock:
            self._entries.clear()
            self.total_bytes = 0
