"""A small response cache keyed by URL and the store's data version (feeds are polled)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class DataVersion:
    """The store's data version, read at most once per `ttl` seconds per process.

    Every feed request needs it (ETag, cache key); reading it is two index lookups and a
    connection, which cost more than the rest of a 304 answer. A change shows in ETags within
    `ttl` (1 s): feed readers poll every few minutes."""

    def __init__(
        self,
        read: Callable[[], str],
        *,
        ttl: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.read = read
        self.ttl = ttl
        self.clock = clock
        self._value: tuple[float, str] | None = None
        self._lock = threading.Lock()

    def fresh(self) -> str | None:
        """The version if read less than `ttl` ago, without waiting for anything."""
        seen = self._value
        return seen[1] if seen is not None and self.clock() - seen[0] < self.ttl else None

    def current(self) -> str:
        now = self.clock()
        seen = self._value
        if seen is not None and now - seen[0] < self.ttl:
            return seen[1]
        with self._lock:  # one reader refreshes it; the others wait for that answer
            seen = self._value
            if seen is None or now - seen[0] >= self.ttl:
                seen = (now, self.read())
                self._value = seen
            return seen[1]


class ResponseCache:
    """Bodies by (path, query, data version), least recently used out; entries also expire
    after `ttl` seconds so a change the version does not see (a new source link) shows soon.

    One body is made per key at a time: requests for a key being made wait for that body
    instead of each running the same query. When a popular search's entry expired, 20 clients
    asking at once ran it 20 times side by side (PostgreSQL at 1,000,000 items: p95 0.5-2 s
    on requests that are otherwise answered in 6 ms)."""

    def __init__(
        self, *, entries: int = 256, ttl: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.entries = entries
        self.ttl = ttl
        self.clock = clock
        self._data: OrderedDict[tuple[str, ...], tuple[float, bytes]] = OrderedDict()
        self._making: dict[tuple[str, ...], threading.Event] = {}
        self._lock = threading.Lock()

    def get_or_make(self, key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
        while True:
            now = self.clock()
            with self._lock:
                hit = self._data.get(key)
                if hit and now - hit[0] < self.ttl:
                    self._data.move_to_end(key)
                    return hit[1]
                making = self._making.get(key)
                if making is None:
                    done = self._making[key] = threading.Event()
                    break
            making.wait()  # another request makes it; then look again (it may have failed)
        try:
            body = make()  # outside the lock: a slow query must not hold up cached answers
            with self._lock:
                self._data[key] = (now, body)
                self._data.move_to_end(key)
                while len(self._data) > self.entries:
                    self._data.popitem(last=False)
            return body
        finally:
            with self._lock:
                del self._making[key]
            done.set()
