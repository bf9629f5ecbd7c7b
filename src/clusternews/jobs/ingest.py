"""Refresh many sources concurrently; one failing source never stops the others."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import OperationalError

from clusternews.adapters.store import sources
from clusternews.config.schema import SourceSpec
from clusternews.jobs.refresh import Context, Outcome, record_failure, refresh

log = logging.getLogger(__name__)
MAX_PARALLEL_SOURCES = 8  # per-host politeness is the HTTP client's; this bounds memory


def register(specs: list[SourceSpec], ctx: Context) -> None:
    with ctx.store.write() as conn:
        sources.sync(conn, specs)


async def ingest(
    specs: list[SourceSpec],
    ctx: Context,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    register(specs, ctx)
    gate = asyncio.Semaphore(MAX_PARALLEL_SOURCES)

    async def one(spec: SourceSpec) -> Outcome:
        async with gate:
            now = clock()
            try:
                outcome = await refresh(spec, ctx, now=now)
            except OperationalError as exc:  # the database (full disk, gone), not a bug
                # Recorded if the database takes it; if not, this raises and ends the run.
                log.error("refresh of %s: store: %s", spec.id, exc.orig, extra={"source": spec.id})
                outcome = record_failure(spec, ctx, RuntimeError(f"store: {exc.orig}"), now=now)
            except Exception as exc:  # a bug: recorded for this source, and the others go on
                log.exception("refresh of %s crashed", spec.id, extra={"source": spec.id})
                outcome = record_failure(
                    spec, ctx, RuntimeError(f"internal error: {exc!r}"), now=now
                )
        if on_done:
            on_done(outcome)
        return outcome

    return list(await asyncio.gather(*(one(s) for s in specs)))
