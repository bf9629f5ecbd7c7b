"""One digest, one week: select → compose → render → deliver, each recipient at most once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

from clusternews.adapters.mail import MailError
from clusternews.adapters.store import Store, deliveries
from clusternews.config import Config, Digest
from clusternews.jobs.digest_select import build
from clusternews.knowledge.base import KnowledgeBase
from clusternews.mail.render import Letter, message_id, render_message
from clusternews.pipeline.isoweek import IsoWeek

log = logging.getLogger(__name__)
TRIES = 3  # SMTP attempts per recipient within one run, TRIES_BACKOFF seconds apart (doubling)
TRIES_BACKOFF = 2.0
# Between runs: a failed delivery is due again after these delays; then it is given up.
RETRY_AFTER = (
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
)
Clock = Callable[[], datetime]


class Sender(Protocol):
    def send(self, message: EmailMessage, recipient: str) -> None: ...


@dataclass
class DigestReport:
    digest_id: str
    week: IsoWeek
    items: int
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # done before, in progress, or empty week


def send_digest(
    store: Store,
    config: Config,
    digest: Digest,
    week: IsoWeek,
    *,
    mailer: Sender,
    kb: KnowledgeBase,
    clock: Clock = lambda: datetime.now(UTC),
    retry_now: bool = False,
    tries: int = TRIES,
    backoff: float = TRIES_BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
) -> DigestReport:
    content = build(store, config, digest, week, kb=kb)
    report = DigestReport(digest.id, week, content.total)
    for recipient in digest.to:
        letter = Letter(
            digest.id, digest.language, config.smtp.from_, recipient, config.defaults.timezone
        )
        if not content.total and not digest.send_empty:
            with store.write() as conn:  # nothing new: record the week as handled, send nothing
                deliveries.skip(conn, digest.id, str(week), recipient, now=clock())
            report.skipped.append(recipient)
            continue
        with store.write() as conn:  # claimed BEFORE sending: a rerun won't send it again
            attempt = deliveries.claim(
                conn,
                digest.id,
                str(week),
                recipient,
                now=clock(),
                items=content.total,
                message_id=message_id(letter, week),
                retry_now=retry_now,
            )
        if attempt is None:
            report.skipped.append(recipient)
            continue
        message = render_message(content, week, letter, now=clock())
        try:
            error = _deliver(mailer, message, recipient, tries=tries, backoff=backoff, sleep=sleep)
        except Exception as exc:  # a bug, not an SMTP answer: nothing was accepted; rerun-able
            _settle(
                store,
                digest.id,
                week,
                recipient,
                MailError(f"internal error: {exc!r}"),
                attempt=attempt,
                now=clock(),
            )
            raise
        _settle(store, digest.id, week, recipient, error, attempt=attempt, now=clock())
        if error is None:
            report.sent.append(recipient)
        else:
            report.failed.append((recipient, str(error)))
    log.info(
        "digest %s %s: %d items, %d sent, %d failed, %d skipped",
        digest.id,
        week,
        report.items,
        len(report.sent),
        len(report.failed),
        len(report.skipped),
    )
    return report


def _deliver(
    mailer: Sender,
    message: EmailMessage,
    recipient: str,
    *,
    tries: int,
    backoff: float,
    sleep: Callable[[float], None],
) -> MailError | None:
    """Send, with a few quick retries for transient (4xx, network) failures."""
    for n in range(1, tries + 1):
        try:
            mailer.send(message, recipient)
            return None
        except MailError as exc:
            log.warning("digest to %s failed (try %d/%d): %s", recipient, n, tries, exc)
            if exc.permanent or n == tries:
                return exc
            sleep(backoff * 2 ** (n - 1))
    return MailError("mail: no tries allowed")


def _settle(
    store: Store,
    digest_id: str,
    week: IsoWeek,
    recipient: str,
    error: MailError | None,
    *,
    attempt: int,
    now: datetime,
) -> None:
    """Recorded AFTER sending: 'sent', or 'failed' with when to try again (or never)."""
    with store.write() as conn:
        if error is None:
            deliveries.settle(conn, digest_id, str(week), recipient, now=now)
            return
        give_up = error.permanent or attempt > len(RETRY_AFTER)
        deliveries.settle(
            conn,
            digest_id,
            str(week),
            recipient,
            now=now,
            error=str(error),
            permanent=give_up,
            next_attempt_at=None if give_up else now + RETRY_AFTER[attempt - 1],
        )
