"""Rows of the items table → `StoredItem` records, with their sources and their story."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, select

from clusternews.adapters.store import story_views
from clusternews.adapters.store.schema import item_sources, sources
from clusternews.models import Entity, ItemSource, StoredItem, Story


def records(conn: Connection, rows: Sequence[RowMapping]) -> list[StoredItem]:
    """The items of `rows` (full rows of the items table), in the same order."""
    if not rows:
        return []
    links = _sources(conn, [r["id"] for r in rows])
    stories = story_views.stories(conn, rows)
    return [_record(r, links.get(r["id"], ()), stories[r["id"]]) for r in rows]


def _record(row: RowMapping, links: tuple[ItemSource, ...], story: Story) -> StoredItem:
    return StoredItem(
        id=row["id"],
        url=row["url"],
        cluster=row["cluster"],
        title=row["title"],
        summary=row["summary"],
        text=row["text"],
        language=row["language"],
        language_variant=row["language_variant"],
        language_confidence=row["language_confidence"],
        published=row["published"],
        first_seen=row["first_seen"],
        updated_at=row["updated_at"],
        author=row["author"],
        image=row["image"],
        entities=tuple(_entity(e) for e in row["entities"] or ()),
        regions=tuple(row["regions"] or ()),
        sources=links,
        story=story,
    )


def _entity(stored: Mapping[str, Any]) -> Entity:
    """An entity as `items.upsert` stored it (the fields of `Entity`, as JSON)."""
    return Entity(
        type=stored["type"],
        id=stored["id"],
        name=stored["name"],
        kind=stored.get("kind"),
        mentions=tuple(stored.get("mentions") or ()),
        count=stored.get("count", 1),
    )


# Built once (an expanding IN): a feed page builds records on every uncached request.
_SOURCES = (
    select(
        item_sources.c.item_id,
        item_sources.c.source_id,
        item_sources.c.url,
        sources.c.url.label("source_url"),
    )
    .join(sources, sources.c.id == item_sources.c.source_id, isouter=True)
    .where(item_sources.c.item_id.in_(bindparam("ids", expanding=True)))
    .order_by(item_sources.c.first_seen)
)


def _sources(conn: Connection, ids: list[str]) -> dict[str, tuple[ItemSource, ...]]:
    """Each item's sources, first seen first."""
    found = conn.execute(_SOURCES, {"ids": ids})
    out: dict[str, list[ItemSource]] = {}
    for item_id, source_id, url, source_url in found:
        out.setdefault(item_id, []).append(ItemSource(source_id, url, source_url))
    return {item_id: tuple(links) for item_id, links in out.items()}
