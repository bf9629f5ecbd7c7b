"""What the feed readers share: keys for entries without a link, duplicates, skip reasons."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import TypeGuard

from clusternews.models import Entry
from clusternews.pipeline.urls import canonical_url


def is_http_url(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))


def linkless_url(*, site: str, feed_url: str, guid: str | None, title: str,
                 published: datetime | None) -> str:
    """`site#item-<hash>`: stable across polls, so a re-poll finds the stored item.

    Keyed by the feed and the entry's guid as written; without a guid, by title and date.
    The fragment keeps the URL unique per entry while a click still lands on the site.
    """
    when = published.isoformat() if published else ""
    key = f"{feed_url}\n{guid}" if guid else f"{title}\n{when}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return f"{site}#item-{digest}"


def site_of(link: object, feed_url: str) -> str:
    """The feed's home page, or the root of the feed's host when it names none."""
    return (canonical_url(str(link or ""), feed_url) or canonical_url("/", feed_url)
            or feed_url)


def skipped_warning(reasons: Counter[str]) -> tuple[str, ...]:
    return tuple(f"{n} {'entry' if n == 1 else 'entries'} skipped: {why}"
                 for why, n in sorted(reasons.items()))


def unique_entries(results: Iterable[Entry | str], skipped: Counter[str]) -> list[Entry]:
    """The entries in feed order, each link once; a str in `results` is why an entry was
    skipped, counted in `skipped` like the duplicates."""
    seen: set[str] = set()
    out = []
    for entry in results:
        if isinstance(entry, str):
            skipped[entry] += 1
            continue
        if entry.url in seen:
            skipped["the same link as an earlier entry"] += 1
            continue
        seen.add(entry.url)
        out.append(entry)
    return out


def short(reason: object) -> str:
    """The first line of an exception's message, for a one-line status."""
    return str(reason).splitlines()[0][:200] if str(reason) else type(reason).__name__
