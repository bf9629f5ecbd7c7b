"""Stored items by text, entity, region, programme, language, cluster and date — one query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, func, or_, select

from clusternews.adapters.store.schema import item_entities, item_sources, items, sources


@dataclass(frozen=True)
class Query:
    """Filters combine with AND; the ids inside one filter with OR."""

    text: str | None = None
    org_ids: Sequence[str] = ()
    region_ids: Sequence[str] = ()  # items about a region or any place inside it
    programme_ids: Sequence[str] = ()
    languages: Sequence[str] = ()
    clusters: Sequence[str] = ()
    since: datetime | None = None
    limit: int = 20
    offset: int = 0


def _has_entity(ids: Sequence[str]):  # type: ignore[no-untyped-def]
    return exists().where(and_(item_entities.c.item_id == items.c.id,
                               item_entities.c.entity_id.in_(list(ids))))


def search(conn: Connection, query: Query) -> list[dict[str, Any]]:
    stmt = select(items)
    for ids in (query.org_ids, query.region_ids, query.programme_ids):
        if ids:
            stmt = stmt.where(_has_entity(ids))
    if query.languages:
        stmt = stmt.where(items.c.language.in_(list(query.languages)))
    if query.clusters:
        in_cluster = exists().where(and_(item_sources.c.item_id == items.c.id,
                                         item_sources.c.cluster.in_(list(query.clusters))))
        stmt = stmt.where(or_(items.c.cluster.in_(list(query.clusters)), in_cluster))
    if query.since:
        stmt = stmt.where(func.coalesce(items.c.published, items.c.first_seen) >= query.since)
    if query.text:
        # Full-text ranking comes with the search issue; until then a case-insensitive match.
        like = f"%{query.text.lower()}%"
        stmt = stmt.where(or_(func.lower(items.c.title).like(like),
                              func.lower(items.c.text).like(like)))
    stmt = stmt.order_by(func.coalesce(items.c.published, items.c.first_seen).desc(),
                         items.c.id).limit(query.limit).offset(query.offset)
    rows = [dict(r) for r in conn.execute(stmt).mappings()]
    _attach_sources(conn, rows)
    return rows


def _attach_sources(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        r["sources"] = []
    found = conn.execute(
        select(item_sources.c.item_id, item_sources.c.source_id, item_sources.c.url,
               sources.c.url.label("source_url"))
        .join(sources, sources.c.id == item_sources.c.source_id, isouter=True)
        .where(item_sources.c.item_id.in_(list(by_id)))
        .order_by(item_sources.c.first_seen)).mappings()
    for link in found:
        by_id[link["item_id"]]["sources"].append(dict(link))


def entity_counts(conn: Connection, *, type_: str | None = None, ids: Sequence[str] = (),
                  prefix: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Entities named directly by stored items, with how many items name each."""
    n = func.count(item_entities.c.item_id.distinct()).label("items")
    stmt = (select(item_entities.c.entity_id, item_entities.c.type, item_entities.c.name,
                   func.max(item_entities.c.kind).label("kind"), n)
            .where(item_entities.c.direct.is_(True))
            .group_by(item_entities.c.entity_id, item_entities.c.type, item_entities.c.name)
            .order_by(n.desc(), item_entities.c.name).limit(limit))
    if type_:
        stmt = stmt.where(item_entities.c.type == type_)
    if prefix:
        by_name = func.lower(item_entities.c.name).like(prefix.lower() + "%")
        stmt = stmt.where(or_(by_name, item_entities.c.entity_id.in_(list(ids)))
                          if ids else by_name)
    return [dict(r) for r in conn.execute(stmt).mappings()]
