"""Discovery from golden feeds, listing pages and sitemaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from clusternews.errors import DiscoverError
from clusternews.pipeline.discover import (
    discover_feed,
    discover_page,
    discover_sitemap,
    looks_like_html,
)
from clusternews.pipeline.discover.pages import autodiscover

from .conftest import GOLDEN

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
FEEDS = GOLDEN / "feeds"


def feed(name: str, base: str = "https://example.no/feed/", content_type: str = ""):
    return discover_feed(
        (FEEDS / name).read_bytes(), base_url=base, now=NOW, content_type=content_type
    )


def test_rss20_entries_are_canonical_sanitized_and_dated() -> None:
    found = feed("rss20.xml")
    assert found.title == "Mineralklynge Norge"
    urls = [e.url for e in found.entries]
    # tracking parameters and fragment dropped; the duplicate item collapses; the item without
    # a link stands on the feed's site under a stable key, read from the feed alone
    assert urls[0] == "https://mineral.example.no/nyheter/nye-medlemmer/"
    assert urls[1].startswith("https://mineral.example.no/#item-")
    assert urls[2] == "https://mineral.example.no/nyheter/framtid/"
    assert [e.page for e in found.entries] == [True, False, True]
    assert found.warnings[-1] == "1 entry skipped: the same link as an earlier entry"
    first = found.entries[0]
    assert first.title == "Mineralklynge Norge ønsker nye medlemmer velkommen"
    assert first.published == datetime(2026, 11, 18, 8, 30, tzinfo=UTC)
    assert first.author == "Kari Nordmann"
    assert first.summary == "Fire nye bedrifter i Narvik og Fauske."
    assert first.image == "https://mineral.example.no/bilder/medlemmer.jpg"
    html = first.content_html or ""
    assert "Fire nye bedrifter" in html
    for bad in ("<script", "onclick", "onerror", "<iframe", "javascript:"):
        assert bad not in html
    assert found.entries[2].published is None  # 2038 is not a plausible publication date


def test_rss091_relative_links_and_language() -> None:
    found = feed("rss091.xml", base="https://klynge.example.no/rss.xml")
    assert [e.url for e in found.entries] == [
        "https://klynge.example.no/nyheiter/ny-dagleg-leiar/",
        "https://klynge.example.no/nyheiter/medlemsmote-i-ardal/",
    ]


def test_rss10_rdf() -> None:
    found = feed("rss10.rdf")
    (entry,) = found.entries
    assert entry.title == "Ny testbädd för elektrifierade gruvor i Kiruna"
    assert entry.published == datetime(2026, 11, 18, 7, 15, tzinfo=UTC)
    assert entry.author == "Anna Lindqvist"


def test_atom_resolves_relative_links_and_uses_url_ids() -> None:
    found = feed("atom.xml", base="https://industri.example.no/atom.xml")
    assert [e.url for e in found.entries] == [
        "https://industri.example.no/nyheter/robotar-raufoss",
        "https://industri.example.no/nyheter/id-lenke",
    ]
    first = found.entries[0]
    assert first.title == "Robotar i Raufoss-miljøet"
    assert first.published == datetime(2026, 11, 19, 7, 45, tzinfo=UTC)
    assert "<style" not in (first.content_html or "") and "Raufoss Industripark" in (
        first.content_html or ""
    )


def test_json_feed() -> None:
    found = feed(
        "feed.json",
        base="https://prosess.example.no/feed.json",
        content_type="application/feed+json",
    )
    assert [e.url for e in found.entries] == [
        "https://prosess.example.no/nyheiter/hydrogen-i-hoyanger/",
        "https://prosess.example.no/nyheiter/relativ/",
    ]
    first, second = found.entries
    assert first.author == "Siri Vik" and "<script" not in (first.content_html or "")
    assert first.language == "nn"
    assert second.published is not None and second.published.tzinfo is not None


def test_windows_1252_feed_decodes() -> None:
    (entry,) = feed("cp1252.xml").entries
    assert entry.title == "Bergslagens gruvor får nytt liv – äntligen"
    assert "Æ Ø Å æ ø å" in (entry.summary or "")


def test_malformed_feed_yields_what_it_can() -> None:
    found = feed("malformed.xml")
    assert "https://rot.example.no/a/forste-sak/" in [e.url for e in found.entries]


@pytest.mark.parametrize(
    "name, message",
    [
        ("garbage.bin", "not a readable feed"),
        ("html_with_alternate.html", "expected a feed but got an HTML page"),
    ],
)
def test_unreadable_feeds_raise_clear_errors(name: str, message: str) -> None:
    with pytest.raises(DiscoverError, match=message) as caught:
        feed(name)
    assert str(caught.value).startswith("discover: ")


def test_truncated_feed_keeps_the_complete_part() -> None:
    """A feed cut mid-item (a dropped connection) still yields the items it got to."""
    (entry,) = feed("truncated.xml").entries
    assert entry.url == "https://mineral.example.no/nyheter/nye-medlemmer/"
    assert entry.published == datetime(2026, 11, 18, 8, 30, tzinfo=UTC)


def test_a_feed_cut_before_any_item_is_an_error() -> None:
    cut = (FEEDS / "rss20.xml").read_bytes()[:120]
    with pytest.raises(DiscoverError, match="^discover: not a readable feed"):
        discover_feed(cut, base_url="https://example.no/feed/", now=NOW)


def test_autodiscovery_skips_comment_feeds() -> None:
    html = (FEEDS / "html_with_alternate.html").read_text()
    assert looks_like_html(html.encode())
    assert autodiscover(html, base_url="https://x.example.no/nyheter/") == [
        "https://x.example.no/feed/"
    ]


LISTING = """<!DOCTYPE html><html><head><title>Nyheiter</title></head><body>
<header><nav><a href="/">Heim</a><a href="/om-oss/">Om oss</a>
  <a href="/nyheiter/ein-nav-lenke-som-liknar/">Snarveg</a></nav></header>
<div class="cookie-banner"><a href="/personvern/">Personvern</a></div>
<main>
  <article><h2><a href="/nyheiter/hydrogen-i-hoyanger/?utm_source=x">Hydrogen i Høyanger</a></h2>
    <a href="/kategori/energi/">Energi</a> <a href="/tag/hydrogen/">hydrogen</a></article>
  <article><h2><a href="https://prosess.example.no/nyheiter/nytt-medlem/">Nytt medlem</a></h2></article>
  <article><h2><a href="/nyheiter/nytt-medlem/">Les meir</a></h2></article>
  <a href="/nyheiter/side/2/">Neste side</a> <a href="/nyheiter/?page=2">2</a>
  <a href="https://www.linkedin.com/company/x/">LinkedIn</a>
  <a href="/filer/rapport-2026.pdf">Rapport</a> <a href="mailto:post@prosess.example.no">E-post</a>
</main>
<aside class="sidebar"><a href="/nyheiter/eldre-sak/">Eldre sak</a></aside>
<footer><a href="/kontakt/">Kontakt</a></footer></body></html>"""


def test_listing_page_keeps_articles_and_skips_chrome() -> None:
    found = discover_page(LISTING, base_url="https://prosess.example.no/nyheiter/")
    assert [(e.url, e.title) for e in found.entries] == [
        ("https://prosess.example.no/nyheiter/hydrogen-i-hoyanger/", "Hydrogen i Høyanger"),
        ("https://prosess.example.no/nyheiter/nytt-medlem/", "Nytt medlem"),
    ]


def test_listing_page_links_pattern_decides() -> None:
    found = discover_page(
        LISTING, base_url="https://prosess.example.no/nyheiter/", links=r"/nyheiter/[a-z-]+/$"
    )
    urls = {e.url for e in found.entries}
    assert "https://prosess.example.no/nyheiter/eldre-sak/" in urls  # the pattern overrides chrome
    assert not any("linkedin" in u or "side/2" in u for u in urls)


SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://gruv.example.se/nyheter/ny/</loc>
    <news:news><news:publication><news:name>G</news:name><news:language>sv</news:language>
    </news:publication><news:publication_date>2026-11-20T08:00:00+01:00</news:publication_date>
    <news:title>Ny gruva i Malmberget</news:title></news:news></url>
  <url><loc>https://gruv.example.se/nyheter/gammal/</loc><lastmod>2024-03-01</lastmod></url>
  <url><loc>https://gruv.example.se/nyheter/nyare/</loc><lastmod>2026-11-21</lastmod></url>
  <url><loc>https://annan.example.se/x/</loc><lastmod>2026-11-21</lastmod></url>
  <url><loc>https://gruv.example.se/om-oss/</loc></url>
</urlset>"""


def test_news_sitemap_recent_entries_only() -> None:
    found = discover_sitemap(
        SITEMAP.encode(),
        base_url="https://gruv.example.se/sitemap.xml",
        now=NOW,
        max_age=timedelta(days=30),
    )
    assert [e.url for e in found.entries] == [
        "https://gruv.example.se/nyheter/nyare/",
        "https://gruv.example.se/nyheter/ny/",
        "https://gruv.example.se/om-oss/",
    ]
    assert found.entries[1].title == "Ny gruva i Malmberget"


def test_sitemap_index_lists_recent_children() -> None:
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://gruv.example.se/sitemap-news.xml</loc><lastmod>2026-11-21</lastmod></sitemap>
    <sitemap><loc>https://gruv.example.se/sitemap-2019.xml</loc><lastmod>2019-01-01</lastmod></sitemap>
    </sitemapindex>"""
    found = discover_sitemap(index, base_url="https://gruv.example.se/sitemap.xml", now=NOW)
    assert found.entries == () and found.feed_links == ("https://gruv.example.se/sitemap-news.xml",)


def test_sitemap_refuses_entities_and_garbage() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://g.example.se/&b;</loc></url></urlset>"""
    found = discover_sitemap(bomb, base_url="https://g.example.se/sitemap.xml", now=NOW)
    assert all("aaaa" not in e.url for e in found.entries)
    with pytest.raises(DiscoverError):
        discover_sitemap(b"\x00\x01garbage", base_url="https://g.example.se/s.xml", now=NOW)
