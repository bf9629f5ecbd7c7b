"""A user's search (any alias, a date) → the store's Query: one place for CLI, API, feed, pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from clusternews.adapters.store.search import Query
from clusternews.knowledge import filters
from clusternews.knowledge.base import KnowledgeBase
from clusternews.pipeline.dates import DEFAULT_TIMEZONE

LANGS = ("no", "sv", "da", "en", "fi", "und")


def build_query(
    kb: KnowledgeBase,
    *,
    text: str | None = None,
    orgs: Sequence[str] = (),
    regions: Sequence[str] = (),
    programmes: Sequence[str] = (),
    languages: Sequence[str] = (),
    clusters: Sequence[str] = (),
    since: date | None = None,
    tz: str = DEFAULT_TIMEZONE,
    limit: int = 20,
    offset: int = 0,
    order: str | None = None,
    collapse: str | None = None,
) -> Query:
    """Raises ValueError (filters.UnknownName among them) for anything it cannot mean."""
    if collapse not in (None, "story"):
        raise ValueError(f"unknown collapse {collapse!r} (expected 'story')")
    bad = [v for v in languages if v not in LANGS]
    if bad:
        raise ValueError(f"unknown language {bad[0]!r} (expected one of {', '.join(LANGS)})")
    start = None
    if since is not None:
        # Dates at the ends of the calendar overflow in UTC conversion (found by fuzzing).
        if not 1900 <= since.year <= 9000:
            raise ValueError(f"'since' must be a date between 1900 and 9000, got {since}")
        start = (
            since
            if isinstance(since, datetime) and since.tzinfo
            else datetime(since.year, since.month, since.day, tzinfo=ZoneInfo(tz))
        )
    return Query(
        text=text,
        org_ids=[i for n in orgs for i in filters.org_ids(kb, n)],
        region_ids=[i for n in regions for i in filters.region_ids(kb, n)],
        programme_ids=[i for n in programmes for i in filters.programme_ids(kb, n)],
        languages=list(languages),
        clusters=list(clusters),
        since=start,
        limit=limit,
        offset=offset,
        order=order,
        collapse=collapse,
    )
