"""Per-token request rate limits shared by every web process: in Redis, else in the database."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Protocol

from clusternews.adapters.store import Store, StoreBusy
from clusternews.adapters.store import rate_limits as store_rate_limits

log = logging.getLogger(__name__)


class Limiter(Protocol):
    rate: int

    def check(self, key: str) -> int:
        """0 if the request may go on (and is counted), else whole seconds until it may."""
        ...


class SharedRateLimiter:
    """The same limit shared by every web process (`serve --web-workers N`, many machines):
    a counter per key and window in Redis (`CLUSTERNEWS_REDIS_URL`), INCR then EXPIRE, so
    processes never race. Fixed windows of `per` seconds: up to `rate` requests each."""

    def __init__(
        self,
        redis_url: str,
        rate: int,
        per: float = 60.0,
        *,
        clock: Callable[[], float] = time.time,
        prefix: str = "clusternews:rl:",
    ) -> None:
        import redis

        self.client = redis.Redis.from_url(redis_url, socket_timeout=2)
        self.rate = rate
        self.per = per
        self.clock = clock
        self.prefix = prefix

    def check(self, key: str) -> int:
        """0 if the request may go on (and is counted), else whole seconds until it may."""
        if self.rate <= 0:
            return 0
        now = self.clock()
        window = int(now // self.per)
        name = f"{self.prefix}{key}:{window}"
        pipe = self.client.pipeline()
        pipe.incr(name)
        pipe.expire(name, math.ceil(self.per) + 1)
        count = int(pipe.execute()[0])
        if count <= self.rate:
            return 0
        return max(1, math.ceil((window + 1) * self.per - now))


class DatabaseRateLimiter:
    """The same limit shared by every web process without Redis: a counter per key and fixed
    window (as SharedRateLimiter's) in the database's rate_limits table, counted with one
    atomic upsert, so processes never race. Windows before the last are swept once a `per`
    by the store's writer thread, never in a request.

    A request never waits for the write lock: the count gives up after the store's quick wait
    (~50 ms) when another writer (ingestion) holds SQLite's lock. That request is then decided
    here, in memory, going on from the last count this process read for the key in this
    window; it is not added to the database. The trade-off: while the database stays busy,
    each process may allow up to the whole limit on its own (what every process did before
    the limit was shared), and never blocks a feed on a write."""

    def __init__(
        self, store: Store, rate: int, per: float = 60.0, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.rate = rate
        self.per = per
        self.clock = clock
        self._lock = threading.Lock()
        self._known: dict[str, tuple[int, int]] = {}  # key → (window, count) last seen here
        self._next_sweep = -math.inf

    def check(self, key: str) -> int:
        """0 if the request may go on (and is counted), else whole seconds until it may."""
        if self.rate <= 0:
            return 0
        now = self.clock()
        window = int(now // self.per)
        self._sweep_now_and_then(now, window)
        try:
            with self.store.write_quick() as conn:
                count = store_rate_limits.hit(conn, key, self._start(window))
        except StoreBusy:
            log.debug("rate limit: database busy, %s decided in this process", key)
            count = self._count_here(key, window)
        else:
            with self._lock:
                self._known[key] = (window, count)
        if count <= self.rate:
            return 0
        return max(1, math.ceil((window + 1) * self.per - now))

    def _start(self, window: int) -> int:
        return int(window * self.per)  # epoch seconds: the row's window_start

    def _count_here(self, key: str, window: int) -> int:
        with self._lock:
            seen_window, seen = self._known.get(key, (window, 0))
            count = (seen if seen_window == window else 0) + 1
            self._known[key] = (window, count)
            return count

    def _sweep_now_and_then(self, now: float, window: int) -> None:
        with self._lock:
            if now < self._next_sweep:
                return
            self._next_sweep = now + self.per
            self._known = {k: v for k, v in self._known.items() if v[0] >= window - 1}
        # The last window stays: a process whose clock is a little behind may still count in it.
        before = self._start(window - 1)
        self.store.write_later(partial(store_rate_limits.sweep, before=before))


def limiter_for(rate: int, redis_url: str | None, store: Store) -> Limiter:
    """Redis when configured, else the database: either way shared by all processes."""
    if redis_url:
        return SharedRateLimiter(redis_url, rate)
    return DatabaseRateLimiter(store, rate)
