"""Refresh decisions: validators, back-off, which entries to fetch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from clusternews.models import Entry
from clusternews.pipeline import plan

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def test_validators_used_only_while_trusted_and_recently_revalidated() -> None:
    fresh = {"validators_trusted": True, "last_unconditional_at": NOW - timedelta(hours=1)}
    assert plan.use_validators(fresh, now=NOW)
    assert not plan.use_validators({**fresh, "validators_trusted": False}, now=NOW)
    stale = {**fresh, "last_unconditional_at": NOW - timedelta(hours=13)}
    assert not plan.use_validators(stale, now=NOW)
    assert not plan.use_validators({}, now=NOW)  # a new source starts unconditional


def test_validators_lied_needs_same_validator_and_new_body() -> None:
    state = {"etag": '"a"', "last_modified": "Mon, 16 Nov 2026 08:00:00 GMT", "body_hash": "h1"}
    assert plan.validators_lied(state, etag='"a"', last_modified=None, body_hash="h2")
    assert not plan.validators_lied(state, etag='"b"', last_modified=None, body_hash="h2")
    assert not plan.validators_lied(state, etag='"a"', last_modified=None, body_hash="h1")
    assert plan.validators_lied(
        state, etag=None, last_modified=state["last_modified"], body_hash="h2"
    )


def test_backoff_doubles_up_to_the_ceiling() -> None:
    steps = [plan.backoff(n, interval=1800) for n in (1, 2, 3, 4, 5, 40)]
    assert steps[:4] == [
        timedelta(minutes=30),
        timedelta(hours=1),
        timedelta(hours=2),
        timedelta(hours=4),
    ]
    assert steps[4] == timedelta(hours=8) and steps[5] == plan.BACKOFF_CEILING


def test_select_entries_fetches_new_and_changed_links_known() -> None:
    old = NOW - timedelta(days=2)
    known = {"https://a/1": {"id": "i1", "published": old, "updated_at": old}}
    entries = (
        Entry(url="https://a/1", published=old),
        Entry(url="https://a/2"),
        Entry(url="https://a/3"),
    )
    fetch, link = plan.select_entries(entries, known, limit=1)
    assert [e.url for e in fetch] == ["https://a/2"] and [e.url for e in link] == ["https://a/1"]
    changed = (Entry(url="https://a/1", published=NOW),)
    fetch, link = plan.select_entries(changed, known)
    assert [e.url for e in fetch] == ["https://a/1"] and link == []
