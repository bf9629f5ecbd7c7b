"""What a digest of the demo week (2026-W47) looks like: items, groups, sizes, a screenshot.

Serves the bundled demo site, ingests it into a fresh SQLite store, then composes and renders
three digests of the week — everything (nb), Nord-Norge (nb) and Norrbotten/Västerbotten (sv) —
writing each as .eml and .html (and a PNG when Chromium is installed) to --out:

    python benchmarks/digest_demo.py --out var/digest-demo
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from clusternews.adapters.http import HttpSettings, PoliteClient
from clusternews.adapters.store import Store
from clusternews.assets import models_dir
from clusternews.config import parse_config
from clusternews.config.schema import flatten_sources
from clusternews.demo.server import DemoServer
from clusternews.jobs import workers
from clusternews.jobs.digest_select import build
from clusternews.jobs.ingest import ingest
from clusternews.jobs.refresh import Context
from clusternews.knowledge.base import KnowledgeBase
from clusternews.mail.render import Letter, render_html, render_message
from clusternews.pipeline.isoweek import IsoWeek

WEEK = IsoWeek(2026, 47)
DIGESTS = """
digests:
  - id: demo-alle
    to: [demo@example.no]
    language: nb
  - id: demo-nord
    to: [nord@example.no]
    language: nb
    filters: {regions: [Nordland, Troms, Finnmark], languages: [no, sv]}
  - id: demo-norr
    to: [norr@example.se]
    language: sv
    filters: {regions: [Norrbotten, Västerbotten]}
smtp: {host: localhost, port: 25, from: klyngenytt@example.no}
"""


def phrase_only_tagger() -> None:
    """Without trained NER pipelines in models/, tag with the knowledge base's phrase rules."""
    from clusternews.pipeline.entities import Tagger
    from clusternews.pipeline.entities.linking import Linker
    from clusternews.pipeline.entities.phrases import Phrases

    kb = KnowledgeBase.load()
    tagger = Tagger({}, Phrases.build(kb.phrase_names()), Linker(kb), kb)
    workers.load_tagger = lambda: tagger  # type: ignore[assignment,misc]


async def ingest_demo(feeds_yaml: str, store: Store) -> int:
    specs = flatten_sources(parse_config(feeds_yaml))
    processor = workers.Processor(0)
    try:
        async with PoliteClient(HttpSettings(min_delay=0.0, per_host_concurrency=4)) as client:
            outcomes = await ingest(specs, Context(client=client, store=store,
                                                   processor=processor))
    finally:
        processor.close()
    return sum(o.new for o in outcomes)


def screenshot(html: Path) -> str:
    chromium = next((p for p in ("/usr/bin/chromium", shutil.which("chromium"),
                                 shutil.which("chromium-browser"), shutil.which("google-chrome"))
                     if p and Path(p).exists()), None)
    if chromium is None:
        return "no Chromium installed: no screenshot"
    png = html.with_suffix(".png")
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", f"--screenshot={png}", "--window-size=680,2600",
                    html.resolve().as_uri()], check=True, capture_output=True, timeout=120)
    return f"screenshot {png}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("var/digest-demo"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if not (models_dir() / "ner-no" / "meta.json").is_file():
        print("note: models/ner-no is missing; entities come from phrase rules only")
        phrase_only_tagger()
    kb = KnowledgeBase.load()
    with tempfile.TemporaryDirectory() as tmp, DemoServer() as site:
        store = Store.open(f"sqlite:///{tmp}/demo.db")
        started = time.perf_counter()
        stored = asyncio.run(ingest_demo(site.feeds_yaml(), store))
        print(f"ingested {stored} demo articles in {time.perf_counter() - started:.1f} s")
        # The demo config has two digests of its own; this benchmark compares three.
        config = parse_config(site.feeds_yaml().split("digests:")[0] + DIGESTS)
        for digest in config.digests:
            started = time.perf_counter()
            content = build(store, config, digest, WEEK, kb=kb)
            letter = Letter(digest.id, digest.language, config.smtp.from_, digest.to[0])
            message = render_message(content, WEEK, letter, now=datetime.now(UTC))
            html = render_html(content, WEEK, letter)
            text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            took = (time.perf_counter() - started) * 1000
            stem = args.out / f"{digest.id}-{WEEK}"
            stem.with_suffix(".eml").write_bytes(message.as_bytes())
            stem.with_suffix(".html").write_text(html, encoding="utf-8")
            print(f"\n{digest.id} ({digest.language}) {WEEK}: {content.total} items in "
                  f"{len(content.sections)} groups, composed and rendered in {took:.0f} ms")
            for section in content.sections:
                print(f"  {section.kind:7} {section.title or '(other)'}: {len(section.items)}")
                for item in section.items:
                    print(f"    {item.score:4.1f}  {item.date:%a %d.%m}  {item.title}")
            print(f"  most mentioned: {', '.join(f'{n} ({c})' for n, c in content.top_orgs)}")
            print(f"  html {len(html.encode()):,} bytes, text {len(text.encode()):,} bytes, "
                  f".eml {len(message.as_bytes()):,} bytes")
            print(f"  {screenshot(stem.with_suffix('.html'))}")
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
