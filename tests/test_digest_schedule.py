"""Digests on their weekly schedule in APScheduler, and one catch-up after downtime."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from clusternews.adapters.mail import Mailer, SmtpSettings
from clusternews.adapters.store import Store, deliveries
from clusternews.digest_schedule import add_digest_jobs
from clusternews.knowledge.base import KnowledgeBase

from .digest_helpers import AFTER_WEEK, THURSDAY, SmtpServer, article, config, store_articles

PEOPLE = ["anna@example.no", "bjorn@example.no"]


def test_one_cron_job_per_digest_in_the_configured_time_zone(store: Store) -> None:
    c = config(25, to=PEOPLE)
    scheduler = AsyncIOScheduler(timezone="UTC")
    ids = add_digest_jobs(scheduler, c, store, now=AFTER_WEEK)
    assert ids == ["digest:weekly-nord", "digest-catch-up:weekly-nord", "digest-retries"]
    trigger = scheduler.get_job("digest:weekly-nord").trigger
    assert isinstance(trigger, CronTrigger) and str(trigger.timezone) == "Europe/Oslo"
    fire = trigger.get_next_fire_time(None, AFTER_WEEK + timedelta(minutes=1))
    assert fire.astimezone(UTC) == AFTER_WEEK + timedelta(days=7)  # Monday 07:00 in Oslo
    # the last scheduled send was already made: nothing to catch up
    with store.write() as conn:
        for person in PEOPLE:
            deliveries.skip(conn, "weekly-nord", "2026-W47", person, now=AFTER_WEEK)
    assert "digest-catch-up:weekly-nord" not in add_digest_jobs(
        AsyncIOScheduler(timezone="UTC"), c, store, now=AFTER_WEEK + timedelta(hours=2)
    )


def test_a_missed_send_is_caught_up_once_after_a_restart(store: Store, smtp: SmtpServer) -> None:
    kb = KnowledgeBase.load()
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
    c = config(smtp.port, to=PEOPLE, regions=["Nordland"])
    back_up = AFTER_WEEK + timedelta(hours=5)  # down over Monday 07:00, back at noon

    def factory() -> Mailer:
        return Mailer(SmtpSettings.from_config(c.smtp))

    async def start_and_wait(now: datetime) -> list[str]:
        scheduler = AsyncIOScheduler(timezone="UTC")
        ids = add_digest_jobs(scheduler, c, store, now=now, mailer_factory=factory)
        scheduler.start()
        for _ in range(100):
            await asyncio.sleep(0.05)
            with store.read() as conn:
                if deliveries.handled(conn, "weekly-nord", "2026-W47", PEOPLE):
                    break
        scheduler.shutdown(wait=False)
        return ids

    assert "digest-catch-up:weekly-nord" in asyncio.run(start_and_wait(back_up))
    assert smtp.inbox.count() == dict.fromkeys(PEOPLE, 1)
    # a second restart the same week finds the week sent and catches up nothing
    assert "digest-catch-up:weekly-nord" not in asyncio.run(
        start_and_wait(back_up + timedelta(hours=1))
    )
    assert smtp.inbox.count() == dict.fromkeys(PEOPLE, 1)
