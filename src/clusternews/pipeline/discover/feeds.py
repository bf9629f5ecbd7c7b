"""RSS 0.9x/1.0/2.0, Atom and RDF (feedparser) and JSON Feed 1.x → entries and warnings."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any

import feedparser

from clusternews.errors import DiscoverError
from clusternews.models import Discovery, Entry
from clusternews.pipeline.dates import DEFAULT_TIMEZONE, from_struct, parse_date, plausible
from clusternews.pipeline.discover.charset import as_utf8, override_warning
from clusternews.pipeline.discover.feedentries import (
    is_http_url,
    linkless_url,
    short,
    site_of,
    skipped_warning,
    unique_entries,
)
from clusternews.pipeline.discover.jsonfeed import discover_json_feed
from clusternews.pipeline.discover.sniff import served_as_warning, sniff
from clusternews.pipeline.sanitize import clean_text, html_to_text, sanitize_html
from clusternews.pipeline.urls import canonical_url

MAX_ENTRIES = 500  # a feed longer than this is a dump, not a news feed; keep the newest part
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html)", re.IGNORECASE | re.DOTALL)
_ROOT = re.compile(r"<([A-Za-z_][\w:.-]*)")
_ENTRY_START = re.compile(r"<(\w+:)?(item|entry)[\s>/]")
_TITLE_END = re.compile(r"</(\w+:)?title\s*>")
_LINK_END = re.compile(r"</(\w+:)?(link|guid|id)\s*>|<(\w+:)?link\b[^>]*/>")
_PROLOG = re.compile(r"^\s*(<\?.*?\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*", re.DOTALL)


def looks_like_html(content: bytes) -> bool:
    return bool(_HTML_START.match(content[:2048]))


def discover_feed(
    content: bytes,
    *,
    base_url: str,
    now: datetime,
    content_type: str = "",
    tz: str = DEFAULT_TIMEZONE,
    text: str | None = None,
    encoding: str | None = None,
    http_charset: str | None = None,
) -> Discovery:
    """`text`/`encoding`: the body as the HTTP layer decoded it (None: let feedparser decode);
    `http_charset`: the charset the Content-Type claimed, to say when it was overridden."""
    kind = sniff(content, content_type)
    warnings = [w for w in (served_as_warning(kind, content_type),) if w]
    if kind == "json":
        found = discover_json_feed(
            content if text is None else text,
            base_url=base_url,
            now=now,
            tz=tz,
            max_entries=MAX_ENTRIES,
        )
        return Discovery(
            kind="feed",
            entries=found.entries,
            title=found.title,
            warnings=(*warnings, *found.warnings),
        )
    if looks_like_html(content):
        raise DiscoverError("expected a feed but got an HTML page")
    if text is not None:
        charset_note = override_warning(text, encoding=encoding, http_charset=http_charset)
        warnings += [charset_note] if charset_note else []
        body, headers = as_utf8(text), {"content-type": "application/xml; charset=utf-8"}
    else:
        body, headers = content, {"content-type": "application/xml"}
    # feedparser is given bytes and a base (content-location) so it resolves relative links
    # and xml:base itself; it never fetches anything when handed a bytes document.
    parsed = feedparser.parse(body, response_headers={**headers, "content-location": base_url})
    if not parsed.entries and not parsed.get("version"):  # a known feed without entries: empty
        reason = getattr(parsed, "bozo_exception", None) or "no RSS, Atom or JSON Feed content"
        raise DiscoverError(f"not a readable feed: {short(reason)}")
    raws = parsed.entries
    skipped: Counter[str] = Counter()
    if parsed.bozo:
        document = text if text is not None else body.decode("latin-1")
        cut = _cut_short(document)
        if cut and _last_entry_broken(document):
            raws = raws[:-1]
            skipped["cut off before its title and link were complete"] += 1
        warnings.append(_bozo_warning(parsed.bozo_exception, cut=cut, kept=len(raws)))
    if len(raws) > MAX_ENTRIES:
        warnings.append(f"feed lists {len(raws)} entries; read the first {MAX_ENTRIES}")
        raws = raws[:MAX_ENTRIES]
    written = _written_ids(body, headers, raws)
    site = site_of(parsed.feed.get("link"), base_url)
    unique = unique_entries(
        (
            _rss_entry(raw, guid, base_url=base_url, site=site, now=now, tz=tz)
            for raw, guid in zip(raws, written, strict=True)
        ),
        skipped,
    )
    title = clean_text(parsed.feed.get("title"), limit=300)
    return Discovery(
        kind="feed",
        entries=tuple(unique),
        title=title,
        warnings=(*warnings, *skipped_warning(skipped)),
    )


def _written_ids(body: bytes, headers: dict[str, str], raws: list[Any]) -> list[str | None]:
    """Each entry's guid/id as written: feedparser resolves ids against the feed's URL, which
    turns a guid such as "1234" into a URL that was never published."""
    if not any(
        r.get("id")
        and (not r.get("link") or (r.get("guidislink") and r.get("link") == r.get("id")))
        for r in raws
    ):
        return [r.get("id") for r in raws]  # every entry has a link of its own
    plain = feedparser.parse(body, response_headers=headers).entries  # no base: ids as written
    if len(plain) < len(raws):  # `raws` is a prefix of the same document's entries
        return [None] * len(raws)
    return [r.get("id") for r in plain[: len(raws)]]


def _rss_entry(
    raw: Any, guid: str | None, *, base_url: str, site: str, now: datetime, tz: str
) -> Entry | str:
    """The entry, or why it was skipped."""
    link = raw.get("link")
    if link and raw.get("guidislink") and link == raw.get("id"):
        link = None  # feedparser copied the guid into the link; judged below as written
    # The first of link, alternate link and a guid/id that is an http(s) URL; a link that is
    # no web address (javascript:, mailto:) counts as none: the entry may stand on its text.
    url = next(
        (
            u
            for u in (
                canonical_url(c, base_url)
                for c in (link, _alternate(raw), guid.strip() if is_http_url(guid) else None)
                if c
            )
            if u
        ),
        None,
    )
    content_html = None
    if raw.get("content"):
        content_html = sanitize_html(raw["content"][0].get("value"))
    summary_html = raw.get("summary")
    published = plausible(
        from_struct(raw.get("published_parsed"))
        or from_struct(raw.get("updated_parsed"))
        or parse_date(raw.get("published") or raw.get("updated"), tz=tz),
        now=now,
    )
    title = clean_text(html_to_text(raw.get("title")), limit=500)
    summary = clean_text(html_to_text(summary_html), limit=2000)
    page = True
    if url is None:
        if not title or not (summary or content_html):
            return "no link, and no title and text to stand for the article"
        url, page = (
            linkless_url(site=site, feed_url=base_url, guid=guid, title=title, published=published),
            False,
        )
    image = None
    # feedparser resolves links against xml:base but leaves media URLs as written.
    entry_base = (raw.get("title_detail") or {}).get("base") or base_url
    for media in (raw.get("media_content") or []) + (raw.get("media_thumbnail") or []):
        image = canonical_url(media.get("url", ""), entry_base)
        if image:
            break
    return Entry(
        url=url,
        title=title,
        summary=summary,
        content_html=content_html,
        published=published,
        author=clean_text(raw.get("author"), limit=200),
        image=image,
        language=clean_text(raw.get("language"), limit=20),
        page=page,
    )


def _bozo_warning(exc: Exception, *, cut: bool, kept: int) -> str:
    message = exc.getMessage() if hasattr(exc, "getMessage") else short(exc)
    message = message.removeprefix("not well-formed").strip(" ()") or message  # said below
    line = exc.getLineNumber() if hasattr(exc, "getLineNumber") else None
    where = f" at line {line}" if line else ""
    read = f"{kept} {'entry' if kept == 1 else 'entries'}"
    if cut:
        return f"feed cut short: {message}{where}; kept the {read} before the cut"
    return f"not well-formed: {message}{where}; read leniently ({read})"


def _last_entry_broken(text: str) -> bool:
    """True when the cut fell inside the last <item>/<entry> before its title and link were
    complete: what was read of them may be a wrong title or a URL that was never published."""
    starts = list(_ENTRY_START.finditer(text))
    if not starts:
        return False
    tail = text[starts[-1].end() :]
    if re.search(rf"</(\w+:)?{starts[-1].group(2)}\s*>", tail):
        return False
    return not (_TITLE_END.search(tail) and _LINK_END.search(tail))


def _cut_short(text: str) -> bool:
    """True when the document does not end with its root element's end tag."""
    text = text.removeprefix("\ufeff")
    prolog = _PROLOG.match(text)
    root = _ROOT.match(text, prolog.end() if prolog else 0)
    if root is None:
        return False
    return re.search(rf"</{re.escape(root.group(1))}\s*>\s*$", text[-4096:]) is None


def _alternate(raw: Any) -> str | None:
    for link in raw.get("links") or []:
        if link.get("rel") == "alternate" and link.get("href"):
            return str(link["href"])
    return None
