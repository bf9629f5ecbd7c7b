"""Feeds, JSON API, health and metrics over HTTP, against a real uvicorn on loopback."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import jsonschema
import pytest
from lxml import etree, html

from clusternews.adapters.store import Store
from clusternews.adapters.store import partners as store_partners
from clusternews.knowledge.base import KnowledgeBase
from clusternews.settings import Settings
from clusternews.web.app import create_app
from clusternews.web.context import WebOptions

from .web_sample import ITEM_KEYS, XSS_TITLE, fill
from .web_server import serving

# Written from https://jsonfeed.org/version/1.1: the required members and the types of the
# optional ones we emit; unknown members must start with "_" (extensions) to be allowed here.
JSON_FEED_SCHEMA = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string"},
        "home_page_url": {"type": "string", "format": "uri"},
        "feed_url": {"type": "string"},
        "next_url": {"type": "string"},
        "description": {"type": "string"},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_text"]}, {"required": ["content_html"]}],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "url": {"type": "string"},
                    "external_url": {"type": "string"},
                    "title": {"type": "string"},
                    "content_text": {"type": "string"},
                    "summary": {"type": "string"},
                    "image": {"type": "string"},
                    "language": {"type": "string"},
                    "date_published": {"type": "string", "format": "date-time"},
                    "date_modified": {"type": "string", "format": "date-time"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "authors": {"type": "array", "items": {"type": "object"}},
                },
                "patternProperties": {"^_": {"type": "object"}},
                "additionalProperties": False,
            },
        },
    },
    "patternProperties": {"^_": {"type": "object"}},
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> Iterator[str]:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}")
    fill(store, kb)
    with serving(
        create_app(
            store, kb=kb, scheduler_alive=lambda: True, stage_seconds=lambda: {"extract": 1.5}
        )
    ) as url:
        yield url
    store.close()


def test_json_feed_is_valid_newest_first_with_extension(site: str) -> None:
    r = httpx.get(f"{site}/feed.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/feed+json"
    doc = r.json()
    jsonschema.validate(doc, JSON_FEED_SCHEMA, format_checker=jsonschema.FormatChecker())
    items = doc["items"]
    assert len(items) == 9 and "next_url" not in doc
    dates = [datetime.fromisoformat(i["date_published"]) for i in items]
    assert dates == sorted(dates, reverse=True)
    first = items[0]["_clusternews"]
    assert set(first) >= ITEM_KEYS
    assert items[0]["id"] == f"urn:clusternews:item:{first['id']}"
    assert r.headers["cache-control"] == "no-cache"


def test_feed_paging_and_stable_ids(site: str) -> None:
    seen: list[str] = []
    url: str | None = f"{site}/feed.json?limit=4"
    while url:
        doc = httpx.get(url).json()
        seen += [i["id"] for i in doc["items"]]
        url = doc.get("next_url")
    assert len(seen) == len(set(seen)) == 9
    assert seen == [i["id"] for i in httpx.get(f"{site}/feed.json").json()["items"]]


def test_etag_and_304(site: str) -> None:
    r = httpx.get(f"{site}/feed.json?lang=sv")
    etag = r.headers["etag"]
    again = httpx.get(f"{site}/feed.json?lang=sv", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content and again.headers["etag"] == etag
    other = httpx.get(f"{site}/feed.json?lang=no", headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_feed_filters_by_alias_region_and_text(site: str) -> None:
    def titles(query: str) -> set[str]:
        return {i["title"] for i in httpx.get(f"{site}/feed.json?{query}").json()["items"]}

    assert titles("org=LTU") == {"Skellefteå satsar på återvinning av batterimaterial"}
    assert titles("region=Norrbotten") == {
        "Automation under jord lockar nya leverantörer",
        "Ny utlysning för innovation i gruvindustrin",
    }
    assert titles("q=hydrogen&lang=no") == {"Forprosjekt skal sjå på hydrogen i Høyanger"}
    assert titles("cluster=nce-raufoss") == {
        "Små bedrifter på Raufoss får hjelp til sin første robot"
    }
    bad = httpx.get(f"{site}/feed.json?region=Atlantis")
    assert bad.status_code == 400 and "unknown region" in bad.json()["detail"]
    assert httpx.get(f"{site}/feed.json?after=nonsense").status_code == 400


def test_atom_feed(site: str) -> None:
    r = httpx.get(f"{site}/feed.xml?region=Nordland&limit=2")
    assert r.headers["content-type"].startswith("application/atom+xml")
    root = etree.fromstring(r.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 2
    assert root.find("a:link[@rel='next']", ns) is not None
    for entry in entries:
        for tag in ("id", "title", "updated"):
            assert entry.find(f"a:{tag}", ns) is not None
    titles = [e.findtext("a:title", namespaces=ns) for e in entries]
    assert XSS_TITLE in titles  # escaped as text, read back exactly


def test_json_api(site: str) -> None:
    page = httpx.get(f"{site}/api/items?q=gruve&limit=2").json()
    assert page["total"] >= 3 and len(page["items"]) == 2 and page["next"]
    one = httpx.get(f"{site}/api/items/{page['items'][0]['id']}").json()
    assert one["text"] and one["id"] == page["items"][0]["id"]
    assert httpx.get(f"{site}/api/items/nope").status_code == 404
    by_alias = httpx.get(f"{site}/api/entities?prefix=LTU").json()
    assert by_alias[0]["id"] == "org:ltu" and by_alias[0]["items"] == 1
    regions = httpx.get(f"{site}/api/entities?prefix=Nordl&type=REGION").json()
    assert regions[0]["name"] == "Nordland" and regions[0]["items"] == 3
    xss = [
        i
        for i in httpx.get(f"{site}/api/items?limit=50").json()["items"]
        if i["title"] == XSS_TITLE
    ]
    assert xss  # JSON carries the text as data; consumers escape it
    assert httpx.get(f"{site}/openapi.json").json()["paths"]["/api/items"]


def test_health_and_metrics(site: str) -> None:
    health = httpx.get(f"{site}/healthz").json()
    assert health["status"] == "ok" and health["database"] == "ok"
    assert health["scheduler"] == "running" and health["last_success_age_s"] is not None
    text = httpx.get(f"{site}/metrics").text
    for name in (
        'clusternews_fetches_total{outcome="ok"}',
        "clusternews_items_stored 9.0",
        "clusternews_sources_in_error 0.0",
        'clusternews_stage_seconds_total{stage="extract"} 1.5',
        'clusternews_http_request_duration_seconds_count{method="GET",'
        'route="/healthz",status="200"}',
    ):
        assert name in text


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_work_offline(site: str, path: str) -> None:
    """Swagger UI and ReDoc load every asset from this server: the docs work without internet."""
    r = httpx.get(f"{site}{path}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "http://" not in r.text and "https://" not in r.text  # no CDN, no web font
    assert "https:" not in r.headers["content-security-policy"]
    doc = html.fromstring(r.text)
    assets = [a for a in doc.xpath("//script/@src | //link/@href | //img/@src") if a]
    assert len(assets) >= 2 and all(a.startswith("/") and not a.startswith("//") for a in assets)
    for asset in assets:
        got = httpx.get(f"{site}{asset}")
        assert got.status_code == 200 and len(got.content) > 1000, asset
    assert "/openapi.json" in r.text


def test_pages_headers_and_languages(site: str) -> None:
    r = httpx.get(f"{site}/", headers={"Accept-Language": "nb-NO,nb;q=0.9,en;q=0.5"})
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "Søk" in r.text and r.headers["content-language"] == "nb"
    en = httpx.get(f"{site}/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "Search" in en.text and en.headers["content-language"] == "en"
    sv = httpx.get(f"{site}/sources", headers={"Accept-Language": "sv-SE"})
    assert "Källor" in sv.text and "gruv-och-metall:feed" in sv.text
    assert sv.headers["content-language"] == "sv" and '<html lang="sv">' in sv.text
    da = httpx.get(f"{site}/", headers={"Accept-Language": "da-DK"})
    assert da.headers["content-language"] == "nb"  # Danish readers read Norwegian best


def test_language_switcher_remembers_the_choice(site: str) -> None:
    with httpx.Client(base_url=site) as client:
        page = client.get("/?q=gruva", headers={"Accept-Language": "nb"})
        assert 'href="/ui/sv?next=/%3Fq%3Dgruva"' in page.text  # back to this very page
        switched = client.get("/ui/sv", params={"next": "/?q=gruva"})
        assert switched.status_code == 303 and switched.headers["location"] == "/?q=gruva"
        again = client.get("/?q=gruva", headers={"Accept-Language": "nb"})
        assert again.headers["content-language"] == "sv" and "Sök" in again.text
        assert client.get("/ui/en").headers["location"] == "/"
        assert client.get("/sources").headers["content-language"] == "en"
        # Only this site's paths are followed, and only known languages are set.
        assert client.get("/ui/sv", params={"next": "//evil.example/"}).headers["location"] == "/"
        assert client.get("/ui/xx").status_code == 404


@pytest.fixture
def closed(tmp_path: Path, kb: KnowledgeBase) -> Iterator[tuple[str, Store]]:
    store = Store.open(f"sqlite:///{tmp_path / 'p.db'}")
    fill(store, kb)
    with serving(create_app(store, kb=kb, options=WebOptions(rate_limit=5))) as url:
        yield url, store
    store.close()


def test_partner_tokens(closed: tuple[str, Store], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    site, store = closed
    assert httpx.get(f"{site}/feed.json").status_code == 200  # open while no partner exists
    now = datetime.now(UTC)
    with store.write() as conn:
        token = store_partners.add(conn, "Intranett Nord", now=now)
        store_partners.add(conn, "Other", now=now)
    with store.read() as conn:
        assert token not in json.dumps(store_partners.listing(conn), default=str)
        assert token not in str(conn.exec_driver_sql("SELECT * FROM partners").all())
    # An open service closes within a second of its first partner (each web process knows
    # "no partner yet" for that long, and answers without a query meanwhile).
    added = time.monotonic()
    while httpx.get(f"{site}/feed.json").status_code == 200:
        assert time.monotonic() - added < 1.5
        time.sleep(0.05)
    for path in ("/feed.json", "/feed.xml", "/api/items", "/api/entities"):
        r = httpx.get(f"{site}{path}")
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert (
        httpx.get(f"{site}/feed.json", headers={"Authorization": f"Bearer {token}x"}).status_code
        == 401
    )
    auth = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{site}/feed.json", headers=auth).status_code == 200
    assert httpx.get(f"{site}/", headers=auth).status_code == 200  # pages stay public
    with store.write() as conn:
        store_partners.revoke(conn, "Intranett Nord", now=now)
    assert httpx.get(f"{site}/feed.json", headers=auth).status_code == 401  # at once
    assert token not in caplog.text


def test_partner_rate_limit(closed: tuple[str, Store]) -> None:
    site, store = closed
    with store.write() as conn:
        token = store_partners.add(conn, "Busy", now=datetime.now(UTC))
    auth = {"Authorization": f"Bearer {token}"}
    # The limit counts in fixed windows of a minute: eight requests that straddle a window's
    # end start counting anew in the next one. Start clear of it.
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)
    codes = [httpx.get(f"{site}/api/entities", headers=auth).status_code for _ in range(7)]
    assert codes[:5] == [200] * 5 and codes[-1] == 429
    limited = httpx.get(f"{site}/api/entities", headers=auth)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


def test_partners_cli(tmp_path: Path) -> None:
    import subprocess
    import sys

    db = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        code = (
            "import sys, argparse; from clusternews.cli_web import add_parsers; "
            "from clusternews.settings import Settings; p = argparse.ArgumentParser(); "
            "add_parsers(p.add_subparsers()); a = p.parse_args(sys.argv[2:]); "
            "sys.exit(a.func(a, Settings.from_env(config=None, db=sys.argv[1], workers=None)))"
        )
        return subprocess.run(
            [sys.executable, "-c", code, db, *args], capture_output=True, text=True, timeout=60
        )

    added = run("partners", "add", "Region Nord")
    assert added.returncode == 0 and added.stdout.strip().startswith("cn_")
    assert run("partners", "add", "Region Nord").returncode == 2
    listed = run("partners", "list")
    assert "Region Nord" in listed.stdout and added.stdout.strip() not in listed.stdout
    assert run("partners", "revoke", "Region Nord").returncode == 0
    assert "revoked" in run("partners", "list").stdout
    assert run("partners", "revoke", "Nobody").returncode == 2


def test_org_numbers_and_names_per_language(site: str) -> None:
    """Org numbers and display names come from the knowledge base by id, as each output is made:
    data outputs give the canonical name plus `names`; pages give the page language's name."""
    (item,) = httpx.get(f"{site}/api/items?q=utlysning").json()["items"]
    by_id = {e["id"]: e for e in item["entities"]}
    assert by_id["org:vinnova"]["org_number"] == "202100-5216"  # a Swedish agency
    assert by_id["org:lkab"]["org_number"] is None  # an organization without one: null
    assert all("org_number" not in e for e in item["entities"] if e["type"] != "ORG")
    eu = by_id["org:eu"]
    assert eu["name"] == "Den europeiske union"
    assert eu["names"] == {"sv": "Europeiska unionen", "en": "European Union"}
    assert httpx.get(f"{site}/api/items/{item['id']}").json()["entities"] == item["entities"]
    (feed_item,) = httpx.get(f"{site}/feed.json?q=utlysning").json()["items"]
    assert feed_item["_clusternews"]["entities"] == item["entities"]
    (vinnova,) = httpx.get(f"{site}/api/entities?prefix=Vinnova").json()
    assert vinnova["org_number"] == "202100-5216" and vinnova["items"] == 1

    def page(path: str, lang: str) -> str:
        r = httpx.get(f"{site}{path}", headers={"Accept-Language": lang})
        assert r.status_code == 200
        return r.text

    nb = page(f"/items/{item['id']}", "nb")
    assert "Org.nr 202100-5216" in nb and "Den europeiske union" in nb
    en = page(f"/items/{item['id']}", "en")
    assert "Org. no. 202100-5216" in en and "European Union" in en
    assert "Den europeiske union" not in en
    sv = page(f"/items/{item['id']}", "sv")
    assert "Org.nr 202100-5216" in sv and "Europeiska unionen" in sv
    assert "Den europeiske union" not in sv
    assert "European Union" in page("/?q=utlysning", "en")
    assert "Org.nr 202100-5216" in page("/entities/org:vinnova", "nb")
    assert "<h1>European Union" in page("/entities/org:eu", "en")


def test_etag_follows_the_data_not_the_clock(tmp_path: Path, kb: KnowledgeBase) -> None:
    """A conditional GET is 304 while nothing is stored; a stored article changes the tag."""
    from dataclasses import replace

    from clusternews.adapters.store import items as store_items

    from .web_sample import article

    store = Store.open(f"sqlite:///{tmp_path / 'etag.db'}")
    fill(store, kb)
    with serving(create_app(store, kb=kb)) as url:
        first = httpx.get(f"{url}/feed.xml?region=Norrbotten")
        etag = first.headers["etag"]
        assert (
            httpx.get(
                f"{url}/feed.xml?region=Norrbotten", headers={"If-None-Match": etag}
            ).status_code
            == 304
        )
        new = article(
            kb,
            "etag-new",
            "sv",
            None,
            "Ny gruva i Norrbotten",
            "Ett nytt gruvprojekt i Kiruna i Norrbotten.",
            ["Kiruna"],
            [],
            [],
            datetime.now(UTC),
        )
        with store.write() as conn:
            store_items.upsert(
                conn,
                replace(new, url="https://demo.example/etag-new"),
                source_id="x:feed",
                cluster="x",
                now=datetime.now(UTC),
            )
        # Each process reads the data version at most once a second (web.cache.DataVersion).
        deadline = time.monotonic() + 3
        while True:
            after = httpx.get(f"{url}/feed.xml?region=Norrbotten", headers={"If-None-Match": etag})
            if after.status_code != 304 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert after.status_code == 200 and after.headers["etag"] != etag
        assert b"Ny gruva i Norrbotten" in after.content
    store.close()


def test_rendered_items_follow_the_data(tmp_path: Path, kb: KnowledgeBase) -> None:
    """Feeds, the API and the search page keep items rendered between requests
    (web.fragments); an item updated, or linked from a second source, is rendered anew in
    every URL that shows it."""
    from dataclasses import replace

    from clusternews.adapters.store import items as store_items

    from .web_sample import article

    store = Store.open(f"sqlite:///{tmp_path / 'fragments.db'}")
    fill(store, kb)
    first = article(
        kb, "fragment", "sv", None, "Gruvan i Kiruna öppnar", "Gruvan i Kiruna öppnar igen.",
        ["Kiruna"], [], [], datetime.now(UTC),
    )  # fmt: skip

    def put(a: object, source: str) -> str:
        with store.write() as conn:
            return store_items.upsert(
                conn, a, source_id=f"{source}:feed", cluster=source, now=datetime.now(UTC)
            )  # type: ignore[arg-type]

    def shown(url: str, n: int) -> tuple[dict, dict]:
        """The item in the region feed and in the API, each under a URL not asked before."""
        feed = httpx.get(f"{url}/feed.json?region=Norrbotten&limit={n}").json()
        api = httpx.get(f"{url}/api/items?region=Norrbotten&limit={n}").json()
        (in_feed,) = [i for i in feed["items"] if i["url"] == first.url]
        (in_api,) = [i for i in api["items"] if i["url"] == first.url]
        return in_feed, in_api

    def until(check: object) -> None:  # each process reads the data version once a second
        deadline = time.monotonic() + 5
        while not check() and time.monotonic() < deadline:  # type: ignore[operator]
            time.sleep(0.1)

    assert put(first, "gruv") == "new"
    with serving(create_app(store, kb=kb)) as url:
        in_feed, in_api = shown(url, 10)
        assert in_feed["title"] == in_api["title"] == "Gruvan i Kiruna öppnar"
        for page in ("/?region=Norrbotten", "/entities/region:se:25"):
            assert "Gruvan i Kiruna öppnar</a>" in httpx.get(url + page).text, page
        assert in_api["sources"] == ["gruv:feed"]
        changed = replace(first, title="Gruvan i Kiruna öppnar i maj", content_hash="maj")
        assert put(changed, "gruv") == "updated"
        counter = iter(range(11, 60))
        until(lambda: shown(url, next(counter))[0]["title"].endswith("i maj"))
        in_feed, in_api = shown(url, next(counter))
        assert in_feed["title"] == in_api["title"] == "Gruvan i Kiruna öppnar i maj"
        for page in ("/?region=Norrbotten", "/entities/region:se:25"):
            assert "Gruvan i Kiruna öppnar i maj" in httpx.get(url + page).text, page
        assert put(replace(changed, url="https://mirror.example/gruvan"), "spegel") == "duplicate"
        until(lambda: len(shown(url, next(counter))[1]["sources"]) == 2)
        in_feed, in_api = shown(url, next(counter))
        assert in_api["sources"] == in_feed["_clusternews"]["sources"] == [
            "gruv:feed",
            "spegel:feed",
        ]
    store.close()


def test_partner_rate_limit_is_shared_by_every_process_through_redis(
    tmp_path: Path, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two apps over one database stand for two `serve` workers: with CLUSTERNEWS_REDIS_URL
    they share one partner's limit, instead of each allowing it in full."""
    import uuid

    import redis

    from clusternews.web.ratelimit import SharedRateLimiter

    url = "redis://127.0.0.1:6379/0"
    prefix = f"clusternews:test:{uuid.uuid4().hex}:"
    monkeypatch.setenv("CLUSTERNEWS_REDIS_URL", url)
    monkeypatch.setenv("CLUSTERNEWS_RATE_LIMIT", "6")
    store = Store.open(f"sqlite:///{tmp_path / 'shared.db'}")
    with store.write() as conn:
        token = store_partners.add(conn, "Busy", now=datetime.now(UTC))
    # Each worker process builds its options from the environment, as app_from_env does.
    apps = [create_app(store, kb=kb, options=Settings.from_env().web(None)) for _ in range(2)]
    for app in apps:  # a key space of this test's own in the shared Redis
        limiter = app.state.context.gate.limiter
        assert isinstance(limiter, SharedRateLimiter)
        limiter.prefix = prefix
        limiter.clock = lambda: 1_000_020.0  # inside one window, whatever the time is
    auth = {"Authorization": f"Bearer {token}"}
    try:
        with serving(apps[0]) as one, serving(apps[1]) as two:
            codes = [
                httpx.get(f"{site}/api/entities", headers=auth).status_code
                for _ in range(4)
                for site in (one, two)
            ]
        # 6 a minute in all: the 7th and 8th are refused, whichever process gets them.
        assert codes == [200] * 6 + [429] * 2
    finally:
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        store.close()


def test_the_data_version_is_read_at_most_once_per_ttl() -> None:
    """Feed requests share one read of the store's version per second and process."""
    from clusternews.web.cache import DataVersion

    now, reads = [100.0], []

    def read() -> str:
        reads.append(now[0])
        return f"v{len(reads)}"

    versions = DataVersion(read, ttl=1.0, clock=lambda: now[0])
    assert versions.fresh() is None
    assert versions.current() == "v1" and versions.current() == "v1"
    now[0] += 0.9
    assert versions.fresh() == "v1" and versions.current() == "v1"
    now[0] += 0.2
    assert versions.fresh() is None
    assert versions.current() == "v2"
    assert reads == [100.0, pytest.approx(101.1)]
