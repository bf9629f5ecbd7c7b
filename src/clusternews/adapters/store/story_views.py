"""Stories as readers see them: each item's story, one story's items, one item per story."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    Select,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
)

from clusternews.adapters.store.schema import items, story_members
from clusternews.models import Story, StoryCopy

# Built once (expanding INs): every uncached page reads its items' stories.
_STORY_OF = select(story_members.c.item_id, story_members.c.story_id).where(
    story_members.c.item_id.in_(bindparam("ids", expanding=True))
)
_MEMBERS = (
    select(
        story_members.c.story_id,
        items.c.id,
        items.c.url,
        items.c.cluster,
        items.c.language,
        items.c.first_seen,
    )
    .join(items, items.c.id == story_members.c.item_id)
    .where(story_members.c.story_id.in_(bindparam("ids", expanding=True)))
    .order_by(
        story_members.c.story_id, func.coalesce(items.c.published, items.c.first_seen), items.c.id
    )
)


def stories(conn: Connection, rows: Sequence[RowMapping]) -> dict[str, Story]:
    """Each item row's story by item id, copies ordered by date; an item outside any story is
    a story of its own."""
    if not rows:
        return {}
    found = conn.execute(_STORY_OF, {"ids": [r["id"] for r in rows]})
    story_of: dict[str, str] = {item: story for item, story in found}
    by_story: dict[str, list[RowMapping]] = {}
    if story_of:
        members = conn.execute(_MEMBERS, {"ids": sorted(set(story_of.values()))}).mappings()
        for m in members:
            by_story.setdefault(m["story_id"], []).append(m)
    out = {}
    for row in rows:
        story_id = story_of.get(row["id"])
        copies = by_story.get(story_id or "") or [row]
        out[row["id"]] = story(story_id or row["id"], copies)
    return out


def story(story_id: str, copies: Sequence[RowMapping]) -> Story:
    first: datetime = min(c["first_seen"] for c in copies)
    return Story(
        id=story_id,
        size=len(copies),
        first_seen=first,
        items=tuple(
            StoryCopy(id=c["id"], url=c["url"], cluster=c["cluster"], language=c["language"])
            for c in copies
        ),
    )


def item_ids(conn: Connection, story_id: str) -> list[str]:
    """The story's items, earliest first; an unplaced item's id stands for its own story."""
    day = func.coalesce(items.c.published, items.c.first_seen)
    found = [
        i
        for (i,) in conn.execute(
            select(items.c.id)
            .join(story_members, story_members.c.item_id == items.c.id)
            .where(story_members.c.story_id == story_id)
            .order_by(day, items.c.id)
        )
    ]
    if found:
        return found
    alone = conn.execute(
        select(items.c.id).where(
            items.c.id == story_id, ~exists().where(story_members.c.item_id == items.c.id)
        )
    ).first()
    return [alone.id] if alone else []


def earliest_of_story(within: Select[Any] | None) -> ColumnElement[bool]:
    """True for an item that no other copy of its story precedes (by publication date, then
    id); with `within`, only copies among those ids count, so a filter that leaves out the
    first copy still shows the story once, by its earliest copy that matches."""
    me, other, copy = story_members.alias("me"), story_members.alias("other"), items.alias("copy")
    day = func.coalesce(items.c.published, items.c.first_seen)
    copy_day = func.coalesce(copy.c.published, copy.c.first_seen)
    earlier = [
        me.c.item_id == items.c.id,
        other.c.story_id == me.c.story_id,
        other.c.item_id != me.c.item_id,
        copy.c.id == other.c.item_id,
        or_(copy_day < day, and_(copy_day == day, copy.c.id < items.c.id)),
    ]
    if within is not None:
        earlier.append(copy.c.id.in_(within))
    return ~exists().where(and_(*earlier))
