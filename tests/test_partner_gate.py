"""The partner gate asks the database once for many requests while the service is open."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import HTTPException
from sqlalchemy import event
from starlette.requests import Request

from clusternews.adapters.store import Store
from clusternews.adapters.store import partners as store_partners
from clusternews.web.auth import PartnerGate
from clusternews.web.ratelimit import DatabaseRateLimiter


def request() -> Request:
    return Request({"type": "http", "method": "GET", "path": "/feed.json", "headers": []})


def test_an_open_service_is_asked_about_by_one_request_and_closes_with_the_first_partner(
    tmp_path: Path,
) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'gate.db'}")
    gate = PartnerGate(store, DatabaseRateLimiter(store, 60))
    asked: list[str] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if "partners" in statement:
            asked.append(statement)
            time.sleep(0.05)  # a slow round trip: the other requests arrive meanwhile

    assert gate.check(request()) is None  # no partner: open, and known so for a second
    assert len(asked) == 1
    gate._open_until = time.monotonic() - 0.01  # that second is over
    start = threading.Barrier(12)
    answers: list[str | None] = []

    def ask() -> None:
        start.wait()
        answers.append(gate.check(request()))

    threads = [threading.Thread(target=ask) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert answers == [None] * 12
    assert len(asked) == 2, "the twelve requests waited for one answer"

    with store.write() as conn:
        store_partners.add(conn, "Partner AS", now=datetime.now(UTC))
    gate._open_until = time.monotonic() - 0.01
    with pytest.raises(HTTPException) as refused:
        gate.check(request())
    assert refused.value.status_code == 401
    # once closed, every request is checked (a revoked token fails at once)
    with pytest.raises(HTTPException):
        gate.check(request())
    store.close()
