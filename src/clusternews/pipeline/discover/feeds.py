"""RSS 0.9x/1.0/2.0 and Atom (feedparser) and JSON Feed 1.x → entries."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import feedparser

from clusternews.errors import DiscoverError
from clusternews.models import Discovery, Entry
from clusternews.pipeline.dates import from_struct, parse_date, plausible
from clusternews.pipeline.sanitize import clean_text, html_to_text, sanitize_html
from clusternews.pipeline.urls import canonical_url

MAX_ENTRIES = 500  # a feed longer than this is a dump, not a news feed; keep the newest part
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html)", re.IGNORECASE | re.DOTALL)


def looks_like_html(content: bytes) -> bool:
    return bool(_HTML_START.match(content[:2048]))


def discover_feed(content: bytes, *, base_url: str, now: datetime,
                  content_type: str = "", tz: str = "Europe/Oslo") -> Discovery:
    head = content.lstrip()[:1]
    if "json" in content_type or head == b"{":
        return _json_feed(content, base_url=base_url, now=now, tz=tz)
    if looks_like_html(content):
        raise DiscoverError("expected a feed but got an HTML page")
    # feedparser is given bytes so it honours the XML declaration's encoding itself; it never
    # fetches anything when handed a bytes document.
    parsed = feedparser.parse(content, response_headers={"content-location": base_url})
    if not parsed.entries and (parsed.bozo or not parsed.version):
        reason = getattr(parsed, "bozo_exception", None) or "no RSS, Atom or JSON Feed content"
        raise DiscoverError(f"not a readable feed: {_short(reason)}")
    entries = []
    for raw in parsed.entries[:MAX_ENTRIES]:
        entry = _rss_entry(raw, base_url=base_url, now=now, tz=tz)
        if entry:
            entries.append(entry)
    title = clean_text(parsed.feed.get("title"), limit=300)
    return Discovery(kind="feed", entries=tuple(_unique(entries)), title=title)


def _rss_entry(raw: Any, *, base_url: str, now: datetime, tz: str) -> Entry | None:
    link = raw.get("link") or _alternate(raw) or (raw.get("id") if _is_url(raw.get("id")) else None)
    url = canonical_url(link or "", base_url)
    if not url:
        return None
    content_html = None
    if raw.get("content"):
        content_html = sanitize_html(raw["content"][0].get("value"))
    summary_html = raw.get("summary")
    published = (from_struct(raw.get("published_parsed")) or from_struct(raw.get("updated_parsed"))
                 or parse_date(raw.get("published") or raw.get("updated"), tz=tz))
    image = None
    for media in (raw.get("media_content") or []) + (raw.get("media_thumbnail") or []):
        image = canonical_url(media.get("url", ""), base_url)
        if image:
            break
    return Entry(
        url=url,
        title=clean_text(html_to_text(raw.get("title")), limit=500),
        summary=clean_text(html_to_text(summary_html), limit=2000),
        content_html=content_html,
        published=plausible(published, now=now),
        author=clean_text(raw.get("author"), limit=200),
        image=image,
        language=clean_text(raw.get("language"), limit=20),
    )


def _alternate(raw: Any) -> str | None:
    for link in raw.get("links") or []:
        if link.get("rel") == "alternate" and link.get("href"):
            return str(link["href"])
    return None


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _json_feed(content: bytes, *, base_url: str, now: datetime, tz: str) -> Discovery:
    try:
        doc = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DiscoverError(f"not a readable JSON Feed: {_short(exc)}") from None
    if not isinstance(doc, dict) or "jsonfeed.org/version/" not in str(doc.get("version", "")):
        raise DiscoverError("not a JSON Feed: missing version https://jsonfeed.org/version/1.x")
    items = doc.get("items")
    if not isinstance(items, list):
        raise DiscoverError("not a readable JSON Feed: 'items' is not a list")
    entries = []
    for raw in items[:MAX_ENTRIES]:
        if not isinstance(raw, dict):
            continue
        url = canonical_url(str(raw.get("url") or raw.get("external_url") or ""), base_url)
        if not url:
            continue
        authors = raw.get("authors") or ([raw["author"]] if isinstance(raw.get("author"), dict)
                                         else [])
        author = next((a.get("name") for a in authors if isinstance(a, dict)), None)
        html_body = raw.get("content_html") if isinstance(raw.get("content_html"), str) else None
        text_body = raw.get("content_text") if isinstance(raw.get("content_text"), str) else None
        summary = raw.get("summary") if isinstance(raw.get("summary"), str) else None
        entries.append(Entry(
            url=url,
            title=clean_text(html_to_text(str(raw.get("title") or "")), limit=500),
            summary=clean_text(summary or text_body or html_to_text(html_body), limit=2000),
            content_html=sanitize_html(html_body),
            published=plausible(parse_date(raw.get("date_published") or raw.get("date_modified"),
                                           tz=tz), now=now),
            author=clean_text(author, limit=200),
            image=canonical_url(str(raw.get("image") or ""), base_url),
            language=clean_text(raw.get("language") or doc.get("language"), limit=20),
        ))
    return Discovery(kind="feed", entries=tuple(_unique(entries)),
                     title=clean_text(str(doc.get("title") or ""), limit=300))


def _unique(entries: list[Entry]) -> list[Entry]:
    seen: set[str] = set()
    out = []
    for entry in entries:
        if entry.url not in seen:
            seen.add(entry.url)
            out.append(entry)
    return out


def _short(reason: object) -> str:
    return str(reason).splitlines()[0][:200] if str(reason) else type(reason).__name__
