"""The read-side commands: search, entities and analyze."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from rich.table import Table

from clusternews.console import console
from clusternews.settings import Settings


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from clusternews.adapters.store import Store
    from clusternews.adapters.store.search import search
    from clusternews.item_json import item_json
    from clusternews.knowledge.base import KnowledgeBase
    from clusternews.queries import build_query

    kb = KnowledgeBase.load()
    tz = settings.zone(settings.load_if_present())  # dates and --since in feeds.yaml's zone
    try:
        query = build_query(
            kb,
            text=args.query,
            orgs=args.org,
            regions=args.region,
            programmes=args.programme,
            languages=args.lang,
            clusters=args.cluster,
            since=_since(args.since),
            tz=tz,
            limit=args.limit,
            collapse=args.collapse,
        )
    except ValueError as exc:
        print(f"search: {exc}", file=sys.stderr)
        return 2
    with Store.open(settings.db_url).read() as conn:
        rows = search(conn, query)
    found = [item_json(r, kb=kb, tz=tz) for r in rows]
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=1))
        return 0
    table = Table(title=f"{len(found)} items")
    for col in ("published", "lang", "cluster", "title", "story", "entities"):
        table.add_column(col, overflow="fold")
    for item in found:
        names = ", ".join(e["name"] for e in item["entities"] if e["type"] != "PERSON")
        size = item["story"]["size"]
        table.add_row(
            (item["published"] or "")[:10],
            item["language"],
            item["cluster"],
            item["title"],
            f"{size} versions" if size > 1 else "",
            names[:200],
        )
    console.print(table)
    return 0


def cmd_entities(args: argparse.Namespace, settings: Settings) -> int:
    from clusternews.adapters.store import Store
    from clusternews.adapters.store.search import entity_counts
    from clusternews.knowledge.base import KnowledgeBase
    from clusternews.knowledge.display import display_name, org_number_field

    kb = KnowledgeBase.load()
    ids: list[str] = []
    if args.prefix:  # any alias may be typed: "LTU" finds Luleå tekniska universitet
        ids = [i for _t, i, _n in kb.lookup_any(args.prefix)]
    with Store.open(settings.db_url).read() as conn:
        rows = entity_counts(conn, type_=args.type, ids=ids, prefix=args.prefix)
    for r in rows:
        r["name"] = display_name(r["entity_id"], None, kb, fallback=r["name"])
        r.update(org_number_field(r["type"], r["entity_id"], kb))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    table = Table(title=f"{len(rows)} entities")
    for col in ("type", "id", "name", "kind", "org number", "items"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            r["type"],
            r["entity_id"],
            r["name"],
            r["kind"] or "",
            r.get("org_number") or "",
            str(r["items"]),
        )
    console.print(table)
    return 0


def cmd_analyze(args: argparse.Namespace, settings: Settings) -> int:
    from clusternews.adapters.nlp import load_tagger
    from clusternews.analyze import Analyzer, write_lines
    from clusternews.pipeline.language import LanguageDetector

    analyzer = Analyzer(LanguageDetector(), load_tagger())
    if args.jsonl:
        sources = (
            [sys.stdin]
            if not args.files or args.files == ["-"]
            else [open(f, encoding="utf-8") for f in args.files]
        )  # noqa: SIM115
        for handle in sources:
            write_lines(analyzer.stream(handle), sys.stdout)
        return 0
    for name in args.files or ["-"]:
        text = (
            sys.stdin.read()
            if name == "-"
            else Path(name).read_text(encoding="utf-8", errors="replace")
        )
        result = {"file": name, **analyzer.analyze(text)}
        print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


def _since(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected --since as a date such as 2026-11-01, got {value!r}") from None


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("search", help="stored items by text, organization, region, programme")
    p.add_argument("query", nargs="?", help="free text")
    p.add_argument("--org", action="append", default=[], help="organization (any alias)")
    p.add_argument(
        "--region",
        action="append",
        default=[],
        help="region, county, municipality or town (places inside it count)",
    )
    p.add_argument("--programme", action="append", default=[], help="programme (any alias)")
    p.add_argument("--lang", action="append", default=[], choices=["no", "sv", "da", "en"])
    p.add_argument("--cluster", action="append", default=[], help="cluster id")
    p.add_argument("--since", help="published on or after this date (YYYY-MM-DD)")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument(
        "--collapse", choices=["story"], help="story: one item per story (its earliest copy)"
    )
    p.add_argument("--json", action="store_true", help="one JSON array of items")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("entities", help="canonical entities with their article counts")
    p.add_argument("prefix", nargs="?", help="name or alias prefix")
    p.add_argument("--type", choices=["ORG", "REGION", "PROGRAMME", "PERSON"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_entities)

    p = sub.add_parser("analyze", help="language and linked entities of text or HTML files")
    p.add_argument("files", nargs="*", help="files, or - for standard input")
    p.add_argument(
        "--jsonl",
        action="store_true",
        help='read lines {"id", "text"}, write one JSON line per input',
    )
    p.set_defaults(func=cmd_analyze)
