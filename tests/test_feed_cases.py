"""Feeds as they really are (tests/golden/feeds/cases): read, stored once, warnings recorded."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import sqlalchemy as sa

from clusternews.adapters.http import decode_body
from clusternews.adapters.http.decoding import http_charset, media_type
from clusternews.adapters.store import Store
from clusternews.adapters.store.schema import fetches, item_sources, items
from clusternews.cli import main
from clusternews.jobs.workers import Processor
from clusternews.models import Entry
from clusternews.pipeline.discover import discover_feed

from .conftest import GOLDEN
from .faultserver import FaultServer, Response
from .ingest_helpers import cluster_yaml, run_ingest, specs_from

CASES = GOLDEN / "feeds" / "cases"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
NAMES = sorted(p.name.removesuffix(".expected.json") for p in CASES.glob("*.expected.json"))
REPOLL = "no-link-repoll"  # the second poll of no-link.xml, served by its own test


def case(name: str) -> tuple[Path, dict[str, Any]]:
    expected = json.loads((CASES / f"{name}.expected.json").read_text(encoding="utf-8"))
    (path,) = (p for p in CASES.glob(f"{name}.*") if not p.name.endswith(".expected.json"))
    return path, expected


def check_entry(entry: Entry, want: dict[str, Any], feed_url: str) -> None:
    assert entry.title == want["title"]
    if "url" in want:
        assert entry.url == urljoin(feed_url, want["url"])
    else:
        assert entry.url.startswith(urljoin(feed_url, want["url_prefix"])), entry.url
    assert entry.page is want["page"]
    if "summary_contains" in want:
        assert want["summary_contains"] in (entry.summary or "")
    if "content_contains" in want:
        assert urljoin(feed_url, want["content_contains"]) in (entry.content_html or "") or want[
            "content_contains"
        ] in (entry.content_html or "")
    if "image" in want:
        assert entry.image == urljoin(feed_url, want["image"])
    if "author" in want:
        assert entry.author == want["author"]


def check_warnings(warnings: list[str] | tuple[str, ...], expected: dict[str, Any]) -> None:
    for part in expected["warnings"]:
        assert any(part in w for w in warnings), (part, warnings)
    for part in expected["absent_warnings"]:
        assert not any(part in w for w in warnings), (part, warnings)


@pytest.mark.parametrize("name", NAMES)
def test_feed_case_is_read_as_expected(name: str) -> None:
    path, expected = case(name)
    content = path.read_bytes()
    text, encoding = decode_body(content, content_type_header=expected["serve"])
    url = f"http://feeds.test/cases/{path.name}"
    found = discover_feed(
        content,
        base_url=url,
        now=NOW,
        content_type=media_type(expected["serve"]),
        text=text,
        encoding=encoding,
        http_charset=http_charset(expected["serve"]),
    )
    assert len(found.entries) == len(expected["entries"]), [e.title for e in found.entries]
    for entry, want in zip(found.entries, expected["entries"], strict=True):
        check_entry(entry, want, url)
    check_warnings(found.warnings, expected)


def test_entries_without_links_keep_their_key_across_polls() -> None:
    url = "http://feeds.test/cases/no-link.xml"
    first = discover_feed((CASES / "no-link.xml").read_bytes(), base_url=url, now=NOW)
    again = discover_feed((CASES / "no-link-repoll.xml").read_bytes(), base_url=url, now=NOW)
    assert {e.url for e in first.entries} < {e.url for e in again.entries}


def serve_cases(srv: FaultServer, names: list[str]) -> dict[str, str]:
    """Each case at /cases/<file> with the headers it needs; {source id: case name}."""
    ids = {}
    for name in names:
        path, expected = case(name)
        srv.route(
            f"/cases/{path.name}", Response(200, path.read_bytes(), content_type=expected["serve"])
        )
        ids[f"{slug(name)}:feed"] = name
    return ids


def slug(name: str) -> str:
    return name.replace(".", "-")  # cluster ids are slugs: "jsonfeed-1.0" → "jsonfeed-1-0"


def test_every_case_is_ingested_and_accounted_for(
    store: Store, processor: Processor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = [n for n in NAMES if n != REPOLL]
    with FaultServer() as srv:  # article pages answer 404: entries stand on the feed's text
        ids = serve_cases(srv, names)
        config = cluster_yaml(
            {slug(n): f"- feed: {srv.url('/cases/' + case(n)[0].name)}" for n in names}
        )
        outcomes = asyncio.run(run_ingest(specs_from(config), store, processor))
        feed_urls = {n: srv.url("/cases/" + case(n)[0].name) for n in names}
    assert {o.outcome for o in outcomes.values()} == {"ok"}, outcomes
    with store.read() as conn:
        stored: dict[str, set[str]] = {}
        for source, title in conn.execute(
            sa.select(item_sources.c.source_id, items.c.title).join(
                items, items.c.id == item_sources.c.item_id
            )
        ):
            stored.setdefault(source, set()).add(title)
        logged = dict(conn.execute(sa.select(fetches.c.source_id, fetches.c.warnings)).all())

    (tmp_path / "feeds.yaml").write_text(config, encoding="utf-8")
    assert (
        main(
            [
                "--config",
                str(tmp_path / "feeds.yaml"),
                "--db",
                store.engine.url.render_as_string(hide_password=False),
                "sources",
                "--json",
            ]
        )
        == 0
    )
    listed = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert set(listed) == set(ids)
    for source_id, name in ids.items():
        _, expected = case(name)
        row = listed[source_id]
        assert stored.get(source_id, set()) == {e["title"] for e in expected["entries"]}, name
        assert row["items"] == len(expected["entries"])
        assert row["url"] == feed_urls[name] and row["kind"] == "feed"
        assert row["cluster"] == slug(name) and row["last_error"] is None
        assert row["last_fetch"] and row["next_due"]
        assert row["status"] == ("ok, warnings" if row["warnings"] else "ok"), row
        check_warnings(row["warnings"], expected)
        assert (logged[source_id] or []) == row["warnings"]
    assert listed["truncated:feed"]["status"] == "ok, warnings"
    assert listed["rss-content-encoded:feed"]["status"] == "ok"


def test_entries_without_links_are_stored_once_across_polls(
    store: Store, processor: Processor
) -> None:
    with FaultServer() as srv:
        bodies = [(CASES / f"{n}.xml").read_bytes() for n in ("no-link", REPOLL)]
        srv.route(
            "/arena.xml",
            srv.sequence(*(Response(200, b, content_type="application/rss+xml") for b in bodies)),
        )
        specs = specs_from(cluster_yaml({"arena": f"- feed: {srv.url('/arena.xml')}"}))
        first = asyncio.run(run_ingest(specs, store, processor))
        second = asyncio.run(run_ingest(specs, store, processor))
        pages = [r.path for r in srv.requests if r.path not in ("/arena.xml", "/robots.txt")]
    assert first["arena:feed"].new == 2 and second["arena:feed"].new == 1
    assert pages == []  # nothing to fetch: the feed's own text is the article
    with store.read() as conn:
        rows = conn.execute(sa.select(items.c.url, items.c.title, items.c.text)).all()
    assert len(rows) == 3
    assert all("#item-" in url for url, _, _ in rows)
    assert any("Gjøvik" in text for _, _, text in rows)
