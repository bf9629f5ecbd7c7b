"""Faults under a running service, with real parts only: a PostgreSQL server of the test's own
restarted under `worker` and `run`, a SQLite database on a full disk, and SMTP down while a
digest job runs on the task queue."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from clusternews import taskqueue
from clusternews.adapters.store import Store, deliveries
from clusternews.adapters.store.schema import deliveries as deliveries_table
from clusternews.adapters.store.schema import item_sources, items
from clusternews.adapters.store.schema import sources as sources_table
from clusternews.jobs import send_digest
from clusternews.knowledge.base import KnowledgeBase
from clusternews.pipeline.isoweek import IsoWeek

from . import pg_server
from .digest_helpers import THURSDAY, SmtpServer, article, config_yaml, store_articles
from .faultserver import FaultServer
from .runtime_helpers import (
    QUEUE_ENV,
    GrowingSite,
    pg_database,
    start,
    stop,
    wait_for,
)
from .web_server import free_port

SOURCES = 3


@pytest.fixture(scope="module")
def pg() -> Iterator[pg_server.Throwaway]:
    """A PostgreSQL server of this module's own: the tests restart it (never the shared one)."""
    try:
        server = pg_server.Throwaway()
    except pg_server.Unavailable as e:
        pytest.skip(str(e))
    yield server
    server.remove()


@pytest.fixture
def pg_url(pg: pg_server.Throwaway) -> Iterator[str]:
    with pg_database(pg) as url:
        yield url


@pytest.fixture
def site() -> Iterator[GrowingSite]:
    with FaultServer() as srv:
        yield GrowingSite(srv, SOURCES)


def counts(store: Store) -> tuple[int, int, int, int]:
    """(items, distinct item URLs, item-source links, distinct links)."""
    with store.read() as conn:
        return (
            conn.execute(sa.select(sa.func.count()).select_from(items)).scalar_one(),
            conn.execute(sa.select(sa.func.count(sa.distinct(items.c.url)))).scalar_one(),
            conn.execute(sa.select(sa.func.count()).select_from(item_sources)).scalar_one(),
            conn.execute(
                sa.select(sa.func.count()).select_from(
                    sa.select(item_sources.c.item_id, item_sources.c.source_id)
                    .distinct()
                    .subquery()
                )
            ).scalar_one(),
        )


def job_states(store: Store) -> list[str]:
    with store.read() as conn:
        return [
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT status FROM procrastinate_jobs WHERE task_name = %s ORDER BY id",
                (taskqueue.REFRESH_TASK,),
            )
        ]


def make_due(store: Store) -> None:
    """Every source due now (their interval is a minute at least; the test has no minute)."""
    with store.write() as conn:
        conn.execute(
            sa.update(sources_table).values(
                next_due_at=None, etag=None, last_modified=None, body_hash=None
            )
        )


def defer_all(db_url: str, ids: list[str]) -> list[bool]:
    async def go() -> list[bool]:
        app = taskqueue.build_app(db_url)
        async with app.open_async():
            return [await taskqueue.defer_refresh(app, s) for s in ids]

    return asyncio.run(go())


IDS = [f"c{i}:feed" for i in range(SOURCES)]


def feed_requests(site: GrowingSite) -> int:
    return sum(len(site.srv.requests_for(f"/f{i}.xml")) for i in range(SOURCES))


def test_worker_survives_a_postgresql_restart(
    pg: pg_server.Throwaway, pg_url: str, site: GrowingSite, tmp_path: Path
) -> None:
    feeds = site.config(tmp_path)
    store = Store.open(pg_url)
    taskqueue.ensure_schema(pg_url)
    log = tmp_path / "worker.log"
    worker = start(
        ["worker", "--concurrency", "2"], db_url=pg_url, feeds=feeds, log=log, env=QUEUE_ENV
    )
    try:
        assert defer_all(pg_url, IDS) == [True] * SOURCES
        wait_for(
            lambda: job_states(store) == ["succeeded"] * SOURCES, 60, "the first refreshes", [log]
        )
        assert counts(store) == (site.total,) * 4

        # New articles, and the database restarts while two refreshes are in flight (their
        # feeds are held) and the third waits in the queue.
        site.grow()
        make_due(store)
        site.hold()
        assert defer_all(pg_url, IDS) == [True] * SOURCES
        wait_for(lambda: feed_requests(site) == SOURCES + 2, 60, "two refreshes to start", [log])
        pg.restart()
        site.release()
        wait_for(
            lambda: job_states(store) == ["succeeded"] * 2 * SOURCES,
            60,
            "the refreshes across the restart",
            [log],
        )
        assert worker.poll() is None, log.read_text()
        assert counts(store) == (site.total,) * 4
    finally:
        stop([worker])
        store.close()


def healthz(port: int) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_run_survives_postgresql_going_away_and_coming_back(
    pg: pg_server.Throwaway, pg_url: str, site: GrowingSite, tmp_path: Path
) -> None:
    """`run` (scheduler, web server and a worker in one process): the database is down for a
    while, /healthz says so, and once it is back the queued refreshes store the new articles."""
    feeds = site.config(tmp_path)
    store = Store.open(pg_url)
    log, port = tmp_path / "run.log", free_port()
    run = start(["run", "--port", str(port)], db_url=pg_url, feeds=feeds, log=log, env=QUEUE_ENV)
    try:
        # run's scheduler enqueues every source at start (staggered by 2 s) and works them
        wait_for(
            lambda: job_states(store) == ["succeeded"] * SOURCES,
            60,
            "run to refresh every source",
            [log],
        )
        assert counts(store) == (site.total,) * 4
        assert healthz(port)[0] == 200

        pg.stop()
        wait_for(
            lambda: healthz(port)[1].get("database", "").startswith("unreachable"),
            30,
            "/healthz to see the database gone",
            [log],
        )
        assert healthz(port)[0] == 503
        time.sleep(3)  # an outage of a few seconds: heartbeats, polls and the reaper fail
        assert run.poll() is None, log.read_text()
        pg.start()

        site.grow()
        make_due(store)
        assert defer_all(pg_url, IDS) == [True] * SOURCES
        wait_for(
            lambda: job_states(store) == ["succeeded"] * 2 * SOURCES,
            60,
            "run to work the refreshes after the restart",
            [log],
        )
        status, body = healthz(port)
        assert (status, body["database"], body["scheduler"]) == (200, "ok", "running")
        assert run.poll() is None, log.read_text()
        assert counts(store) == (site.total,) * 4
    finally:
        stop([run])
        store.close()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 4 MiB file system (tmpfs) for the SQLite database, so that it can truly fill up.
    Mounting needs root; SQLite's `PRAGMA max_page_count` would not do instead, as it is a
    setting of one connection and cannot reach the `clusternews` process under test."""
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield disk
    finally:
        if subprocess.run(["umount", str(disk)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def fill(disk: Path) -> Path:
    """Write a file until the file system has no byte left."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as e:
        assert e.errno == errno.ENOSPC, e
    finally:
        os.close(fd)
    return filler


def cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clusternews.cli", "--workers", "0", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def sqlite_facts(path: Path) -> tuple[str, int, int, list[str]]:
    """(integrity_check, items, distinct item URLs, titles) read with the stdlib driver."""
    conn = sqlite3.connect(path)
    try:
        return (
            conn.execute("PRAGMA integrity_check").fetchone()[0],
            conn.execute("SELECT count(*) FROM items").fetchone()[0],
            conn.execute("SELECT count(DISTINCT url) FROM items").fetchone()[0],
            sorted(r[0] for r in conn.execute("SELECT title FROM items")),
        )
    finally:
        conn.close()


def test_a_full_disk_while_ingesting_into_sqlite(small_disk: Path, tmp_path: Path) -> None:
    """The disk fills while `ingest` is fetching: it stops with one clear line (no traceback),
    the database stays intact with every earlier item, and once space is freed the next
    ingest stores the new articles. (This runs on a real full tmpfs, see small_disk.)"""
    with FaultServer() as srv:
        site = GrowingSite(srv, 1)
        db = small_disk / "clusternews.db"
        env = {
            **os.environ,
            "CLUSTERNEWS_DATABASE_URL": f"sqlite:///{db}",
            "CLUSTERNEWS_CONFIG": str(site.config(tmp_path)),
        }
        first = cli(["ingest"], env)
        assert first.returncode == 0, first.stderr
        before = sqlite_facts(db)
        assert before[:3] == ("ok", 2, 2)

        # The next ingest opens the database, then waits on the feed while the disk fills.
        site.grow()
        site.hold()
        proc = subprocess.Popen(
            [sys.executable, "-m", "clusternews.cli", "--workers", "0", "ingest"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for(lambda: len(srv.requests_for("/f0.xml")) == 2, 60, "the second fetch")
            filler = fill(small_disk)
            site.release()
            out, err = proc.communicate(timeout=90)
        finally:
            site.release()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == 1, (out, err)
        assert "Traceback" not in err and "Traceback" not in out, err
        lines = err.strip().splitlines()
        assert lines[-1] == "clusternews: the database failed: database or disk is full", err
        assert len(lines) <= 3, err  # the source's line in the log, and this one

        # Still readable on the full disk: the source as it was, the earlier items intact.
        listed = cli(["sources", "--json"], env)
        assert listed.returncode == 0, listed.stderr
        (row,) = json.loads(listed.stdout)
        assert (row["status"], row["items"]) == ("ok", 2)
        assert sqlite_facts(db) == before

        filler.unlink()
        again = cli(["ingest"], env)
        assert again.returncode == 0, again.stderr
        integrity, stored, urls, titles = sqlite_facts(db)
        assert (integrity, stored, urls) == ("ok", 3, 3)
        assert set(before[3]) < set(titles)
        (row,) = json.loads(cli(["sources", "--json"], env).stdout)
        assert (row["status"], row["items"], row["last_error"]) == ("ok", 3, None)


PEOPLE = ["anna@example.no", "cecilie@example.se"]
W47 = IsoWeek(2026, 47)


def digest_jobs(store: Store) -> list[str]:
    with store.read() as conn:
        return [
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT status FROM procrastinate_jobs WHERE task_name = %s ORDER BY id",
                (taskqueue.DIGEST_TASK,),
            )
        ]


def delivery_rows(store: Store) -> dict[str, dict[str, object]]:
    with store.read() as conn:
        return {r["recipient"]: r for r in deliveries.rows(conn)}


def defer_due_digests(db_url: str, store: Store, now: datetime) -> list[tuple[str, str]]:
    """What `run`'s digest-retry job does on the queue: every (digest, week) with a delivery
    due again at `now` is deferred as a digest job."""
    with store.read() as conn:
        due = deliveries.due(conn, now=now)

    async def go() -> None:
        app = taskqueue.build_app(db_url)
        async with app.open_async():
            for digest_id, week in due:
                await taskqueue.defer_digest(app, digest_id, week)

    asyncio.run(go())
    return due


def test_smtp_down_during_a_queued_digest_then_sent_once(
    pg_url: str, kb: KnowledgeBase, tmp_path: Path
) -> None:
    """A digest job on the queue meets a dead SMTP server: each delivery fails and is due
    again later (not at once); when SMTP is back, the retried job sends each recipient exactly
    one message, and yet another job sends nothing more."""
    smtp = SmtpServer()  # its port is chosen, but nobody listens there yet: SMTP is down
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(config_yaml(smtp.port, to=PEOPLE, regions=["Nordland"]), encoding="utf-8")
    store = Store.open(pg_url)
    taskqueue.ensure_schema(pg_url)
    store_articles(
        store,
        [
            (
                article(
                    kb,
                    "https://mineral.example.no/a",
                    "Nytt anlegg i Mo i Rana",
                    summary="Kort. Lang.",
                    published=THURSDAY,
                    places={"Mo i Rana": 2},
                ),
                "mineralklynge-norge:feed",
            )
        ],
    )
    log = tmp_path / "worker.log"
    worker = start(
        ["worker", "--concurrency", "2"], db_url=pg_url, feeds=feeds, log=log, env=QUEUE_ENV
    )
    try:
        started = datetime.now(UTC)
        assert defer_due_digests(pg_url, store, started) == []
        assert asyncio.run(_defer_digest(pg_url, "weekly-nord", str(W47)))
        wait_for(lambda: digest_jobs(store) == ["succeeded"], 60, "the digest job", [log])
        rows = delivery_rows(store)
        assert {r: (rows[r]["state"], rows[r]["attempts"]) for r in rows} == dict.fromkeys(
            PEOPLE, ("failed", 1)
        )
        for r in PEOPLE:
            assert f"127.0.0.1:{smtp.port}" in str(rows[r]["error"])
            assert rows[r]["next_attempt_at"] >= started + send_digest.RETRY_AFTER[0]
        # Not due yet: the retry job finds nothing, and a job deferred anyway sends nothing.
        assert defer_due_digests(pg_url, store, datetime.now(UTC)) == []
        assert asyncio.run(_defer_digest(pg_url, "weekly-nord", str(W47)))
        wait_for(lambda: digest_jobs(store) == ["succeeded"] * 2, 60, "the early job", [log])
        assert {r: row["state"] for r, row in delivery_rows(store).items()} == dict.fromkeys(
            PEOPLE, "failed"
        )

        with smtp:  # SMTP is back; the retry job runs once the deliveries are due
            later = datetime.now(UTC) + send_digest.RETRY_AFTER[0] + timedelta(minutes=1)
            with store.write() as conn:  # the clock moves on past next_attempt_at
                conn.execute(
                    sa.update(deliveries_table).values(
                        next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)
                    )
                )
            assert defer_due_digests(pg_url, store, later) == [("weekly-nord", str(W47))]
            wait_for(lambda: digest_jobs(store) == ["succeeded"] * 3, 60, "the retry", [log])
            rows = delivery_rows(store)
            assert {r: (rows[r]["state"], rows[r]["attempts"]) for r in rows} == dict.fromkeys(
                PEOPLE, ("sent", 2)
            )
            assert smtp.inbox.count() == dict.fromkeys(PEOPLE, 1)

            # Sent is sent: nothing is due any more, and one more job sends nothing.
            assert defer_due_digests(pg_url, store, later) == []
            assert asyncio.run(_defer_digest(pg_url, "weekly-nord", str(W47)))
            wait_for(lambda: digest_jobs(store) == ["succeeded"] * 4, 60, "the last job", [log])
            assert smtp.inbox.count() == dict.fromkeys(PEOPLE, 1)
        assert worker.poll() is None, log.read_text()
    finally:
        stop([worker])
        store.close()


async def _defer_digest(db_url: str, digest_id: str, week: str) -> bool:
    app = taskqueue.build_app(db_url)
    async with app.open_async():
        return await taskqueue.defer_digest(app, digest_id, week)
