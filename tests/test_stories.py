"""Stories: the golden set's quality floor, and placement in a real store (SQLite, PostgreSQL):
stored membership, re-ingesting, updates joining and leaving, collapse, concurrent writers."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np

from clusternews.adapters.store import Store, items, stories
from clusternews.adapters.store.search import Query, count, search
from clusternews.jobs import stories as placing
from clusternews.models import Article
from clusternews.pipeline.dedup import content_hash, item_id
from clusternews.pipeline.stories import fingerprint, judge
from clusternews.pipeline.stories.match import WORD_PERMS, Candidates, Choice, Fingerprint, choose
from clusternews.pipeline.stories.minhash import EMPTY
from clusternews.story_golden import Doc, Pair, article_of, load, scores

from .conftest import GOLDEN

NOW = datetime(2027, 6, 1, tzinfo=UTC)
PAIRS = load(GOLDEN / "stories")
# The goals; the shipped thresholds reach 1.0 on every kind (benchmarks/stories.py).
FLOORS = {"near_duplicate": (0.97, 0.90), "cross_language": (0.90, 0.80), "rewrite": (0.90, 0.80)}


def by_id(doc_id: str) -> Doc:
    return next(d for p in PAIRS for d in (p.a, p.b) if d.id == doc_id)


def test_golden_set_is_large_and_varied() -> None:
    kinds = {
        k: [p for p in PAIRS if p.kind == k]
        for k in ("near_duplicate", "cross_language", "rewrite", "negative")
    }
    assert len(PAIRS) >= 150 and all(len(v) >= 20 for v in kinds.values())
    langs = {frozenset((p.a.lang, p.b.lang)) for p in kinds["cross_language"]}
    assert {frozenset(("nb", "sv")), frozenset(("nn", "nb"))} <= langs
    assert {p.note for p in kinds["negative"]} >= {
        "same programme other call",
        "same company other news",
        "same region other event",
    }


def test_golden_floor_per_kind() -> None:
    same = [
        judge(
            fingerprint(p.b.title, p.b.text, published=p.b.published, now=NOW),
            fingerprint(p.a.title, p.a.text, published=p.a.published, now=NOW),
        ).same
        for p in PAIRS
    ]
    for kind, s in scores(PAIRS, same).items():
        low_p, low_r = FLOORS[kind]
        assert s.precision >= low_p and s.recall >= low_r, s


def test_choosing_among_candidates_together_agrees_with_judging_each_pair() -> None:
    """`choose` compares every candidate's signatures in one numpy pass and looks at anchors
    only where a match is possible; it picks what judging each pair with `judge` picks, on
    golden documents of several stories and on signatures that are empty or cut short."""
    docs = [d for p in PAIRS[:60] for d in (p.a, p.b)]
    fps = [fingerprint(d.title, d.text, published=d.published, now=NOW) for d in docs]
    fps.append(replace(fps[0], words=np.full(WORD_PERMS, EMPTY, dtype=np.uint32)))
    fps.append(replace(fps[1], grams=fps[1].grams[:10]))
    stored = [(f"item{k:03}", f"story{k // 2}", fp) for k, fp in enumerate(fps)]

    def one_by_one(new: Fingerprint, others: list, current: str | None) -> Choice:
        """The rule pair by pair: the current story if it matches, else the strongest match
        (the smaller item id on a tie), else none."""
        same = [(judge(new, fp), i, st) for i, st, fp in others if judge(new, fp).same]
        for verdict, i, st in same:
            if st == current:
                return Choice(st, i, verdict)
        if not same:
            return Choice(None, None, None)
        strongest = max(v.strength for v, _i, _s in same)
        verdict, i, st = min((x for x in same if x[0].strength == strongest), key=lambda x: x[1])
        return Choice(st, i, verdict)

    found = 0
    for k in range(0, len(fps), 3):
        others = stored[:k] + stored[k + 1 :]
        for current in (None, f"story{k // 2}", "story0"):
            got = choose(fps[k], Candidates.of(others), current=current)
            assert got == one_by_one(fps[k], others, current), (k, current)
            found += got.story_id is not None
    assert found >= 20  # golden copies find each other: more is checked than "no match"
    assert choose(fps[0], Candidates.of([])) == Choice(None, None, None)


def put(store: Store, article: Article, *, site: str | None = None, now: datetime = NOW) -> str:
    """Store and place an article as refresh does (the site from its URL); its item id."""
    site = site or article.url.split("//")[1].split(".")[0]
    with store.write() as conn:
        stored = items.upsert(conn, article, source_id=f"{site}:feed", cluster=site, now=now)
        if stored in ("new", "updated"):
            placing.place(conn, article, now=now)
    return item_id(article.url)


def story_of(store: Store, item: str) -> str | None:
    with store.read() as conn:
        found = stories.membership(conn, item)
    return found.story_id if found else None


def test_golden_pairs_through_the_store(store: Store) -> None:
    """Candidates from the indexed keys, not from the pure judgement alone."""
    same = []
    for pair in PAIRS:
        with store.engine.connect() as conn:
            tx = conn.begin()
            for doc, site in ((pair.a, "a"), (pair.b, "b")):
                art = article_of(doc, site=site)
                items.upsert(conn, art, source_id=f"{site}:feed", cluster=site, now=NOW)
                placing.place(conn, art, now=NOW)
            one, other = (
                stories.membership(conn, item_id(f"https://{s}.example/{d.id}"))
                for d, s in ((pair.a, "a"), (pair.b, "b"))
            )
            assert one and other
            same.append(one.story_id == other.story_id)
            tx.rollback()
    for kind, s in scores(PAIRS, same).items():
        assert (s.precision, s.recall) >= FLOORS[kind], s


def test_membership_is_stored_and_reingesting_changes_nothing(store: Store) -> None:
    first = put(store, article_of(by_id("b1"), site="gruv"))
    copy = put(store, article_of(by_id("b1-nb"), site="mineral"), now=NOW + timedelta(hours=2))
    other = put(store, article_of(by_id("b2"), site="gruv"))
    assert story_of(store, first) == story_of(store, copy) == first  # named by its first item
    assert story_of(store, other) == other
    with store.read() as conn:
        before = conn.exec_driver_sql(
            "SELECT item_id, story_id, joined_at FROM story_members ORDER BY item_id"
        ).all()
        keys = conn.exec_driver_sql("SELECT count(*) FROM story_keys").scalar()
    for doc, site in (("b1", "gruv"), ("b1-nb", "mineral"), ("b2", "gruv")):
        put(store, article_of(by_id(doc), site=site), now=NOW + timedelta(days=1))
    with store.write() as conn:  # placing an unchanged article again is a no-op too
        assert placing.place(conn, article_of(by_id("b1"), site="gruv"), now=NOW) == "unchanged"
    with store.read() as conn:
        assert (
            conn.exec_driver_sql(
                "SELECT item_id, story_id, joined_at FROM story_members ORDER BY item_id"
            ).all()
            == before
        )
        assert conn.exec_driver_sql("SELECT count(*) FROM story_keys").scalar() == keys > 0


def edited(article: Article, text: str, title: str | None = None) -> Article:
    title = title or article.title
    return replace(article, title=title, text=text, content_hash=content_hash(title, text))


def test_an_updated_article_leaves_and_joins_stories(store: Store) -> None:
    original = article_of(by_id("l2"), site="gruv")
    translation = article_of(by_id("l2-nb"), site="mineral")
    first, second = put(store, original, site="gruv"), put(store, translation, site="mineral")
    assert story_of(store, second) == first
    unrelated = by_id("m2")  # the page now carries other news: it leaves the story
    put(
        store,
        edited(translation, unrelated.text, unrelated.title),
        site="mineral",
        now=NOW + timedelta(hours=1),
    )
    alone = story_of(store, second)
    assert alone not in (None, first)
    with store.read() as conn:
        (row,) = search(conn, Query(limit=50, clusters=["gruv"]))
    assert row.story is not None and row.story.size == 1 and row.story.id == first
    put(store, translation, site="mineral", now=NOW + timedelta(hours=2))  # and back again
    assert story_of(store, second) == first
    # The founder changes too, and leaves: the story keeps its id with the other copy.
    put(
        store,
        edited(original, unrelated.text, unrelated.title),
        site="gruv",
        now=NOW + timedelta(hours=3),
    )
    assert story_of(store, second) == first and story_of(store, first) not in (None, first)


def test_collapse_gives_the_earliest_copy_that_matches(store: Store) -> None:
    sv = put(store, article_of(by_id("v1"), site="gruv"))
    nb = put(store, article_of(by_id("v1-nb"), site="mineral"))
    rw = put(store, article_of(by_id("v1-rw"), site="gruv"))
    other = put(store, article_of(by_id("v2"), site="gruv"))
    assert story_of(store, sv) == story_of(store, nb) == story_of(store, rw) == sv
    with store.read() as conn:
        plain = search(conn, Query(limit=50))
        collapsed = search(conn, Query(limit=50, collapse="story"))
        norwegian = search(conn, Query(limit=50, collapse="story", languages=["no"]))
        assert count(conn, Query(collapse="story")) == 2
        assert count(conn, Query(collapse="story"), cap=10) == 2
        text = search(conn, Query(limit=50, collapse="story", text="metallflöden"))
    assert len(plain) == 4
    assert {r.id for r in collapsed} == {sv, other}  # the earliest copy (v1, 12 January)
    assert [r.id for r in norwegian] == [nb]  # the Swedish copies are filtered out
    assert [r.id for r in text] == [sv]
    story = next(r.story for r in collapsed if r.id == sv)
    assert story is not None
    assert story.size == 3 and [i.id for i in story.items] == [sv, nb, rw]
    assert {i.cluster for i in story.items} == {"gruv", "mineral"}


def test_concurrent_writers_find_each_other(db_url: str) -> None:
    """Two stores (two processes' worth of engines) store two copies at once: the second
    waits for the first's transaction and joins its story instead of founding another."""
    one, two = Store.open(db_url), Store.open(db_url, migrate=False)
    placed = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with one.write() as conn:
                art = article_of(by_id("h1"), site="a")
                items.upsert(conn, art, source_id="a:feed", cluster="a", now=NOW)
                placing.place(conn, art, now=NOW)
                placed.set()
                time.sleep(0.5)  # still uncommitted while the other writer starts
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
            placed.set()

    thread = threading.Thread(target=first)
    thread.start()
    placed.wait(10)
    second = put(two, article_of(by_id("h1-sv"), site="b"), site="b")
    thread.join(10)
    assert not errors
    assert story_of(two, second) == item_id("https://a.example/h1")
    one.close()
    two.close()


def test_pairs_carry_their_documents() -> None:
    pair = next(p for p in PAIRS if p.kind == "near_duplicate")
    assert isinstance(pair, Pair) and pair.b.id.startswith(pair.a.id + "~copy")
    assert pair.a.text != pair.b.text
