"""Place a stored article in its story: fingerprint → candidates → judgement → membership.

Runs inside the transaction that stored the article, right after `items.upsert`, so the
article and its story are committed together or not at all.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Connection

from clusternews.adapters.store import stories, story_keys
from clusternews.models import Article
from clusternews.pipeline.dedup import item_id as item_id_of
from clusternews.pipeline.stories import (
    Fingerprint,
    anchor_keys,
    band_keys,
    choose,
    fingerprint,
    match,
)

log = logging.getLogger(__name__)


def place(
    conn: Connection, article: Article, *, now: datetime, fp: Fingerprint | None = None
) -> str:
    """Call after `items.upsert` stored `article` as new or updated; 'unchanged' (the text
    it was placed by), 'joined' (a story of others), 'stayed' (the same story) or 'alone'.
    `fp`: the article's fingerprint if a worker already computed it (with the same `now`)."""
    item_id = item_id_of(article.url)  # `upsert` stored it under this URL, so this id
    stories.lock(conn)
    current = stories.membership(conn, item_id)
    if current is not None and current.content_hash == article.content_hash:
        return "unchanged"  # re-ingesting changes nothing
    if fp is None:
        fp = fingerprint(article.title, article.text, published=article.published, now=now)
    bands, anchors = band_keys(fp), anchor_keys(fp)
    ids = story_keys.candidates(
        conn,
        bands=bands,
        anchors=anchors,
        day=fp.day,
        band_days=match.NEAR_DUPLICATE_DAYS,
        anchor_days=match.SAME_STORY_DAYS,
        min_shared=match.MIN_SHARED,
        exclude=item_id,
    )
    choice = choose(
        fp, stories.fingerprints(conn, ids), current=current.story_id if current else None
    )
    if choice.story_id is not None:
        story_id = choice.story_id
        outcome = "stayed" if current and current.story_id == story_id else "joined"
    elif current is not None and not stories.has_others(conn, current.story_id, item_id):
        story_id, outcome = current.story_id, "alone"  # alone before and after: same story
    else:
        story_id, outcome = stories.fresh_story_id(conn, item_id, now=now), "alone"
    judgement = choice.judgement
    stories.save(
        conn,
        item_id,
        story_id=story_id,
        fp=fp,
        content_hash=article.content_hash,
        matched=choice.item_id,
        how=judgement.kind if judgement else None,
        now=now,
        new=current is None,
    )
    story_keys.replace(conn, item_id, keys=[*bands, *anchors], day=fp.day, new=current is None)
    if outcome == "joined":
        log.info(
            "story %s: %s joins (%s)",
            story_id,
            article.url,
            judgement.kind if judgement else "",
            extra={"url": article.url},
        )
    return outcome
