"""The story_keys table: each item's LSH band and anchor keys, and the candidate lookup.

Candidates come from the index (key, day, item_id), so the cost depends on how many stored
items share a key within the window, not on how many items are stored (benchmarks/stories.py,
100,000 items: ~4 ms per article in all). Nothing is held in memory between calls, so any number of
processes and machines writing to one database see each other's articles at once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from functools import lru_cache

from sqlalchemy import (
    Connection,
    TextClause,
    bindparam,
    delete,
    insert,
    text,
)

from clusternews.adapters.store.schema import story_keys

# An anchor shared with more items than this within the window ("Norge", "Vinnova") finds no
# story; the judgement still counts it, the lookup skips it. Counting stops at the cap, so a
# crowded key costs at most this many index entries: 100 items in a two-week window are 5 % of
# what 100,000 items over two years bring (benchmarks/stories.py).
ANCHOR_CAP = 200
# Anchor candidates judged per article, most shared anchors first (band matches come on top):
# 24 → 12 took the cost at 100,000 items from 5.2 to 4.0 ms with the same golden P/R.
MAX_CANDIDATES = 12


# Built once, as plain SQL: a Core statement costs more in Python than SQLite spends on the
# lookup (1.2 ms against 0.2 ms for the crowded-key check, measured at 100,000 items).
_BANDS = text(
    "SELECT DISTINCT item_id FROM story_keys WHERE key IN :keys AND day BETWEEN :lo AND :hi"
).bindparams(bindparam("keys", expanding=True))
_SHARED = text(
    "SELECT item_id, count(*) AS shared FROM story_keys WHERE key IN :keys "
    "AND day BETWEEN :lo AND :hi GROUP BY item_id HAVING count(*) >= :least "
    f"ORDER BY shared DESC, item_id LIMIT {MAX_CANDIDATES}"
).bindparams(bindparam("keys", expanding=True))
_DELETE = delete(story_keys).where(story_keys.c.item_id == bindparam("item"))
_INSERT = insert(story_keys)


@lru_cache(maxsize=64)
def _crowded(n: int) -> TextClause:
    """The positions i of keys :k0…:k{n-1} with more than ANCHOR_CAP items in the window: an
    index seek that skips ANCHOR_CAP entries per key, never a count of a crowded key. Plain
    SQL, like the other lookups."""
    return text(
        " UNION ALL ".join(
            f"SELECT {i} AS i WHERE EXISTS (SELECT 1 FROM story_keys WHERE key = :k{i} "
            f"AND day BETWEEN :lo AND :hi LIMIT 1 OFFSET {ANCHOR_CAP})"
            for i in range(n)
        )
    )


def replace(
    conn: Connection, item_id: str, *, keys: Iterable[int], day: int, new: bool = False
) -> None:
    """The item's keys become `keys` (`new`: it has none yet)."""
    if not new:
        conn.execute(_DELETE, {"item": item_id})
    rows = [{"item_id": item_id, "key": k, "day": day} for k in sorted(set(keys))]
    if rows:
        conn.execute(_INSERT, rows)


def candidates(
    conn: Connection,
    *,
    bands: Collection[int],
    anchors: Collection[int],
    day: int,
    band_days: int,
    anchor_days: int,
    min_shared: int,
    exclude: str,
) -> list[str]:
    """Items sharing a band key within `band_days`, or at least `min_shared` anchor keys
    within `anchor_days`, of `day`."""
    found: dict[str, None] = {}
    if bands:
        rows = conn.execute(
            _BANDS, {"keys": list(bands), "lo": day - band_days, "hi": day + band_days}
        )
        found.update((item, None) for (item,) in rows)
    window = {"lo": day - anchor_days, "hi": day + anchor_days}
    if len(anchors) >= min_shared:
        keys = list(anchors)
        crowded = {
            i
            for (i,) in conn.execute(
                _crowded(len(keys)), {**{f"k{i}": k for i, k in enumerate(keys)}, **window}
            )
        }
        useful = [k for i, k in enumerate(keys) if i not in crowded]
        if len(useful) >= min_shared:
            rows = conn.execute(_SHARED, {"keys": useful, "least": min_shared, **window})
            found.update((item, None) for item, _n in rows)
    found.pop(exclude, None)
    return list(found)
