"""What the feed readers share: keys for entries without a link, duplicates, skip reasons."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import TypeGuard

from clusternews.models import Entry
from clusternews.pipeline.urls import canonical_url


def is_http_url(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))


def linkless_url(
    *, site: str, feed_url: str, guid: str | None, title: str, published: datetime | None
) -> str:
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
    return canonical_url(str(link or ""), feed_url) or canonical_url("/", feed_url) or feed_url


def skipped_warning(reasons: Counter[str]) -> tuple[str, ...]:
    return tuple(
        f"{n} {'entry' if n == 1 else 'entries'} skipped: {why}"
        for why, n in sorted(reasons.items())
    )


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


def robots_held(
    entries: tuple[Entry, ...], allowed: list[bool]
) -> tuple[tuple[Entry, ...], tuple[str, ...]]:
    """Entries whose page robots.txt disallows (allowed[i] False): stored from the feed's own
    text without fetching the page, or skipped when the feed has none; and the warnings."""
    kept: list[Entry] = []
    from_feed = skipped = 0
    for entry, ok in zip(entries, allowed, strict=True):
        if ok or not entry.page:
            kept.append(entry)
        elif entry.summary or entry.content_html:
            kept.append(replace(entry, page=False))
            from_feed += 1
        else:
            skipped += 1
    warnings = []
    if from_feed:
        warnings.append(
            f"robots.txt disallowed {from_feed} article "
            f"{'page' if from_feed == 1 else 'pages'}; stored from the feed's text"
        )
    if skipped:
        warnings += skipped_warning(
            Counter({"robots.txt disallows its page and the feed has no text for it": skipped})
        )
    return tuple(kept), tuple(warnings)
