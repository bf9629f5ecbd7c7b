"""Serving latency at 100,000 stored items: /feed.json, /api/items?q=…, the search page.

    python benchmarks/serving.py [--items 100000] [--db sqlite|postgresql|both] [--requests 400]
                                 [--load wrk|python] [--seconds 10] [--clients 1 20 50]

Generates the items (once per database; SQLite file under var/bench/), starts `clusternews
serve --web-workers N` on loopback (N defaults to the cores), and loads it with 1, 20 and 50
concurrent clients; prints p50/p95/p99 (ms) and requests per second per scenario.

The load comes from a second process: wrk (Debian's `wrk`; `make bench` installs it when it
can), a compiled generator that costs the server little CPU, each scenario once with distinct
query strings (a different filter or search word per request, so no response cache helps) and
once repeating one. `--load python` drives it from this process with httpx instead (slower:
on 2 cores it, not the server, was the limit at ~250 requests/s).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

from clusternews.adapters.store import Store
from clusternews.adapters.store.schema import item_entities, item_sources, items, sources
from clusternews.knowledge.base import KnowledgeBase

ROOT = Path(__file__).parents[1]
PG_URL = os.environ.get("CLUSTERNEWS_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WORDS_NO = ("gruvedrift mineraler klyngen bedrifter industrien hydrogen batterier kompetanse "
            "forskning prosjektet smelteverk aluminium robot automatisering havn energi "
            "verdikjede sirkulær råmaterialer leverandører konferanse utlysning").split()
WORDS_SV = ("gruvan mineral klustret företag industrin vätgas batterier kompetens forskning "
            "projektet smältverk stål automation leverantörer konferens utlysning återvinning "
            "energi elektrifiering prospektering").split()
# Distinct queries per scenario for the uncached runs: {word} and {place} cycle through these.
SEARCH_WORDS = WORDS_NO + WORDS_SV
DISTINCT = {
    "feed": "/feed.json?limit={m}{lang}",
    "feed region": "/feed.json?region={place}",
    "feed org+lang": "/feed.json?org={org}&lang=no",
    "api q": "/api/items?q={word}",
    "api q+region": "/api/items?q={word}&region={place}",
    "page q": "/?q={word}",
    "page region": "/?region={place}",
    "feed 304": "/feed.json?region={place}&If-None-Match",
}
SCENARIOS = [
    ("feed", "/feed.json"),
    ("feed region", "/feed.json?region=Nordland"),
    ("feed org+lang", "/feed.json?org=SINTEF&lang=no"),
    ("api q", "/api/items?q=hydrogen"),
    ("api q+region", "/api/items?q=batterier&region=Norrbotten"),
    ("page q", "/?q=gruvedrift"),
    ("page region", "/?region=Vestland"),
    # A feed reader polling with the ETag it was given: answered 304 from the data version.
    ("feed 304", "/feed.json?region=Nordland&If-None-Match"),
]


def generate(url: str, n: int) -> None:
    store = Store.open(url)
    with store.read() as conn:
        have = conn.execute(items.select().limit(1)).first()
    if have:
        store.close()
        return
    kb = KnowledgeBase.load()
    rnd = random.Random(7)
    places = [r for r in kb.regions if r.type in ("municipality", "town")]
    orgs = list(kb.organizations)
    now = datetime.now(UTC)
    started = time.perf_counter()
    # Zipf-like filler vocabulary, and each topical word in about one item in 30, so a text
    # query matches a few thousand items, as real news does, not all of them.
    filler = [f"ord{k}" for k in range(3000)]
    weights = [1 / (k + 1) for k in range(3000)]
    with store.write() as conn:
        conn.execute(insert(sources), [
            {"id": f"bench-{c}:feed", "cluster": f"bench-{c}", "kind": "feed",
             "url": f"https://bench{c}.example/feed", "validators_trusted": True, "failures": 0}
            for c in range(40)])
    batch: list[dict] = []
    ents: list[dict] = []
    links: list[dict] = []
    for i in range(n):
        swedish = rnd.random() < 0.4
        words = WORDS_SV if swedish else WORDS_NO
        place = rnd.choice([p for p in rnd.sample(places, 8)
                            if (p.country == "SE") == swedish] or places)
        org = rnd.choice(orgs)
        topical = [w for w in words if rnd.random() < 1 / 30]
        body = rnd.choices(filler, weights, k=240) + topical * 2
        rnd.shuffle(body)
        text = " ".join(body)
        title = " ".join([*rnd.choices(filler, weights, k=5), *topical[:2]]).capitalize()
        item_id = hashlib.sha256(f"bench{i}".encode()).hexdigest()[:20]
        cluster = f"bench-{i % 40}"
        published = now - timedelta(minutes=i * 7 + rnd.randint(0, 5))
        region_ids = kb.regions.expand_up([place.id])
        batch.append({
            "id": item_id, "url": f"https://bench.example/{i}", "content_hash": item_id,
            "cluster": cluster, "title": title, "summary": text[:200], "text": text,
            "published": published, "first_seen": published, "updated_at": published,
            "language": "sv" if swedish else "no", "language_variant": None if swedish else "nb",
            "language_confidence": 0.99, "regions": [kb.regions.get(r).name for r in region_ids],
            "entities": [{"type": "ORG", "id": org.id, "name": org.name, "kind": org.kind,
                          "mentions": [org.name], "count": 1},
                         {"type": "REGION", "id": place.id, "name": place.name, "kind": None,
                          "mentions": [place.name], "count": 1}]})
        language = "sv" if swedish else "no"
        ents.append({"item_id": item_id, "entity_id": org.id, "type": "ORG", "name": org.name,
                     "kind": org.kind, "count": 1, "direct": True, "day": published,
                     "language": language})
        for k, rid in enumerate(region_ids):
            ents.append({"item_id": item_id, "entity_id": rid, "type": "REGION",
                         "name": kb.regions.get(rid).name, "kind": None,  # type: ignore[union-attr]
                         "count": 1 if k == 0 else 0, "direct": k == 0, "day": published,
                         "language": language})
        links.append({"item_id": item_id, "source_id": f"{cluster}:feed", "cluster": cluster,
                      "url": f"https://bench.example/{i}", "first_seen": published})
        if len(batch) == 5000 or i == n - 1:
            with store.write() as conn:
                conn.execute(insert(items), batch)
                conn.execute(insert(item_entities), ents)
                conn.execute(insert(item_sources), links)
            batch, ents, links = [], [], []
    if store.engine.dialect.name == "postgresql":
        # VACUUM as autovacuum would have by the time a real database holds this much: without
        # it the visibility map is empty and every index-only scan reads the heap too.
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with store.write() as conn:
            conn.exec_driver_sql("ANALYZE")
    print(f"generated {n} items in {time.perf_counter() - started:.0f} s", flush=True)
    store.close()


def warm(url: str) -> None:
    """Read the database into the OS page cache before a scenario: this VM reclaims idle file
    pages within minutes, and a cold SQLite file gave one client p95 156-298 ms against 10 ms
    warm, which measures the disk, not the server."""
    if url.startswith("sqlite:///"):
        with open(url.removeprefix("sqlite:///"), "rb") as fh:
            while fh.read(1 << 22):
                pass
        return
    store = Store.open(url, migrate=False)
    with store.read() as conn:  # every table and index the scenarios read, once
        conn.exec_driver_sql("SELECT count(*), sum(length(text)) FROM items").all()
        conn.exec_driver_sql("SELECT count(*), max(day) FROM item_entities").all()
    store.close()


def start_server(url: str, port: int, web_workers: int) -> subprocess.Popen[bytes]:
    """`clusternews serve` as a user starts it, with its worker processes."""
    env = {**os.environ, "CLUSTERNEWS_DATABASE_URL": url,
           "CLUSTERNEWS_CONFIG": str(ROOT / "var" / "bench" / "no-feeds.yaml")}
    proc = subprocess.Popen([sys.executable, "-m", "clusternews.cli", "serve", "--port",
                             str(port), "--web-workers", str(web_workers)], env=env)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code in (200, 503):
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


async def drive(base: str, path: str, clients: int, total: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    remaining = total
    path, conditional = path.removesuffix("&If-None-Match"), path.endswith("&If-None-Match")
    expected = 304 if conditional else 200
    async with httpx.AsyncClient(base_url=base, timeout=30,
                                 limits=httpx.Limits(max_connections=clients)) as client:
        warm = await client.get(path)  # warm up
        if conditional:
            client.headers["If-None-Match"] = warm.headers["etag"]

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                t0 = time.perf_counter()
                r = await client.get(path)
                latencies.append(time.perf_counter() - t0)
                assert r.status_code == expected, (path, r.status_code)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        return latencies, time.perf_counter() - started


def distinct_paths(kb: KnowledgeBase, template: str, count: int = 2000) -> list[str]:
    """`count` different query strings of one scenario (a filter value or word, and a limit):
    more than the response cache holds (256), so cycling through them never hits it."""
    from urllib.parse import quote

    places = sorted(r.name for r in kb.regions if r.type in ("county", "municipality"))
    orgs = sorted(o.name for o in kb.organizations)
    rnd = random.Random(11)
    out = []
    for i in range(count):
        path = template.format(n=10 + i % 40, m=1 + i % 100,
                               lang=("", "&lang=no", "&lang=sv")[i // 100 % 3],
                               place=quote(rnd.choice(places)),
                               org=quote(rnd.choice(orgs)),
                               word=quote(SEARCH_WORDS[i % len(SEARCH_WORDS)]))
        conditional = path.endswith("&If-None-Match")
        path = path.removesuffix("&If-None-Match")
        path += ("&" if "?" in path else "?") + f"limit={10 + i % 41}" if "limit=" not in path \
            else ""
        out.append(path + ("&If-None-Match" if conditional else ""))
    return sorted(set(out), key=out.index)


WRK_SCRIPT = """
local paths = {%(paths)s}
local tags = {%(tags)s}
local i = 0
request = function()
  i = i %% #paths + 1
  local headers = {}
  if tags[i] ~= "" then headers["If-None-Match"] = tags[i] end
  return wrk.format("GET", paths[i], headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"p50": %%f, "p95": %%f, "p99": %%f, "requests": %%d, ' ..
    '"seconds": %%f, "errors": %%d}\\n', latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.duration / 1e6, e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def wrk(base: str, paths: list[str], clients: int, seconds: int) -> dict[str, float]:
    """One wrk run over `paths` in turn; 304 paths carry the ETag their first answer gave."""
    import json
    import tempfile

    clean, tags = [], []
    for k, path in enumerate(paths):
        conditional = path.endswith("&If-None-Match")
        path = path.removesuffix("&If-None-Match")
        if conditional or k < 10:  # checks the path (and, for a 304, gets its ETag)
            answer = httpx.get(base + path, timeout=60)
            assert answer.status_code == 200, (path, answer.status_code)
        clean.append(path)
        tags.append(answer.headers["etag"] if conditional else "")
    lua = WRK_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in clean),
                        "tags": ", ".join(json.dumps(t) for t in tags)}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua)
    done = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s",
                           "-s", fh.name, base], capture_output=True, text=True, check=True)
    os.unlink(fh.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith('{"p50"'))
    return json.loads(line)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=400, help="per scenario and level")
    parser.add_argument("--web-workers", type=int, default=os.cpu_count() or 1,
                        help="serve's HTTP worker processes (default: one per core)")
    parser.add_argument("--load", choices=["wrk", "python"],
                        default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 20, 50])
    parser.add_argument("--scenarios", nargs="+", default=[label for label, _ in SCENARIOS])
    args = parser.parse_args()
    urls = {"sqlite": f"sqlite:///{ROOT / 'var' / 'bench' / f'serving-{args.items}.db'}",
            "postgresql": PG_URL + "&options=-csearch_path%3Dbench" if "?" in PG_URL
            else PG_URL + "?options=-csearch_path%3Dbench"}
    chosen = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in chosen:
        import sqlalchemy as sa

        admin = sa.create_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql("CREATE SCHEMA IF NOT EXISTS bench")
        admin.dispose()
    where = "wrk in a second process" if args.load == "wrk" else "httpx in this process"
    print(f"serve --web-workers {args.web_workers}; {args.items:,} items; load from {where}")
    print(f"{'db':10} {'scenario':14} {'queries':8} {'clients':>7} {'p50':>7} {'p95':>7} "
          f"{'p99':>7} {'req/s':>7}")
    kb = KnowledgeBase.load()
    for name in chosen:
        generate(urls[name], args.items)
        port = 8700 + chosen.index(name)
        server = start_server(urls[name], port, args.web_workers)
        base = f"http://127.0.0.1:{port}"
        try:
            for label, path in SCENARIOS:
                if label not in args.scenarios:
                    continue
                warm(urls[name])
                if args.load == "wrk":
                    # A 304 needs its ETag first (one GET per path): 200 paths are enough there.
                    many = 200 if label == "feed 304" else 2000
                    for kind, paths in (("distinct", distinct_paths(kb, DISTINCT[label], many)),
                                        ("repeated", [path])):
                        for clients in args.clients:
                            r = wrk(base, paths, clients, args.seconds)
                            print(f"{name:10} {label:14} {kind:8} {clients:7} {r['p50']:7.1f} "
                                  f"{r['p95']:7.1f} {r['p99']:7.1f} "
                                  f"{r['requests'] / r['seconds']:7.0f}"
                                  + (f"  ({r['errors']} errors)" if r["errors"] else ""),
                                  flush=True)
                    continue
                for clients in (1, 50):
                    count = args.requests if clients == 50 else max(50, args.requests // 4)
                    lat, wall = asyncio.run(drive(f"http://127.0.0.1:{port}", path, clients,
                                                  count))
                    print(f"{name:10} {label:14} {'repeated':8} {clients:7} {pct(lat, 50):7.1f} "
                          f"{pct(lat, 95):7.1f} {pct(lat, 99):7.1f} {len(lat) / wall:7.0f}",
                          flush=True)
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
