"""Sitemaps and news sitemaps → recent article URLs (and child sitemaps of an index)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from lxml import etree

from clusternews.errors import DiscoverError
from clusternews.models import Discovery, Entry
from clusternews.pipeline.dates import DEFAULT_TIMEZONE, parse_date, plausible
from clusternews.pipeline.sanitize import clean_text
from clusternews.pipeline.urls import canonical_url, same_site

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
MAX_UNDATED = 100  # a sitemap without dates cannot say what is recent; take its first part only
MAX_CHILDREN = 10
# No entities, no network, no huge trees: sitemaps come from the web and are untrusted.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True, recover=True
)


def discover_sitemap(
    content: bytes,
    *,
    base_url: str,
    now: datetime,
    max_age: timedelta = timedelta(days=30),
    links: str | None = None,
    tz: str = DEFAULT_TIMEZONE,
) -> Discovery:
    try:
        root = etree.fromstring(content, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise DiscoverError(f"not a readable sitemap: {exc}") from None
    if root is None:
        raise DiscoverError("not a readable sitemap: empty document")
    tag = etree.QName(root).localname
    if tag not in ("urlset", "sitemapindex"):
        raise DiscoverError(f"not a sitemap: root element <{tag}>")
    cutoff = now - max_age
    pattern = re.compile(links) if links else None
    if tag == "sitemapindex":
        children = []
        for node in root.iter("{*}sitemap"):
            url = canonical_url(node.findtext("{*}loc") or "", base_url)
            modified = parse_date(node.findtext("{*}lastmod"), tz=tz)
            if url and same_site(url, base_url) and (modified is None or modified >= cutoff):
                children.append(url)
        return Discovery(kind="sitemap", feed_links=tuple(children[:MAX_CHILDREN]))
    dated: list[tuple[datetime, Entry]] = []
    undated: list[Entry] = []
    for node in root.iter("{*}url"):
        url = canonical_url(node.findtext("{*}loc") or "", base_url)
        if not url or not same_site(url, base_url):
            continue
        if pattern is not None and not pattern.search(url):
            continue
        news = node.find("news:news", NS)
        title = (
            clean_text(news.findtext("news:title", namespaces=NS), limit=500)
            if news is not None
            else None
        )
        published = (
            parse_date(news.findtext("news:publication_date", namespaces=NS), tz=tz)
            if news is not None
            else None
        )
        modified = parse_date(node.findtext("{*}lastmod"), tz=tz)
        when = plausible(published or modified, now=now)
        entry = Entry(url=url, title=title, published=published and plausible(published, now=now))
        if when is None:
            undated.append(entry)
        elif when >= cutoff:
            dated.append((when, entry))
    dated.sort(key=lambda pair: pair[0], reverse=True)
    recent = [entry for _, entry in dated]
    return Discovery(kind="sitemap", entries=tuple(recent + undated[:MAX_UNDATED]))
