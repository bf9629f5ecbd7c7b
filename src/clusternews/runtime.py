"""Long-lived parts built once per process: store, HTTP client, worker pool, scheduler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from clusternews.adapters.http import HttpSettings, PoliteClient
from clusternews.adapters.store import Store, sources
from clusternews.config import Config
from clusternews.config.schema import SourceSpec, flatten_sources
from clusternews.jobs.ingest import ingest, register
from clusternews.jobs.refresh import Context, Outcome, record_failure, refresh
from clusternews.jobs.workers import Processor
from clusternews.settings import Settings

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, settings: Settings, config: Config, *,
                 http: HttpSettings | None = None) -> None:
        self.settings = settings
        self.config = config
        self.http = http or HttpSettings()
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

    def select(self, wanted: str | None) -> list[SourceSpec] | None:
        """All sources, or those of one source id or cluster id (None if nothing matches)."""
        if not wanted:
            return self.specs
        chosen = [s for s in self.specs if wanted in (s.id, s.cluster)]
        return chosen or None

    def _context(self, client: PoliteClient) -> Context:
        self.context = Context(client=client, store=self.store, processor=self.processor,
                               tz=self.config.defaults.timezone)
        return self.context

    async def ingest(self, specs: list[SourceSpec],
                     on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
        async with PoliteClient(self.http) as client:
            return await ingest(specs, self._context(client), on_done=on_done)

    async def run_forever(self, *, host: str, port: int) -> None:
        import uvicorn

        from clusternews.digest_schedule import add_digest_jobs
        from clusternews.scheduler import build_scheduler
        from clusternews.web.app import create_app

        async with PoliteClient(self.http) as client:
            ctx = self._context(client)
            register(self.specs, ctx)

            def next_due(source_id: str) -> datetime | None:
                with self.store.read() as conn:
                    return sources.state(conn, source_id).get("next_due_at")

            async def refresh_one(spec: SourceSpec) -> None:
                now = datetime.now(UTC)
                try:
                    await refresh(spec, ctx, now=now)
                except Exception as exc:  # a bug in one source must not stop the scheduler
                    log.exception("refresh of %s crashed", spec.id, extra={"source": spec.id})
                    record_failure(spec, ctx, RuntimeError(f"internal error: {exc!r}"), now=now)

            scheduler = build_scheduler(self.specs, refresh_one, next_due=next_due,
                                        timezone=self.config.defaults.timezone)
            add_digest_jobs(scheduler, self.config, self.store, now=datetime.now(UTC))
            scheduler.start()
            app = create_app(self.store, scheduler_alive=lambda: scheduler.running,
                             stage_seconds=lambda: ctx.timings, config=self.config)
            server = uvicorn.Server(uvicorn.Config(app, host=host, port=port,
                                                   log_level="warning"))
            try:
                await server.serve()
            finally:
                scheduler.shutdown(wait=False)
                await asyncio.sleep(0)
