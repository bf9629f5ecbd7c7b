"""Stored items by text, entity, region, programme, language, cluster and date — one query."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
)

from clusternews.adapters.store import fts, item_records, story_views
from clusternews.adapters.store.schema import item_entities, item_sources, items
from clusternews.models import StoredItem

# The newest-first sort key; ix_items_newest (migration 0004) indexes exactly this expression.
NEWEST = func.coalesce(items.c.published, items.c.first_seen)


@dataclass(frozen=True)
class Query:
    """Filters combine with AND; the ids inside one filter with OR."""

    text: str | None = None
    org_ids: Sequence[str] = ()
    region_ids: Sequence[str] = ()  # items about a region or any place inside it
    programme_ids: Sequence[str] = ()
    entity_ids: Sequence[str] = ()  # any entity type (the entity page)
    languages: Sequence[str] = ()
    clusters: Sequence[str] = ()
    since: datetime | None = None
    limit: int = 20
    offset: int = 0
    # "relevance" (text rank, newest first on ties) or "newest"; None: relevance with text.
    order: str | None = None
    # Keyset cursor for newest-first paging (feeds): items strictly after (date, id).
    after: tuple[datetime, str] | None = None
    # "story": one item per story, its earliest copy among the matches (story_views).
    collapse: str | None = None

    @property
    def ordering(self) -> str:
        if self.order:
            return self.order
        return "relevance" if self.text and fts.terms(self.text) else "newest"


# Below this many tagged items, a filter counted or probed by `_has_entity` drives from the
# entity index; above it, walking ix_items_newest and probing each item stops sooner. Measured
# at 100,000 items on SQLite: an organization in 300 items took 120 ms walking and 1 ms
# driving; "Norge" (60,000 items) took 1 ms walking and 260 ms driving. Newest-first lists
# filtered by one entity avoid the choice: they read ix_item_entities_day (`_driver`).
_DRIVE_BELOW = 3000
# A text search tests an entity on the FTS rowid (a set of the entity's item rowids, built
# once at ~2.2 us an item) rather than probing each match (~7 us: it reads the match's row)
# when the entity has fewer than this many items per text match scanned. At 1,000,000 items,
# "energi" (31,000 older matches) within Molde (3,600 items): 221 -> 15 ms.
_SET_PER_PROBE = 3
_TIE_MARGIN = 50
# Relevance ranks the most recently stored text matches first (SQLite; `_ranked_ids`).
RANK_WINDOW = 2000
# The entity index rows that drive a newest-first list (`_driver`). Built once: making an
# alias and its column collection per request cost ~0.3 ms of a 5 ms feed.
_DRIVER = item_entities.alias("driver")
# The items of an entity, by rowid, for a text search's FTS rows (`_has_entity`).
_TAGGED_ITEM = items.alias("tagged_item")


def _has_entity(  # type: ignore[no-untyped-def]
    conn: Connection,
    ids: Sequence[str],
    fts_rowid: Any = None,
    matches: Callable[[], int] | None = None,
):
    """The item carries one of `ids`. With `fts_rowid` (SQLite, a text search's FTS rowid
    column), a narrow entity is tested on that rowid, before the item's row is read; with
    `matches` (how many text matches the search scans), narrow means narrow for them."""
    tagged = select(item_entities.c.item_id).where(item_entities.c.entity_id.in_(list(ids)))

    def fewer_than(n: int) -> bool:
        counted = select(func.count()).select_from(tagged.limit(n).subquery())
        return bool(conn.execute(counted).scalar_one() < n)

    narrow = fewer_than(_DRIVE_BELOW)
    if not narrow and fts_rowid is not None and matches is not None:
        enough = _SET_PER_PROBE * matches()
        narrow = enough > _DRIVE_BELOW and fewer_than(enough)
    if not narrow:
        return _tagged(items.c.id, ids)
    if fts_rowid is None:
        return items.c.id.in_(tagged)
    # The unary plus keeps SQLite from handing the IN to FTS5 (one MATCH per rowid, 90 ms);
    # tested at the FTS scan instead, the entity filter skips each other match's row read and
    # rank: 7.4 -> 1.7 ms for a word within a small town at 100,000 items.
    rowids: Select[Any] = (
        select(literal_column("tagged_item.rowid"))
        .select_from(item_entities.join(_TAGGED_ITEM, _TAGGED_ITEM.c.id == item_entities.c.item_id))
        .where(item_entities.c.entity_id.in_(list(ids)))
    )
    return literal_column(f"+{fts_rowid.table.name}.{fts_rowid.name}").in_(rowids)


def _tagged(item_id: Any, ids: Sequence[str]):  # type: ignore[no-untyped-def]
    """EXISTS an entity row of `ids` for the item: one primary-key probe per id."""
    return exists().where(
        and_(item_entities.c.item_id == item_id, item_entities.c.entity_id.in_(list(ids)))
    )


def _driver(query: Query) -> str | None:
    """The one entity whose index rows, newest first, can drive a newest-first list: the first
    entity filter naming a single id. (Several ids OR-ed could list an item twice.)"""
    if query.ordering != "newest" or query.collapse:
        return None
    for ids in (query.org_ids, query.region_ids, query.programme_ids, query.entity_ids):
        if ids:
            return ids[0] if len(ids) == 1 else None
    return None


def _filtered(
    conn: Connection,
    query: Query,
    *columns: Any,
    driver: Any = None,
    top: int | None = None,
    rowids: tuple[int | None, int | None] = (None, None),
) -> tuple[Select[Any], Any]:
    """The statement with every filter applied, and the text rank (or None). With `driver`
    (an alias of item_entities already joined on the first entity filter), the other entity
    filters are probes of the item's own rows; with `top`, only that many best text matches
    are considered (`_top`)."""
    stmt = select(*columns).select_from(items if driver is None else driver)
    if driver is not None:
        stmt = stmt.join(items, items.c.id == driver.c.item_id)
    groups = [
        ids
        for ids in (query.org_ids, query.region_ids, query.programme_ids, query.entity_ids)
        if ids
    ]
    found = fts.text_match(conn, query.text, top=top, rowids=rowids) if query.text else None
    fts_rowid = found[2].c.fts_rowid if found is not None and found[2] is not None else None
    text = query.text or ""
    # The text matches this statement scans, counted once and only if an entity test asks.
    matches = cache(lambda: fts.count_matches(conn, text, rowids=rowids) or 0)

    for ids in groups[1:] if driver is not None else groups:
        stmt = stmt.where(
            _tagged(items.c.id, ids)
            if driver is not None
            else _has_entity(conn, ids, fts_rowid, matches if top is None else None)
        )
    if query.languages:
        stmt = stmt.where(items.c.language.in_(list(query.languages)))
    if query.clusters:
        in_cluster = exists().where(
            and_(
                item_sources.c.item_id == items.c.id,
                item_sources.c.cluster.in_(list(query.clusters)),
            )
        )
        stmt = stmt.where(or_(items.c.cluster.in_(list(query.clusters)), in_cluster))
    if query.since:
        stmt = stmt.where((driver.c.day if driver is not None else NEWEST) >= query.since)
    if query.collapse == "story":
        within = None
        if _narrowed(query):  # with filters, the earliest copy that matches them
            within, _rank = _filtered(conn, replace(query, collapse=None), items.c.id)
        stmt = stmt.where(story_views.earliest_of_story(within))
    rank = None
    if found is not None:
        where, rank, joined = found
        if joined is not None:
            stmt = stmt.join(joined, where)
        else:
            stmt = stmt.where(where)
    return stmt, rank


def _top(query: Query) -> int | None:
    """How many best text matches a relevance-ordered page needs, when nothing but the text
    filters it (else None: every match). The margin keeps items tied in rank at the page's
    edge in their newest-first order."""
    if (
        query.ordering != "relevance"
        or query.after is not None
        or query.collapse
        or _narrowed(replace(query, text=None))
    ):
        return None
    return query.offset + query.limit + _TIE_MARGIN


def _narrowed(query: Query) -> bool:
    return bool(
        query.text
        or query.org_ids
        or query.region_ids
        or query.programme_ids
        or query.entity_ids
        or query.languages
        or query.clusters
        or query.since
    )


def search(conn: Connection, query: Query) -> list[StoredItem]:
    return by_ids(conn, search_ids(conn, query))


def search_ids(conn: Connection, query: Query) -> list[str]:
    """The page's item ids in order: only index columns are read, so a caller that has the
    items rendered already (the web's fragments) never loads their rows."""
    return [item_id for item_id, _day in search_keys(conn, query)]


def search_keys(conn: Connection, query: Query) -> list[tuple[str, datetime | None]]:
    """`search_ids` with each item's date (the keyset position `cursor` gives), or None in
    relevance order."""
    if query.ordering == "relevance" and query.after is None:
        ranked = _ranked_ids(conn, query)
        if ranked is not None:
            return [(item_id, None) for item_id in ranked]
    prebuilt = _entity_newest(query)
    if prebuilt is not None:
        statement, params = prebuilt
        return [(item_id, day) for item_id, day in conn.execute(statement, params)]
    return _keys(conn, query)


def _keys(conn: Connection, query: Query) -> list[tuple[str, datetime | None]]:
    """`search_keys` for any filters, the statement built for the query."""
    entity = _driver(query)
    day: ColumnElement[Any]
    key: ColumnElement[Any]
    if entity is not None:
        # Newest first within one entity: the first `limit` rows of ix_item_entities_day.
        # The index's day is the item's date (items.upsert writes both).
        stmt, rank = _filtered(conn, query, items.c.id, _DRIVER.c.day, driver=_DRIVER)
        stmt = stmt.where(_DRIVER.c.entity_id == entity)
        day, key = _DRIVER.c.day, _DRIVER.c.item_id
    else:
        stmt, rank = _filtered(conn, query, items.c.id, NEWEST)
        day, key = NEWEST, items.c.id
    if query.after is not None:
        after_day, after_item = query.after
        stmt = stmt.where(or_(day < after_day, and_(day == after_day, key > after_item)))
    if query.ordering == "relevance" and rank is not None:
        stmt = stmt.order_by(rank.desc(), NEWEST.desc(), items.c.id)
    else:
        stmt = stmt.order_by(day.desc(), key)
    stmt = stmt.limit(query.limit).offset(query.offset)
    return [(item_id, day) for item_id, day in conn.execute(stmt)]


def _newest_of_entity(*, languages: bool, after: bool) -> Select[Any]:
    """One entity's items newest first, read off ix_item_entities_day; `languages`: only
    items in those languages; `after`: after a keyset position."""
    stmt = select(_DRIVER.c.item_id, _DRIVER.c.day).where(
        _DRIVER.c.entity_id == bindparam("entity")
    )
    if languages:  # the index's last column: no item row is read (migration 0010)
        stmt = stmt.where(_DRIVER.c.language.in_(bindparam("languages", expanding=True)))
    if after:
        day: Any = bindparam("after_day")
        item_id: Any = bindparam("after_item")
        stmt = stmt.where(
            or_(_DRIVER.c.day < day, and_(_DRIVER.c.day == day, _DRIVER.c.item_id > item_id))
        )
    return (
        stmt.order_by(_DRIVER.c.day.desc(), _DRIVER.c.item_id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


# The commonest feeds, one organization's or region's newest items (perhaps in a language),
# with statements built once: building and keying one per request cost 0.15 ms of a region
# feed's 0.22 ms ids query at 100,000 items.
_NEWEST_OF_ENTITY = {
    (languages, after): _newest_of_entity(languages=languages, after=after)
    for languages in (False, True)
    for after in (False, True)
}


def _entity_newest(query: Query) -> tuple[Select[Any], dict[str, Any]] | None:
    """The prebuilt statement and its parameters when the query is one entity's items newest
    first, perhaps in some languages and after a position; else None."""
    entity = _driver(query)
    # One entity filter of one id, and nothing else (text, clusters, a date) but languages.
    if entity is None or _only_entities(replace(query, languages=())) != [entity]:
        return None
    params: dict[str, Any] = {"entity": entity, "limit": query.limit, "offset": query.offset}
    if query.languages:
        params["languages"] = list(query.languages)
    if query.after is not None:
        params["after_day"], params["after_item"] = query.after
    statement = _NEWEST_OF_ENTITY[(bool(query.languages), query.after is not None)]
    return statement, params


def search_ids_counted(conn: Connection, query: Query) -> tuple[list[str], int]:
    """`search_ids` and the number of all matches. A relevance search on PostgreSQL ranks
    every match anyway, so one pass gives both (`count(*) OVER ()`); a second pass over the
    GIN bitmap cost 10-25 ms of a 50 ms search at 100,000 items."""
    if conn.dialect.name == "postgresql" and query.ordering == "relevance" and query.after is None:
        stmt, rank = _filtered(conn, query, items.c.id, func.count().over().label("total"))
        if rank is not None:
            stmt = stmt.order_by(rank.desc(), NEWEST.desc(), items.c.id)
            ranked = conn.execute(stmt.limit(query.limit).offset(query.offset)).all()
            if ranked:
                return [r.id for r in ranked], int(ranked[0].total)
    return search_ids(conn, query), count(conn, query)


def _ranked_ids(conn: Connection, query: Query) -> list[str] | None:
    """The page's item ids in relevance order, ranked on narrow rows: sorting every match's
    full row (text, entities) cost PostgreSQL 1-2 s for a word in 2,000 of 100,000 items,
    where ranking ids costs 30 ms. None when the text has nothing to match.

    On SQLite, relevance order puts the RANK_WINDOW most recently stored text matches first,
    ranked among themselves, and the older matches after them, ranked likewise: every page
    of every filter sees the same order, and a page inside the window ranks at most
    RANK_WINDOW matches instead of all of them (a common word at 1,000,000 items matches
    20,000-35,000: 24-74 ms to rank all, 4-14 ms to rank the window)."""
    start = None
    if query.collapse is None and query.text:
        start = fts.window_start(conn, query.text, RANK_WINDOW)
    if start is None:
        return _ranked_part(conn, query, top=_top(query))
    need = query.offset + query.limit
    newer = _ranked_part(
        conn, replace(query, offset=0, limit=need), top=_top(query), rowids=(start, None)
    )
    if newer is None or len(newer) >= need:
        return None if newer is None else newer[query.offset :]
    # The window holds fewer than the page needs (deep pages, narrow filters): go on into
    # the older matches.
    skip = max(0, query.offset - len(newer))
    older = _ranked_part(
        conn,
        replace(query, offset=skip, limit=need - max(query.offset, len(newer))),
        rowids=(None, start),
    )
    return newer[query.offset :] + (older or [])


def _ranked_part(
    conn: Connection,
    query: Query,
    *,
    top: int | None = None,
    rowids: tuple[int | None, int | None] = (None, None),
) -> list[str] | None:
    stmt, rank = _filtered(conn, query, items.c.id, top=top, rowids=rowids)
    if rank is None:
        return None
    stmt = stmt.order_by(rank.desc(), NEWEST.desc(), items.c.id)
    return list(conn.execute(stmt.limit(query.limit).offset(query.offset)).scalars())


def by_ids(conn: Connection, ids: list[str]) -> list[StoredItem]:
    """The items of `ids`, in that order (an id no longer stored is left out)."""
    if not ids:
        return []
    rows = {r["id"]: r for r in conn.execute(_BY_IDS, {"ids": ids}).mappings()}
    return item_records.records(conn, [rows[i] for i in ids if i in rows])


# Built once (an expanding IN): building the statement per call cost more than running it.
_BY_IDS = select(items).where(items.c.id.in_(bindparam("ids", expanding=True)))


def version(conn: Connection) -> str:
    """Changes whenever an item is stored or updated, or a source is found to carry it too
    (for response caches and ETags); two index lookups (migration 0007)."""
    newest = conn.execute(select(func.max(items.c.updated_at))).scalar()
    linked = conn.execute(select(func.max(item_sources.c.first_seen))).scalar()
    return f"{newest.isoformat()}/{linked.isoformat()}" if newest and linked else "empty"


def count(conn: Connection, query: Query, *, cap: int | None = None) -> int:
    """Items matching the filters; with `cap`, counting stops there (a page says "1000+")."""
    if cap is not None and query.text and conn.dialect.name == "postgresql":
        # A LIMIT under the count led PostgreSQL's planner to a sequential scan that reads
        # every row's tsvector until `cap` match (140 ms at 100,000 items); the GIN bitmap
        # counts all matches in 5-10 ms.
        return min(count(conn, query), cap)
    only = _only_entities(query)
    if only:
        # Read off the entity index: walking the items and probing each for a region in 3 %
        # of them took 70-120 ms to find 1,000 at 100,000 items, where this takes ~1 ms.
        tagged = select(item_entities.c.item_id).where(item_entities.c.entity_id.in_(only))
        if len(only) > 1:  # an item tagged with two of the ids counts once
            tagged = tagged.distinct()
        if cap is not None:
            tagged = tagged.limit(cap)
        return int(conn.execute(select(func.count()).select_from(tagged.subquery())).scalar_one())
    countable, tagged_id = _text_within(query)
    if countable:
        matches = fts.count_matches(conn, query.text or "", tagged=tagged_id)
        if matches is not None:
            return matches if cap is None else min(matches, cap)
    if cap is None:
        stmt, _rank = _filtered(conn, replace(query, after=None), func.count(literal(1)))
        return int(conn.execute(stmt).scalar() or 0)
    stmt, _rank = _filtered(conn, replace(query, after=None), items.c.id)
    capped = select(func.count()).select_from(stmt.limit(cap).subquery())
    return int(conn.execute(capped).scalar() or 0)


def _only_entities(query: Query) -> list[str]:
    """The ids of the query's one entity filter when nothing else filters it (then its
    matches are that filter's rows in item_entities), else []."""
    groups = [
        g for g in (query.org_ids, query.region_ids, query.programme_ids, query.entity_ids) if g
    ]
    if len(groups) != 1 or query.collapse:
        return []
    rest = replace(query, org_ids=(), region_ids=(), programme_ids=(), entity_ids=())
    return [] if _narrowed(rest) else list(groups[0])


def _text_within(query: Query) -> tuple[bool, str | None]:
    """Whether the query is text alone or text within one entity id (which `fts` can count
    from its indexes), and that id."""
    if not query.text or query.collapse:
        return False, None
    rest = replace(query, text=None)
    groups = [g for g in (rest.org_ids, rest.region_ids, rest.programme_ids, rest.entity_ids) if g]
    others = replace(rest, org_ids=(), region_ids=(), programme_ids=(), entity_ids=())
    if _narrowed(others) or len(groups) > 1 or (groups and len(groups[0]) > 1):
        return False, None
    return True, (groups[0][0] if groups else None)


def cursor(item: StoredItem) -> tuple[datetime, str]:
    """The keyset position of an item returned by `search` (for the next page)."""
    return (item.date, item.id)


def get(conn: Connection, item_id: str) -> StoredItem | None:
    row = conn.execute(select(items).where(items.c.id == item_id)).mappings().first()
    if row is None:
        return None
    return item_records.records(conn, [row])[0]


def entity_counts(
    conn: Connection,
    *,
    type_: str | None = None,
    ids: Sequence[str] = (),
    prefix: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Entities named directly by stored items, with how many items name each.

    With `prefix`, entities whose name starts with it or whose id is in `ids` (the knowledge
    base's matches for the prefix, so any alias finds its entity); with only `ids`, those.
    """
    n = func.count(item_entities.c.item_id.distinct()).label("items")
    stmt = (
        select(
            item_entities.c.entity_id,
            item_entities.c.type,
            func.max(item_entities.c.name).label("name"),
            func.max(item_entities.c.kind).label("kind"),
            n,
        )
        # A region counts the items about any place inside it, as its search finds them.
        .where(or_(item_entities.c.direct.is_(True), item_entities.c.type == "REGION"))
        .group_by(item_entities.c.entity_id, item_entities.c.type)
        .order_by(n.desc(), func.max(item_entities.c.name))
        .limit(limit)
    )
    if type_:
        stmt = stmt.where(item_entities.c.type == type_)
    if prefix:
        escaped = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        by_name = func.lower(item_entities.c.name).like(escaped + "%", escape="\\")
        stmt = stmt.where(
            or_(by_name, item_entities.c.entity_id.in_(list(ids))) if ids else by_name
        )
    elif ids:
        stmt = stmt.where(item_entities.c.entity_id.in_(list(ids)))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def entity_name(conn: Connection, entity_id: str) -> dict[str, Any] | None:
    """(type, name, kind) of an entity as stored items name it, or None if none does."""
    row = (
        conn.execute(
            select(item_entities.c.type, item_entities.c.name, item_entities.c.kind)
            .where(item_entities.c.entity_id == entity_id)
            .limit(1)
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def entity_months(conn: Connection, entity_id: str) -> list[tuple[str, int]]:
    """('YYYY-MM', items) for the items about an entity (or a place inside it), oldest first."""
    rows = conn.execute(
        select(NEWEST.label("day"))
        .join(item_entities, item_entities.c.item_id == items.c.id)
        .where(item_entities.c.entity_id == entity_id)
    )
    months: dict[str, int] = {}
    for (day,) in rows:
        key = day.strftime("%Y-%m") if day else "unknown"
        months[key] = months.get(key, 0) + 1
    return sorted(months.items())


def related_entities(conn: Connection, entity_id: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Entities named in the same items as `entity_id`, most shared items first."""
    other = item_entities.alias("other")
    n = func.count(other.c.item_id.distinct()).label("items")
    stmt = (
        select(other.c.entity_id, other.c.type, func.max(other.c.name).label("name"), n)
        .join(
            item_entities,
            and_(
                item_entities.c.item_id == other.c.item_id, item_entities.c.entity_id == entity_id
            ),
        )
        .where(other.c.entity_id != entity_id, other.c.direct.is_(True))
        .group_by(other.c.entity_id, other.c.type)
        .order_by(n.desc(), func.max(other.c.name))
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]
