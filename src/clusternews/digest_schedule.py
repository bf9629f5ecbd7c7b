"""APScheduler wiring for digests: each at its weekly time, retries when due, one catch-up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from clusternews.adapters.mail import Mailer, MailError, SmtpSettings
from clusternews.adapters.store import Store, deliveries
from clusternews.config import Config, Digest
from clusternews.jobs.send_digest import DigestReport, Sender, send_digest
from clusternews.knowledge.base import KnowledgeBase
from clusternews.pipeline.isoweek import IsoWeek

log = logging.getLogger(__name__)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RETRY_EVERY = timedelta(minutes=5)
MailerFactory = Callable[[], Sender]
# Hands a digest's week to whoever sends it: a thread here, or the task queue (taskqueue/).
Dispatch = Callable[[Digest, IsoWeek], Awaitable[None]]


def last_fire(schedule: str, now: datetime, tz: str) -> datetime:
    """The latest time at or before `now` that a weekly schedule ('mon 07:00') fired."""
    day, hhmm = schedule.split()
    hour, minute = (int(x) for x in hhmm.split(":"))
    local = now.astimezone(ZoneInfo(tz))
    monday = local.date() - timedelta(days=local.weekday())
    fire = _at(monday + timedelta(days=DAYS.index(day)), hour, minute, tz)
    return fire if fire <= now else _at(fire.date() - timedelta(days=7), hour, minute, tz)


def sender(config: Config, store: Store, mailer_factory: MailerFactory | None = None) -> Dispatch:
    """Send a digest's week in a thread (SMTP and the store block; the loop keeps serving)."""
    factory = mailer_factory or _smtp_factory(config)

    def run(digest: Digest, week: IsoWeek) -> DigestReport:
        with _closing(factory()) as mailer:
            return send_digest(store, config, digest, week, mailer=mailer, kb=_kb())

    async def dispatch(digest: Digest, week: IsoWeek) -> None:
        await _off_loop(run, digest, week)

    return dispatch


def add_digest_jobs(
    scheduler: BaseScheduler,
    config: Config,
    store: Store,
    *,
    now: datetime,
    mailer_factory: MailerFactory | None = None,
    dispatch: Dispatch | None = None,
) -> list[str]:
    """Add a cron job per digest, a retry job, and a catch-up of each digest's last missed
    send (a restart after downtime); returns the job ids. Sending is idempotent per recipient,
    so a catch-up racing a retry can never send twice. `dispatch` (default: send here, in a
    thread) is where each due week goes: the task queue, when there is one."""
    tz = config.defaults.timezone
    by_id = {d.id: d for d in config.digests}
    send = dispatch or sender(config, store, mailer_factory)

    async def weekly(digest_id: str) -> None:
        await send(by_id[digest_id], IsoWeek.last_complete(datetime.now(UTC), tz))

    async def retries() -> None:
        with store.read() as conn:
            due = deliveries.due(conn, now=datetime.now(UTC))
        for digest_id, week in due:
            if digest_id in by_id:
                await send(by_id[digest_id], IsoWeek.parse(week))

    async def catch_up(digest_id: str, week: str) -> None:
        await send(by_id[digest_id], IsoWeek.parse(week))

    ids = []
    for digest in config.digests:
        day, hhmm = digest.schedule.split()
        hour, minute = hhmm.split(":")
        job = scheduler.add_job(
            weekly,
            CronTrigger(day_of_week=day, hour=int(hour), minute=int(minute), timezone=tz),
            args=[digest.id],
            id=f"digest:{digest.id}",
            name=f"digest {digest.id}",
            misfire_grace_time=3600,
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
        ids.append(job.id)
        missed = IsoWeek.last_complete(last_fire(digest.schedule, now, tz), tz)
        with store.read() as conn:
            done = deliveries.handled(conn, digest.id, str(missed), list(digest.to))
        if not done:
            log.info("digest %s: catching up week %s", digest.id, missed)
            job = scheduler.add_job(
                catch_up,
                args=[digest.id, str(missed)],
                next_run_time=now,
                id=f"digest-catch-up:{digest.id}",
                replace_existing=True,
                misfire_grace_time=None,
            )
            ids.append(job.id)
    if config.digests:
        job = scheduler.add_job(
            retries,
            IntervalTrigger(seconds=RETRY_EVERY.total_seconds()),
            id="digest-retries",
            name="digest retries",
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
        ids.append(job.id)
    return ids


async def _off_loop(
    run: Callable[[Digest, IsoWeek], DigestReport], digest: Digest, week: IsoWeek
) -> None:
    """SMTP and the store block: run in a thread so the web server keeps answering."""
    try:
        await asyncio.to_thread(run, digest, week)
    except MailError as exc:  # e.g. a password that would go out unencrypted
        log.error("digest %s %s not sent: %s", digest.id, week, exc)
    except Exception:  # a bug in one digest must not stop the scheduler
        log.exception("digest %s %s crashed", digest.id, week)


def _smtp_factory(config: Config) -> MailerFactory:
    """Without a login: the process edge passes one built from its Settings."""
    return lambda: Mailer(SmtpSettings.from_config(config.smtp))


class _closing:
    def __init__(self, mailer: Sender) -> None:
        self.mailer = mailer

    def __enter__(self) -> Sender:
        return self.mailer

    def __exit__(self, *exc: object) -> None:
        close = getattr(self.mailer, "close", None)
        if close is not None:
            close()


@cache
def _kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def _at(day: date, hour: int, minute: int, tz: str) -> datetime:
    return datetime.combine(day, time(hour, minute), ZoneInfo(tz))
