"""SMTP failures and crashes midway: every recipient ends up served exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta
from email.message import EmailMessage

import pytest

from clusternews.adapters.mail import Mailer, SmtpSettings
from clusternews.adapters.store import Store, deliveries
from clusternews.config import Config
from clusternews.jobs import send_digest as job
from clusternews.knowledge.base import KnowledgeBase
from clusternews.pipeline.isoweek import IsoWeek

from .digest_helpers import AFTER_WEEK, THURSDAY, SmtpServer, article, config, store_articles

W47 = IsoWeek(2026, 47)
PEOPLE = ["anna@example.no", "bjorn@example.no", "cecilie@example.se"]


class Killed(BaseException):
    """Stands for the process dying: nothing in the job may catch it."""


@pytest.fixture
def week_store(store: Store, kb: KnowledgeBase) -> Store:
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
    return store


def cfg(port: int) -> Config:
    return config(port, to=PEOPLE, regions=["Nordland"])


def run(
    store: Store,
    c: Config,
    kb: KnowledgeBase,
    *,
    minutes: float = 0,
    mailer: job.Sender | None = None,
    **kw: object,
) -> job.DigestReport:
    at = AFTER_WEEK + timedelta(minutes=minutes)
    with Mailer(SmtpSettings.from_config(c.smtp)) as real:
        return job.send_digest(
            store,
            c,
            c.digests[0],
            W47,
            mailer=mailer or real,
            kb=kb,
            clock=lambda: at,
            sleep=lambda _s: None,
            **kw,
        )  # type: ignore[arg-type]


def states(store: Store) -> dict[str, tuple[str, int]]:
    with store.read() as conn:
        return {r["recipient"]: (r["state"], r["attempts"]) for r in deliveries.rows(conn)}


def test_a_transient_failure_is_retried_within_the_run(
    week_store: Store, smtp: SmtpServer, kb: KnowledgeBase
) -> None:
    refusals = iter(["451 4.3.0 try again later"])
    smtp.inbox.refuse = lambda r: next(refusals, None) if r == PEOPLE[1] else None
    report = run(week_store, cfg(smtp.port), kb)
    assert report.sent == PEOPLE and smtp.inbox.count() == dict.fromkeys(PEOPLE, 1)
    assert smtp.inbox.rcpt_calls.count(PEOPLE[1]) == 2
    assert states(week_store) == dict.fromkeys(PEOPLE, ("sent", 1))


def test_a_failure_that_outlasts_the_run_is_retried_later_once_due(
    week_store: Store, smtp: SmtpServer, kb: KnowledgeBase
) -> None:
    refusals = iter(["451 4.3.0 busy"] * job.TRIES)
    smtp.inbox.refuse = lambda r: next(refusals, None) if r == PEOPLE[1] else None
    c = cfg(smtp.port)
    first = run(week_store, c, kb)
    assert first.sent == [PEOPLE[0], PEOPLE[2]]
    assert first.failed == [(PEOPLE[1], "mail: 451 4.3.0 busy")]
    with week_store.read() as conn:
        row = next(r for r in deliveries.rows(conn) if r["recipient"] == PEOPLE[1])
        assert row["next_attempt_at"] == AFTER_WEEK + job.RETRY_AFTER[0]
        assert deliveries.due(conn, now=AFTER_WEEK + timedelta(minutes=1)) == []
        assert deliveries.due(conn, now=AFTER_WEEK + timedelta(minutes=6)) == [
            ("weekly-nord", "2026-W47")
        ]
    early = run(week_store, c, kb, minutes=1)  # not due yet: nobody is sent anything
    assert early.sent == [] and smtp.inbox.count() == {PEOPLE[0]: 1, PEOPLE[2]: 1}
    later = run(week_store, c, kb, minutes=6)
    assert later.sent == [PEOPLE[1]]
    assert smtp.inbox.count() == dict.fromkeys(PEOPLE, 1)
    assert states(week_store)[PEOPLE[1]] == ("sent", 2)


def test_a_dead_server_then_a_live_one(
    week_store: Store, smtp: SmtpServer, kb: KnowledgeBase
) -> None:
    c = cfg(smtp.port)
    dead = c.model_copy(update={"smtp": c.smtp.model_copy(update={"port": 9})})  # discard port
    report = run(week_store, dead, kb)
    assert [r for r, _e in report.failed] == PEOPLE and "127.0.0.1:9" in report.failed[0][1]
    assert run(week_store, c, kb, retry_now=True).sent == PEOPLE  # `digest --send`: right away
    assert smtp.inbox.count() == dict.fromkeys(PEOPLE, 1)


def test_a_crash_between_recipients_then_a_rerun(
    week_store: Store, smtp: SmtpServer, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_claim, calls = deliveries.claim, []

    def claim(*args: object, **kw: object) -> int | None:
        calls.append(1)
        if len(calls) == 2:  # the first recipient is sent and recorded; then the process dies
            raise Killed()
        return real_claim(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(deliveries, "claim", claim)
    with pytest.raises(Killed):
        run(week_store, cfg(smtp.port), kb)
    assert smtp.inbox.count() == {PEOPLE[0]: 1}
    monkeypatch.setattr(deliveries, "claim", real_claim)
    assert run(week_store, cfg(smtp.port), kb).sent == PEOPLE[1:]
    assert smtp.inbox.count() == dict.fromkeys(PEOPLE, 1)


def test_a_bug_while_sending_is_recorded_and_the_rerun_sends(
    week_store: Store, smtp: SmtpServer, kb: KnowledgeBase
) -> None:
    c = cfg(smtp.port)

    class Buggy(Mailer):
        def send(self, message: EmailMessage, recipient: str) -> None:
            if recipient == PEOPLE[1]:
                raise ValueError("bug")
            super().send(message, recipient)

    with Buggy(SmtpSettings.from_config(c.smtp)) as buggy, pytest.raises(ValueError):
        run(week_store, c, kb, mailer=buggy)
    with week_store.read() as conn:
        row = next(r for r in deliveries.rows(conn) if r["recipient"] == PEOPLE[1])
    assert row["state"] == "failed" and "internal error: ValueError('bug')" in row["error"]
    assert run(week_store, c, kb, retry_now=True).sent == PEOPLE[1:]
    assert smtp.inbox.count() == dict.fromkeys(PEOPLE, 1)


def test_killed_during_the_smtp_exchange(
    week_store: Store, smtp: SmtpServer, kb: KnowledgeBase
) -> None:
    """The one window nobody can close: the server took the message, the process died before
    recording it. A rerun leaves that recipient alone while the claim is fresh; once the lease
    has run out it is sent again with the same Message-ID, which mail clients de-duplicate."""
    c = cfg(smtp.port)

    class DiesAfterSending(Mailer):
        def send(self, message: EmailMessage, recipient: str) -> None:
            super().send(message, recipient)
            if recipient == PEOPLE[1]:
                raise Killed()

    with DiesAfterSending(SmtpSettings.from_config(c.smtp)) as m, pytest.raises(Killed):
        run(week_store, c, kb, mailer=m)
    rerun = run(week_store, c, kb, minutes=1, retry_now=True)
    assert rerun.sent == [PEOPLE[2]] and rerun.skipped == PEOPLE[:2]
    assert smtp.inbox.count() == dict.fromkeys(PEOPLE, 1)
    assert states(week_store)[PEOPLE[1]] == ("sending", 1)
    lease = deliveries.LEASE.total_seconds() / 60
    assert run(week_store, c, kb, minutes=lease + 1).sent == [PEOPLE[1]]
    first, second = smtp.inbox.to(PEOPLE[1])
    assert first["Message-ID"] == second["Message-ID"]


def test_two_senders_at_once_claim_each_recipient_once(week_store: Store) -> None:
    won: list[int | None] = []
    barrier = threading.Barrier(4)

    def claim() -> None:
        barrier.wait()
        with week_store.write() as conn:
            won.append(
                deliveries.claim(
                    conn,
                    "d",
                    "2026-W47",
                    "x@example.no",
                    now=AFTER_WEEK,
                    items=1,
                    message_id="<m@x>",
                    retry_now=True,
                )
            )

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(won, key=str) == [1, None, None, None]
