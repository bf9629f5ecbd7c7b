"""Partner tokens on the feeds and the API: Bearer check, revocation at once, rate limit."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi import HTTPException, Request
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from clusternews.adapters.store import Store
from clusternews.adapters.store import partners as store_partners
from clusternews.web.ratelimit import Limiter

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="clusternews"'}
_TOUCH_EVERY = 60.0  # seconds: last_used_at is news, not an audit log; no write per request
# seconds an open service (no partner yet) stays known as open without asking the database:
# the gate then answers on the event loop, with no query and no trip through the thread pool.
# Once a partner exists every request is checked, so a revoked token fails at once.
_OPEN_FOR = 1.0


@dataclass(eq=False)  # FastAPI keys its dependency cache by the callable: keep it hashable
class PartnerGate:
    store: Store
    limiter: Limiter
    _touched: dict[int, float] = field(default_factory=dict)
    _open_until: float = -1.0  # -1: a partner exists (or not asked yet)
    _asking: threading.Lock = field(default_factory=threading.Lock)

    async def __call__(self, request: Request) -> str | None:
        """The partner's name, None while no partner exists; else 401 or 429."""
        if time.monotonic() < self._open_until:
            return None
        return await run_in_threadpool(self.check, request)

    def check(self, request: Request) -> str | None:
        if self._open_until >= 0 and self._still_open():
            return None
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        with self.store.read() as conn:
            if not store_partners.any_exist(conn):
                self._open_until = time.monotonic() + _OPEN_FOR
                return None
            self._open_until = -1.0
            partner = (
                store_partners.check(conn, token.strip())
                if scheme.lower() == "bearer" and token.strip()
                else None
            )
        if partner is None:
            # The header is never echoed or logged: the message names no token.
            raise HTTPException(
                401,
                "a valid partner token is required (Authorization: Bearer …)",
                headers=_CHALLENGE,
            )
        wait = self.limiter.check(f"partner:{partner.id}")
        if wait:
            raise HTTPException(
                429, "too many requests for this token", headers={"Retry-After": str(wait)}
            )
        self._touch(partner.id)
        return partner.name

    def _still_open(self) -> bool:
        """Whether the open service is still open: one request asks the database, the others
        wait for its answer. When every request that arrived as the second ran out asked for
        itself, 20 clients took 15 pooled PostgreSQL connections at once, and each second
        the pool opened and closed its overflow connections (p99 0.4-2 s on cached answers)."""
        with self._asking:
            if time.monotonic() < self._open_until:
                return True  # asked while this request waited
            with self.store.read() as conn:
                if store_partners.any_exist(conn):
                    self._open_until = -1.0
                    return False
            self._open_until = time.monotonic() + _OPEN_FOR
            return True

    def _touch(self, partner_id: int) -> None:
        now = time.monotonic()
        if now - self._touched.get(partner_id, -_TOUCH_EVERY) < _TOUCH_EVERY:
            return
        self._touched[partner_id] = now
        used_at = datetime.now(UTC)

        def touch(conn: Connection) -> None:
            store_partners.touch(conn, partner_id, now=used_at)

        # Handed to the store's writer: the request never waits for a write (lock).
        self.store.write_later(touch)
