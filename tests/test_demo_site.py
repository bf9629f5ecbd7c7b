"""The offline demo sites: real loopback servers, parsed the way the collector will parse them."""

from __future__ import annotations

import gzip
import html
import http.client
import json
import re
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
from ruamel.yaml import YAML

from clusternews.demo.server import DemoServer
from clusternews.demo.site import SITE_IDS, load_articles, published_at
from clusternews.demo.variants import varied_articles

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
ARTICLES = load_articles()
BY_SITE = Counter(a["site"] for a in ARTICLES)
BANNER = {
    "nb": "Demonstrasjonsinnhold skrevet for clusternews – ikke ekte nyheter",
    "nn": "Demonstrasjonsinnhald skrive for clusternews – ikkje ekte nyheiter",
    "sv": "Demoinnehåll skrivet för clusternews – inte riktiga nyheter",
}


def fetch(url: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, parts.path or "/", headers=headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def get(url: str) -> bytes:
    status, _, body = fetch(url)
    assert status == 200, url
    return body


def decode_html(body: bytes) -> str:
    """Decodes with the charset the page declares in its <meta>, as a careful reader does."""
    found = re.search(rb'charset=["\']?([\w-]+)', body[:1024])
    assert found, "page declares no charset"
    return body.decode(found.group(1).decode())


def sitemap_locs(body: bytes) -> list[str]:
    return [el.text or "" for el in ElementTree.fromstring(body).iter(f"{SM}loc")]


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


@pytest.fixture(scope="module")
def big() -> Iterator[DemoServer]:
    with DemoServer(articles=varied_articles(1000)) as server:
        yield server


def test_articles_are_varied_and_well_formed() -> None:
    langs = Counter(a["language"] for a in ARTICLES)
    assert len(ARTICLES) >= 18 and langs["nb"] >= 7 and langs["nn"] >= 5 and langs["sv"] >= 6
    assert set(BY_SITE) == set(SITE_IDS)
    for art in ARTICLES:
        words = sum(len(p.split()) for p in art["paragraphs"])
        assert 150 <= words <= 350, art["slug"]
        assert (
            datetime(2026, 11, 2).date()
            <= published_at(art).date()
            <= datetime(2026, 11, 22).date()
        )
    week47 = [a for a in ARTICLES if published_at(a).isocalendar()[:2] == (2026, 47)]
    assert len(week47) >= 8
    nynorsk = " ".join(" ".join(a["paragraphs"]) for a in ARTICLES if a["language"] == "nn")
    assert all(word in nynorsk for word in ("ikkje", "kva", "eit", "dagleg leiar", "saman"))


def test_rss_feed_parses_with_authors_and_html(demo: DemoServer) -> None:
    body = get(demo.base_urls["mineral"] + "/feed/")
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20" and len(feed.entries) == BY_SITE["mineral"]
    for entry in feed.entries:
        assert entry.link.startswith(demo.base_urls["mineral"] + "/nyheter/")
        assert entry.author and entry.published_parsed and entry.id == entry.link
        assert "<b>" in entry.summary and "<img" in entry.summary
    page = decode_html(get(demo.base_urls["mineral"] + "/"))
    assert 'type="application/rss+xml"' in page and "/feed/" in page


def test_atom_feed_parses_with_html_content(demo: DemoServer) -> None:
    feed = feedparser.parse(get(demo.base_urls["industri"] + "/atom.xml"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10" and len(feed.entries) == BY_SITE["industri"]
    assert {e.content[0].type for e in feed.entries} == {"text/html"}
    assert {e.title_detail.language for e in feed.entries} == {"nb", "nn"}


def test_sitemaps(demo: DemoServer) -> None:
    base = demo.base_urls["industri"]
    index = ElementTree.fromstring(get(base + "/sitemap.xml"))
    assert index.tag == f"{SM}sitemapindex"
    assert sitemap_locs(get(base + "/sitemap.xml")) == [
        base + "/sitemap-news.xml",
        base + "/sitemap-pages.xml",
    ]
    news = ElementTree.fromstring(get(base + "/sitemap-news.xml"))
    assert len(list(news.iter(f"{NEWS}publication_date"))) == BY_SITE["industri"]
    pages = ElementTree.fromstring(get(base + "/sitemap-pages.xml"))
    assert [m.text[:4] for m in pages.iter(f"{SM}lastmod")] == ["2024"] * 4
    for loc in sitemap_locs(get(base + "/sitemap-pages.xml")):
        get(loc)
    gruv = get(demo.base_urls["gruv"] + "/sitemap.xml")
    assert len(sitemap_locs(gruv)) == BY_SITE["gruv"]


def article_urls(demo: DemoServer) -> dict[str, set[str]]:
    """Article URLs per source, found the way each source kind is meant to be read."""
    b = demo.base_urls
    found = {
        "rss": {e.link for e in feedparser.parse(get(b["mineral"] + "/feed/")).entries},
        "atom": {e.link for e in feedparser.parse(get(b["industri"] + "/atom.xml")).entries},
        "industri-sitemap": set(sitemap_locs(get(b["industri"] + "/sitemap-news.xml"))),
        "gruv-sitemap": set(sitemap_locs(get(b["gruv"] + "/sitemap.xml"))),
    }
    for site, path in (("prosess", "/nyheiter/"), ("gruv", "/nyheter/")):
        hrefs = re.findall(r'href="([^"]+)"', decode_html(get(b[site] + path)))
        found[f"{site}-page"] = {b[site] + h for h in hrefs if re.search(path + "[^/]+/$", h)}
    return found


def test_every_linked_article_page_is_served(demo: DemoServer) -> None:
    found = article_urls(demo)
    assert found["atom"] == found["industri-sitemap"]  # one article, two sources: same URL
    assert not any("/side/" in u or "/kategori/" in u for u in found["prosess-page"])
    every = set().union(*found.values())
    assert len(every) == len(ARTICLES)
    titles = {a["slug"]: a for a in ARTICLES}
    for url in sorted(every):
        page = html.unescape(decode_html(get(url)))
        art = titles[url.rstrip("/").rsplit("/", 1)[1]]
        assert f'<html lang="{art["language"]}">' in page
        assert art["title"] in page and BANNER[art["language"]] in page
        assert 'property="og:title"' in page and 'property="article:published_time"' in page
        assert f'<time datetime="{art["published"]}"' in page and "<article" in page


def test_prosess_listing_paginates_and_has_chrome(demo: DemoServer) -> None:
    page = decode_html(get(demo.base_urls["prosess"] + "/nyheiter/"))
    for needle in (
        "Heim",
        "Om oss",
        "Medlemmer",
        "Kontakt",
        "/kategori/",
        "/tag/",
        "/nyheiter/side/2/",
        "linkedin.com",
        "facebook.com",
        "partner.example.net",
        "cookie",
        "Siste nytt",
        "<footer",
    ):
        assert needle in page
    older = decode_html(get(demo.base_urls["prosess"] + "/nyheiter/side/2/"))
    assert "forprosjekt-skal-sja-pa-hydrogen-i-hoyanger" in older


def test_conditional_get_and_head(demo: DemoServer) -> None:
    url = demo.base_urls["gruv"] + "/sitemap.xml"
    status, headers, body = fetch(url)
    assert status == 200 and headers["etag"].startswith('"') and "last-modified" in headers
    assert fetch(url, **{"If-None-Match": headers["etag"]})[:1] == (304,)
    assert fetch(url, **{"If-Modified-Since": headers["last-modified"]})[0] == 304
    assert fetch(url, **{"If-Modified-Since": "Mon, 02 Nov 2026 08:00:00 GMT"})[0] == 200
    status, head_headers, head_body = fetch(url, "HEAD")
    assert status == 200 and head_body == b"" and head_headers["content-length"] == str(len(body))
    before = demo.requests[("gruv", 404)]
    assert fetch(demo.base_urls["gruv"] + "/finns-inte/")[0] == 404
    assert demo.requests[("gruv", 404)] == before + 1


def test_gzip(demo: DemoServer) -> None:
    url = demo.base_urls["industri"] + "/atom.xml"
    plain = fetch(url)
    status, headers, body = fetch(url, **{"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == plain[2] and headers["etag"] != plain[1]["etag"]
    assert fetch(url, **{"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})[0] == 304
    assert "content-encoding" not in fetch(url, **{"Accept-Encoding": "gzip;q=0"})[1]


def test_windows_1252_pages_decode_with_their_declared_charset(demo: DemoServer) -> None:
    legacy = [
        (
            demo.base_urls["prosess"] + "/nyheiter/overskotsvarme-fra-ardal-kan-gi-ny-naering/",
            "Overskotsvarme frå Årdal",
            "text/html",
        ),
        (
            demo.base_urls["gruv"] + "/nyheter/fyra-nya-medlemmar-fran-bergslagen-och-norrland/",
            "från Bergslagen",
            "text/html; charset=windows-1252",
        ),
    ]
    for url, text, ctype in legacy:
        status, headers, body = fetch(url)
        assert status == 200 and headers["content-type"] == ctype
        assert b"charset=windows-1252" in body[:300]
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        assert text in decode_html(body)


def test_json_ld_news_articles(demo: DemoServer) -> None:
    seen = 0
    for url in sorted(set().union(*article_urls(demo).values())):
        for block in re.findall(
            r'<script type="application/ld\+json">(.*?)</script>', decode_html(get(url)), re.S
        ):
            data = json.loads(block)
            assert data["@type"] == "NewsArticle" and data["headline"] in decode_html(get(url))
            seen += 1
    assert seen >= 2


def test_robots(demo: DemoServer) -> None:
    for site in SITE_IDS:
        robots = get(demo.base_urls[site] + "/robots.txt").decode()
        assert "Disallow: /admin/" in robots
        assert ("Sitemap: " + demo.base_urls[site] + "/sitemap.xml" in robots) == (
            site in ("industri", "gruv")
        )


def test_feeds_yaml_lists_the_four_clusters(demo: DemoServer) -> None:
    data = YAML(typ="safe", pure=True).load(demo.feeds_yaml())
    assert data["defaults"] == {"interval": "30m", "timezone": "Europe/Oslo"}
    clusters = {c["id"]: c for c in data["clusters"]}
    assert list(clusters) == [f"demo-{s}" for s in SITE_IDS]
    assert clusters["demo-gruv"]["country"] == "SE"
    prosess = clusters["demo-prosess"]["sources"][0]
    assert prosess["page"] == demo.base_urls["prosess"] + "/nyheiter/"
    assert re.search(prosess["links"], "/nyheiter/nytt-fagskulestudium-i-prosessteknikk/")
    assert not re.search(prosess["links"], "/nyheiter/side/2/")
    for cluster in clusters.values():
        for source in cluster["sources"]:
            url = source.get("feed") or source.get("page") or source.get("sitemap")
            assert fetch(url)[0] == 200


def test_varied_articles_are_unique_and_deterministic() -> None:
    first = varied_articles(1000)
    assert len({a["slug"] for a in first}) == 1000 and first == varied_articles(1000)
    assert first != varied_articles(1000, seed=2)
    assert Counter(a["site"] for a in first) == {s: 250 for s in SITE_IDS}
    assert {a["language"] for a in first if a["site"] == "gruv"} == {"sv"}
    days = {published_at(a).date() for a in first}
    assert max(days) <= datetime(2026, 11, 22).date() and len(days) > 50


def test_big_site_paginates_and_serves_concurrently(big: DemoServer) -> None:
    feed = feedparser.parse(get(big.base_urls["mineral"] + "/feed/"))
    assert not feed.bozo and len(feed.entries) == 50
    assert len(sitemap_locs(get(big.base_urls["gruv"] + "/sitemap.xml"))) == 250
    listing = decode_html(get(big.base_urls["prosess"] + "/nyheiter/"))
    cards = set(re.findall(r'<h2><a href="(/nyheiter/[^"/]+/)"', listing))
    assert len(cards) == 20 and 'href="/nyheiter/side/2/"' in listing
    last = decode_html(get(big.base_urls["prosess"] + "/nyheiter/side/13/"))
    assert len(set(re.findall(r'<h2><a href="(/nyheiter/[^"/]+/)"', last))) == 10
    urls = [big.base_urls["prosess"] + path for path in sorted(cards)] * 5
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda u: fetch(u)[0], urls))
    assert statuses == [200] * len(urls)
