"""robots.txt (RFC 9309): fetched once per origin, cached, consulted before every request."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

log = logging.getLogger(__name__)

__all__ = ["RobotsCache", "RobotsResponse", "origin_of", "ROBOTS_MAX_BYTES"]

# RFC 9309 §2.5: crawlers must parse at least the first 500 KiB; we read that much and no more.
ROBOTS_MAX_BYTES = 512 * 1024
# How long a failed fetch (5xx, 429, network error) is remembered before trying again.
FAILURE_TTL = 300.0


@dataclass(frozen=True)
class RobotsResponse:
    """What the fetcher got for /robots.txt: a status and a (possibly truncated) body.

    status is None when the server could not be reached at all.
    """

    status: int | None
    body: bytes = b""


@dataclass
class _Entry:
    verdict: RobotFileParser | bool  # parser, or True = allow all / False = disallow all
    expires: float


def origin_of(url: str) -> str:
    """scheme://host[:port] — RFC 9309 §2.3: robots.txt applies to one scheme, host and port."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower().rpartition('@')[2]}"


class RobotsCache:
    """Per-origin robots.txt verdicts, with single-flight fetching so one origin is asked once."""

    def __init__(
        self,
        user_agent: str,
        fetch: Callable[[str], Awaitable[RobotsResponse]],
        *,
        ttl: float,
        clock: Callable[[], float],
    ) -> None:
        self._agent = user_agent
        self._fetch = fetch
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.fetches = 0

    async def allowed(self, url: str) -> bool:
        """May `url` be fetched by our user agent?"""
        origin = origin_of(url)
        entry = self._entries.get(origin)
        if entry is None or entry.expires <= self._clock():
            lock = self._locks.setdefault(origin, asyncio.Lock())
            async with lock:
                entry = self._entries.get(origin)
                if entry is None or entry.expires <= self._clock():
                    entry = await self._load(origin)
                    self._entries[origin] = entry
        if isinstance(entry.verdict, bool):
            return entry.verdict
        return entry.verdict.can_fetch(self._agent, url)

    async def _load(self, origin: str) -> _Entry:
        self.fetches += 1
        robots_url = origin + "/robots.txt"
        resp = await self._fetch(robots_url)
        now = self._clock()
        status = resp.status
        if status is None or status == 429 or status >= 500:
            # RFC 9309 §2.3.1.4 says "assume complete disallow" for unreachable robots.txt;
            # small cluster sites on flaky hosting would vanish for hours, so we allow and
            # retry soon instead (a deliberate, documented deviation).
            log.info("robots.txt unreachable (%s) for %s: allowing for now", status, origin)
            return _Entry(True, now + min(self._ttl, FAILURE_TTL))
        if status in (401, 403):
            # Conventional (urllib.robotparser) reading: a protected robots.txt means keep out.
            return _Entry(False, now + self._ttl)
        if 400 <= status < 500:  # RFC 9309 §2.3.1.3: unavailable → no restrictions
            return _Entry(True, now + self._ttl)
        if status != 200:
            return _Entry(True, now + min(self._ttl, FAILURE_TTL))
        parser = RobotFileParser(robots_url)
        parser.parse(resp.body.decode("utf-8", errors="replace").splitlines())
        parser.modified()  # can_fetch() answers False until it believes the file was read
        return _Entry(parser, now + self._ttl)
