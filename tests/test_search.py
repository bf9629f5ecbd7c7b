"""Ingesting the demo site stores linked entities and regions; searches find them by any alias."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from clusternews.adapters.store import Store
from clusternews.adapters.store.search import Query, entity_counts, search
from clusternews.config import parse_config
from clusternews.config.schema import flatten_sources
from clusternews.demo.server import DemoServer
from clusternews.demo.site import DEMO_NOW
from clusternews.item_json import item_json
from clusternews.jobs.workers import Processor
from clusternews.knowledge import filters
from clusternews.knowledge.base import KnowledgeBase

from .ingest_helpers import run_ingest
from .web_sample import ITEM_KEYS


@pytest.fixture
def demo_store(store: Store, processor: Processor) -> Iterator[Store]:
    with DemoServer() as site:
        specs = flatten_sources(parse_config(site.feeds_yaml()))
        outcomes = asyncio.run(run_ingest(specs, store, processor, clock=lambda: DEMO_NOW))
        assert sum(o.new for o in outcomes.values()) == 20  # 18 + a copy and a translation
        yield store


def titles(store: Store, **query: object) -> set[str]:
    with store.read() as conn:
        return {r.title for r in search(conn, Query(limit=100, **query))}  # type: ignore[arg-type]


def test_demo_items_carry_linked_entities_and_regions(demo_store: Store, kb: KnowledgeBase) -> None:
    with demo_store.read() as conn:
        rows = search(conn, Query(limit=100))
    by_title = {r.title: item_json(r, kb=kb) for r in rows}
    renamed = by_title["Mineralklynge Nord blir Mineralklynge Norge"]
    org = next(e for e in renamed["entities"] if e["id"] == "org:mineralklynge-norge")
    assert org["type"] == "ORG" and org["kind"] == "cluster"
    assert "org_number" in org  # every organization has the key, null when the KB has none
    assert "Mineralklynge Nord" in org["mentions"]
    assert {"Nordland", "Nord-Norge", "Norge"} <= set(renamed["regions"])
    raufoss = by_title["Meir resirkulert aluminium i bildelar frå Raufoss"]
    assert {"Raufoss", "Vestre Toten", "Innlandet"} <= set(raufoss["regions"])
    assert raufoss["language"] == "no" and raufoss["language_variant"] == "nn"
    assert all(item["entities"] for item in by_title.values())


def test_region_search_expands_down_and_stays_in_its_country(
    demo_store: Store, kb: KnowledgeBase
) -> None:
    nordland = titles(demo_store, region_ids=filters.region_ids(kb, "Nordland"))
    assert "Mineralklynge Nord blir Mineralklynge Norge" in nordland
    assert "Ny kartlegging skal finne kritiske mineraler i Rana-området" in nordland
    norrbotten = titles(demo_store, region_ids=filters.region_ids(kb, "Norrbottens län"))
    assert "Automation under jord lockar nya leverantörer till Malmfälten" in norrbotten
    norway = titles(demo_store, region_ids=filters.region_ids(kb, "Norge"))
    # An article naming only Swedish places is never about Nordland (cross-border ones may be).
    assert not (norrbotten - norway) & nordland
    sweden = titles(demo_store, region_ids=filters.region_ids(kb, "Sverige"))
    assert "Skellefteå satsar på återvinning av batterimaterial" in sweden - norway
    vestland = titles(demo_store, region_ids=filters.region_ids(kb, "Sogn og Fjordane"))
    assert "Overskotsvarme frå Årdal kan gi ny næring" in vestland  # an old county name


def test_org_and_programme_search_by_alias(demo_store: Store, kb: KnowledgeBase) -> None:
    old_name = titles(demo_store, org_ids=filters.org_ids(kb, "Mineralklynge Nord"))
    assert "Mineralklynge Nord blir Mineralklynge Norge" in old_name
    horizon = titles(demo_store, programme_ids=filters.programme_ids(kb, "Horisont Europa"))
    assert "Informasjonsmøte om nye Horizon Europe-utlysninger for industrien" in horizon
    swedish = titles(demo_store, languages=["sv"])
    assert len(swedish) == 7  # with the translated Narvik conference


def test_entities_are_counted(demo_store: Store) -> None:
    with demo_store.read() as conn:
        rows = entity_counts(conn, type_="ORG")
    counts = {r["entity_id"]: r["items"] for r in rows}
    assert counts.get("org:mineralklynge-norge", 0) >= 2
    assert all(r["type"] == "ORG" for r in rows)


def test_demo_then_search_cli(tmp_path: Path) -> None:
    """What a newcomer runs: `clusternews demo`, then a search of the demo database."""
    demo = subprocess.run(
        [sys.executable, "-m", "clusternews.cli", "demo", "--no-serve"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "160"},
    )
    assert demo.returncode == 0, demo.stderr
    assert "20 articles stored" in demo.stdout and "no/nn" in demo.stdout and "sv" in demo.stdout
    assert (tmp_path / "var" / "demo" / "digest" / "demo-alle-2026-W47.html").is_file()
    db = f"sqlite:///{tmp_path / 'var' / 'demo' / 'clusternews.db'}"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "clusternews.cli",
            "--db",
            db,
            "search",
            "--region",
            "Västerbotten",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    items = json.loads(proc.stdout)
    assert items and all(i["language"] == "sv" for i in items)
    assert all("Västerbottens län" in i["regions"] for i in items)
    first = items[0]
    assert set(first) >= ITEM_KEYS
    assert first["published"].endswith("+01:00")
    by_alias = subprocess.run(
        [
            sys.executable,
            "-m",
            "clusternews.cli",
            "--db",
            db,
            "search",
            "--org",
            "Mineralklynge Nord",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert any(i["cluster"] == "demo-mineral" for i in json.loads(by_alias.stdout))
    bad = subprocess.run(
        [sys.executable, "-m", "clusternews.cli", "--db", db, "search", "--region", "Atlantis"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert bad.returncode == 2 and "unknown region 'Atlantis'" in bad.stderr
    entities = subprocess.run(
        [
            sys.executable,
            "-m",
            "clusternews.cli",
            "--db",
            db,
            "entities",
            "--type",
            "ORG",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert "org:mineralklynge-norge" in {r["entity_id"] for r in json.loads(entities.stdout)}


def test_text_search_ranks_the_same_whether_or_not_other_filters_apply(demo_store: Store) -> None:
    """A text-only search ranks inside the full-text index and joins only the best matches; a
    filter that keeps everything (a `since` long ago) takes the path that joins every match.
    Both give the same pages, ties in rank included (the demo's copy and its original)."""
    from datetime import UTC, datetime

    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    for words in ("mineraler", "batteri", "Raufoss", "klynge", "industri", "hydrogen"):
        for offset, limit in ((0, 1), (0, 3), (2, 2), (0, 100)):
            with demo_store.read() as conn:
                fast = search(conn, Query(text=words, offset=offset, limit=limit))
                full = search(conn, Query(text=words, since=long_ago, offset=offset, limit=limit))
            assert [r.id for r in fast] == [r.id for r in full], (words, offset, limit)
    with demo_store.read() as conn:
        assert len(search(conn, Query(text="klynge", limit=100))) > 3


def test_a_counted_search_gives_the_same_page_and_total_as_search_and_count(
    demo_store: Store,
) -> None:
    """The API's one-pass page + total (PostgreSQL counts the ranked matches in the same
    query) agrees with a search and a count run apart, past the last page too."""
    from clusternews.adapters.store.search import count, search_ids_counted

    queries = [
        Query(text=w, offset=o, limit=n)
        for w in ("klynge", "batteri", "hydrogen")
        for o, n in ((0, 2), (1, 3), (0, 100), (500, 5))
    ]
    queries += [Query(text="industri", languages=("sv",)), Query(limit=5), Query(text="og")]
    for query in queries:
        with demo_store.read() as conn:
            ids, total = search_ids_counted(conn, query)
            assert ids == [r.id for r in search(conn, query)], query
            assert total == count(conn, query), query
    with demo_store.read() as conn:
        assert search_ids_counted(conn, Query(text="klynge", limit=2))[1] > 2


def test_relevance_ranks_the_most_recent_matches_first_and_pages_stay_consistent(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite ranks the RANK_WINDOW most recently stored text matches first, the older ones
    after: pages of any size, with or without another filter, make up one order, and
    the count still counts every match."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from clusternews.adapters.store import search as store_search
    from clusternews.adapters.store.search import count

    monkeypatch.setattr(store_search, "RANK_WINDOW", 3)
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    with demo_store.read() as conn:
        sqlite = conn.dialect.name == "sqlite"
        stored = dict(conn.execute(sa.text("SELECT id, rowid FROM items")).all()) if sqlite else {}
    for words in ("klynge", "industri"):
        with demo_store.read() as conn:
            whole = [r.id for r in search(conn, Query(text=words, limit=100))]
            assert len(whole) == count(conn, Query(text=words)) > 3, words
            for size in (1, 2, 3, 5):
                paged = []
                for offset in range(0, len(whole), size):
                    paged += [
                        r.id for r in search(conn, Query(text=words, offset=offset, limit=size))
                    ]
                assert paged == whole, (words, size)
            filtered = [r.id for r in search(conn, Query(text=words, since=long_ago, limit=100))]
            assert filtered == whole, words
        if sqlite:  # the window: the three matches stored last come first
            newest = sorted(whole, key=stored.__getitem__, reverse=True)[:3]
            assert set(whole[:3]) == set(newest), words


def test_counts_of_text_within_an_entity_match_the_items_found(demo_store: Store) -> None:
    """The count of a text search within one entity (SQLite counts it from the index side
    that is cheaper: the entity's rows or the text's matches) equals the items found, for
    entities tagged in many items and in few."""
    from clusternews.adapters.store.search import count

    with demo_store.read() as conn:
        tagged = entity_counts(conn, limit=500)
        assert len(tagged) > 10
        checked = 0
        for entity in tagged[:6] + tagged[-6:]:
            for words in ("klynge", "industri", "Raufoss", "mineraler", "aluminium"):
                query = Query(text=words, entity_ids=(entity["entity_id"],), limit=100)
                found = search(conn, query)
                assert count(conn, query) == len(found), (entity, words)
                checked += bool(found)
        assert checked >= 5  # not only empty intersections


def test_counts_of_one_entity_filter_match_the_items_found(demo_store: Store) -> None:
    """A query filtered by one entity filter alone is counted off the entity index: it
    equals the items found, for a region (its places' items included), several ids OR-ed
    (an item tagged with two counts once), organizations; capped, it stops at the cap."""
    from clusternews.adapters.store.search import count

    with demo_store.read() as conn:
        tagged = entity_counts(conn, limit=500)
        orgs = [e["entity_id"] for e in tagged if e["type"] == "ORG"][:3]
        regions = [e["entity_id"] for e in tagged if e["type"] == "REGION"][:4]
        queries = [
            *(Query(org_ids=(o,), limit=1000) for o in orgs),
            *(Query(region_ids=(r,), limit=1000) for r in regions),
            Query(region_ids=tuple(regions[:3]), limit=1000),
            Query(entity_ids=(orgs[0], regions[1]), limit=1000),
        ]
        for query in queries:
            found = search(conn, query)
            assert len(found) == len({i.id for i in found}) > 0, query
            assert count(conn, query) == len(found), query
            assert count(conn, query, cap=2) == min(2, len(found)), query
        overlapping = Query(region_ids=tuple(regions[:3]), limit=1000)
        alone = sum(count(conn, Query(region_ids=(r,))) for r in regions[:3])
        assert count(conn, overlapping) < alone  # a place counts once, not once per region


def test_one_entitys_newest_items_agree_with_the_query_built_per_request(
    demo_store: Store,
) -> None:
    """Feeds of one organization or region (perhaps in one language, perhaps after a page)
    run a statement built once; it finds what the statement built for the query finds, and
    a second entity filter is not dropped by it."""
    from dataclasses import replace

    from clusternews.adapters.store.search import _entity_newest, _keys, search_keys

    with demo_store.read() as conn:
        tagged = entity_counts(conn, limit=500)
        orgs = [e["entity_id"] for e in tagged if e["type"] == "ORG"][:3]
        regions = [e["entity_id"] for e in tagged if e["type"] == "REGION"][:4]
        queries = [
            *(Query(org_ids=(o,), limit=3, order="newest") for o in orgs),
            *(Query(region_ids=(r,), limit=4, order="newest") for r in regions),
            *(Query(region_ids=(r,), languages=("no",), limit=2, order="newest") for r in regions),
            Query(region_ids=(regions[0],), languages=("sv", "no"), limit=50, order="newest"),
            Query(org_ids=(orgs[0],), region_ids=(regions[0],), limit=50, order="newest"),
        ]
        for query in queries:
            keys = search_keys(conn, query)
            assert keys == _keys(conn, query), query
            if len(keys) > 1:  # the next page, from the keyset position of the first item
                day = keys[0][1]
                assert day is not None
                later = replace(query, after=(day, keys[0][0]))
                assert search_keys(conn, later) == _keys(conn, later)[: query.limit], query
                assert search_keys(conn, later)[0] == keys[1], query
        assert _entity_newest(queries[0]) is not None
        assert _entity_newest(queries[-1]) is None  # two entity filters: built per request
        both = search_keys(conn, queries[-1])
        assert len(both) < len(search_keys(conn, replace(queries[-1], region_ids=())))


def test_a_text_search_within_an_entity_finds_the_same_by_set_or_by_probe(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within an entity, a text search tests the entity either on a set of its items' rowids
    or by probing each match, by how many items it has per text match scanned: both ways
    give the same pages, in the window and past it."""
    from clusternews.adapters.store import search as store_search
    from clusternews.adapters.store.search import search_ids

    monkeypatch.setattr(store_search, "_DRIVE_BELOW", 1)
    monkeypatch.setattr(store_search, "RANK_WINDOW", 3)
    with demo_store.read() as conn:
        tagged = entity_counts(conn, limit=500)
    orgs = [e["entity_id"] for e in tagged if e["type"] == "ORG"][:3]
    regions = [e["entity_id"] for e in tagged if e["type"] == "REGION"][:4]
    queries = [
        Query(text=w, offset=o, limit=n, **{k: (e,)})  # type: ignore[arg-type]
        for w in ("klynge", "industri", "batteri")
        for k, e in [*(("org_ids", x) for x in orgs), *(("region_ids", x) for x in regions)]
        for o, n in ((0, 2), (1, 3), (0, 50))
    ]
    found = {}
    for per_probe in (0, 10**9):  # 0: always probe; 10**9: always the set
        monkeypatch.setattr(store_search, "_SET_PER_PROBE", per_probe)
        with demo_store.read() as conn:
            found[per_probe] = [search_ids(conn, q) for q in queries]
    assert found[0] == found[10**9]
    assert sum(len(ids) for ids in found[0]) > 20
