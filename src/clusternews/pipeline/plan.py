"""Decisions of a refresh: which entries to fetch, when to trust validators, how to back off."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from clusternews.models import Entry

# A source's validators are ignored once in a while so a server that answers 304 for a changed
# body (seen on CMS caches) cannot hide news forever.
REVALIDATE_AFTER = timedelta(hours=12)
BACKOFF_CEILING = timedelta(hours=12)
MAX_NEW_PER_RUN = 100  # a new source's archive is taken in slices, politely
SITEMAP_MAX_AGE = timedelta(days=30)  # what counts as news in a sitemap


def use_validators(
    state: dict[str, Any], *, now: datetime, revalidate_after: timedelta = REVALIDATE_AFTER
) -> bool:
    if not state.get("validators_trusted", True):
        return False
    last = state.get("last_unconditional_at")
    return last is not None and now - last < revalidate_after


def validators_lied(
    state: dict[str, Any], *, etag: str | None, last_modified: str | None, body_hash: str
) -> bool:
    """True when the body changed behind validators that stayed the same."""
    if not state.get("body_hash") or state["body_hash"] == body_hash:
        return False
    same_etag = etag is not None and etag == state.get("etag")
    same_date = (
        etag is None and last_modified is not None and last_modified == state.get("last_modified")
    )
    return same_etag or same_date


def select_entries(
    entries: tuple[Entry, ...], known: dict[str, dict[str, Any]], *, limit: int = MAX_NEW_PER_RUN
) -> tuple[list[Entry], list[Entry]]:
    """(entries to fetch and process, entries already stored that only need linking)."""
    fetch: list[Entry] = []
    link: list[Entry] = []
    for entry in entries:
        stored = known.get(entry.url)
        if stored is None:
            fetch.append(entry)
        elif _newer(entry, stored):
            fetch.append(entry)  # the feed says the article changed since we stored it
        else:
            link.append(entry)
    return fetch[:limit], link


def _newer(entry: Entry, stored: dict[str, Any]) -> bool:
    published, updated = stored.get("published"), stored.get("updated_at")
    if entry.published is None or published is None or updated is None:
        return False
    return bool(entry.published > published and entry.published > updated)


def backoff(failures: int, *, interval: int, ceiling: timedelta = BACKOFF_CEILING) -> timedelta:
    """Exponential back-off after consecutive failures, from one interval up to the ceiling."""
    seconds = interval * (2 ** max(0, min(failures - 1, 16)))
    return min(timedelta(seconds=seconds), ceiling)
