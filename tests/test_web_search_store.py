"""Full-text search with filters, ranking and paging, on SQLite FTS5 and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from clusternews.adapters.store import Store
from clusternews.adapters.store import items as store_items
from clusternews.adapters.store.fts import sqlite_match, stem
from clusternews.adapters.store.search import (
    Query,
    count,
    cursor,
    entity_counts,
    entity_months,
    get,
    related_entities,
    search,
)
from clusternews.knowledge import filters
from clusternews.knowledge.base import KnowledgeBase

from .web_sample import article, fill


@pytest.fixture
def filled(store: Store, kb: KnowledgeBase) -> Store:
    fill(store, kb)
    return store


def slugs(store: Store, **query: object) -> list[str]:
    with store.read() as conn:
        rows = search(conn, Query(limit=100, **query))  # type: ignore[arg-type]
    return [r.url.rsplit("/", 1)[1] for r in rows]


def test_stemming_is_light_and_prefix_safe() -> None:
    assert stem("mineraler") == "mineral" and stem("gruvene") == "gruv"
    assert stem("leverantörer") == "leverantör" and stem("batterier") == "batteri"
    assert stem("malm") == "malm" and stem("berg") == "berg"
    assert sqlite_match('gruve" OR x*') == '"gruv"* "or"* "x"*'  # no query syntax gets through
    assert sqlite_match("  ..  ") is None


def test_text_search_stems_per_language(filled: Store) -> None:
    assert "mineraler-rana" in slugs(filled, text="mineralene")  # nb inflection
    assert "batteri-skelleftea" in slugs(filled, text="batterier")  # sv plural
    assert "automation-malmberget" in slugs(filled, text="leverantörerna")
    assert slugs(filled, text="Skelleftea")[0] == "batteri-skelleftea"  # without å
    assert slugs(filled, text="hydrogen Høyanger") == ["hydrogen-hoyanger"]  # all words needed
    assert slugs(filled, text="zzzyxq") == []


def test_title_hits_rank_first_then_newest(filled: Store) -> None:
    found = slugs(filled, text="robot")
    assert found[0] == "robot-raufoss"
    both = slugs(filled, text="konferansen")
    assert both == ["konferanse-narvik"]
    newest = slugs(filled, text="gruv", order="newest")
    assert newest == sorted(newest, key=lambda s: newest.index(s))  # stable
    with filled.read() as conn:
        rows = search(conn, Query(text="gruv", order="newest", limit=100))
    dates = [r.published for r in rows]
    assert dates == sorted(dates, reverse=True)


def test_filters_combine_with_text(filled: Store, kb: KnowledgeBase) -> None:
    nordland = filters.region_ids(kb, "Nordland")
    assert set(slugs(filled, region_ids=nordland)) == {"mineraler-rana", "konferanse-narvik", "xss"}
    norrbotten = filters.region_ids(kb, "Norrbottens län")
    assert set(slugs(filled, region_ids=norrbotten)) == {
        "automation-malmberget",
        "utlysning-kiruna",
    }
    assert slugs(filled, region_ids=norrbotten, text="automation") == ["automation-malmberget"]
    assert set(slugs(filled, org_ids=filters.org_ids(kb, "LTU"))) == {"batteri-skelleftea"}
    assert slugs(filled, programme_ids=filters.programme_ids(kb, "Horisont Europa")) == [
        "utlysning-kiruna"
    ]
    assert set(slugs(filled, languages=["sv"], clusters=["gruv-och-metall"])) == {
        "batteri-skelleftea",
        "automation-malmberget",
        "utlysning-kiruna",
    }
    since = datetime.now(UTC) - timedelta(days=2, hours=12)
    assert set(slugs(filled, since=since)) == {"xss", "mineraler-rana", "batteri-skelleftea"}


def test_paging_by_offset_and_by_cursor(filled: Store) -> None:
    everything = slugs(filled)
    assert len(everything) == 9
    with filled.read() as conn:
        assert count(conn, Query()) == 9
        assert count(conn, Query(text="gruv")) == len(slugs(filled, text="gruv"))
        page1 = search(conn, Query(limit=4))
        page2 = search(conn, Query(limit=4, after=cursor(page1[-1])))
        page3 = search(conn, Query(limit=4, offset=8))
    got = [r.url.rsplit("/", 1)[1] for r in page1 + page2]
    assert got == everything[:8]
    assert [r.url.rsplit("/", 1)[1] for r in page3] == everything[8:]


def test_index_follows_updates(filled: Store, kb: KnowledgeBase) -> None:
    now = datetime.now(UTC)
    changed = article(
        kb,
        "robot-raufoss",
        "no",
        "nb",
        "Sveiseroboter på Raufoss",
        "Nå handler saken om sveising.",
        ["Raufoss"],
        ["SINTEF"],
        [],
        now,
    )
    with filled.write() as conn:
        assert (
            store_items.upsert(
                conn, changed, source_id="nce-raufoss:feed", cluster="nce-raufoss", now=now
            )
            == "updated"
        )
    assert slugs(filled, text="sveiseroboter") == ["robot-raufoss"]
    assert slugs(filled, text="automatisering") == []


def test_entities_counts_months_related(filled: Store, kb: KnowledgeBase) -> None:
    with filled.read() as conn:
        by_alias = entity_counts(conn, prefix="LT", ids=["org:ltu"])
        assert [r["entity_id"] for r in by_alias] == ["org:ltu"]
        sintef = entity_counts(conn, ids=["org:sintef"])[0]
        assert sintef["items"] == 3 and sintef["type"] == "ORG"
        months = entity_months(conn, "org:sintef")
        assert sum(n for _m, n in months) == 3
        related = {r["entity_id"] for r in related_entities(conn, "org:sintef")}
        assert "org:mineralklynge-norge" in related and "org:sintef" not in related
        one = search(conn, Query(limit=1))[0]
        found = get(conn, one.id)
        assert found is not None and found.sources and get(conn, "nope") is None
