"""`clusternews demo`: serve the bundled demo site, ingest it, show what was found."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

from clusternews.adapters.http import HttpSettings
from clusternews.adapters.store.search import Query, search
from clusternews.console import console, items_table, outcomes_table
from clusternews.demo.server import DemoServer
from clusternews.demo.site import DEMO_NOW
from clusternews.jobs.preview_digest import write_previews
from clusternews.pipeline.isoweek import IsoWeek
from clusternews.runtime import Runtime
from clusternews.settings import Settings

DEMO_WEEK = IsoWeek(2026, 47)  # the week most demo articles were written for
# The demo site is ours and on loopback: no need for a politeness delay.
DEMO_HTTP = HttpSettings(min_delay=0.0, per_host_concurrency=4)


def run_demo(
    *, keep_serving: bool = True, workers: int = 1, var: Path = Path("var/demo"), port: int = 8000
) -> int:
    var.mkdir(parents=True, exist_ok=True)
    db = var / "clusternews.db"
    for stale in var.glob("clusternews.db*"):  # every demo starts from an empty store
        stale.unlink()
    with DemoServer() as site:
        config_path = var / "feeds.yaml"
        config_path.write_text(site.feeds_yaml(), encoding="utf-8")
        console.print(f"demo sites: {', '.join(site.base_urls.values())}")
        console.print(f"config: {config_path}   database: {db}")
        settings = Settings(config_path=config_path, db_url=f"sqlite:///{db}", workers=workers)
        with Runtime(settings, settings.load(), http=DEMO_HTTP) as rt:
            started = time.perf_counter()
            outcomes = asyncio.run(rt.ingest(rt.specs, clock=lambda: DEMO_NOW))
            console.print(
                outcomes_table(outcomes, rt.context.timings, time.perf_counter() - started)
            )
            with rt.store.read() as conn:
                rows = search(conn, Query(limit=100))
            console.print(items_table(rows, f"{len(rows)} articles stored"))
            for p in write_previews(
                rt.store,
                rt.config,
                rt.config.digests,
                DEMO_WEEK,
                var / "digest",
                now=datetime.now(UTC),
            ):
                console.print(
                    f"digest {p.digest} {DEMO_WEEK}: {p.items} items in "
                    f"{len(p.groups)} groups → {p.html}",
                    highlight=False,
                )
            if keep_serving:
                console.print(
                    f"open http://127.0.0.1:{port}/ to search the demo articles (Ctrl-C stops)"
                )
                try:
                    asyncio.run(rt.run_forever(host="127.0.0.1", port=port))
                except KeyboardInterrupt:
                    pass
    return 0
