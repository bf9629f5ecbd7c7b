"""One writer: SQLite writes of a process queue behind one lock and one thread, requests never
wait for a write, and partner rate limits are shared through the database without Redis."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from clusternews.adapters.store import Store
from clusternews.adapters.store import partners as store_partners
from clusternews.adapters.store.schema import partners, rate_limits
from clusternews.knowledge.base import KnowledgeBase
from clusternews.settings import Settings
from clusternews.web.app import create_app
from clusternews.web.ratelimit import DatabaseRateLimiter

from .web_server import serving

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_write_later_runs_in_order_survives_an_error_and_close_drains(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[tuple[str, str]] = []

    def add(name: str):  # type: ignore[no-untyped-def]
        def write(conn: sa.Connection) -> None:
            store_partners.add(conn, name, now=NOW)
            ran.append((name, threading.current_thread().name))

        return write

    def boom(conn: sa.Connection) -> None:
        store_partners.add(conn, "half-done", now=NOW)
        raise RuntimeError("boom")

    with store.write():  # this thread holds the writer (the lock, on SQLite): nobody waits
        started = time.monotonic()
        for n in range(5):
            store.write_later(add(f"p{n}"))
        store.write_later(boom)
        for n in range(5, 10):
            store.write_later(add(f"p{n}"))
        assert time.monotonic() - started < 0.5
    with caplog.at_level(logging.ERROR, logger="clusternews.adapters.store.writer"):
        store.close()  # drains the queue before it returns
    assert [name for name, _ in ran] == [f"p{n}" for n in range(10)]
    assert {thread for _, thread in ran} == {"clusternews-store-writer"}
    (record,) = caplog.records
    assert "a later write failed" in record.getMessage() and record.exc_info
    with store.read() as conn:  # the failing write was rolled back, alone
        assert [p["name"] for p in store_partners.listing(conn)] == [f"p{n}" for n in range(10)]
    store.write_later(add("after"))  # a closed store starts its writer again when asked
    store.close()
    assert ran[-1][0] == "after"


def test_sqlite_threads_of_one_process_take_turns_to_write(tmp_path: Path) -> None:
    """One transaction at a time per process, held in Python before SQLite is asked: a second
    thread's write waits even while the first has not written yet; many threads all commit."""
    store = Store.open(f"sqlite:///{tmp_path / 'turns.db'}")
    done = threading.Event()

    def second() -> None:
        with store.write() as conn:
            store_partners.add(conn, "second", now=NOW)
        done.set()

    with store.write():  # nothing written yet, so SQLite itself would not hold anybody back
        thread = threading.Thread(target=second)
        thread.start()
        assert not done.wait(0.3)
    assert done.wait(5)
    thread.join()

    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(15):
                with store.write() as conn:
                    conn.execute(sa.select(sa.func.count()).select_from(partners)).scalar_one()
                    store_partners.add(conn, f"t{t}-{i}", now=NOW)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(partners)).scalar_one() == 91
    store.close()


def test_database_limiter_counts_fixed_windows_and_sweeps_old_ones(store: Store) -> None:
    now = [1_000_050.0]  # 30 s before the window [1_000_020, 1_000_080) ends
    limiter = DatabaseRateLimiter(store, 2, clock=lambda: now[0])
    assert [limiter.check("k"), limiter.check("k"), limiter.check("k")] == [0, 0, 30]
    assert limiter.check("other") == 0  # keys are counted apart
    now[0] += 180.0  # three windows later: a fresh count, and the old rows are swept
    assert limiter.check("k") == 0
    store.close()  # the sweep ran on the writer thread; closing waits for it
    with store.read() as conn:
        rows = conn.execute(
            sa.select(rate_limits.c.key, rate_limits.c.window_start, rate_limits.c.count)
        ).all()
    assert [tuple(r) for r in rows] == [("k", 1_000_200, 1)]
    assert DatabaseRateLimiter(store, 0).check("k") == 0  # rate 0: no limit, nothing stored


def test_partner_rate_limit_is_shared_by_every_process_through_the_database(
    db_url: str, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two apps over one database stand for two `serve` workers: without CLUSTERNEWS_REDIS_URL
    they share one partner's limit through the database, instead of each allowing it in full."""
    monkeypatch.delenv("CLUSTERNEWS_REDIS_URL", raising=False)
    monkeypatch.setenv("CLUSTERNEWS_RATE_LIMIT", "6")
    store = Store.open(db_url)
    with store.write() as conn:
        token = store_partners.add(conn, "Busy", now=datetime.now(UTC))
    # Each worker process builds its options from the environment, as app_from_env does.
    apps = [create_app(store, kb=kb, options=Settings.from_env().web(None)) for _ in range(2)]
    for app in apps:
        limiter = app.state.context.gate.limiter
        assert isinstance(limiter, DatabaseRateLimiter)
        limiter.clock = lambda: 1_000_020.0  # inside one window, whatever the time is
    auth = {"Authorization": f"Bearer {token}"}
    try:
        with serving(apps[0]) as one, serving(apps[1]) as two:
            answers = [
                httpx.get(f"{site}/api/entities", headers=auth)
                for _ in range(6)
                for site in (one, two)
            ]
        # 6 a minute in all: the 7th to the 12th are refused, whichever process gets them.
        assert [r.status_code for r in answers] == [200] * 6 + [429] * 6
        assert {r.headers["retry-after"] for r in answers[6:]} == {"60"}
        with store.read() as conn:  # every request was counted in the database
            assert conn.execute(sa.select(rate_limits.c.count)).scalar_one() == 12
    finally:
        store.close()


def test_a_partner_request_waits_for_no_write_lock(tmp_path: Path, kb: KnowledgeBase) -> None:
    """While another connection holds SQLite's write lock (ingestion, say), a partner's feed
    request answers at once: the rate limit is decided in memory and the last-use time is
    written by the store's writer once the lock is free."""
    path = tmp_path / "locked.db"
    store = Store.open(f"sqlite:///{path}")
    with store.write() as conn:
        token = store_partners.add(conn, "Reader", now=datetime.now(UTC))
    auth = {"Authorization": f"Bearer {token}"}

    def last_used() -> datetime | None:
        with store.read() as conn:
            return conn.execute(sa.select(partners.c.last_used_at)).scalar_one()

    holder = sqlite3.connect(path, isolation_level=None)
    try:
        with serving(create_app(store, kb=kb)) as url:
            holder.execute("BEGIN IMMEDIATE")
            holder.execute("UPDATE partners SET name = name")  # holds the lock, writes nothing
            started = time.monotonic()
            answer = httpx.get(f"{url}/feed.json", headers=auth, timeout=10)
            took = time.monotonic() - started
            assert answer.status_code == 200 and took < 1.0, took
            assert last_used() is None  # still waiting for the lock, in the writer thread
            holder.execute("COMMIT")
            deadline = time.monotonic() + 5
            while last_used() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            assert last_used() is not None
        with store.read() as conn:  # decided in memory: the busy database counted nothing
            assert conn.execute(sa.select(sa.func.count()).select_from(rate_limits)).scalar() == 0
    finally:
        holder.close()
        store.close()
