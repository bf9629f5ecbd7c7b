"""A small response cache keyed by URL and the store's data version (feeds are polled)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class ResponseCache:
    """Bodies by (path, query, data version), least recently used out; entries also expire
    after `ttl` seconds so a change the version does not see (a new source link) shows soon."""

    def __init__(
        self, *, entries: int = 256, ttl: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.entries = entries
        self.ttl = ttl
        self.clock = clock
        self._data: OrderedDict[tuple[str, ...], tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
        now = self.clock()
        with self._lock:
            hit = self._data.get(key)
            if hit and now - hit[0] < self.ttl:
                self._data.move_to_end(key)
                return hit[1]
        body = make()  # outside the lock: a slow query must not hold up cached answers
        with self._lock:
            self._data[key] = (now, body)
            self._data.move_to_end(key)
            while len(self._data) > self.entries:
                self._data.popitem(last=False)
        return body
