"""Rendered items by (format, item id, data version): a feed or search page is a query for
ids and a join of fragments, so only items no request has rendered yet are loaded.

The response cache helps a URL asked twice; a feed reader's filters and limits differ, but
their items are mostly the same newest ones. At 100,000 items a region feed of 30 items cost
~6 ms to load and ~1.6 ms to render, against well under 1 ms for its ids."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

# Bytes of rendered items kept per web process: 15,000-30,000 items (a JSON Feed item carries
# its text, 2-5 kB), inside the memory goal (1 GB for `run` and its workers). The serving
# benchmark's region feeds at 100,000 items need ~70 MB of feed items for every place's
# newest; a smaller budget than the working set evicts every item before its next use.
BUDGET = 64 * 1024 * 1024
# What an entry costs besides its body (key tuple, id string, timestamp, dict slot), counted
# against the budget so that many small entries cannot outgrow it.
ENTRY_OVERHEAD = 300


class Fragments:
    """Least recently used out past `budget` bytes. The data version is part of the key, so
    a stored or updated item (or a new source link, or a story it joined) is rendered anew;
    entries also expire after `ttl` seconds, as the response cache's do."""

    def __init__(
        self,
        *,
        budget: int = BUDGET,
        ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.budget = budget
        self.ttl = ttl
        self.clock = clock
        self.size = 0
        self._data: OrderedDict[tuple[str, str, str], tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(
        self,
        kind: str,
        ids: Sequence[str],
        version: str,
        render: Callable[[list[str]], dict[str, bytes]],
    ) -> list[bytes]:
        """The fragments of `ids` in order; `render` makes the missing ones (a dict by id; an
        id it leaves out, an item deleted meanwhile, is left out of the answer)."""
        now = self.clock()
        found: dict[str, bytes] = {}
        with self._lock:
            for item_id in ids:
                key = (kind, item_id, version)
                hit = self._data.get(key)
                if hit is not None and now - hit[0] < self.ttl:
                    self._data.move_to_end(key)
                    found[item_id] = hit[1]
        missing = [i for i in ids if i not in found]
        if missing:
            made = render(missing)  # outside the lock: it queries the store
            found.update(made)
            with self._lock:
                for item_id, body in made.items():
                    self._put((kind, item_id, version), now, body)
        return [found[i] for i in ids if i in found]

    def _put(self, key: tuple[str, str, str], now: float, body: bytes) -> None:
        old = self._data.pop(key, None)
        if old is not None:
            self.size -= len(old[1]) + ENTRY_OVERHEAD
        self._data[key] = (now, body)
        self.size += len(body) + ENTRY_OVERHEAD
        while self.size > self.budget and self._data:
            _key, (_at, dropped) = self._data.popitem(last=False)
            self.size -= len(dropped) + ENTRY_OVERHEAD
