"""Stories in the product: API, JSON Feed, pages and CLI over real HTTP and a real database;
digests that show a story once; the demo sites' story seen on two sites."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from clusternews.adapters.store import Store
from clusternews.adapters.store.search import Query, search
from clusternews.config import parse_config
from clusternews.config.schema import flatten_sources
from clusternews.demo.server import DemoServer
from clusternews.demo.site import DEMO_NOW
from clusternews.jobs.workers import Processor
from clusternews.knowledge.base import KnowledgeBase
from clusternews.mail.render import Letter, render_message
from clusternews.pipeline.digest import ClusterInfo, Interests, compose
from clusternews.pipeline.isoweek import IsoWeek
from clusternews.web.app import create_app

from .ingest_helpers import run_ingest
from .test_stories import NOW, by_id, put
from .web_server import serving

XSS = '<script>alert("s")</script> Vinnova utlyser 40 miljoner för cirkulära metallflöden'


@pytest.fixture
def filled(store: Store) -> dict[str, str]:
    """A three-copy story (Swedish, Norwegian, a Swedish rewrite) and an unrelated item."""
    from clusternews.story_golden import article_of

    return {
        "sv": put(store, article_of(by_id("v1"), site="gruv"), site="gruv"),
        "nb": put(store, article_of(by_id("v1-nb"), site="mineral"), site="mineral"),
        "rw": put(store, article_of(by_id("v1-rw"), site="prosess"), site="prosess"),
        "other": put(store, article_of(by_id("v2"), site="gruv"), site="gruv"),
    }


@pytest.fixture
def site(store: Store, filled: dict[str, str], kb: KnowledgeBase) -> Iterator[str]:
    with serving(create_app(store, kb=kb)) as url:
        yield url


def test_api_and_feed_carry_the_story_and_collapse(site: str, filled: dict[str, str]) -> None:
    items = httpx.get(f"{site}/api/items?limit=50").json()["items"]
    assert len(items) == 4
    story = next(i["story"] for i in items if i["id"] == filled["nb"])
    assert story["id"] == filled["sv"] and story["size"] == 3
    assert [c["id"] for c in story["items"]] == [filled["sv"], filled["nb"], filled["rw"]]
    assert {tuple(c) for c in story["items"]} == {("id", "url", "cluster", "language")}
    assert [c["language"] for c in story["items"]] == ["sv", "no", "sv"]
    assert story["first_seen"].endswith("+02:00")  # June, Oslo time
    alone = next(i["story"] for i in items if i["id"] == filled["other"])
    assert alone["size"] == 1 and alone["items"][0]["id"] == filled["other"]

    page = httpx.get(f"{site}/api/items?collapse=story").json()
    assert page["total"] == 2 and {i["id"] for i in page["items"]} == {
        filled["sv"],
        filled["other"],
    }
    assert httpx.get(f"{site}/api/items?collapse=site").status_code == 422

    feed = httpx.get(f"{site}/feed.json?collapse=story&lang=no").json()
    (only,) = feed["items"]
    assert only["_clusternews"]["id"] == filled["nb"]
    assert only["_clusternews"]["story"]["size"] == 3
    paged = httpx.get(f"{site}/feed.json?collapse=story&limit=1").json()
    assert "collapse=story" in paged["next_url"]


def test_story_page_and_collapsed_search_page(site: str, filled: dict[str, str]) -> None:
    r = httpx.get(f"{site}/stories/{filled['sv']}", headers={"Accept-Language": "nb"})
    assert r.status_code == 200
    for title in (
        "Vinnova utlyser 40 miljoner",
        "Vinnova lyser ut 40 millioner",
        "Pengar att söka för återvinning",
    ):
        assert title in r.text
    assert "3 versjoner" in r.text
    assert httpx.get(f"{site}/stories/nope").status_code == 404
    lone = httpx.get(f"{site}/stories/{filled['other']}")
    assert lone.status_code == 200 and "automation" in lone.text.lower()

    full = httpx.get(f"{site}/").text
    collapsed = httpx.get(f"{site}/?collapse=story").text
    assert full.count('class="result"') == 4 and collapsed.count('class="result"') == 2
    assert f'href="/stories/{filled["sv"]}"' in collapsed
    article = httpx.get(f"{site}/items/{filled['rw']}").text
    assert f'href="/stories/{filled["sv"]}"' in article


def test_story_page_escapes_titles(store: Store, kb: KnowledgeBase) -> None:
    from dataclasses import replace

    from clusternews.story_golden import article_of

    first = put(store, replace(article_of(by_id("s3"), site="a"), title=XSS), site="a")
    put(store, article_of(by_id("s3-rw"), site="b"), site="b")
    with serving(create_app(store, kb=kb)) as url:
        body = httpx.get(f"{url}/stories/{first}").text
    assert "<script>alert" not in body and "&lt;script&gt;" in body


def test_cli_search_collapse(
    store: Store, filled: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    def search_json(*extra: str) -> list[dict[str, object]]:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "clusternews.cli",
                "--db",
                db_url,
                "search",
                "--json",
                "--limit",
                "50",
                *extra,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env={**os.environ, "COLUMNS": "160"},
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    every = search_json()
    assert len(every) == 4 and all("story" in i for i in every)
    one = search_json("--collapse", "story")
    assert {i["id"] for i in one} == {filled["sv"], filled["other"]}
    story = next(i["story"] for i in one if i["id"] == filled["sv"])
    assert story["size"] == 3 and story["items"][1]["cluster"] == "mineral"


def test_digest_shows_a_story_once_with_also_published_by(
    store: Store, filled: dict[str, str]
) -> None:
    with store.read() as conn:
        rows = search(conn, Query(limit=50))
    clusters = {
        "gruv": ClusterInfo("Gruvklustret Norr"),
        "mineral": ClusterInfo("Mineralklynge Norge"),
        "prosess": ClusterInfo("Prosessindustriklynga Vestland"),
    }
    start, end = datetime(2027, 1, 11, tzinfo=UTC), datetime(2027, 1, 25, tzinfo=UTC)
    norwegian = compose(
        rows, Interests(languages=frozenset({"no"})), start=start, end=end, clusters=clusters
    )
    (item,) = [i for s in norwegian.sections for i in s.items]
    assert item.id == filled["nb"]  # the filter's copy is kept, the others are named
    assert [s.name for s in item.also] == ["Gruvklustret Norr", "Prosessindustriklynga Vestland"]
    everything = compose(rows, Interests(), start=start, end=end, clusters=clusters)
    shown = [i for s in everything.sections for i in s.items]
    assert len(shown) == 2  # the three copies once, and the other call
    kept = next(i for i in shown if i.id != filled["other"])
    assert {s.name for s in kept.also} | {s.name for s in kept.sources} == set(
        c.name for c in clusters.values()
    )
    for lang, words in (
        ("nb", "Også publisert av"),
        ("sv", "Även publicerad av"),
        ("en", "Also published by"),
    ):
        msg = render_message(
            norwegian,
            IsoWeek(2027, 2),
            Letter("d", lang, "news@example.org", "r@example.org"),
            now=NOW,
        )
        text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert f"{words}: Gruvklustret Norr, Prosessindustriklynga Vestland" in text
        assert words in html and "Prosessindustriklynga Vestland</a>" in html


@pytest.mark.slow
def test_demo_shows_a_story_on_two_sites(store: Store, processor: Processor) -> None:
    with DemoServer() as demo:
        specs = flatten_sources(parse_config(demo.feeds_yaml()))
        outcomes = asyncio.run(run_ingest(specs, store, processor, clock=lambda: DEMO_NOW))
        assert sum(o.new for o in outcomes.values()) == 20
        with store.read() as conn:
            rows = search(conn, Query(limit=100))
        assert all(r.story is not None for r in rows)
        stories = {r.story.id: r.story for r in rows if r.story and r.story.size > 1}
        clusters = {frozenset(i.cluster for i in s.items) for s in stories.values()}
        languages = {frozenset(i.language for i in s.items) for s in stories.values()}
        assert frozenset({"demo-mineral", "demo-gruv"}) in clusters  # the translation
        assert frozenset({"demo-prosess", "demo-industri"}) in clusters  # the copy
        assert frozenset({"no", "sv"}) in languages
        assert len(stories) == 2 and all(s.size == 2 for s in stories.values())
        before = {r.id: r.story and r.story.id for r in rows}
        # A poll an hour later, by the demo's clock: nothing new, nothing changed.
        again = asyncio.run(
            run_ingest(specs, store, processor, clock=lambda: DEMO_NOW + timedelta(hours=1))
        )
        assert sum(o.new + o.updated for o in again.values()) == 0
        with store.read() as conn:
            after = {r.id: r.story and r.story.id for r in search(conn, Query(limit=100))}
        assert after == before
