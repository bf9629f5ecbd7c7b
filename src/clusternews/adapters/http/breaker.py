"""Hosts that cannot be reached: after a few failed connections in a row, the rest fail at once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

__all__ = ["DOWN_AFTER", "DOWN_FOR", "DOWN_FOR_MAX", "HostBreaker", "HostDown"]

# Three is one request's whole budget (1 + retries=2 by default): a host gets as many tries
# as a single request would give it before giving up. Counting attempts, not requests, matters:
# the pages of a feed queue on the host together, so each would get its first attempt before
# any request had used up its retries. benchmarks/dead_host.py, 100 article pages on a refused
# port, production politeness: 302 s and 301 connects with the breaker off, 5.4 s and 4 on.
DOWN_AFTER = 3
# A client lives for one `ingest` (a run) or for the whole `run` process. In the long-lived
# case the host is tried again after DOWN_FOR seconds, doubling each time it is still down,
# up to the ceiling of the sources' own back-off (pipeline/plan.py BACKOFF_CEILING, 12 h).
DOWN_FOR = 600.0
DOWN_FOR_MAX = 12 * 3600.0


class HostDown(Exception):
    """The host is down: the request was not sent. `kind` and str() come from its last error."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class _Host:
    failures: int = 0  # connection attempts in a row that never reached the host
    trips: int = 0  # times declared down since it last answered
    down_until: float = float("-inf")
    kind: str = ""
    reason: str = ""


class HostBreaker:
    """Counts, per origin (scheme, host, port), attempts that could not connect (DNS, refused,
    TLS, connect timeout). Any answer from the host, even a 404 or 500, resets the count.

    `threshold` 0 switches it off. Times come from the injected clock (the client's).
    """

    def __init__(
        self,
        threshold: int,
        *,
        down_for: float,
        clock: Callable[[], float],
        down_for_max: float = DOWN_FOR_MAX,
    ) -> None:
        self.threshold = threshold
        self._down_for = down_for
        self._down_for_max = max(down_for, down_for_max)
        self._clock = clock
        self._hosts: dict[str, _Host] = {}

    def check(self, origin: str) -> None:
        """Raise HostDown if a request to `origin` should fail now instead of being sent."""
        state = self._hosts.get(origin)
        if (
            self.threshold <= 0
            or state is None
            or state.failures < self.threshold
            or self._clock() >= state.down_until
        ):
            return
        raise HostDown(
            state.kind,
            f"host {_name(origin)} is down ({state.failures} connection "
            f"failures in a row): {state.reason}",
        )

    def reached(self, origin: str) -> None:
        """The host answered: it is up."""
        self._hosts.pop(origin, None)

    def failed(self, origin: str, *, kind: str, reason: str) -> None:
        """An attempt could not reach the host."""
        if self.threshold <= 0:
            return
        state = self._hosts.setdefault(origin, _Host())
        state.failures += 1
        state.kind, state.reason = kind, reason
        now = self._clock()
        if state.failures >= self.threshold and now >= state.down_until:
            state.trips += 1
            wait = min(self._down_for * 2 ** min(state.trips - 1, 16), self._down_for_max)
            state.down_until = now + wait
            log.warning(
                "host %s is down (%d connection failures in a row: %s); its requests "
                "fail at once for %.0f s",
                _name(origin),
                state.failures,
                reason,
                wait,
                extra={"host": _name(origin)},
            )


def _name(origin: str) -> str:
    return origin.partition("://")[2]
