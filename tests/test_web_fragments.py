"""Rendered items are kept by (format, id, data version): only missing ones are rendered."""

from __future__ import annotations

from clusternews.web.fragments import ENTRY_OVERHEAD, Fragments


class Renderer:
    def __init__(self, gone: frozenset[str] = frozenset()) -> None:
        self.asked: list[list[str]] = []
        self.gone = gone

    def __call__(self, ids: list[str]) -> dict[str, bytes]:
        self.asked.append(ids)
        return {i: f'{{"id":"{i}"}}'.encode() for i in ids if i not in self.gone}


def test_only_missing_items_are_rendered_and_the_order_is_the_callers() -> None:
    fragments, render = Fragments(), Renderer()
    assert fragments.get_many("feed", ["a", "b"], "v1", render) == [b'{"id":"a"}', b'{"id":"b"}']
    got = fragments.get_many("feed", ["c", "b", "a"], "v1", render)
    assert got == [b'{"id":"c"}', b'{"id":"b"}', b'{"id":"a"}']
    assert render.asked == [["a", "b"], ["c"]]
    # Another format or another data version is another fragment.
    fragments.get_many("api", ["a"], "v1", render)
    fragments.get_many("feed", ["a"], "v2", render)
    assert render.asked[2:] == [["a"], ["a"]]


def test_an_item_gone_before_rendering_is_left_out() -> None:
    fragments = Fragments()
    got = fragments.get_many("feed", ["a", "b", "c"], "v1", Renderer(gone=frozenset({"b"})))
    assert got == [b'{"id":"a"}', b'{"id":"c"}']


def test_past_the_budget_a_newcomer_replaces_the_least_recently_used_if_asked_more() -> None:
    now = [0.0]
    one = len(b'{"id":"a"}') + ENTRY_OVERHEAD
    fragments = Fragments(budget=3 * one, ttl=60, clock=lambda: now[0])
    render = Renderer()
    fragments.get_many("feed", ["a", "b", "c"], "v1", render)
    fragments.get_many("feed", ["c", "b"], "v1", render)  # a is now the least recently used
    fragments.get_many("feed", ["d"], "v1", render)  # asked once, as often as a: not kept
    assert fragments.size == 3 * one
    fragments.get_many("feed", ["a"], "v1", render)
    assert render.asked[-1] == ["d"]  # a was kept, d was not
    fragments.get_many("feed", ["d"], "v1", render)  # asked twice now
    fragments.get_many("feed", ["d", "b", "c"], "v1", render)  # d replaced a: all kept
    assert render.asked[-1] == ["d"]
    fragments.get_many("feed", ["a"], "v1", render)
    assert render.asked[-1] == ["a"]
    assert fragments.size == 3 * one
    now[0] = 61.0
    fragments.get_many("feed", ["b"], "v1", render)
    assert render.asked[-1] == ["b"]  # expired
    # An expired entry makes room whatever its count: e (asked once) replaces c (asked 3 times).
    fragments.get_many("feed", ["e"], "v1", render)
    asked = len(render.asked)
    fragments.get_many("feed", ["e"], "v1", render)
    assert len(render.asked) == asked  # e was kept


def test_items_asked_in_turn_beyond_the_budget_keep_being_found() -> None:
    """Feeds that together ask for more items than fit, again and again: least-recently-used
    order alone threw each out before it was asked again and found none."""
    one = len(b'{"id":"i00"}') + ENTRY_OVERHEAD
    fragments, render = Fragments(budget=60 * one), Renderer()
    pages = [[f"i{k:02d}" for k in range(p * 10, p * 10 + 10)] for p in range(10)]
    rendered = []
    for _round in range(5):
        for page in pages:
            fragments.get_many("feed", page, "v1", render)
        rendered.append(sum(len(a) for a in render.asked))
    assert rendered[-1] - rendered[-2] <= 40  # 60 of the 100 items were found


def test_a_new_data_version_drops_the_old_and_a_late_request_is_answered_without_them() -> None:
    fragments, render = Fragments(), Renderer()
    fragments.get_many("feed", ["a", "b"], "v1", render)
    fragments.get_many("feed", ["a"], "v2", render)
    assert render.asked[-1] == ["a"]
    assert fragments.size == len(b'{"id":"a"}') + ENTRY_OVERHEAD  # v1's entries are gone
    # A request that read v1 just before the change: rendered, and v2's entries stay.
    assert fragments.get_many("feed", ["b"], "v1", render) == [b'{"id":"b"}']
    fragments.get_many("feed", ["a"], "v2", render)
    assert render.asked[-1] == ["b"]
