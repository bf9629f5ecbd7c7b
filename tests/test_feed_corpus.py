"""The feed corpus of issue 9 (tests/golden/feeds): every file ingested from a loopback server
into a real SQLite store, judged against what feedparser reads from it (*.expected.json, made
by tests/golden/feeds/build_corpus.py).

Every source is accounted for in `sources --json`; every entry feedparser parses is stored once,
or skipped with its reason in the source's warnings, or (a link and no text, its page out of
reach) counted as a failed article; nothing is logged with a traceback; and a second poll after
the sources turn broken keeps everything stored before.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import sqlalchemy as sa

from clusternews.adapters.store import Store
from clusternews.adapters.store.schema import fetches, item_sources, items
from clusternews.cli import main
from clusternews.jobs.workers import Processor
from clusternews.pipeline.urls import canonical_url

from .conftest import GOLDEN
from .faultserver import Behave, FaultServer, Response
from .ingest_helpers import FAST, cluster_yaml, run_ingest, specs_from

FEEDS = GOLDEN / "feeds"
REPOLL = "no-link-repoll"  # the second poll of cases/no-link.xml (tests/test_feed_cases.py)
NOT_FEED_TYPES = {"", "text/plain", "text/html", "application/octet-stream"}
SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@dataclass(frozen=True)
class Case:
    cid: str  # cluster id; the source is f"{cid}:feed"
    path: Path
    served_at: str  # the URL path on the loopback server (as in the expectation)
    expected: dict[str, Any]

    @property
    def source(self) -> str:
        return f"{self.cid}:feed"

    def links(self, origin: str) -> set[str]:
        return {
            u
            for e in self.expected["parsed"]
            if e.get("link")
            for u in [absolute(e["link"], origin)]
            if u
        }

    def titles(self) -> set[str]:
        return {e["title"] for e in self.expected["parsed"] if e["outcome"] == "linkless"}


def load_cases() -> list[Case]:
    out = []
    for exp in sorted(FEEDS.rglob("*.expected.json")):
        if exp.name == f"{REPOLL}.expected.json":
            continue
        stem = exp.name.removesuffix(".expected.json")
        path = exp.with_name(stem)
        if not path.is_file():  # cases/<name>.<ext> beside cases/<name>.expected.json
            (path,) = (
                p for p in exp.parent.glob(f"{stem}.*") if not p.name.endswith(".expected.json")
            )
        rel = path.relative_to(FEEDS).as_posix()
        out.append(
            Case(f"f{len(out):03d}", path, "/" + rel, json.loads(exp.read_text(encoding="utf-8")))
        )
    return out


CORPUS = load_cases()


def absolute(link: str, origin: str) -> str | None:
    return canonical_url(urljoin(origin + "/", link))


def words(text: str | None) -> str:
    return " ".join((text or "").split())


def groups(cases: list[Case], origin: str) -> list[list[Case]]:
    """Runs in which no two sources list one link (or one linkless title): which source stores
    a shared article first is then no matter of timing."""
    out: list[tuple[list[Case], set[str]]] = []
    for c in cases:
        keys = c.links(origin) | {f"title:{t}" for t in c.titles()}
        for members, taken in out:
            if not keys & taken:
                members.append(c)
                taken |= keys
                break
        else:
            out.append(([c], set(keys)))
    return [members for members, _ in out]


def serve(srv: FaultServer, cases: list[Case]) -> str:
    for c in cases:
        srv.route(c.served_at, Response(200, c.path.read_bytes(), content_type=c.expected["serve"]))
    return cluster_yaml({c.cid: f"- feed: {srv.url(c.served_at)}" for c in cases})


def listed(
    store: Store,
    config: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    *,
    plain: bool = False,
) -> Any:
    (tmp_path / "feeds.yaml").write_text(config, encoding="utf-8")
    db = store.engine.url.render_as_string(hide_password=False)
    capsys.readouterr()
    assert (
        main(
            [
                "--config",
                str(tmp_path / "feeds.yaml"),
                "--db",
                db,
                "sources",
                *([] if plain else ["--json"]),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    return out if plain else {row["id"]: row for row in json.loads(out)}


def stored_by_source(
    store: Store,
) -> tuple[dict[str, dict[str, str]], Counter[str], dict[str, int]]:
    """{source: {the URL it gave: the item's title}}, how many sources share each such URL's
    item, failed articles per source. (The same text under two URLs is one item, linked to
    each source under the URL that source gave.)"""
    with store.read() as conn:
        rows = conn.execute(
            sa.select(item_sources.c.source_id, item_sources.c.url, items.c.id, items.c.title).join(
                items, items.c.id == item_sources.c.item_id
            )
        ).all()
        failed = dict(
            conn.execute(
                sa.select(fetches.c.source_id, sa.func.sum(fetches.c.failed)).group_by(
                    fetches.c.source_id
                )
            ).all()
        )
    out: dict[str, dict[str, str]] = defaultdict(dict)
    per_item = Counter(item for _, _, item, _ in rows)
    sharing: Counter[str] = Counter()
    for source, url, item, title in rows:
        out[source][url] = title
        sharing[url] = max(sharing[url], per_item[item])
    return out, sharing, {k: int(v or 0) for k, v in failed.items()}


def judge(
    c: Case,
    row: dict[str, Any],
    have: dict[str, str],
    sharing: Counter[str],
    failed: int,
    origin: str,
    tally: Counter[str],
) -> list[str]:
    """What is wrong with one source, in words (empty: as expected); counts go to `tally`."""
    exp, problems = c.expected, []
    want = exp["status"]
    if want == "error":
        if row["status"] != "error" or not row["last_error"]:
            problems.append(f"status {row['status']!r}, expected error")
    elif row["status"] == "error":
        problems.append(f"error {row['last_error']!r}")
    elif want == "warnings" and row["status"] != "ok, warnings":
        problems.append(f"feedparser says bozo ({exp['feedparser']['bozo_exception']}); no warning")
    if (
        (exp["serve"] or "").split(";")[0] in NOT_FEED_TYPES
        and row["status"] != "error"
        and not any(w.startswith("served ") for w in row["warnings"])
    ):
        problems.append(f"served as {exp['serve']}; no warning says so")
    left = dict(have)
    site = absolute(exp.get("site") or "/", origin) or ""
    reasons: Counter[str] = Counter()
    unreached = 0
    for e in exp["parsed"]:
        tally["parsed"] += 1
        if e["outcome"] == "skipped":
            reasons[e["reason"]] += 1
            tally["skipped"] += 1
            continue
        if e["outcome"] == "linkless":
            found = [
                u
                for u, t in left.items()
                if u.startswith(site + "#item-")
                and (words(t) == e["title"] or e.get("charset_guessed"))
            ]
        else:
            found = [u for u in left if u == absolute(e["link"], origin)]
        if not found:
            if e["outcome"] == "page":
                unreached += 1
                tally["page_unreachable"] += 1
                continue
            problems.append(f"not stored: {e}")
            continue
        url = found[0]
        title = left.pop(url)
        tally["stored"] += 1
        if (
            e["outcome"] == "stored"
            and e["title"]
            and sharing[url] == 1
            and not e.get("charset_guessed")
            and words(title) != e["title"]
        ):
            problems.append(f"title {title!r}, feedparser reads {e['title']!r}")
    if left:
        problems.append(f"stored but not expected: {sorted(left)}")
    if failed != unreached:
        problems.append(f"{failed} failed articles, expected {unreached} unreachable pages")
    for reason, n in reasons.items():
        said = f"{n} {'entry' if n == 1 else 'entries'} skipped: {reason}"
        if said not in row["warnings"]:
            problems.append(f"warnings {row['warnings']} lack {said!r}")
    if len(have) != row["items"]:
        problems.append(f"sources --json says {row['items']} items, {len(have)} linked")
    return problems


@SQLITE
def test_corpus_is_read_as_feedparser_reads_it(
    store: Store,
    processor: Processor,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert len(CORPUS) >= 200
    caplog.set_level(logging.INFO)
    with FaultServer() as srv:  # article pages answer 404; other hosts do not resolve
        config = serve(srv, CORPUS)
        specs = {s.id: s for s in specs_from(config)}
        for group in groups(CORPUS, srv.origin):
            asyncio.run(run_ingest([specs[c.source] for c in group], store, processor))
        origin = srv.origin
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    rows = listed(store, config, tmp_path, capsys)
    assert set(rows) == {c.source for c in CORPUS}
    have, sharing, failed = stored_by_source(store)
    problems, tally = {}, Counter[str]()
    per_topic: dict[str, Counter[str]] = defaultdict(Counter)
    for c in CORPUS:
        found = judge(
            c,
            rows[c.source],
            have.get(c.source, {}),
            sharing,
            failed.get(c.source, 0),
            origin,
            per_topic[topic(c)],
        )
        if found:
            problems[c.served_at] = found
    for counts in per_topic.values():
        tally.update(counts)
    print(figures(per_topic))
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)
    assert tally["stored"] + tally["skipped"] + tally["page_unreachable"] == tally["parsed"]


def topic(c: Case) -> str:
    version = c.expected["feedparser"]["version"] or "?"
    return f"{c.expected['topic'].split('/')[0]}:{version}"


def figures(per_topic: dict[str, Counter[str]]) -> str:
    lines = [f"{'class':32} {'files':>5} {'parsed':>6} {'stored':>6} {'skipped':>7} {'no page':>7}"]
    total: Counter[str] = Counter()
    files = Counter(topic(c) for c in CORPUS)
    for name in sorted(per_topic):
        n = per_topic[name]
        total.update(n)
        lines.append(
            f"{name:32} {files[name]:5} {n['parsed']:6} {n['stored']:6} "
            f"{n['skipped']:7} {n['page_unreachable']:7}"
        )
    lines.append(
        f"{'all':32} {len(CORPUS):5} {total['parsed']:6} {total['stored']:6} "
        f"{total['skipped']:7} {total['page_unreachable']:7}"
    )
    return "\n".join(lines)


BROKEN = {  # how a source that was fine turns broken on the next poll
    0: Response(500, "oops", content_type="text/plain"),
    1: Response(200, b"\x00\x01garbage\xff" * 20, content_type="application/rss+xml"),
    2: Response(200, "<!doctype html><html><body>moved</body></html>", content_type="text/html"),
    3: Response(200, b"", content_type="application/rss+xml"),
    4: Response(404, "gone", content_type="text/plain"),
    5: Behave.close(),
}


@SQLITE
def test_sources_turning_broken_keep_what_they_stored(
    store: Store, processor: Processor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chosen = [
        c
        for c in CORPUS
        if c.path.parent.name == "cases"
        and any(e["outcome"] in ("stored", "linkless") for e in c.expected["parsed"])
    ][:12]
    with FaultServer() as srv:
        config = serve(srv, chosen)
        specs = specs_from(config)
        first = asyncio.run(run_ingest(specs, store, processor))
        before, _, _ = stored_by_source(store)
        for i, c in enumerate(chosen[: len(BROKEN)]):
            srv.route(c.served_at, BROKEN[i])
        second = asyncio.run(run_ingest(specs, store, processor))
    after, _, _ = stored_by_source(store)
    assert {o.outcome for o in first.values()} == {"ok"}
    assert after == before and sum(map(len, after.values())) > 10
    broken = {c.source for c in chosen[: len(BROKEN)]}
    assert {s for s, o in second.items() if o.outcome == "error"} == broken
    rows = listed(store, config, tmp_path, capsys)
    for source in broken:
        assert rows[source]["status"] == "error" and rows[source]["last_error"], rows[source]
        assert not rows[source]["last_error"].startswith("internal error"), rows[source]
        assert rows[source]["items"] == len(before[source])
    table = listed(store, config, tmp_path, capsys, plain=True)
    print(table)
    assert all(re.search(rf"\b{re.escape(s.split(':')[0])}\b", table) for s in broken)


def rss(items: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link>"
        + (f"<description>{d}</description>" if d else "")
        + "</item>"
        for t, link, d in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{body}</channel></rss>'
    )


@SQLITE
def test_size_cap_and_robots_are_warnings(store: Store, processor: Processor) -> None:
    big = rss([(f"Sak nummer {i}", f"/big/{i}", f"Tekst om sak {i}. " * 5) for i in range(60)])
    feed = rss(
        [
            ("Lukket med tekst", "/private/a", "Teksten står i feeden."),
            ("Lukket uten tekst", "/private/b", ""),
            ("Åpen", "/open/c", "Også her er det tekst."),
        ]
    )
    with FaultServer() as srv:
        srv.robots("User-agent: *\nDisallow: /private/\n")
        srv.route("/big.xml", Response(200, big, content_type="application/rss+xml"))
        srv.route("/feed.xml", Response(200, feed, content_type="application/rss+xml"))
        srv.route("/private/feed.xml", Response(200, feed, content_type="application/rss+xml"))
        config = cluster_yaml(
            {
                "big": f"- feed: {srv.url('/big.xml')}",
                "robots": f"- feed: {srv.url('/feed.xml')}",
                "closed": f"- feed: {srv.url('/private/feed.xml')}",
            }
        )
        cap = replace(FAST, max_bytes=4000)
        out = asyncio.run(run_ingest(specs_from(config), store, processor, http=cap))
        asked = [r.path for r in srv.requests]
    assert out["closed:feed"].outcome == "error"  # the feed itself: nothing could be read
    assert "/private/a" not in asked and "/private/b" not in asked and "/open/c" in asked
    have, _, _ = stored_by_source(store)
    with store.read() as conn:
        warned = dict(conn.execute(sa.select(fetches.c.source_id, fetches.c.warnings)).all())
    assert out["big:feed"].outcome == "ok" and 5 < len(have["big:feed"]) < 60
    assert any(
        w.startswith("size cap reached: read the first 4000 bytes") for w in warned["big:feed"]
    )
    assert any(w.startswith("feed cut short") for w in warned["big:feed"])
    assert sorted(
        u.rsplit("/", 2)[-2:][0] + "/" + u.rsplit("/", 1)[-1] for u in have["robots:feed"]
    ) == ["open/c", "private/a"]
    assert warned["robots:feed"] == [
        "robots.txt disallowed 1 article page; stored from the feed's text",
        "1 entry skipped: robots.txt disallows its page and the feed has no text for it",
    ]
