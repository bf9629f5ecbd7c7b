"""The deliveries table: each (digest, week, recipient) claimed before sending, settled after."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, false, func, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite

from clusternews.adapters.store.schema import deliveries

# A 'sending' row older than this was left by a process that died mid-send: an SMTP session
# lasts seconds (30 s timeout per step), so nobody alive is still holding it.
LEASE = timedelta(minutes=10)
DONE = ("sent", "skipped")


def claim(
    conn: Connection,
    digest_id: str,
    week: str,
    recipient: str,
    *,
    now: datetime,
    items: int,
    message_id: str,
    retry_now: bool = False,
) -> int | None:
    """Mark the delivery 'sending' unless it was sent, is being sent or was given up; returns
    the attempt number if the delivery is now ours, else None.

    Atomic on both backends: the insert loses on the primary key, the update re-checks the
    state under the row lock, so two senders never both win."""
    key = {"digest_id": digest_id, "week": week, "recipient": recipient}
    values = {
        "state": "sending",
        "claimed_at": now,
        "items": items,
        "message_id": message_id,
        "error": None,
        "next_attempt_at": None,
        "permanent": False,
    }
    if _insert_new(conn, {**key, **values, "attempts": 1}):
        return 1
    # A failure is retried when due, or at once when a person asks (`digest --send`); a given
    # up one (5xx, or too many attempts) only under a new address.
    retryable = and_(deliveries.c.state == "failed", deliveries.c.permanent.is_(false()))
    if not retry_now:
        retryable = and_(retryable, deliveries.c.next_attempt_at <= now)
    stmt = (
        update(deliveries)
        .where(*_pk(key))
        .where(
            or_(
                and_(deliveries.c.state == "sending", deliveries.c.claimed_at < now - LEASE),
                retryable,
                # an empty week was skipped; items that arrived since may now be sent
                and_(deliveries.c.state == "skipped", true() if items > 0 else false()),
            )
        )
        .values(attempts=deliveries.c.attempts + 1, **values)
        .returning(deliveries.c.attempts)
    )
    attempt = conn.execute(stmt).scalar()
    return None if attempt is None else int(attempt)


def settle(
    conn: Connection,
    digest_id: str,
    week: str,
    recipient: str,
    *,
    now: datetime,
    error: str | None = None,
    permanent: bool = False,
    next_attempt_at: datetime | None = None,
) -> None:
    """After sending: 'sent', or 'failed' with the error and when to try again."""
    values: dict[str, Any] = (
        {"state": "sent", "sent_at": now, "error": None, "next_attempt_at": None}
        if error is None
        else {
            "state": "failed",
            "error": error[:2000],
            "permanent": permanent,
            "next_attempt_at": None if permanent else next_attempt_at,
        }
    )
    key = {"digest_id": digest_id, "week": week, "recipient": recipient}
    conn.execute(update(deliveries).where(*_pk(key)).values(**values))


def skip(conn: Connection, digest_id: str, week: str, recipient: str, *, now: datetime) -> None:
    """Record that an empty week sent nothing (so catch-up knows the week was handled)."""
    _insert_new(
        conn,
        {
            "digest_id": digest_id,
            "week": week,
            "recipient": recipient,
            "state": "skipped",
            "attempts": 0,
            "items": 0,
            "claimed_at": now,
            "permanent": False,
        },
    )


def rows(
    conn: Connection, *, digest_id: str | None = None, week: str | None = None
) -> list[dict[str, Any]]:
    stmt = select(deliveries).order_by(
        deliveries.c.week.desc(), deliveries.c.digest_id, deliveries.c.recipient
    )
    if digest_id:
        stmt = stmt.where(deliveries.c.digest_id == digest_id)
    if week:
        stmt = stmt.where(deliveries.c.week == week)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def first_sent_at(conn: Connection, digest_id: str, week: str) -> datetime | None:
    """When a digest's week first went out: later arrivals belong to the next week's digest."""
    return conn.execute(
        select(func.min(deliveries.c.sent_at)).where(
            deliveries.c.digest_id == digest_id, deliveries.c.week == week
        )
    ).scalar()


def handled(conn: Connection, digest_id: str, week: str, recipients: list[str]) -> bool:
    """True when every recipient of that week was sent, skipped or permanently failed."""
    found = conn.execute(
        select(deliveries.c.recipient).where(
            deliveries.c.digest_id == digest_id,
            deliveries.c.week == week,
            or_(
                deliveries.c.state.in_(DONE),
                and_(deliveries.c.state == "failed", deliveries.c.permanent.is_(True)),
            ),
        )
    ).scalars()
    return set(recipients) <= set(found)


def due(conn: Connection, *, now: datetime) -> list[tuple[str, str]]:
    """(digest, week) pairs with a failed delivery due again, or one abandoned mid-send."""
    stmt = (
        select(deliveries.c.digest_id, deliveries.c.week)
        .distinct()
        .where(
            or_(
                and_(
                    deliveries.c.state == "failed",
                    deliveries.c.permanent.is_(false()),
                    deliveries.c.next_attempt_at <= now,
                ),
                and_(deliveries.c.state == "sending", deliveries.c.claimed_at < now - LEASE),
            )
        )
    )
    return [(d, w) for d, w in conn.execute(stmt)]


def _insert_new(conn: Connection, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; the one dialect difference of this table. RETURNING
    says whether the row went in (psycopg reports no rowcount for it)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(deliveries)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(deliveries.c.digest_id)
    )
    return conn.execute(stmt).first() is not None


def _pk(key: dict[str, str]) -> list[Any]:
    return [
        deliveries.c.digest_id == key["digest_id"],
        deliveries.c.week == key["week"],
        deliveries.c.recipient == key["recipient"],
    ]
