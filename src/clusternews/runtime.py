"""Long-lived parts built once per process: store, HTTP client, worker pool, scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import procrastinate

from clusternews import taskqueue
from clusternews.adapters.http import HttpSettings, PoliteClient
from clusternews.adapters.mail import Mailer
from clusternews.adapters.store import Store, sources
from clusternews.config import Config, Digest
from clusternews.config.schema import SourceSpec, flatten_sources
from clusternews.digest_schedule import add_digest_jobs, sender
from clusternews.jobs.ingest import ingest, register
from clusternews.jobs.refresh import Context, Outcome, record_failure, refresh
from clusternews.jobs.workers import Processor
from clusternews.pipeline.isoweek import IsoWeek
from clusternews.settings import Settings
from clusternews.taskqueue import QueueOptions

log = logging.getLogger(__name__)
# Jobs one process works at once: refreshes wait mostly on the network (per-host politeness),
# and the CPU-bound part already goes to the worker pool (`--workers`).
QUEUE_CONCURRENCY = 4


def http_settings(config: Config) -> HttpSettings:
    """The HTTP client's politeness and User-Agent from feeds.yaml's `defaults`."""
    d = config.defaults
    base = HttpSettings()
    return replace(
        base,
        min_delay=d.host_delay,
        per_host_concurrency=d.host_connections,
        user_agent=d.user_agent or base.user_agent,
    )


class Runtime:
    def __init__(
        self, settings: Settings, config: Config, *, http: HttpSettings | None = None
    ) -> None:
        self.settings = settings
        self.config = config
        self.http = http or http_settings(config)
        self.specs = flatten_sources(config)
        self.store: Store
        self.processor: Processor
        self.context: Context

    def __enter__(self) -> Runtime:
        self.store = Store.open(self.settings.db_url)
        self.processor = Processor(self.settings.workers)
        return self

    def __exit__(self, *exc: object) -> None:
        self.processor.close()
        self.store.close()

    def _mailer(self) -> Mailer:
        """SMTP from feeds.yaml with the login from the settings."""
        return Mailer(self.settings.smtp(self.config))

    def select(self, wanted: str | None) -> list[SourceSpec] | None:
        """All sources, or those of one source id or cluster id (None if nothing matches)."""
        if not wanted:
            return self.specs
        chosen = [s for s in self.specs if wanted in (s.id, s.cluster)]
        return chosen or None

    def _context(self, client: PoliteClient) -> Context:
        self.context = Context(
            client=client,
            store=self.store,
            processor=self.processor,
            tz=self.settings.zone(self.config),
        )
        return self.context

    async def ingest(
        self,
        specs: list[SourceSpec],
        on_done: Callable[[Outcome], None] | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> list[Outcome]:
        async with PoliteClient(self.http) as client:
            return await ingest(specs, self._context(client), on_done=on_done, clock=clock)

    def next_due(self, source_id: str) -> datetime | None:
        with self.store.read() as conn:
            return sources.state(conn, source_id).get("next_due_at")

    async def refresh_one(self, spec: SourceSpec) -> None:
        """One source now; a crash is recorded on the source, never raised to the caller."""
        now = datetime.now(UTC)
        try:
            await refresh(spec, self.context, now=now)
        except Exception as exc:  # a bug in one source must not stop the scheduler
            log.exception("refresh of %s crashed", spec.id, extra={"source": spec.id})
            record_failure(spec, self.context, RuntimeError(f"internal error: {exc!r}"), now=now)

    async def refresh_if_due(self, source_id: str) -> None:
        """A queued refresh: run only if the source is (still) due, so a job queued twice, or
        retried after it ran, refreshes once."""
        spec = next((s for s in self.specs if s.id == source_id), None)
        if spec is None:
            log.warning("queue: source %s is no longer in the config", source_id)
            return
        due = self.next_due(source_id)
        if due is not None and due > datetime.now(UTC):
            return
        await self.refresh_one(spec)

    async def work(self, *, concurrency: int, options: QueueOptions | None = None) -> None:
        """`clusternews worker`: work queued jobs until stopped (PostgreSQL only)."""
        async with PoliteClient(self.http) as client:
            self._context(client)
            register(self.specs, self.context)
            app = self._queue_app(with_handlers=True)
            async with app.open_async():
                await taskqueue.queue.work(
                    app, concurrency=concurrency, options=options or self.settings.queue()
                )

    def _queue_app(self, *, with_handlers: bool) -> procrastinate.App:
        taskqueue.ensure_schema(self.settings.db_url)
        if not with_handlers:
            return taskqueue.build_app(self.settings.db_url)
        digests = {d.id: d for d in self.config.digests}
        send = sender(self.config, self.store, self._mailer)

        async def digest(digest_id: str, week: str) -> None:
            if digest_id in digests:
                await send(digests[digest_id], IsoWeek.parse(week))

        return taskqueue.build_app(
            self.settings.db_url, taskqueue.Handlers(self.refresh_if_due, digest)
        )

    async def run_forever(self, *, host: str, port: int, worker: bool = True) -> None:
        """Scheduler + web server. On PostgreSQL the scheduler enqueues jobs, and this process
        also works them unless `worker` is False; on SQLite it refreshes in-process."""
        import uvicorn

        from clusternews.scheduler import build_scheduler
        from clusternews.web.app import create_app

        async with PoliteClient(self.http) as client:
            ctx = self._context(client)
            register(self.specs, ctx)
            queued = taskqueue.uses_queue(self.settings.db_url)
            app = self._queue_app(with_handlers=worker) if queued else None
            async with app.open_async() if app else contextlib.nullcontext():
                if app is not None:

                    async def enqueue(spec: SourceSpec) -> None:
                        await taskqueue.defer_refresh(app, spec.id)

                    async def enqueue_digest(digest: Digest, week: IsoWeek) -> None:
                        await taskqueue.defer_digest(app, digest.id, str(week))

                scheduler = build_scheduler(
                    self.specs,
                    enqueue if app else self.refresh_one,
                    next_due=self.next_due,
                    timezone=self.config.defaults.timezone,
                )
                add_digest_jobs(
                    scheduler,
                    self.config,
                    self.store,
                    now=datetime.now(UTC),
                    mailer_factory=self._mailer,
                    dispatch=enqueue_digest if app else None,
                )
                scheduler.start()
                working = (
                    asyncio.create_task(
                        taskqueue.queue.work(
                            app, concurrency=QUEUE_CONCURRENCY, options=self.settings.queue()
                        )
                    )
                    if app is not None and worker
                    else None
                )
                web = create_app(
                    self.store,
                    scheduler_alive=lambda: scheduler.running,
                    stage_seconds=lambda: ctx.timings,
                    config=self.config,
                    options=self.settings.web(self.config),
                )
                server = uvicorn.Server(
                    uvicorn.Config(web, host=host, port=port, log_level="warning")
                )
                try:
                    await server.serve()
                finally:
                    scheduler.shutdown(wait=False)
                    if working is not None:
                        working.cancel()
                        await asyncio.gather(working, return_exceptions=True)
                    await asyncio.sleep(0)
