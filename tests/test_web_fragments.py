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


def test_the_least_recently_used_go_past_the_budget_and_entries_expire() -> None:
    now = [0.0]
    one = len(b'{"id":"a"}') + ENTRY_OVERHEAD
    fragments = Fragments(budget=3 * one, ttl=60, clock=lambda: now[0])
    render = Renderer()
    fragments.get_many("feed", ["a", "b", "c"], "v1", render)
    fragments.get_many("feed", ["a"], "v1", render)  # a used again: b is now the oldest
    fragments.get_many("feed", ["d"], "v1", render)
    assert fragments.size == 3 * one
    asked = len(render.asked)
    fragments.get_many("feed", ["a", "c", "d"], "v1", render)
    assert len(render.asked) == asked  # a, c and d were kept
    fragments.get_many("feed", ["b"], "v1", render)
    assert render.asked[-1] == ["b"]  # b had gone
    now[0] = 61.0
    fragments.get_many("feed", ["b"], "v1", render)
    assert render.asked[-1] == ["b"]  # expired
