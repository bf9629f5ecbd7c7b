"""Per-host politeness: a concurrency cap, a minimum gap between request starts, a global cap."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

__all__ = ["HostLimiter"]


@dataclass
class _Host:
    sem: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = float("-inf")


class HostLimiter:
    """Gate every request: at most `concurrency` in flight per host, starts `min_delay` apart.

    Hosts are keyed by hostname only (not port): two ports on one machine are one server to be
    polite to. Start times are planned from the injected clock, and waits go through the
    injected sleep, so tests with a recording fake sleep see exactly the planned gaps.
    """

    def __init__(
        self,
        concurrency: int,
        min_delay: float,
        *,
        global_limit: int = 16,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float],
    ) -> None:
        self._concurrency = max(1, concurrency)
        self._min_delay = max(0.0, min_delay)
        self._global = asyncio.Semaphore(max(1, global_limit))
        self._sleep = sleep
        self._clock = clock
        self._hosts: dict[str, _Host] = {}

    def _host(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _Host(asyncio.Semaphore(self._concurrency))
        return state

    def defer(self, host: str, delay: float) -> None:
        """Start nothing on `host` for `delay` seconds (RFC 9110 §10.2.3 Retry-After is a
        statement about the server, so it holds back every queued request to it)."""
        state = self._host(host)
        state.next_start = max(state.next_start, self._clock() + delay)

    @asynccontextmanager
    async def slot(
        self, host: str, ready: Callable[[], object] | None = None
    ) -> AsyncIterator[float]:
        """Hold one request slot for `host`; yields the seconds spent waiting for politeness.

        `ready` runs when the slot is this request's turn, before its politeness wait: if it
        raises (the host went down while the request queued), no gap is waited or used up.
        """
        state = self._host(host)
        waited = 0.0
        async with state.sem:
            async with state.lock:  # serialises start planning for this host only
                if ready is not None:
                    ready()
                now = self._clock()
                start = max(now, state.next_start)
                if start > now:
                    waited = start - now
                    await self._sleep(waited)
                await self._global.acquire()
                state.next_start = max(self._clock(), start) + self._min_delay
            try:
                yield waited
            finally:
                self._global.release()
