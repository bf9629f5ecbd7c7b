"""Renders the four offline demo cluster websites into in-memory pages (no network, no clock)."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from ruamel.yaml import YAML

log = logging.getLogger(__name__)

SITE_IDS = ("mineral", "industri", "prosess", "gruv")
LANGUAGES = ("nb", "nn", "sv")
ARTICLES_PATH = Path(__file__).with_name("articles.yaml")
REQUIRED = (
    "slug",
    "site",
    "language",
    "title",
    "lead",
    "paragraphs",
    "author",
    "published",
    "tags",
    "image",
)
PAGE_SIZE, FEED_SIZE, SIDEBAR_SIZE, HOME_SIZE = 20, 50, 5, 6
# The shipped demo has only 4-6 articles per site; paginating them by 3 still shows a page 2.
SMALL_PAGE_SIZE = 3
# The demo's own clock: the Monday morning after its newest article. Demo ingests read the
# sites as of then, so a sitemap's 30-day window (plan.SITEMAP_MAX_AGE) keeps every demo
# article whatever today's date is, and the demo gives the same 20 articles every time.
DEMO_NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
# Fixed, old "last edited" dates of the non-news pages: the clock is never read.
STATIC_PAGES = {
    "/om-oss/": "2024-02-12",
    "/medlemmer/": "2024-05-03",
    "/kontakt/": "2024-06-20",
    "/personvern/": "2024-09-30",
}
ROBOTS_DATE = "2024-01-15"
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str  # e.g. "text/html; charset=utf-8"
    last_modified: datetime | None = None  # for the server's Last-Modified / 304 answers


@dataclass(frozen=True)
class SiteInfo:
    id: str
    name: str
    lang: str  # language of the page chrome when a page has no article of its own
    news_path: str
    tagline: str
    address: str
    feed: str | None = None  # RSS path, advertised with <link rel="alternate">
    charset: str = "utf-8"  # a legacy CMS serves every page in windows-1252
    jsonld: bool = False


SITES = {
    s.id: s
    for s in (
        SiteInfo(
            "mineral",
            "Mineralklynge Norge (demo)",
            "nb",
            "/nyheter/",
            "Klyngen for mineralnæringen i hele Norge",
            "Demoveien 1, 8622 Mo i Rana",
            feed="/feed/",
            jsonld=True,
        ),
        SiteInfo(
            "industri",
            "NCE Raufoss (demo)",
            "nb",
            "/aktuelt/",
            "Vareproduksjon i verdensklasse fra Innlandet",
            "Demoveien 5, 2830 Raufoss",
        ),
        SiteInfo(
            "prosess",
            "Prosessindustriklynga Vestland (demo)",
            "nn",
            "/nyheiter/",
            "Berekraftig prosessindustri på Vestlandet",
            "Demovegen 2, 6884 Øvre Årdal",
            charset="windows-1252",
        ),
        SiteInfo(
            "gruv",
            "Gruvklustret Norr (demo)",
            "sv",
            "/nyheter/",
            "Innovation för en hållbar gruvnäring",
            "Demogatan 3, 931 30 Skellefteå",
            jsonld=True,
        ),
    )
}

_KEYS = (
    "home news about members contact privacy share related latest categories by published "
    "next prev page read_more all_news cookie accept decline not_found email follow partner "
    "menu about_text banner"
).split()
LABELS = {
    lang: dict(zip(_KEYS, text.split("|"), strict=True))
    for lang, text in {
        "nb": "Hjem|Nyheter|Om oss|Medlemmer|Kontakt|Personvern|Del artikkelen|Relaterte artikler|"
        "Siste nytt|Kategorier|Av|Publisert|Neste side|Forrige side|Side|Les mer|Alle nyheter|"
        "Vi bruker informasjonskapsler for å forbedre nettstedet.|Godta|Avvis|"
        "Siden finnes ikke|E-post|Følg oss|Partnernettsted|Meny|Dette er et demonstrasjons"
        "nettsted for clusternews. Innholdet er skrevet for å vise hvordan tjenesten virker.|"
        "Demonstrasjonsinnhold skrevet for clusternews – ikke ekte nyheter",
        "nn": "Heim|Nyheiter|Om oss|Medlemmer|Kontakt|Personvern|Del artikkelen|Relaterte artiklar|"
        "Siste nytt|Kategoriar|Av|Publisert|Neste side|Førre side|Side|Les meir|"
        "Alle nyheiter|Vi brukar informasjonskapslar for å gjere nettstaden betre.|Godta|"
        "Avvis|Sida finst ikkje|E-post|Følg oss|Partnarnettstad|Meny|Dette er ein "
        "demonstrasjonsnettstad for clusternews. Innhaldet er skrive for å vise korleis tenesta "
        "verkar.|Demonstrasjonsinnhald skrive for clusternews – ikkje ekte nyheiter",
        "sv": "Hem|Nyheter|Om oss|Medlemmar|Kontakt|Integritet|Dela artikeln|Relaterade artiklar|"
        "Senaste nytt|Kategorier|Av|Publicerad|Nästa sida|Föregående sida|Sida|Läs mer|"
        "Alla nyheter|Vi använder kakor för att förbättra webbplatsen.|Godkänn|Avböj|"
        "Sidan finns inte|E-post|Följ oss|Partnerwebbplats|Meny|Det här är en demo"
        "webbplats för clusternews. Innehållet är skrivet för att visa hur tjänsten fungerar.|"
        "Demoinnehåll skrivet för clusternews – inte riktiga nyheter",
    }.items()
}
_MONTHS = {
    "no": "januar februar mars april mai juni juli august september oktober november "
    "desember".split(),
    "sv": "januari februari mars april maj juni juli augusti september oktober november "
    "december".split(),
}
_PAGE_TITLES = {
    "nb": ("Om oss", "Medlemmer", "Kontakt", "Personvern"),
    "nn": ("Om oss", "Medlemmer", "Kontakt", "Personvern"),
    "sv": ("Om oss", "Medlemmar", "Kontakt", "Integritet"),
}


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(_FOLD)).strip("-")


def published_at(article: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(article["published"]))


def validate_articles(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Light checks that catch typos in hand-written or generated article lists."""
    seen: set[str] = set()
    for i, art in enumerate(articles):
        where = f"article {i} ({art.get('slug', '?')})"
        missing = [k for k in REQUIRED if not art.get(k)]
        if missing:
            raise ValueError(f"{where}: missing {', '.join(missing)}")
        if not _SLUG.match(art["slug"]) or art["slug"] in seen:
            raise ValueError(f"{where}: slug must be unique lowercase a-z0-9 and '-'")
        seen.add(art["slug"])
        if art["site"] not in SITES or art["language"] not in LANGUAGES:
            raise ValueError(f"{where}: unknown site or language")
        if not isinstance(art["published"], str) or published_at(art).tzinfo is None:
            raise ValueError(f"{where}: published must be a quoted ISO 8601 time with offset")
        if not isinstance(art["paragraphs"], list) or not isinstance(art["tags"], list):
            raise ValueError(f"{where}: paragraphs and tags must be lists")
    return articles


def load_articles(path: Path | None = None) -> list[dict[str, Any]]:
    data = YAML(typ="safe", pure=True).load((path or ARTICLES_PATH).read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError("articles file must be a YAML list")
    return validate_articles(data)


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=select_autoescape(enabled_extensions=("html.j2", "xml.j2")),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _human(when: datetime, lang: str) -> tuple[str, str]:
    month = _MONTHS["sv" if lang == "sv" else "no"][when.month - 1]
    day = f"{when.day}." if lang != "sv" else str(when.day)
    return f"{day} {month} {when.year} kl. {when:%H.%M}", f"{day} {month} {when.year}"


class _Builder:
    """Renders one site; article views are computed once and shared by every page."""

    def __init__(self, site: SiteInfo, base: str, articles: list[dict[str, Any]]) -> None:
        self.site, self.base = site, base.rstrip("/")
        self.pages: dict[str, Page] = {}
        mine = [a for a in articles if a["site"] == site.id]
        mine.sort(key=lambda a: (published_at(a), a["slug"]), reverse=True)
        self.items = [self._view(a) for a in mine]
        self.newest = self.items[0]["when"] if self.items else datetime(2024, 1, 1, tzinfo=UTC)
        self.size = PAGE_SIZE if len(self.items) > PAGE_SIZE else SMALL_PAGE_SIZE
        cats = {i["category"]["slug"]: i["category"] for i in self.items}
        self.categories = sorted(cats.values(), key=lambda c: c["slug"])
        self.tags = {t["slug"]: t for i in self.items for t in i["tags"]}
        self.common = {
            "site": site,
            "base": self.base,
            "latest": self.items[:SIDEBAR_SIZE],
            "categories": self.categories,
            "feed_url": self.base + site.feed if site.feed else None,
        }

    def _view(self, art: dict[str, Any]) -> dict[str, Any]:
        when = published_at(art)
        path = f"{self.site.news_path}{art['slug']}/"
        tags = [{"name": t, "slug": slugify(t)} for t in art["tags"]]
        image_url = self.base + art["image"]
        long, short = _human(when, art["language"])
        lead, paras = art["lead"], art["paragraphs"]
        summary = (
            f'<p><img src="{escape(image_url)}" alt="" width="600"> '
            f"<b>{escape(lead)}</b></p><p>{escape(paras[0])}</p>"
        )
        content = summary + "".join(f"<p>{escape(p)}</p>" for p in paras[1:])
        return {
            **art,
            "when": when,
            "iso": when.isoformat(),
            "human": long,
            "short": short,
            "path": path,
            "url": self.base + path,
            "image_url": image_url,
            "tags": tags,
            "category": tags[0],
            "caption": art.get("caption") or art["title"],
            "rfc822": format_datetime(when),
            "summary_html": summary,
            "content_html": content,
            "charset": art.get("charset") or self.site.charset,
        }

    def put(
        self,
        path: str,
        template: str,
        ctype: str,
        when: datetime | None,
        /,
        *,
        lang: str | None = None,
        charset: str = "utf-8",
        **ctx: Any,
    ) -> None:
        lang = lang or self.site.lang
        text = (
            _env()
            .get_template(template)
            .render(**self.common, **ctx, lang=lang, L=LABELS[lang], charset=charset)
        )
        # A site-wide legacy charset is left out of the header (like an old CMS), so readers
        # must honour the <meta> declaration; a page-level one is declared in both places.
        if ctype != "text/html" or charset == "utf-8" or charset != self.site.charset:
            ctype += f"; charset={charset}"
        body = text.encode(charset, errors="xmlcharrefreplace")
        self.pages[path] = Page(body, ctype, when)

    def html(self, path: str, template: str, when: datetime | None, /, **ctx: Any) -> None:
        self.put(path, template, "text/html", when, charset=self.site.charset, **ctx)

    def listing(self, prefix: str, heading: str, items: list[dict[str, Any]]) -> None:
        chunks = [items[i : i + self.size] for i in range(0, len(items), self.size)] or [[]]
        paths = [prefix] + [f"{prefix}side/{n}/" for n in range(2, len(chunks) + 1)]
        for n, chunk in enumerate(chunks, start=1):
            window = sorted({1, len(chunks), *range(max(1, n - 2), min(len(chunks), n + 2) + 1)})
            self.html(
                paths[n - 1],
                "listing.html.j2",
                chunk[0]["when"] if chunk else self.newest,
                heading=heading,
                items=chunk,
                number=n,
                path=paths[n - 1],
                page_links=[(k, paths[k - 1]) for k in window],
                prev_path=paths[n - 2] if n > 1 else None,
                next_path=paths[n] if n < len(chunks) else None,
            )

    def single(self, path: str, heading: str, items: list[dict[str, Any]], /, **ctx: Any) -> None:
        self.html(
            path,
            "listing.html.j2",
            items[0]["when"] if items else self.newest,
            heading=heading,
            items=items,
            number=1,
            path=path,
            page_links=[],
            prev_path=None,
            next_path=None,
            **ctx,
        )

    def article(self, index: int) -> None:
        item = self.items[index]
        related = [
            self.items[j] for j in (index - 1, index + 1, index + 2) if 0 <= j < len(self.items)
        ][:3]
        jsonld = None
        if self.site.jsonld:
            data = {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": item["title"],
                "description": item["lead"],
                "datePublished": item["iso"],
                "inLanguage": item["language"],
                "author": {"@type": "Person", "name": item["author"]},
                "image": [item["image_url"]],
                "mainEntityOfPage": item["url"],
                "publisher": {"@type": "Organization", "name": self.site.name},
            }
            # "</" would end the <script> element early, so it is escaped inside the JSON.
            jsonld = Markup(json.dumps(data, ensure_ascii=False).replace("</", "<\\/"))
        self.put(
            item["path"],
            "article.html.j2",
            "text/html",
            item["when"],
            lang=item["language"],
            charset=item["charset"],
            a=item,
            related=related,
            jsonld=jsonld,
        )


def _date(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


def build_site(site_id: str, base_url: str, articles: list[dict[str, Any]]) -> dict[str, Page]:
    """All pages of one demo site, keyed by URL path; `base_url` prefixes every absolute URL."""
    if site_id not in SITES:
        raise ValueError(f"unknown demo site {site_id!r}; expected one of {SITE_IDS}")
    site = SITES[site_id]
    b = _Builder(site, base_url, articles)
    label = LABELS[site.lang]
    b.single(
        "/", label["latest"], b.items[:HOME_SIZE], intro=site.tagline, more_path=site.news_path
    )
    b.listing(site.news_path, label["news"], b.items)
    for index in range(len(b.items)):
        b.article(index)
    for cat in b.categories:
        b.single(
            f"/kategori/{cat['slug']}/",
            cat["name"],
            [i for i in b.items if i["category"]["slug"] == cat["slug"]][:PAGE_SIZE],
        )
    for slug, tag in sorted(b.tags.items()):
        b.single(
            f"/tag/{slug}/", f"#{tag['name']}", [i for i in b.items if tag in i["tags"]][:PAGE_SIZE]
        )
    for (path, day), title in zip(STATIC_PAGES.items(), _PAGE_TITLES[site.lang], strict=True):
        b.html(path, "page.html.j2", _date(day), heading=title)
    xml = "application/xml"
    if site.feed:
        b.put(
            site.feed,
            "rss.xml.j2",
            "application/rss+xml",
            b.newest,
            self_path=site.feed,
            items=b.items[:FEED_SIZE],
            updated_rfc822=format_datetime(b.newest),
        )
    sitemap = None
    if site_id == "industri":
        b.put(
            "/atom.xml",
            "atom.xml.j2",
            "application/atom+xml",
            b.newest,
            self_path="/atom.xml",
            items=b.items[:FEED_SIZE],
            updated_iso=b.newest.isoformat(),
        )
        b.put("/sitemap-news.xml", "sitemap_news.xml.j2", xml, b.newest, items=b.items)
        b.put(
            "/sitemap-pages.xml",
            "sitemap_pages.xml.j2",
            xml,
            _date("2024-09-30"),
            pages=list(STATIC_PAGES.items()),
        )
        b.put(
            "/sitemap.xml",
            "sitemap_index.xml.j2",
            xml,
            b.newest,
            sitemaps=[
                ("/sitemap-news.xml", b.newest.isoformat()),
                ("/sitemap-pages.xml", "2024-09-30"),
            ],
        )
        sitemap = "/sitemap.xml"
    elif site_id == "gruv":
        b.put("/sitemap.xml", "sitemap_news.xml.j2", xml, b.newest, items=b.items)
        sitemap = "/sitemap.xml"
    robots = "User-agent: *\nAllow: /\nDisallow: /admin/\n"
    if sitemap:
        robots += f"\nSitemap: {b.base}{sitemap}\n"
    b.pages["/robots.txt"] = Page(robots.encode(), "text/plain; charset=utf-8", _date(ROBOTS_DATE))
    log.debug("built demo site %s: %d pages, %d articles", site_id, len(b.pages), len(b.items))
    return b.pages


def not_found_page(site_id: str, base_url: str = "") -> Page:
    """The site's own 404 page (served with status 404 for every unknown path)."""
    b = _Builder(SITES[site_id], base_url, [])
    b.html("/404", "not_found.html.j2", None)
    return b.pages["/404"]
