"""Per-token request rate limit: a token bucket per key, in this process's memory."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class RateLimiter:
    """`rate` requests per `per` seconds with bursts up to `rate`; `check` → seconds to wait."""

    def __init__(self, rate: int, per: float = 60.0, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
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
