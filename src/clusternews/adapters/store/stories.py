"""The story_members table: which story each item is in, with the fingerprint it was judged by.

Writers serialise story placement: SQLite has one writer at a time anyway; on PostgreSQL a
transaction-scoped advisory lock stops two workers from founding two stories for two copies
of one press release stored at the same moment (each would not yet see the other's row).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import BindParameter, Connection, bindparam, insert, select, text, update

from clusternews.adapters.store.schema import story_members
from clusternews.pipeline.stories import Candidates, Fingerprint
from clusternews.pipeline.stories.match import GRAM_PERMS, WORD_PERMS
from clusternews.pipeline.stories.minhash import stacked, to_bytes

_LOCK = 0x5707_1E5  # pg_advisory_xact_lock key of story placement
# Built once (see story_keys.py): placing an article runs each of these.
_ITEM: BindParameter[str] = bindparam("item")
_MEMBERSHIP = select(story_members.c.story_id, story_members.c.content_hash).where(
    story_members.c.item_id == _ITEM
)
_OTHERS = (
    select(story_members.c.item_id)
    .where(story_members.c.story_id == bindparam("story"), story_members.c.item_id != _ITEM)
    .limit(1)
)
_FINGERPRINTS = (
    select(
        story_members.c.item_id,
        story_members.c.story_id,
        story_members.c.words,
        story_members.c.grams,
        story_members.c.anchors,
        story_members.c.day,
    )
    .where(story_members.c.item_id.in_(bindparam("items", expanding=True)))
    .order_by(story_members.c.item_id)
)
_INSERT = insert(story_members)
_UPDATE = update(story_members).where(story_members.c.item_id == bindparam("item"))
_NAMED = select(story_members.c.item_id).where(story_members.c.story_id == _ITEM).limit(1)


@dataclass(frozen=True, slots=True)
class Membership:
    story_id: str
    content_hash: str


def lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})


def membership(conn: Connection, item_id: str) -> Membership | None:
    row = conn.execute(_MEMBERSHIP, {"item": item_id}).first()
    return Membership(row.story_id, row.content_hash) if row else None


def has_others(conn: Connection, story_id: str, item_id: str) -> bool:
    """Whether any other item is in the story."""
    return conn.execute(_OTHERS, {"story": story_id, "item": item_id}).first() is not None


def fingerprints(conn: Connection, item_ids: Sequence[str]) -> Candidates:
    """The stored fingerprints of `item_ids`, stacked (ordered by item id)."""
    rows = conn.execute(_FINGERPRINTS, {"items": list(item_ids)}).all() if item_ids else []
    return Candidates(
        item_ids=[r[0] for r in rows],
        story_ids=[r[1] for r in rows],
        words=stacked([r[2] for r in rows], WORD_PERMS),
        grams=stacked([r[3] for r in rows], GRAM_PERMS),
        anchors=[frozenset(r[4].split("\n")) - {""} for r in rows],
        days=np.array([r[5] for r in rows], dtype=np.int64),
    )


def fresh_story_id(conn: Connection, item_id: str, *, now: datetime) -> str:
    """The founding item's own id, unless a story already goes by it (the item left it)."""
    taken = conn.execute(_NAMED, {"item": item_id}).first()
    if taken is None:
        return item_id
    return hashlib.sha256(f"{item_id}|{now.isoformat()}".encode()).hexdigest()[:20]


def save(
    conn: Connection,
    item_id: str,
    *,
    story_id: str,
    fp: Fingerprint,
    content_hash: str,
    matched: str | None,
    how: str | None,
    now: datetime,
    new: bool,
) -> None:
    values = {
        "story_id": story_id,
        "day": fp.day,
        "content_hash": content_hash,
        "words": to_bytes(fp.words),
        "grams": to_bytes(fp.grams),
        "anchors": "\n".join(sorted(fp.anchors)),
        "matched": matched,
        "how": how,
        "joined_at": now,
    }
    if new:
        conn.execute(_INSERT, {"item_id": item_id, **values})
    else:
        conn.execute(_UPDATE, {"item": item_id, **values})
