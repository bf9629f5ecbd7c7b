"""Per-token request rate limit: a token bucket per key, in this process's memory."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class RateLimiter:
    """`rate` requests per `per` seconds with bursts up to `rate`; `check` → seconds to wait."""

    def __init__(
        self, rate: int, per: float = 60.0, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.per = per
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> int:
        """0 if the request may go on (and is counted), else whole seconds until it may."""
        if self.rate <= 0:
            return 0
        refill = self.rate / self.per
        with self._lock:
            now = self.clock()
            tokens, last = self._buckets.get(key, (float(self.rate), now))
            tokens = min(float(self.rate), tokens + (now - last) * refill)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / refill))


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


def limiter_for(rate: int, redis_url: str | None) -> RateLimiter | SharedRateLimiter:
    """Redis when configured (shared by all processes), else this process's memory."""
    return SharedRateLimiter(redis_url, rate) if redis_url else RateLimiter(rate)
