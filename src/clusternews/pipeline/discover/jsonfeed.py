"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) → entries; feedparser 6.0 has none."""

from __future__ import annotations

import html
import json
from collections import Counter
from datetime import datetime
from typing import Any

from clusternews.errors import DiscoverError
from clusternews.models import Discovery, Entry
from clusternews.pipeline.dates import parse_date, plausible
from clusternews.pipeline.discover.feedentries import (
    is_http_url,
    linkless_url,
    short,
    site_of,
    skipped_warning,
    unique_entries,
)
from clusternews.pipeline.sanitize import clean_text, html_to_text, sanitize_html
from clusternews.pipeline.urls import canonical_url


def discover_json_feed(
    document: bytes | str, *, base_url: str, now: datetime, tz: str, max_entries: int
) -> Discovery:
    try:
        doc = json.loads(
            document.decode("utf-8-sig")
            if isinstance(document, bytes)
            else document.removeprefix("\ufeff")
        )
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DiscoverError(f"not a readable JSON Feed: {short(exc)}") from None
    if not isinstance(doc, dict) or "jsonfeed.org/version/" not in str(doc.get("version", "")):
        raise DiscoverError("not a JSON Feed: missing version https://jsonfeed.org/version/1.x")
    items = doc.get("items")
    if not isinstance(items, list):
        raise DiscoverError("not a readable JSON Feed: 'items' is not a list")
    warnings = []
    if len(items) > max_entries:
        warnings.append(f"feed lists {len(items)} entries; read the first {max_entries}")
    site = site_of(_text(doc.get("home_page_url")), base_url)
    skipped: Counter[str] = Counter()
    unique = unique_entries(
        (
            _item(raw, doc, base_url=base_url, site=site, now=now, tz=tz)
            for raw in items[:max_entries]
        ),
        skipped,
    )
    return Discovery(
        kind="feed",
        entries=tuple(unique),
        title=clean_text(_text(doc.get("title")), limit=300),
        warnings=(*warnings, *skipped_warning(skipped)),
    )


def _item(
    raw: Any, doc: dict[str, Any], *, base_url: str, site: str, now: datetime, tz: str
) -> Entry | str:
    """The entry, or why it was skipped."""
    if not isinstance(raw, dict):
        return "an item that is not an object"
    guid = _text(raw.get("id")) or None  # required by the spec, but not always there
    url = next(
        (
            u
            for u in (
                canonical_url(c, base_url)
                for c in (
                    _text(raw.get("url")),
                    _text(raw.get("external_url")),
                    guid if is_http_url(guid) else "",
                )
                if c
            )
            if u
        ),
        None,
    )  # a link that is no web address counts as none
    # 1.1 has "authors" (a list); 1.0 had "author" (one object).
    authors = (
        raw.get("authors")
        or doc.get("authors")
        or [a for a in (raw.get("author"), doc.get("author")) if isinstance(a, dict)]
    )
    author = next((a.get("name") for a in authors if isinstance(a, dict)), None)
    html_body = _text(raw.get("content_html")) or None
    text_body = _text(raw.get("content_text")) or None
    summary = clean_text(
        _text(raw.get("summary")) or text_body or html_to_text(html_body), limit=2000
    )
    title = clean_text(html_to_text(_text(raw.get("title"))), limit=500)
    published = plausible(
        parse_date(_text(raw.get("date_published")) or _text(raw.get("date_modified")), tz=tz),
        now=now,
    )
    page = True
    if url is None:
        if not title or not summary:
            return "no link, and no title and text to stand for the article"
        url, page = (
            linkless_url(site=site, feed_url=base_url, guid=guid, title=title, published=published),
            False,
        )
    content_html = sanitize_html(html_body)
    if content_html is None and text_body:  # keep paragraphs; the summary is cut at 2000
        content_html = sanitize_html(
            "".join(f"<p>{html.escape(p)}</p>" for p in text_body.split("\n\n") if p.strip())
        )
    return Entry(
        url=url,
        title=title,
        summary=summary,
        content_html=content_html,
        published=published,
        author=clean_text(author, limit=200),
        image=canonical_url(_text(raw.get("image")), base_url),
        language=clean_text(_text(raw.get("language")) or _text(doc.get("language")), limit=20),
        page=page,
    )


def _text(value: object) -> str:
    """A string field as a string; anything else (a number, a list) counts as absent."""
    return value if isinstance(value, str) else ""
