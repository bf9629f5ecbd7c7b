"""Partner API tokens: random, shown once, stored as SHA-256, checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from clusternews.adapters.store.schema import partners

TOKEN_PREFIX = "cn_"


class PartnerError(ValueError):
    """A partner name is taken or unknown."""


@dataclass(frozen=True)
class Partner:
    id: int
    name: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add(conn: Connection, name: str, *, now: datetime) -> str:
    """Create a partner and return its token; only its hash is stored, so this is the one
    time anybody sees it."""
    name = name.strip()
    if not name:
        raise PartnerError("partners: a partner needs a name")
    if conn.execute(select(partners.c.id).where(partners.c.name == name)).first():
        raise PartnerError(f"partners: {name!r} already exists (revoke it or pick another name)")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)  # 256 random bits
    conn.execute(insert(partners).values(name=name, token_hash=_digest(token), created_at=now))
    return token


def revoke(conn: Connection, name: str, *, now: datetime) -> None:
    done = conn.execute(
        update(partners)
        .where(partners.c.name == name, partners.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if not done.rowcount:
        raise PartnerError(f"partners: no active partner named {name!r}")


def listing(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(
            partners.c.name, partners.c.created_at, partners.c.revoked_at, partners.c.last_used_at
        ).order_by(partners.c.name)
    ).mappings()
    return [dict(r) for r in rows]


def any_exist(conn: Connection) -> bool:
    """True once a partner was ever added: from then on the API wants a token (a revoked
    partner's row stays, so revoking the last one does not open the API to everybody)."""
    return conn.execute(select(func.count()).select_from(partners)).scalar_one() > 0


def check(conn: Connection, token: str) -> Partner | None:
    """The active partner holding `token`, or None.

    Every active hash is compared with hmac.compare_digest (no early exit, no index lookup
    keyed by the secret), so the time taken says nothing about how close a guess was.
    """
    wanted = _digest(token)
    found: Partner | None = None
    rows = conn.execute(
        select(partners.c.id, partners.c.name, partners.c.token_hash).where(
            partners.c.revoked_at.is_(None)
        )
    )
    for row in rows:
        if hmac.compare_digest(row.token_hash, wanted):
            found = Partner(row.id, row.name)
    return found


def touch(conn: Connection, partner_id: int, *, now: datetime) -> None:
    conn.execute(update(partners).where(partners.c.id == partner_id).values(last_used_at=now))
