"""Article HTML → main text and metadata (trafilatura), with the feed entry filling gaps."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import lxml.html
import trafilatura
from lxml import etree

from clusternews.models import Entry, Extracted
from clusternews.pipeline.dates import DEFAULT_TIMEZONE, at_local_midnight, parse_date, plausible
from clusternews.pipeline.sanitize import clean_text, html_to_text

log = logging.getLogger(__name__)

# trafilatura took 7-12 s and 560 MB on a 5 MB page of teasers (shared/notes/extraction.md):
# article pages are far smaller, so cap what it is handed.
MAX_HTML = 1_500_000
# Chosen on the ScrapingHub benchmark (notes/extraction.md: comments off is the clear gain;
# favor_precision best F1 there). On our 22 golden Nordic pages (benchmarks/extraction.py) every
# variant scores the same 0.986 token F1, so the public benchmark decides.
EXTRACT_OPTIONS = {"include_comments": False, "include_tables": True, "favor_precision": True}


def extract_article(
    html: str,
    *,
    url: str,
    tz: str = DEFAULT_TIMEZONE,
    now: datetime | None = None,
    options: dict[str, Any] | None = None,
) -> Extracted:
    """Pure: the page's text and metadata; fields the page does not give stay None."""
    html = html[:MAX_HTML]
    if not html.strip():
        return Extracted()
    # One parse serves our own look-ups and trafilatura (it accepts a tree; it may prune it, so
    # the look-ups come first).
    tree = _parse(html)
    declared = _declared_language(tree)
    precise = _precise_date(tree, tz)
    try:
        doc = trafilatura.bare_extraction(
            tree if tree is not None else html,
            url=url,
            with_metadata=True,
            **(options or EXTRACT_OPTIONS),
        )
    except (ValueError, TypeError, etree.LxmlError) as exc:  # malformed markup trafilatura rejects
        log.info("extract: trafilatura failed", extra={"url": url, "error": str(exc)})
        doc = None
    if doc is None:
        return Extracted(language=declared)
    published = precise or _day(getattr(doc, "date", None), tz)
    if now is not None:
        published = plausible(published, now=now)
    title = clean_text(getattr(doc, "title", None), limit=500)
    return Extracted(
        title=title,
        text=_without_heading((getattr(doc, "text", None) or "").strip(), title) or None,
        published=published,
        author=clean_text(getattr(doc, "author", None), limit=200),
        image=getattr(doc, "image", None) or None,
        description=clean_text(getattr(doc, "description", None), limit=2000),
        language=declared,
    )


def merge(entry: Entry, page: Extracted) -> Extracted:
    """The page wins where it says more; the feed fills in what the page lacks."""
    feed_text = html_to_text(entry.content_html) or entry.summary
    text = page.text
    if not text or (feed_text and len(feed_text) > 2 * len(text)):
        text = feed_text
    return Extracted(
        title=page.title or entry.title,
        text=text,
        # The feed's timestamp carries a time of day; trafilatura's is often only a date.
        published=entry.published or page.published,
        author=page.author or entry.author,
        image=page.image or entry.image,
        description=page.description or entry.summary,
        language=page.language or entry.language,
    )


def _without_heading(text: str, title: str | None) -> str:
    """trafilatura keeps the <h1> as the first line; the title is stored on its own."""
    first, _, rest = text.partition("\n")
    if title and first.strip().casefold() == title.casefold():
        return rest.strip()
    return text


def _parse(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _precise_date(doc: lxml.html.HtmlElement | None, tz: str) -> datetime | None:
    """article:published_time or <time datetime> with a time of day, when the page has one."""
    if doc is None:
        return None
    for xpath in (
        '//meta[@property="article:published_time"]/@content',
        '//meta[@itemprop="datePublished"]/@content',
        "//article//time/@datetime",
        "//time/@datetime",
    ):
        for value in doc.xpath(xpath)[:1]:
            if "T" in value or ":" in value:
                parsed = parse_date(str(value), tz=tz)
                if parsed:
                    return parsed
    return None


def _day(value: str | None, tz: str) -> datetime | None:
    parsed = parse_date(value, tz=tz) if value else None
    return at_local_midnight(parsed.date(), tz) if parsed else None


def _declared_language(doc: lxml.html.HtmlElement | None) -> str | None:
    """The page's <html lang>, as the site declares it (evidence, not truth)."""
    if doc is None:
        return None
    root = doc.getroottree().getroot()
    value = (root.get("lang") or root.get("xml:lang") or "").strip()
    return value[:20] or None
