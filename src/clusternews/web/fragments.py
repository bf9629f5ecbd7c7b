"""Rendered items by (format, item id) for one data version: a feed or search page is a query
for ids and a join of fragments, so only items no request has rendered yet are loaded.

The response cache helps a URL asked twice; a feed reader's filters and limits differ, but
their items are mostly the same newest ones. At 100,000 items a region feed of 30 items cost
~6 ms to load and ~1.6 ms to render, against well under 1 ms for its ids."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence

# Bytes of rendered items kept per web process: 15,000-30,000 items (a JSON Feed item carries
# its text, 2-5 kB), inside the memory goal (1 GB for `run` and its workers).
BUDGET = 64 * 1024 * 1024
# What an entry costs besides its body (key tuple, id string, timestamp, dict slot), counted
# against the budget so that many small entries cannot outgrow it.
ENTRY_OVERHEAD = 300
# Request counts are halved after this many requests per kept entry, so that what was asked
# for often long ago does not hold its place against what is asked for now.
AGE_AFTER = 1

Key = tuple[str, str]


class Fragments:
    """Entries of the current data version only: a stored or updated item (or a new source
    link, or a story it joined) changes the version, and then every item is rendered anew.
    Entries also expire after `ttl` seconds, as the response cache's do.

    Past `budget` bytes, a newcomer takes the least recently used entry's place only if it was
    asked for more often (TinyLFU admission). Plain least-recently-used order kept nothing
    when the items asked for outgrow the budget: at 100,000 items the region feeds ask for
    72 MB of items in turn, and each was thrown out before it was asked again."""

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
        self._version: str | None = None
        self._retired: deque[str] = deque(maxlen=8)
        self._data: OrderedDict[Key, tuple[float, bytes]] = OrderedDict()
        self._asked: dict[Key, int] = {}  # requests per key, halved as they age
        self._since_aging = 0
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
            current = self._switch(version)
            if current:
                for item_id in ids:
                    key = (kind, item_id)
                    self._asked[key] = self._asked.get(key, 0) + 1
                    hit = self._data.get(key)
                    if hit is not None and now - hit[0] < self.ttl:
                        self._data.move_to_end(key)
                        found[item_id] = hit[1]
                self._age(len(ids))
        missing = [i for i in ids if i not in found]
        if missing:
            made = render(missing)  # outside the lock: it queries the store
            found.update(made)
            with self._lock:
                if current and version == self._version:
                    for item_id, body in made.items():
                        self._put((kind, item_id), now, body)
        return [found[i] for i in ids if i in found]

    def _switch(self, version: str) -> bool:
        """Whether `version` is the one kept; a new one drops every entry of the old (none can
        be asked for again). A request that read the version just before it changed is
        answered without the cache."""
        if version == self._version:
            return True
        if version in self._retired:
            return False
        if self._version is not None:
            self._retired.append(self._version)
        self._version = version
        self._data.clear()
        self._asked.clear()
        self.size = 0
        return True

    def _age(self, asked: int) -> None:
        self._since_aging += asked
        if self._since_aging < AGE_AFTER * max(len(self._data), 1024):
            return
        self._since_aging = 0
        self._asked = {k: n // 2 for k, n in self._asked.items() if n > 1}

    def _put(self, key: Key, now: float, body: bytes) -> None:
        cost = len(body) + ENTRY_OVERHEAD
        old = self._data.pop(key, None)
        if old is not None:
            self.size -= len(old[1]) + ENTRY_OVERHEAD
        asked = self._asked.get(key, 0)
        victims: list[Key] = []
        room = self.budget - self.size
        for victim, (at, kept) in self._data.items():  # least recently used first
            if room >= cost:
                break
            if now - at < self.ttl and self._asked.get(victim, 0) >= asked:
                return  # not asked for more often than what it would replace: not kept
            victims.append(victim)
            room += len(kept) + ENTRY_OVERHEAD
        if room < cost:
            return  # larger than the whole budget
        for victim in victims:
            _at, kept = self._data.pop(victim)
            self.size -= len(kept) + ENTRY_OVERHEAD
        self._data[key] = (now, body)
        self.size += cost
