"""Scale-out throughput: articles/s with 1 and with 2 `clusternews worker` processes on the queue.

Serves the generated demo sites (as ingest_throughput.py does), writes a feeds.yaml for them
with no politeness delay (one loopback host per site would otherwise bound the rate, not the
CPU), puts one refresh job per source on a fresh PostgreSQL schema, starts N worker processes
(each with one processing process, `--workers 1`), and times until every job has finished.

    python benchmarks/queue_throughput.py --articles 600 --procs 1 2 [--db postgresql://…]

Figures: wall time from deferring to the last finished job (it includes each worker's pool
loading its models on the first article, ~5 s: use enough articles and listing pages to
amortize it), articles stored, articles/s over that wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from ingest_throughput import config_for, serve_sites  # type: ignore[import-not-found]

from clusternews import taskqueue
from clusternews.adapters.store import Store
from clusternews.adapters.store.schema import items
from clusternews.config import parse_config
from clusternews.config.schema import flatten_sources

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def fresh_schema(pg: str) -> tuple[str, sa.Engine, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(pg)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    return f"{pg}?options=-csearch_path%3D{schema}", admin, schema


async def defer_all(db_url: str, ids: list[str]) -> None:
    app = taskqueue.build_app(db_url)
    async with app.open_async():
        for source_id in ids:
            await taskqueue.defer_refresh(app, source_id)


def count(store: Store, sql: str) -> int:
    with store.read() as conn:
        return int(conn.exec_driver_sql(sql).scalar() or 0)


def one_run(procs: int, feeds_yaml: str, pg: str, tmp: Path) -> dict[str, float]:
    db_url, admin, schema = fresh_schema(pg)
    feeds = tmp / f"feeds-{procs}.yaml"
    feeds.write_text(feeds_yaml, encoding="utf-8")
    store = Store.open(db_url)
    taskqueue.ensure_schema(db_url)
    env = {**os.environ, "CLUSTERNEWS_DATABASE_URL": db_url, "CLUSTERNEWS_CONFIG": str(feeds),
           "CLUSTERNEWS_QUEUE_POLL": "0.5"}
    workers = [subprocess.Popen([sys.executable, "-m", "clusternews.cli", "--workers", "1",
                                 "worker", "--concurrency", "4"], env=env,
                                stdout=log, stderr=subprocess.STDOUT)
               for log in [(tmp / f"worker-{procs}-{n}.log").open("wb") for n in range(procs)]]
    try:
        while count(store, "SELECT count(*) FROM procrastinate_workers") < procs:
            time.sleep(0.2)
        ids = [s.id for s in flatten_sources(parse_config(feeds_yaml))]
        start = time.perf_counter()
        asyncio.run(defer_all(db_url, ids))
        done_sql = "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('succeeded','failed')"
        while count(store, done_sql) < len(ids):
            time.sleep(0.2)
        wall = time.perf_counter() - start
        with store.read() as conn:
            n = conn.execute(sa.select(sa.func.count()).select_from(items)).scalar() or 0
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)
        store.close()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
    return {"procs": procs, "wall_s": wall, "articles": n, "per_s_wall": n / wall}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=600)
    ap.add_argument("--pages", type=int, default=0, help="listing pages as sources (0 = none)")
    ap.add_argument("--procs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--db", default=os.environ.get("CLUSTERNEWS_TEST_PG", DEFAULT_PG))
    args = ap.parse_args()
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve_sites, args=(args.articles, child), daemon=True)
    server.start()
    base_urls = parent.recv()
    feeds_yaml = "defaults:\n  host_delay: 0\n  host_connections: 8\n" + \
        config_for(base_urls, args.pages)
    print(f"{args.articles} articles on {len(base_urls)} loopback sites; "
          f"{len(flatten_sources(parse_config(feeds_yaml)))} sources; {os.cpu_count()} cores")
    print("| worker processes | wall s | articles | articles/s |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="queue-bench-") as tmp:
        for procs in args.procs:
            r = one_run(procs, feeds_yaml, args.db, Path(tmp))
            print(f"| {procs} | {r['wall_s']:.1f} | {r['articles']} | {r['per_s_wall']:.1f} |",
                  flush=True)
    parent.send("stop")
    server.join(timeout=5)


if __name__ == "__main__":
    main()
