"""What a dead host costs one run: a feed of N articles whose pages are all on a host that is down.

The feed is served from loopback; its article links point to a closed port on 127.0.0.1
(connection refused) or to a name under .invalid (DNS fails). The same `ingest` runs with the
host breaker off (host_down_after=0, as before) and on (the default), with the production
politeness and retry settings unless told otherwise:

    python benchmarks/dead_host.py --articles 100 --dead refused
    python benchmarks/dead_host.py --articles 100 --dead dns --min-delay 0.2
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import socket
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from clusternews.adapters.http import HttpSettings, PoliteClient
from clusternews.adapters.http.breaker import DOWN_AFTER
from clusternews.adapters.store import Store
from clusternews.config import parse_config
from clusternews.config.schema import flatten_sources
from clusternews.jobs.ingest import ingest
from clusternews.jobs.refresh import Context
from clusternews.jobs.workers import Processor


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def feed_xml(article_base: str, n: int) -> bytes:
    items = "".join(f"<item><title>Sak {i}</title><link>{article_base}/a/{i}.html</link></item>"
                    for i in range(n))
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Dead pages</title>"
            f"<link>{article_base}/</link>{items}</channel></rss>").encode()


def serve(body: bytes) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            ok = self.path == "/feed.xml"
            self.send_response(200 if ok else 404)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body) if ok else 0))
            self.end_headers()
            if ok:
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


async def one_run(feed_url: str, http: HttpSettings, db: str) -> tuple[float, dict, int]:
    specs = flatten_sources(parse_config(
        "clusters:\n  - id: bench\n    name: bench\n    country: NO\n    sources:\n"
        f"      - feed: {feed_url}\n"))
    store = Store.open(db)
    processor = Processor(0)  # never used: the pages fail and the entries have no text
    try:
        async with PoliteClient(http) as client:
            ctx = Context(client=client, store=store, processor=processor, max_new=100_000)
            started = time.perf_counter()
            outcomes = await ingest(specs, ctx, clock=lambda: datetime.now(UTC))
            return time.perf_counter() - started, dict(client.stats), outcomes[0].failed
    finally:
        processor.close()
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--dead", choices=["refused", "dns"], default="refused")
    parser.add_argument("--min-delay", type=float, default=HttpSettings.min_delay,
                        help="seconds between request starts to one host (production: 1.0)")
    args = parser.parse_args()

    dead = (f"http://127.0.0.1:{closed_port()}" if args.dead == "refused"
            else "http://clusternews-dead-host.invalid")
    server = serve(feed_xml(dead, args.articles))
    feed_url = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    base = HttpSettings(min_delay=args.min_delay)
    print(f"{args.articles} articles on a dead host ({args.dead}: {dead}); min_delay "
          f"{base.min_delay:g} s, per-host concurrency {base.per_host_concurrency}, retries "
          f"{base.retries}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, threshold in (("breaker off (before)", 0), ("breaker on (after)", DOWN_AFTER)):
            http = dataclasses.replace(base, host_down_after=threshold)
            db = f"sqlite:///{Path(tmp) / f'bench-{threshold}.db'}"
            elapsed, stats, failed = asyncio.run(one_run(feed_url, http, db))
            dead_requests = stats["requests"] - 2  # all but the feed and its robots.txt
            print(f"  {label:22} host_down_after={threshold}: {elapsed:7.2f} s; "
                  f"{failed} articles failed; {dead_requests} attempts on the dead host, "
                  f"{stats['skipped_host_down']} failed at once, {stats['retries']} retries")
    server.shutdown()


if __name__ == "__main__":
    main()
