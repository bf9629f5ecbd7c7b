"""Ingestion throughput on a generated local site: articles/s, time per stage, re-poll cost, memory.

Serves >= 1,000 varied demo articles on four loopback sites (feeds, sitemaps and every listing
page as sources), ingests them into a fresh SQLite database (or --db URL), then ingests again
with nothing new. Run once per worker setting so each gets a fresh process for memory figures:

    python benchmarks/ingest_throughput.py --articles 1000 --workers 2

Then the bound: `--bound N` article pages of the same site through extract + language + tag
(`process_article`) in this process alone, after the ingest, for their CPU time per article;
the bound is (CPU cores) / (CPU seconds per article), and the ingest rate is given as a share of
it. The worker pool is started and its workers warmed before the clock starts.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clusternews.adapters.http import HttpSettings, PoliteClient
from clusternews.adapters.store import Store
from clusternews.config import parse_config
from clusternews.config.schema import flatten_sources
from clusternews.demo.server import DemoServer
from clusternews.demo.site import SITE_IDS, SITES, build_site
from clusternews.demo.variants import varied_articles
from clusternews.jobs.ingest import ingest
from clusternews.jobs.refresh import Context
from clusternews.jobs.workers import Processor
from clusternews.models import Entry

LISTINGS = {"mineral": "/nyheter/", "industri": "/aktuelt/", "prosess": "/nyheiter/",
            "gruv": "/nyheter/"}
FEEDS = {"mineral": ["feed: {}/feed/"],
         "industri": ["feed: {}/atom.xml", "sitemap: {}/sitemap.xml"],
         "prosess": [], "gruv": ["sitemap: {}/sitemap.xml"]}


def serve_sites(n_articles: int, conn) -> None:  # type: ignore[no-untyped-def]
    """In its own process, so serving the site does not compete with ingestion for the GIL."""
    with DemoServer(articles=varied_articles(n_articles)) as server:
        conn.send(server.base_urls)
        while (message := conn.recv()) != "stop":
            conn.send(dict(server.requests) if message == "stats" else None)


def config_for(base_urls: dict[str, str], pages: int) -> str:
    lines = ["clusters:"]
    for site, base in base_urls.items():
        lines += [f"  - id: bench-{site}", f"    name: {site}", "    country: NO", "    sources:"]
        lines += [f"      - {src.format(base)}" for src in FEEDS[site]]
        listing = LISTINGS[site]
        lines += [f"      - page: {base}{listing}"]
        lines += [f"      - page: {base}{listing}side/{n}/" for n in range(2, pages + 1)]
    return "\n".join(lines) + "\n"


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_mib() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


async def warm(processor: Processor, n: int, now: datetime) -> None:
    """Start the pool and every worker (models loaded) before anything is timed."""
    html = "<html><body><h1>Klyngen</h1><p>Klyngen har fått ny daglig leder.</p></body></html>"
    await asyncio.gather(*(processor(Entry(url=f"http://warm.invalid/{i}"), html,
                                     tz="Europe/Oslo", now=now) for i in range(max(1, n) * 2)))


def cpu_per_article(n_articles: int, sample: int, now: datetime) -> dict[str, float]:
    """CPU seconds per article of extract + language + tag, one process, nothing else running."""
    from clusternews.adapters.nlp import load_tagger
    from clusternews.pipeline.language import LanguageDetector
    from clusternews.pipeline.process import process_article

    articles = varied_articles(n_articles)
    pages: list[tuple[str, str]] = []
    for site in SITE_IDS:
        news = SITES[site].news_path
        for path, page in build_site(site, "http://bench.invalid", articles).items():
            if path.startswith(news) and path != news and "/side/" not in path:
                charset = page.content_type.partition("charset=")[2] or "utf-8"
                pages.append((f"http://bench.invalid{path}", page.body.decode(charset, "replace")))
    pages = pages[:: max(1, len(pages) // sample)][:sample]
    detector, tagger = LanguageDetector(), load_tagger()
    process_article(Entry(url=pages[0][0]), pages[0][1], detector=detector, tagger=tagger,
                    tz="Europe/Oslo", now=now)  # warm-up
    stages = {"extract": 0.0, "language": 0.0, "tag": 0.0}
    cpu0 = time.process_time()
    for url, html in pages:
        done = process_article(Entry(url=url), html, detector=detector, tagger=tagger,
                               tz="Europe/Oslo", now=now)
        for stage in stages:
            stages[stage] += done.timings[stage]
    cpu = time.process_time() - cpu0
    return {"cpu": cpu / len(pages), "n": len(pages),
            **{k: v / len(pages) for k, v in stages.items()}}


async def one_pass(specs, store, processor, http, now):  # type: ignore[no-untyped-def]
    async with PoliteClient(http) as client:
        ctx = Context(client=client, store=store, processor=processor, max_new=100_000,
                      sitemap_max_age=timedelta(days=120))
        started = time.perf_counter()
        outcomes = await ingest(specs, ctx, clock=lambda: now)
        return outcomes, time.perf_counter() - started, ctx.timings, dict(client.stats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="0 = one thread in-process")
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--bound", type=int, default=200, metavar="N",
                        help="articles timed alone for the CPU bound (0: skip)")
    args = parser.parse_args()

    pages = (args.articles // 4) // 20 + 1
    http = HttpSettings(min_delay=0.0, per_host_concurrency=args.per_host)
    tmp = tempfile.TemporaryDirectory()
    db = args.db or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    t0 = time.perf_counter()
    processor = Processor(args.workers)
    store = Store.open(db)
    print(f"setup: store + processor {time.perf_counter() - t0:.2f} s; db {db.split('?')[0]}")
    parent, child = multiprocessing.Pipe()
    site = multiprocessing.get_context("spawn").Process(target=serve_sites,
                                                        args=(args.articles, child), daemon=True)
    site.start()
    base_urls = parent.recv()
    specs = flatten_sources(parse_config(config_for(base_urls, pages)))
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    t1 = time.perf_counter()
    asyncio.run(warm(processor, args.workers, now))
    print(f"pool warm-up (models loaded, workers started): {time.perf_counter() - t1:.2f} s")
    # Every process of the run, for where the CPU went: the workers (a private attribute of
    # ProcessPoolExecutor, fine in a benchmark) and the site's server.
    others = {"workers": list(getattr(processor._pool, "_processes", {}) or {}),
              "site server": [site.pid]}
    before_cpu = {k: sum(cpu_seconds(p) for p in pids) for k, pids in others.items()}
    cpu0 = time.process_time()
    first, elapsed, timings, stats = asyncio.run(one_pass(specs, store, processor, http, now))
    main_cpu = time.process_time() - cpu0
    other_cpu = {k: sum(cpu_seconds(p) for p in pids) - before_cpu[k]
                 for k, pids in others.items()}
    new = sum(o.new for o in first)
    failed = [o for o in first if o.outcome == "error"]
    print(f"\nfirst ingest: {len(specs)} sources, {new} articles stored in {elapsed:.1f} s "
          f"= {new / elapsed:.1f} articles/s (workers={args.workers}, "
          f"per-host={args.per_host}); {len(failed)} sources failed")
    print(f"  requests {stats.get('requests')}, bytes {stats.get('bytes')}; main process "
          f"(event loop: fetch, discover, store) {main_cpu:.1f} s CPU = "
          f"{main_cpu / elapsed:.2f} cores busy, {1000 * main_cpu / max(1, new):.1f} ms/article")
    for name, cpu in other_cpu.items():
        print(f"  {name}: {cpu:.1f} s CPU = {cpu / elapsed:.2f} cores busy, "
              f"{1000 * cpu / max(1, new):.1f} ms/article")
    print("  stage time, summed over concurrent tasks (fetch includes waiting for a "
          "per-host slot):")
    for stage in ("fetch", "discover", "extract", "language", "tag", "store", "stories"):
        total = timings.get(stage, 0.0)
        print(f"    {stage:9} {total:8.2f} s   {1000 * total / max(1, new):7.2f} ms/article"
              + ("  (placing stories, a part of store)" if stage == "stories" else ""))
    parent.send("stats")
    before = Counter(parent.recv())
    second, elapsed2, _, _ = asyncio.run(one_pass(specs, store, processor, http,
                                                  now + timedelta(minutes=30)))
    parent.send("stats")
    delta = Counter(parent.recv())
    delta.subtract(before)
    statuses: Counter[int] = Counter()
    for (_site, status), n in delta.items():
        statuses[status] += n
    print(f"\nsecond ingest, nothing new: {elapsed2:.2f} s, "
          f"{sum(o.new for o in second)} new, outcomes "
          f"{dict(Counter(o.outcome for o in second))}")
    print(f"  server answered: {dict(sorted(statuses.items()))}")
    parent.send("stop")
    site.join(timeout=10)
    processor.close()  # joined workers count in RUSAGE_CHILDREN
    store.close()
    own, children = peak_mib()
    print(f"\npeak RSS: main process {own:.0f} MiB, largest worker process {children:.0f} MiB "
          f"(workers={args.workers})")
    if args.bound > 0:
        alone = cpu_per_article(args.articles, args.bound, now)
        cores = os.cpu_count() or 1
        bound = cores / alone["cpu"]
        print(f"\nalone, one process: {alone['n']:.0f} articles, "
              f"{1000 * alone['cpu']:.1f} ms CPU per article (wall: extract "
              f"{1000 * alone['extract']:.1f} + language {1000 * alone['language']:.1f} + tag "
              f"{1000 * alone['tag']:.1f} ms)")
        print(f"bound: {cores} cores / {1000 * alone['cpu']:.1f} ms = {bound:.1f} articles/s; "
              f"ingest reached {new / elapsed:.1f} = {new / elapsed / bound:.2f} of it "
              f"(workers={args.workers})")


if __name__ == "__main__":
    main()
