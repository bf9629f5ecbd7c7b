"""Scale-out on PostgreSQL: `clusternews worker` processes share the queue; each due source is
refreshed once, a killed worker's job is retried, nothing is lost or duplicated."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from clusternews import taskqueue
from clusternews.adapters.store import Store
from clusternews.adapters.store.schema import fetches, item_sources, items

from .faultserver import Behave, FaultServer, Response
from .runtime_helpers import stop, wait_for

RSS = "application/rss+xml"
SOURCES = 6
ARTICLES = 2  # per source
PARAGRAPH = (
    "Klyngen samlar bedrifter innan prosessindustri, gruvedrift og mekanisk industri "
    "i regionen. Prosjektet skal gje medlemane betre tilgang til forsking, testsenter "
    "og kompetanse, og styret vil leggje fram ein plan for det neste året. "
)


def feed(i: int, base: str) -> str:
    entries = "".join(
        f"<item><title>Nyhende {i}-{j} frå klyngen</title><link>{base}/a{i}-{j}.html</link>"
        f"<guid>{base}/a{i}-{j}.html</guid><pubDate>Mon, 30 Nov 2026 0{j}:00:00 +0000</pubDate>"
        f"<description>Kort samandrag {i}-{j}.</description></item>"
        for j in range(ARTICLES)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Klynge {i}</title>'
        f"<link>{base}/</link><description>d</description>{entries}</channel></rss>"
    )


def article(i: int, j: int) -> str:
    body = "".join(f"<p>Artikkel {i}-{j}, avsnitt {k}. {PARAGRAPH}</p>" for k in range(4))
    return (
        f"<!DOCTYPE html><html lang='nn'><head><title>Nyhende {i}-{j}</title></head>"
        f"<body><article><h1>Nyhende {i}-{j} frå klyngen</h1>{body}</article></body></html>"
    )


@pytest.fixture
def site() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        base = srv.url("").rstrip("/")
        for i in range(SOURCES):
            srv.route(f"/f{i}.xml", Response(200, feed(i, base), content_type=RSS))
            for j in range(ARTICLES):
                srv.route(f"/a{i}-{j}.html", Response(200, article(i, j), content_type="text/html"))
        yield srv


def config(tmp_path: Path, srv: FaultServer, n: int = SOURCES) -> Path:
    lines = ["clusters:"]
    for i in range(n):
        lines += [
            f"  - id: c{i}",
            f"    name: Klynge {i}",
            "    country: NO",
            "    sources:",
            f"      - feed: {srv.url(f'/f{i}.xml')}",
        ]
    path = tmp_path / "feeds.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def start_worker(
    db_url: str, feeds: Path, tmp_path: Path, name: str, *, stalled_after: float = 20
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CLUSTERNEWS_DATABASE_URL": db_url,
        "CLUSTERNEWS_CONFIG": str(feeds),
        # Short heartbeats, so a dead worker is noticed within seconds; not too short, or a
        # live worker on a busy machine looks dead.
        "CLUSTERNEWS_QUEUE_HEARTBEAT": "0.5",
        "CLUSTERNEWS_QUEUE_STALLED_AFTER": str(stalled_after),
        "CLUSTERNEWS_QUEUE_POLL": "0.5",
    }
    log = (tmp_path / f"{name}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "clusternews.cli", "--workers", "0", "worker", "--concurrency", "3"],
        env=env,
        stdout=log,
        stderr=log,
    )


def defer_all(db_url: str, source_ids: list[str]) -> list[bool]:
    async def go() -> list[bool]:
        app = taskqueue.build_app(db_url)
        async with app.open_async():
            return [await taskqueue.defer_refresh(app, s) for s in source_ids]

    return asyncio.run(go())


def job_states(store: Store) -> list[str]:
    with store.read() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT status FROM procrastinate_jobs")]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_three_workers_refresh_each_due_source_once(
    db_url: str, site: FaultServer, tmp_path: Path
) -> None:
    feeds = config(tmp_path, site)
    store = Store.open(db_url)
    taskqueue.ensure_schema(db_url)
    ids = [f"c{i}:feed" for i in range(SOURCES)]
    # Deferred twice before any worker runs: the second is refused by the queueing lock.
    assert defer_all(db_url, ids) == [True] * SOURCES
    assert defer_all(db_url, ids) == [False] * SOURCES
    workers = [start_worker(db_url, feeds, tmp_path, f"w{n}") for n in range(3)]
    try:
        wait_for(
            lambda: job_states(store).count("succeeded") == SOURCES,
            120,
            "every refresh job to succeed",
            tmp_path,
        )
        # Queued again once they ran: each source is refreshed, but not due, so nothing is
        # fetched a second time.
        assert defer_all(db_url, ids) == [True] * SOURCES
        wait_for(
            lambda: job_states(store).count("succeeded") == 2 * SOURCES,
            60,
            "the second round of jobs",
            tmp_path,
        )
    finally:
        stop(workers)
    with store.read() as conn:
        per_source = dict(
            conn.execute(
                sa.select(fetches.c.source_id, sa.func.count()).group_by(fetches.c.source_id)
            ).all()
        )
        stored = conn.execute(sa.select(sa.func.count()).select_from(items)).scalar()
        links = conn.execute(sa.select(sa.func.count()).select_from(item_sources)).scalar()
    assert per_source == {s: 1 for s in ids}
    assert stored == links == SOURCES * ARTICLES
    store.close()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_killed_workers_job_is_retried_by_another(db_url: str, tmp_path: Path) -> None:
    with FaultServer() as srv:
        base = srv.url("").rstrip("/")
        # The first request for the feed never answers: the worker that takes it is mid-job.
        srv.route(
            "/f0.xml", srv.sequence(Behave.hang(), Response(200, feed(0, base), content_type=RSS))
        )
        for j in range(ARTICLES):
            srv.route(f"/a0-{j}.html", Response(200, article(0, j), content_type="text/html"))
        feeds = config(tmp_path, srv, n=1)
        store = Store.open(db_url)
        taskqueue.ensure_schema(db_url)
        assert defer_all(db_url, ["c0:feed"]) == [True]
        first = start_worker(db_url, feeds, tmp_path, "first", stalled_after=5)
        try:
            wait_for(
                lambda: job_states(store) == ["doing"] and bool(srv.requests_for("/f0.xml")),
                60,
                "the job to start",
                tmp_path,
            )
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            assert job_states(store) == ["doing"]  # nobody finished it
            second = start_worker(db_url, feeds, tmp_path, "second", stalled_after=5)
            try:
                wait_for(
                    lambda: job_states(store) == ["succeeded"],
                    90,
                    "the retried job to succeed",
                    tmp_path,
                )
            finally:
                stop([second])
        finally:
            stop([first])
        with store.read() as conn:
            recorded = conn.execute(sa.select(fetches.c.outcome)).scalars().all()
            stored = conn.execute(sa.select(sa.func.count()).select_from(items)).scalar()
        assert recorded == ["ok"] and stored == ARTICLES
        assert len(srv.requests_for("/f0.xml")) == 2
        store.close()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_run_enqueues_on_schedule_and_a_worker_works_the_jobs(
    db_url: str, site: FaultServer, tmp_path: Path
) -> None:
    """`run --no-worker` only enqueues; the refreshes happen in a `worker` process."""
    feeds = config(tmp_path, site, n=2)
    env = {**os.environ, "CLUSTERNEWS_DATABASE_URL": db_url, "CLUSTERNEWS_CONFIG": str(feeds)}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "clusternews.cli",
            "--workers",
            "0",
            "run",
            "--no-worker",
            "--port",
            str(port),
        ],
        env=env,
        stdout=(tmp_path / "run.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    store = Store.open(db_url)
    try:
        wait_for(
            lambda: _table_exists(store) and len(job_states(store)) == 2,
            90,
            "run to enqueue both sources",
            tmp_path,
        )
        assert set(job_states(store)) == {"todo"}  # nobody works them yet
        worker = start_worker(db_url, feeds, tmp_path, "worker")
        try:
            wait_for(
                lambda: job_states(store) == ["succeeded"] * 2,
                90,
                "the worker to work both jobs",
                tmp_path,
            )
        finally:
            stop([worker])
    finally:
        stop([run])
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(items)).scalar() == 4
    store.close()


def _table_exists(store: Store) -> bool:
    with store.read() as conn:
        return conn.exec_driver_sql("SELECT to_regclass('procrastinate_jobs')").scalar() is not None


def test_worker_refuses_sqlite_with_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "CLUSTERNEWS_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    done = subprocess.run(
        [sys.executable, "-m", "clusternews.cli", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("worker: the task queue needs PostgreSQL")
