"""The store on SQLite and PostgreSQL: one row per article, every source remembered."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from clusternews.adapters.store import FetchRecord, Store, items, sources
from clusternews.adapters.store.schema import item_sources
from clusternews.adapters.store.schema import items as items_table
from clusternews.config.schema import SourceSpec
from clusternews.models import Article
from clusternews.pipeline.dedup import content_hash

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def article(url: str = "https://a.example.no/nyheter/x/", text: str = "Brødtekst.") -> Article:
    return Article(
        url=url,
        title="Tittel",
        text=text,
        summary=text,
        published=NOW,
        author=None,
        image=None,
        language="no",
        language_variant="nb",
        language_confidence=0.99,
        content_hash=content_hash("Tittel", text),
    )


def spec(n: int = 1) -> SourceSpec:
    return SourceSpec(
        id=f"c:feed-{n}",
        cluster="c",
        country="NO",
        kind="feed",
        url=f"https://a.example.no/feed{n}/",
        links=None,
        interval=1800,
    )


def test_new_unchanged_updated_and_dates_stay_aware(store: Store) -> None:
    with store.write() as conn:
        assert items.upsert(conn, article(), source_id="c:feed", cluster="c", now=NOW) == "new"
        assert (
            items.upsert(conn, article(), source_id="c:feed", cluster="c", now=NOW) == "unchanged"
        )
        later = NOW + timedelta(hours=1)
        assert (
            items.upsert(
                conn, article(text="Endret tekst."), source_id="c:feed", cluster="c", now=later
            )
            == "updated"
        )
    with store.read() as conn:
        rows = conn.execute(sa.select(items_table)).mappings().all()
    assert len(rows) == 1
    row = rows[0]
    assert row["text"] == "Endret tekst." and row["updated_at"] == NOW + timedelta(hours=1)
    assert row["first_seen"] == NOW and row["published"].tzinfo is not None
    assert row["entities"] == [] and row["regions"] == []


def test_same_article_from_two_sources_is_stored_once_and_remembers_both(store: Store) -> None:
    with store.write() as conn:
        items.upsert(conn, article(), source_id="c:feed", cluster="c", now=NOW)
        # the same URL via the sitemap, and the same text under a second URL via a page source
        assert (
            items.upsert(conn, article(), source_id="c:sitemap", cluster="c", now=NOW)
            == "unchanged"
        )
        other = replace(article(), url="https://a.example.no/?p=123")
        assert items.upsert(conn, other, source_id="d:page", cluster="d", now=NOW) == "duplicate"
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(items_table)).scalar() == 1
        links = conn.execute(sa.select(item_sources.c.source_id, item_sources.c.url)).all()
        known = items.known(conn, ["https://a.example.no/?p=123", "https://nope.example/"])
    assert sorted(s for s, _ in links) == ["c:feed", "c:sitemap", "d:page"]
    assert list(known) == ["https://a.example.no/?p=123"]


def test_fetch_log_and_source_state(store: Store) -> None:
    with store.write() as conn:
        sources.sync(conn, [spec(1), spec(2)])
        sources.record(
            conn,
            FetchRecord("c:feed-1", NOW, 0.5, "error", 503, error="fetch: x"),
            changes={"last_error": "fetch: x", "failures": 1},
        )
        sources.record(
            conn,
            FetchRecord("c:feed-1", NOW, 0.2, "ok", 200, 1234, found=3, new=2),
            changes={"last_error": None, "failures": 0, "etag": '"e1"'},
        )
    with store.read() as conn:
        state = sources.state(conn, "c:feed-1")
        history = sources.history(conn, "c:feed-1")
    assert state["etag"] == '"e1"' and state["failures"] == 0 and state["last_outcome"] == "ok"
    assert [h["outcome"] for h in history] == ["ok", "error"]
    assert history[0]["bytes"] == 1234 and history[1]["error"] == "fetch: x"


def test_a_changed_source_url_resets_validators(store: Store) -> None:
    with store.write() as conn:
        sources.sync(conn, [spec(1)])
        sources.record(conn, FetchRecord("c:feed-1", NOW, 0.1, "ok"), changes={"etag": '"e"'})
        sources.sync(conn, [spec(1).model_copy(update={"url": "https://b.example.no/feed/"})])
    with store.read() as conn:
        state = sources.state(conn, "c:feed-1")
    assert state["url"] == "https://b.example.no/feed/" and state["etag"] is None


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(sa.exc.StatementError), store.write() as conn:
        items.upsert(conn, article(), source_id="s", cluster="c", now=datetime(2026, 1, 1))


def test_migrations_are_idempotent(db_url: str) -> None:
    Store.open(db_url).close()
    Store.open(db_url).close()  # a second upgrade to head is a no-op


def test_an_entity_feed_pages_newest_first_by_the_dates_of_its_items(store: Store) -> None:
    """A feed filtered by one entity reads its items off the entity index (its rows carry the
    item's date): same order and pages as the dates say, after updates and without dates."""
    from clusternews.adapters.store.search import Query, cursor, search
    from clusternews.models import Entity

    org = Entity(type="ORG", id="org:x", name="X", kind="company", mentions=("X",), count=1)
    dates = [NOW - timedelta(days=d) for d in (3, 1, 5, 0, 2)] + [None, None]
    with store.write() as conn:
        for i, day in enumerate(dates):
            a = replace(
                article(f"https://a.example.no/{i}/", f"Tekst {i}."),
                published=day,
                entities=(org,),
                regions=("Nordland", "Norge"),
                region_ids=("region:no:18", "region:no"),
            )
            # Undated items sort by when they were first seen.
            items.upsert(conn, a, source_id="c:feed", cluster="c", now=NOW + timedelta(hours=i))
    with store.read() as conn:
        rows = conn.execute(
            sa.select(items_table.c.id, items_table.c.published, items_table.c.first_seen)
        ).all()
    expected = [
        r.id for r in sorted(rows, key=lambda r: (-(r.published or r.first_seen).timestamp(), r.id))
    ]

    def pages(query: Query) -> list[str]:
        seen: list[str] = []
        after = None
        while True:
            with store.read() as conn:
                page = search(conn, replace(query, after=after, limit=3))
            seen += [r.id for r in page]
            if len(page) < 3:
                return seen
            after = cursor(page[-1])

    assert pages(Query(org_ids=["org:x"], order="newest")) == expected
    # A second filter is a probe of the same item's rows; several ids are the general path.
    assert pages(Query(org_ids=["org:x"], region_ids=["region:no:18"])) == expected
    assert pages(Query(region_ids=["region:no:18", "region:no"])) == expected
    assert pages(Query(org_ids=["org:x"], region_ids=["region:se"])) == []
    # An update that moves the date moves the item in the entity's feed.
    oldest = expected[-1]  # item 2, five days old
    with store.write() as conn:
        moved = replace(
            article("https://a.example.no/2/", "Ny tekst."),
            published=NOW + timedelta(days=1),
            entities=(org,),
            regions=("Nordland", "Norge"),
            region_ids=("region:no:18", "region:no"),
        )
        assert items.upsert(conn, moved, source_id="c:feed", cluster="c", now=NOW) == "updated"
    with store.read() as conn:
        first = search(conn, Query(org_ids=["org:x"], limit=1))[0].id
        since = NOW - timedelta(days=1, hours=1)
        recent = search(conn, Query(region_ids=["region:no"], since=since, limit=100))
    assert first == oldest != expected[0]
    assert len(recent) == 5  # the moved item, days 0 and -1, and the two undated ones


def test_text_search_stems_each_language_and_ranks_title_matches_first(store: Store) -> None:
    """Each item's words are stemmed in its own language and the query in each language
    (PostgreSQL: the distinct parses, the 'simple' one for other languages, OR-ed into one
    tsquery), and a word in the title ranks above the same word in the body."""
    from clusternews.adapters.store.search import Query, search

    texts = {
        "nb-title": ("no", "Forskningen på batterier", "Klyngen møttes i Mo i Rana."),
        "nb-body": ("no", "Klyngemøte", "Forskningen på batterier gikk godt i år."),
        "sv": ("sv", "Möte i klustret", "Forskningen om batterierna fortsätter."),
        "en": ("en", "Cluster meeting", "The researchers found better batteries."),
        "de": ("de", "Treffen", "Die Forschungen an Batterien gehen weiter."),
    }
    with store.write() as conn:
        for key, (lang, title, text) in texts.items():
            a = replace(
                article(f"https://a.example.no/{key}/", text),
                title=title,
                language=lang,
                language_variant=None,
                content_hash=content_hash(title, text),
            )
            items.upsert(conn, a, source_id="c:feed", cluster="c", now=NOW)

    def found(words: str) -> list[str]:
        with store.read() as conn:
            return [
                r.url.rstrip("/").rsplit("/", 1)[1]
                for r in search(conn, Query(text=words, limit=10))
            ]

    assert found("forskning")[:1] == ["nb-title"]
    assert set(found("forskning")) == {"nb-title", "nb-body", "sv"}
    assert set(found("Forschungen")) == {"de"}
    assert set(found("researchers")) == {"en"}
    assert set(found("batterier")) >= {"nb-title", "nb-body", "sv"}
    assert found("batterier")[:1] == ["nb-title"]


def test_an_entity_feed_in_one_language_follows_the_items_language(db_url: str) -> None:
    """The entity index carries each item's language (migration 0010): filled in for items
    stored before it, and rewritten when an update changes the language."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    from clusternews.adapters.store.engine import MIGRATIONS
    from clusternews.adapters.store.search import Query, search_ids
    from clusternews.models import Entity

    org = Entity(type="ORG", id="org:x", name="X", kind="company", mentions=("X",), count=1)

    def tagged(i: int, language: str, text: str) -> Article:
        return replace(
            article(f"https://a.example.no/{i}/", text),
            published=NOW - timedelta(days=i),
            language=language,
            entities=(org,),
            regions=("Nordland",),
            region_ids=("region:no:18",),
        )

    store = Store.open(db_url)
    with store.write() as conn:
        for i, language in enumerate(["no", "sv", "no", "da"]):
            items.upsert(
                conn, tagged(i, language, f"Tekst {i}."), source_id="c:feed", cluster="c", now=NOW
            )
    ids = {}
    with store.read() as conn:
        for row in conn.execute(sa.select(items_table.c.id, items_table.c.url)):
            ids[int(row.url.rstrip("/").rsplit("/", 1)[1])] = row.id
    # As a database of the release before: the column gone, then upgraded again.
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0009")
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")

    def feed(entity: str, *languages: str) -> list[str]:
        field = "org_ids" if entity.startswith("org:") else "region_ids"
        query = Query(**{field: (entity,)}, languages=languages, limit=10, order="newest")  # type: ignore[arg-type]
        with store.read() as conn:
            return search_ids(conn, query)

    assert feed("org:x", "no") == [ids[0], ids[2]]
    assert feed("region:no:18", "sv", "da") == [ids[1], ids[3]]
    with store.write() as conn:
        changed = tagged(1, "no", "Ny tekst 1.")
        assert items.upsert(conn, changed, source_id="c:feed", cluster="c", now=NOW) == "updated"
    assert feed("org:x", "no") == [ids[0], ids[1], ids[2]]
    assert feed("region:no:18", "sv") == []
    store.close()
