"""The procrastinate app: two tasks, their locks, deferring them, and the queue's schema.

Guarantees, and what gives each:
- a due source is refreshed by one worker: its job carries a queueing lock (at most one waiting
  job per source) and a lock (at most one running), and the handler refreshes only when the
  store says the source is due;
- a killed worker's job is retried: a worker that stops sending heartbeats is stalled, and
  every worker puts stalled jobs back in the queue (`reap_stalled`); a refresh is idempotent
  (articles are upserted by URL and content hash), so running it again duplicates nothing;
- each digest is sent once: one waiting job per digest and week, one running per digest, and
  the deliveries table records each recipient's send (a retry skips who already got it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import procrastinate
import psycopg
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.schema import SchemaManager
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

REFRESH_TASK = "clusternews.refresh_source"
DIGEST_TASK = "clusternews.send_digest"
# An arbitrary fixed key: one process at a time creates the queue's tables.
_SCHEMA_LOCK = 7_304_771_205


def uses_queue(db_url: str) -> bool:
    return make_url(db_url).get_backend_name() == "postgresql"


def conninfo(db_url: str) -> str:
    """The libpq form of a SQLAlchemy URL (search_path options included)."""
    return make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass(frozen=True)
class QueueOptions:
    """Worker timing; the defaults are procrastinate's. Set from Settings (queue_heartbeat, …);
    tests shorten them."""

    heartbeat: float = 10.0  # seconds between a worker's heartbeats
    stalled_after: float = 30.0  # a worker silent this long is dead; its jobs are retried
    poll: float = 5.0  # seconds between polls when no notification arrives


@dataclass(frozen=True)
class Handlers:
    """What the tasks do, given by the process that works them (jobs need its runtime)."""

    refresh: Callable[[str], Awaitable[None]]
    digest: Callable[[str, str], Awaitable[None]]


def build_app(db_url: str, handlers: Handlers | None = None) -> procrastinate.App:
    """The app; without handlers it can only defer (a `run --no-worker`)."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(db_url)))

    def need() -> Handlers:
        if handlers is None:
            raise RuntimeError("queue: this process defers jobs but does not work them")
        return handlers

    # Unexpected errors (a database restart mid-write) retry the job; a failing source is not
    # one of them: refresh records its error on the source and backs off on its own.
    @app.task(
        name=REFRESH_TASK,
        queue="sources",
        retry=procrastinate.RetryStrategy(max_attempts=5, wait=5, exponential_wait=2),
    )
    async def refresh_source(source_id: str) -> None:
        await need().refresh(source_id)

    @app.task(
        name=DIGEST_TASK,
        queue="digests",
        retry=procrastinate.RetryStrategy(max_attempts=5, wait=60, linear_wait=60),
    )
    async def send_digest(digest_id: str, week: str) -> None:
        await need().digest(digest_id, week)

    return app


async def defer_refresh(app: procrastinate.App, source_id: str) -> bool:
    """Queue a refresh of the source unless one is already waiting; True if queued."""
    lock = f"source:{source_id}"
    return await _defer(app, REFRESH_TASK, lock, lock, source_id=source_id)


async def defer_digest(app: procrastinate.App, digest_id: str, week: str) -> bool:
    return await _defer(
        app,
        DIGEST_TASK,
        f"digest:{digest_id}:{week}",
        f"digest:{digest_id}",
        digest_id=digest_id,
        week=week,
    )


async def _defer(
    app: procrastinate.App, task: str, queueing_lock: str, lock: str, **kwargs: str
) -> bool:
    try:
        await app.configure_task(task, queueing_lock=queueing_lock, lock=lock).defer_async(**kwargs)
    except AlreadyEnqueued:
        return False
    return True


def ensure_schema(db_url: str) -> None:
    """Create procrastinate's tables in the database (its search_path) once; every process
    calls this at start, and an advisory lock keeps two from racing."""
    with psycopg.connect(conninfo(db_url), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            row = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if row is None or row[0] is None:
                conn.execute(SchemaManager.get_schema())
                log.info("queue: created procrastinate's tables")
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))


async def reap_stalled(app: procrastinate.App, options: QueueOptions) -> None:
    """Forever: put the jobs of dead workers (no heartbeat) back in the queue."""
    while True:
        await asyncio.sleep(options.stalled_after / 2)
        try:
            for job in await app.job_manager.get_stalled_jobs(
                seconds_since_heartbeat=options.stalled_after
            ):
                log.warning("queue: job %s (%s) of a dead worker is retried", job.id, job.task_name)
                await app.job_manager.retry_job(job)
        except Exception:  # the database may be restarting; try again next round
            log.exception("queue: looking for stalled jobs failed")


async def work(
    app: procrastinate.App, *, concurrency: int, options: QueueOptions, name: str = "worker"
) -> None:
    """Work jobs until cancelled or signalled, reaping dead workers' jobs on the side."""
    reaper = asyncio.create_task(reap_stalled(app, options))
    try:
        await app.run_worker_async(
            concurrency=concurrency,
            name=name,
            wait=True,
            update_heartbeat_interval=options.heartbeat,
            stalled_worker_timeout=options.stalled_after,
            fetch_job_polling_interval=options.poll,
            install_signal_handlers=False,
        )
    finally:
        reaper.cancel()
