"""Story clustering: pairwise precision/recall per kind on the golden set, and the cost of
placing one article with 100,000 stored items, through the real store (SQLite, a temp file).

1. The store is filled with N synthetic items (default 100,000) dated over two years around the
   golden set's dates (~140 a day): random MinHash signatures (unrelated texts share no bands)
   and anchors drawn Zipf-wise from a vocabulary led by the golden set's own names and numbers,
   so the golden articles' anchor lookups meet crowded keys ("norge", "Vinnova", "#40").
2. Each golden pair runs in a transaction that is rolled back: store and place a, store b,
   time `jobs.stories.place(b)`, check whether a and b share a story.
3. Near-duplicate detection: MinHash (chosen) against a 64-bit SimHash on the same shingles.

Usage: python benchmarks/stories.py [--items 100000]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clusternews.adapters.store import Store, items, stories
from clusternews.jobs import stories as placing
from clusternews.pipeline.dedup import item_id
from clusternews.pipeline.stories import minhash
from clusternews.pipeline.stories.match import BANDS, GRAM_PERMS, ROWS, WORD_PERMS, fingerprint
from clusternews.pipeline.stories.text import word_shingles
from clusternews.story_golden import KINDS, article_of, load, scores

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden" / "stories"
NOW = datetime(2027, 6, 1, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def fill(store: Store, n: int, vocabulary: list[str], rng: random.Random) -> None:
    """n synthetic items with members and keys, written with the driver's executemany."""
    cumulative, total = [], 0.0
    for rank in range(len(vocabulary)):
        total += 1.0 / (rank + 1) ** 1.1
        cumulative.append(total)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    span = (NOW - start).days + 30
    raw = store.engine.raw_connection()
    cur = raw.cursor()
    for base in range(0, n, 5000):
        item_rows, member_rows, key_rows = [], [], []
        for i in range(base, min(n, base + 5000)):
            when = start + timedelta(days=rng.randrange(span), minutes=rng.randrange(1440))
            url = f"https://synthetic.example/{i}"
            iid = item_id(url)
            day = (when - EPOCH).days
            stamp = when.replace(tzinfo=None).isoformat(sep=" ")
            item_rows.append((iid, url, hashlib.sha256(url.encode()).hexdigest(), "synthetic",
                              f"Sak {i}", "", "", stamp, stamp, stamp, "no", 1.0, "[]", "[]"))
            words = rng.randbytes(WORD_PERMS * 4)
            grams = rng.randbytes(GRAM_PERMS * 4)
            anchors = sorted(set(rng.choices(vocabulary, cum_weights=cumulative, k=15)))
            member_rows.append((iid, iid, day, "x", words, grams,
                                "\n".join(anchors),
                                stamp))
            sig = minhash.from_bytes(words)
            keys = set(minhash.band_keys(sig, bands=BANDS, rows=ROWS))
            keys |= {minhash.key_of(("a:" + a).encode()) for a in anchors}
            key_rows += [(iid, k, day) for k in keys]
        cur.executemany(
            "INSERT INTO items (id, url, content_hash, cluster, title, summary, text, published,"
            " first_seen, updated_at, language, language_confidence, entities, regions) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", item_rows)
        cur.executemany(
            "INSERT INTO story_members (item_id, story_id, day, content_hash, words, grams, "
            "anchors, joined_at) VALUES (?,?,?,?,?,?,?,?)", member_rows)
        cur.executemany("INSERT INTO story_keys (item_id, key, day) VALUES (?,?,?)", key_rows)
        raw.commit()
    cur.execute("ANALYZE")
    raw.close()


def golden_run(store: Store) -> tuple[list[bool], list[float], list[float]]:
    pairs = load(GOLDEN)
    same, costs, cpu = [], [], []
    for pair in pairs:
        with store.engine.connect() as conn:
            tx = conn.begin()
            a, b = article_of(pair.a, site="a"), article_of(pair.b, site="b")
            items.upsert(conn, a, source_id="a:feed", cluster="a", now=NOW)
            placing.place(conn, a, now=NOW)
            items.upsert(conn, b, source_id="b:feed", cluster="b", now=NOW)
            t0, c0 = time.perf_counter(), time.process_time()
            placing.place(conn, b, now=NOW)
            costs.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            one = stories.membership(conn, item_id(a.url))
            other = stories.membership(conn, item_id(b.url))
            same.append(one is not None and other is not None
                        and one.story_id == other.story_id)
            tx.rollback()
    return same, costs, cpu


def simhash(shingles: set[str]) -> int:
    counts = [0] * 64
    for s in shingles:
        h = int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            counts[bit] += 1 if h >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if counts[bit] > 0)


def near_duplicate_methods() -> None:
    """How far apart copies and non-copies (rewrites, negatives, one language) fall."""
    pairs = [p for p in load(GOLDEN) if not p.cross]
    by: dict[str, dict[bool, list[float]]] = {"minhash": {True: [], False: []},
                                               "simhash": {True: [], False: []}}
    for p in pairs:
        copy = p.kind == "near_duplicate"
        fa = fingerprint(p.a.title, p.a.text, published=p.a.published, now=NOW)
        fb = fingerprint(p.b.title, p.b.text, published=p.b.published, now=NOW)
        by["minhash"][copy].append(minhash.similarity(fa.words, fb.words))
        sa = simhash(word_shingles(p.a.title, p.a.text))
        sb = simhash(word_shingles(p.b.title, p.b.text))
        by["simhash"][copy].append(1 - bin(sa ^ sb).count("1") / 64)
    print("\nnear-duplicate signal (similarity; SimHash as 1 - Hamming/64):")
    for name, values in by.items():
        print(f"  {name:8} copies min {min(values[True]):.2f}  "
              f"non-copies max {max(values[False]):.2f}  "
              f"gap {min(values[True]) - max(values[False]):+.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="keep the filled SQLite file here (reused "
                        "when it exists) instead of a temporary one")
    args = parser.parse_args()
    rng = random.Random(7)
    pairs = load(GOLDEN)
    golden_anchors: Counter[str] = Counter()
    for p in pairs:
        for doc in (p.a, p.b):
            golden_anchors.update(fingerprint(doc.title, doc.text, published=doc.published,
                                              now=NOW).anchors)
    vocabulary = [a for a, _n in golden_anchors.most_common()]
    vocabulary += [f"navn{i}" for i in range(20_000)] + [f"#{i}" for i in range(10, 5000)]
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "stories.db"
        reuse = path.exists()
        store = Store.open(f"sqlite:///{path}")
        if not reuse:
            t0 = time.perf_counter()
            fill(store, args.items, vocabulary, rng)
            print(f"{args.items:,} synthetic items stored in {time.perf_counter() - t0:.0f} s")
        same, costs, cpu = golden_run(store)
        store.close()
    print(f"\n{len(pairs)} golden pairs "
          f"({', '.join(f'{k} {n}' for k, n in Counter(p.kind for p in pairs).items())})")
    print(f"{'kind':16} {'P':>6} {'R':>6}   positives found / hard negatives joined")
    for kind, s in scores(pairs, same).items():
        print(f"{kind:16} {s.precision:6.3f} {s.recall:6.3f}   {s.found}/{s.positives}"
              f"   {s.false}/{s.negatives}")
    missed = [(p.kind, p.a.id, p.b.id) for p, ok in zip(pairs, same, strict=True)
              if ok != p.same]
    for miss in missed:
        print("  wrong:", *miss)
    ms = sorted(c * 1000 for c in costs)
    print(f"\nplacing one article with {args.items:,} stored items: mean "
          f"{statistics.mean(ms):.2f} ms, median {statistics.median(ms):.2f} ms, "
          f"p95 {ms[int(len(ms) * 0.95)]:.2f} ms (fingerprint + candidates + judgement + write);"
          f" CPU time mean {statistics.mean(cpu) * 1000:.2f} ms")
    near_duplicate_methods()
    assert set(KINDS) <= set(scores(pairs, same))


if __name__ == "__main__":
    main()
