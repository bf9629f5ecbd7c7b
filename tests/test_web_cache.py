"""The response cache makes one body per key at a time, and a failure is not cached."""

from __future__ import annotations

import threading
import time

from clusternews.web.cache import ResponseCache


def test_concurrent_misses_of_one_key_make_one_body() -> None:
    cache = ResponseCache()
    made: list[int] = []
    start = threading.Barrier(8)

    def make() -> bytes:
        made.append(1)
        time.sleep(0.2)  # a slow query: the other seven arrive while it runs
        return b"body"

    def ask(out: list[bytes]) -> None:
        start.wait()
        out.append(cache.get_or_make(("/api/items", "q=x", "v1"), make))

    answers: list[bytes] = []
    threads = [threading.Thread(target=ask, args=(answers,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert answers == [b"body"] * 8
    assert len(made) == 1
    # Another key is made on its own, without waiting for the first.
    assert cache.get_or_make(("/api/items", "q=y", "v1"), lambda: b"other") == b"other"


def test_a_failed_make_is_not_cached_and_waiters_try_again() -> None:
    cache = ResponseCache()
    key = ("/api/items", "q=x", "v1")
    failing_started = threading.Event()
    outcome: dict[str, object] = {}

    def failing() -> bytes:
        failing_started.set()
        time.sleep(0.2)  # the waiter arrives meanwhile and waits for this body
        raise RuntimeError("database gone")

    def first() -> None:
        try:
            cache.get_or_make(key, failing)
        except RuntimeError as exc:
            outcome["first"] = exc

    def waiter() -> None:
        failing_started.wait(5)
        outcome["waiter"] = cache.get_or_make(key, lambda: b"fine")

    threads = [threading.Thread(target=first), threading.Thread(target=waiter)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert isinstance(outcome["first"], RuntimeError)
    assert outcome["waiter"] == b"fine"  # made by the waiter itself once the first failed
    assert cache.get_or_make(key, lambda: b"later") == b"fine"  # and cached


def test_entries_expire_and_the_least_recently_used_go_first() -> None:
    now = [0.0]
    cache = ResponseCache(entries=2, ttl=30.0, clock=lambda: now[0])
    cache.get_or_make(("a",), lambda: b"a1")
    cache.get_or_make(("b",), lambda: b"b1")
    assert cache.get_or_make(("a",), lambda: b"a2") == b"a1"  # a is now the most recent
    cache.get_or_make(("c",), lambda: b"c1")  # b goes
    assert cache.get_or_make(("b",), lambda: b"b2") == b"b2"
    now[0] = 31.0
    assert cache.get_or_make(("b",), lambda: b"b3") == b"b3"
