"""APScheduler wiring: one job per source at its interval, with jitter and back-off."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from clusternews.config.schema import SourceSpec

log = logging.getLogger(__name__)
RefreshFn = Callable[[SourceSpec], Awaitable[object]]
DueFn = Callable[[str], datetime | None]


def build_scheduler(
    specs: list[SourceSpec],
    refresh: RefreshFn,
    *,
    next_due: DueFn,
    timezone: str,
    now: datetime | None = None,
) -> AsyncIOScheduler:
    """Jobs start when the store says each source is due, spread by jitter."""
    scheduler = AsyncIOScheduler(
        timezone=timezone,
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 300},
    )
    now = now or datetime.now(UTC)
    for n, spec in enumerate(specs):

        async def job(spec: SourceSpec = spec) -> None:
            due = next_due(spec.id)
            if due is not None and due > datetime.now(UTC):
                return  # backing off after failures: the store's next_due_at decides
            await refresh(spec)

        due = next_due(spec.id)
        # Stagger first runs a little so a restart doesn't hit every site in the same second.
        first = max(due or now, now) + timedelta(seconds=min(n * 2, 120))
        scheduler.add_job(
            job,
            IntervalTrigger(seconds=spec.interval, jitter=min(60, spec.interval // 10)),
            id=spec.id,
            name=spec.id,
            next_run_time=first,
        )
    return scheduler
