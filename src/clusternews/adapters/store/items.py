"""The items table: one row per article, keyed by canonical URL and content hash."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from clusternews.adapters.store.schema import item_entities, item_sources, items
from clusternews.models import Article, Entity
from clusternews.pipeline.dedup import item_id

# Built once: storing an article runs these, and building a Core statement per call cost the
# ingest loop more CPU than SQLite spent running it (benchmarks/ingest_throughput.py).
_STORED = (items.c.id, items.c.content_hash, items.c.first_seen)
_BY_URL = select(*_STORED).where(items.c.url == bindparam("url"))
_BY_HASH = (
    select(*_STORED)
    .where(items.c.content_hash == bindparam("hash"))
    .order_by(items.c.first_seen)
    .limit(1)
)
_INSERT_ITEM = insert(items)
_UPDATE_ITEM = update(items).where(items.c.id == bindparam("item"))
_DELETE_ENTITIES = delete(item_entities).where(item_entities.c.item_id == bindparam("item"))
_INSERT_ENTITIES = insert(item_entities)
_LINKED = select(item_sources.c.item_id).where(
    item_sources.c.item_id == bindparam("item"), item_sources.c.source_id == bindparam("source")
)
_INSERT_LINK = insert(item_sources)


def known(conn: Connection, urls: list[str]) -> dict[str, dict[str, Any]]:
    """Stored items for these URLs (by item URL or any source's URL for it)."""
    if not urls:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(urls, 500):
        rows = conn.execute(
            select(
                items.c.id, items.c.url, items.c.content_hash, items.c.published, items.c.updated_at
            ).where(items.c.url.in_(chunk))
        ).mappings()
        for row in rows:
            out[row["url"]] = dict(row)
        rows = conn.execute(
            select(
                item_sources.c.url,
                items.c.id,
                items.c.content_hash,
                items.c.published,
                items.c.updated_at,
            )
            .join(items, items.c.id == item_sources.c.item_id)
            .where(item_sources.c.url.in_(chunk))
        ).mappings()
        for row in rows:
            out.setdefault(row["url"], dict(row))
    return out


def upsert(
    conn: Connection, article: Article, *, source_id: str, cluster: str, now: datetime
) -> str:
    """Store `article` as seen by `source_id`: 'new', 'updated', 'unchanged' or 'duplicate'."""
    row = conn.execute(_BY_URL, {"url": article.url}).first()
    if row is None:
        # The same text under another URL (a second source, a ?p=123 permalink) is one article.
        row = conn.execute(_BY_HASH, {"hash": article.content_hash}).first()
        if row is not None:
            link(conn, row.id, source_id=source_id, cluster=cluster, url=article.url, now=now)
            return "duplicate"
        new_id = item_id(article.url)
        conn.execute(
            _INSERT_ITEM,
            {
                "id": new_id,
                "cluster": cluster,
                "first_seen": now,
                "updated_at": now,
                **_fields(article),
            },
        )
        _index_entities(conn, new_id, article, day=article.published or now, new=True)
        link(conn, new_id, source_id=source_id, cluster=cluster, url=article.url, now=now, new=True)
        return "new"
    link(conn, row.id, source_id=source_id, cluster=cluster, url=article.url, now=now)
    if row.content_hash == article.content_hash:
        return "unchanged"
    conn.execute(_UPDATE_ITEM, {"item": row.id, "updated_at": now, **_fields(article)})
    _index_entities(conn, row.id, article, day=article.published or row.first_seen)
    return "updated"


def _index_entities(
    conn: Connection, item: str, article: Article, *, day: datetime, new: bool = False
) -> None:
    """One row per entity and per region (direct or as an ancestor), for search; `day` is the
    item's newest-first sort key, coalesce(published, first_seen), and the language is the
    item's, both copied for the entity index. `new`: the item has none."""
    if not new:
        conn.execute(_DELETE_ENTITIES, {"item": item})
    rows = {
        e.id: {
            "item_id": item,
            "entity_id": e.id,
            "type": e.type,
            "name": e.name,
            "kind": e.kind,
            "count": e.count,
            "direct": True,
            "day": day,
            "language": article.language,
        }
        for e in article.entities
    }
    for region_id, name in zip(article.region_ids, article.regions, strict=False):
        rows.setdefault(
            region_id,
            {
                "item_id": item,
                "entity_id": region_id,
                "type": "REGION",
                "name": name,
                "kind": None,
                "count": 0,
                "direct": False,
                "day": day,
                "language": article.language,
            },
        )
    if rows:
        conn.execute(_INSERT_ENTITIES, list(rows.values()))


def link(
    conn: Connection,
    item: str,
    *,
    source_id: str,
    cluster: str,
    url: str,
    now: datetime,
    new: bool = False,
) -> bool:
    """Remember that `source_id` gives this item; True if that is news (`new`: the item was
    stored in this transaction, so no source has it yet)."""
    if not new and conn.execute(_LINKED, {"item": item, "source": source_id}).first():
        return False
    conn.execute(
        _INSERT_LINK,
        {
            "item_id": item,
            "source_id": source_id,
            "cluster": cluster,
            "url": url,
            "first_seen": now,
        },
    )
    return True


def count_by_source(conn: Connection) -> dict[str, int]:
    rows = conn.execute(
        select(item_sources.c.source_id, func.count()).group_by(item_sources.c.source_id)
    )
    return {source: n for source, n in rows}


def _fields(article: Article) -> dict[str, Any]:
    # Field by field, one level deep: `asdict` deep-copies every mention tuple, which cost
    # ~0.8 ms of the ingest loop's CPU per article.
    data = {f.name: getattr(article, f.name) for f in fields(Article) if f.name != "region_ids"}
    data["entities"] = [
        {f.name: getattr(e, f.name) for f in _ENTITY_FIELDS} for e in article.entities
    ]
    data["regions"] = list(article.regions)
    return data


_ENTITY_FIELDS = fields(Entity)


def _chunks(values: list[str], size: int):  # type: ignore[no-untyped-def]
    for start in range(0, len(values), size):
        yield values[start : start + size]
