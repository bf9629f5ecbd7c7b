"""HTML listing pages → same-site article links, and feed autodiscovery."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from clusternews.errors import DiscoverError
from clusternews.models import Discovery, Entry
from clusternews.pipeline.sanitize import clean_text
from clusternews.pipeline.urls import canonical_url, same_site

MAX_LINKS = 300
MAX_HTML = 3_000_000  # listing pages are small; a bigger one is a dump we only skim
FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "text/xml",
    "application/xml",
}
# Chrome around the list of articles: links there are navigation, not news.
CHROME = {"nav", "header", "footer", "aside", "form"}
CHROME_HINT = re.compile(
    r"\b(nav|menu|breadcrumb|footer|cookie|share|social|pagination|pager|"
    r"sidebar|widget|skip)",
    re.IGNORECASE,
)
# Paths that list things rather than being an article (Norwegian, Swedish and English CMS words).
NOT_ARTICLE = re.compile(
    r"/(kategori|category|categories|tag|tags|emne|emner|tema|amne|ämne|etikett|author|forfatter|"
    r"skribent|side|sida|page|feed|rss|search|sok|søk|sök|login|logg-inn|wp-admin|wp-json|"
    r"kontakt|contact|om-oss|om-klyngen|about|personvern|cookies?|medlemmer|members)(/|$)",
    re.IGNORECASE,
)
FILE_EXT = re.compile(r"\.(pdf|jpe?g|png|gif|svg|webp|zip|docx?|xlsx?|pptx?|mp4|mp3|ics)$", re.I)
PAGINATION_QUERY = re.compile(r"(^|&)(page|side|sida|p|paged|offset)=", re.IGNORECASE)


def discover_page(html: str, *, base_url: str, links: str | None = None) -> Discovery:
    try:
        doc = lxml.html.document_fromstring(html[:MAX_HTML] or "<html></html>")
    except (etree.ParserError, ValueError) as exc:
        raise DiscoverError(f"unreadable HTML page: {exc}") from None
    base = canonical_url(_base_href(doc) or base_url) or base_url
    pattern = re.compile(links) if links else None
    listing = canonical_url(base_url)
    entries: dict[str, Entry] = {}
    for anchor in doc.iter("a"):
        url = canonical_url(anchor.get("href") or "", base)
        if not url or url == listing or not same_site(url, base_url):
            continue
        if pattern is not None:
            # An explicit pattern from feeds.yaml decides; chrome heuristics would get in the way.
            if not pattern.search(urlsplit(url).path):
                continue
        elif not _is_article_link(anchor, url):
            continue
        title = clean_text(anchor.text_content(), limit=500)
        known = entries.get(url)
        if known is None or (title and len(title) > len(known.title or "")):
            entries[url] = Entry(url=url, title=title)
        if len(entries) >= MAX_LINKS:
            break
    page_title = clean_text(doc.findtext(".//title"), limit=300)
    return Discovery(
        kind="page",
        entries=tuple(entries.values()),
        feed_links=tuple(feed_links(doc, base)),
        title=page_title,
    )


def feed_links(doc: lxml.html.HtmlElement, base: str) -> list[str]:
    """Feeds a page advertises with <link rel="alternate" type="application/rss+xml" …>."""
    found = []
    for link in doc.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rels and kind in FEED_TYPES:
            url = canonical_url(link.get("href") or "", base)
            if url and url not in found and "comments" not in url:
                found.append(url)
    return found


def autodiscover(html: str, *, base_url: str) -> list[str]:
    try:
        doc = lxml.html.document_fromstring(html[:MAX_HTML] or "<html></html>")
    except (etree.ParserError, ValueError):
        return []
    return feed_links(doc, canonical_url(_base_href(doc) or base_url) or base_url)


def _base_href(doc: lxml.html.HtmlElement) -> str | None:
    base = doc.find(".//base[@href]")
    return base.get("href") if base is not None else None


def _is_article_link(anchor: lxml.html.HtmlElement, url: str) -> bool:
    parts = urlsplit(url)
    path = parts.path
    if (
        path in ("", "/")
        or NOT_ARTICLE.search(path)
        or FILE_EXT.search(path)
        or PAGINATION_QUERY.search(parts.query)
    ):
        return False
    for parent in anchor.iterancestors():
        if parent.tag in CHROME:
            return False
        if CHROME_HINT.search(f"{parent.get('class', '')} {parent.get('id', '')}"):
            return False
        if parent.tag in ("article", "main"):
            break
    # Articles live at a slug: at least one segment with words joined by '-' or '_', or a
    # deeper path; a bare single word ('/nyheter/') is a section.
    segments = [s for s in path.split("/") if s]
    last = segments[-1] if segments else ""
    return len(segments) >= 2 and (
        ("-" in last or "_" in last or last.isdigit()) or len(segments) >= 3
    )
