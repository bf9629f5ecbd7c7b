"""A stored item as the contract's JSON object (search --json, the API and the feed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from clusternews.knowledge import display
from clusternews.knowledge.base import KnowledgeBase
from clusternews.pipeline.dates import DEFAULT_TIMEZONE


def item_json(
    row: dict[str, Any], *, kb: KnowledgeBase, tz: str = DEFAULT_TIMEZONE, lang: str | None = None
) -> dict[str, Any]:
    """The item; entity names from the knowledge base, in `lang` when given (a page's
    language), else canonical."""
    sources = row.get("sources") or []
    published = row.get("published")
    return {
        "id": row["id"],
        "url": row["url"],
        "title": row["title"],
        "published": _local(published, tz),
        "cluster": row["cluster"],
        "source": (sources[0].get("source_url") or sources[0]["url"]) if sources else None,
        "sources": [s["source_id"] for s in sources],
        "language": row["language"],
        "language_variant": row["language_variant"],
        "language_confidence": row["language_confidence"],
        "summary": row["summary"],
        "entities": [entity_json(e, kb=kb, lang=lang) for e in row.get("entities") or []],
        "regions": list(row.get("regions") or []),
        "story": story_json(row, tz),
    }


def story_json(row: dict[str, Any], tz: str) -> dict[str, Any]:
    """The item's story (the store attaches it); an item read without one is a story alone."""
    story = row.get("story") or {
        "id": row["id"],
        "size": 1,
        "first_seen": row.get("first_seen"),
        "items": [{k: row.get(k) for k in ("id", "url", "cluster", "language")}],
    }
    return {
        "id": story["id"],
        "size": story["size"],
        "first_seen": _local(story["first_seen"], tz),
        "items": [dict(i) for i in story["items"]],
    }


def entity_json(
    entity: dict[str, Any], *, kb: KnowledgeBase, lang: str | None = None
) -> dict[str, Any]:
    """One tagged entity; organizations carry `org_number` (null when unknown), and entities
    the knowledge base names differently per language carry `names` ({"sv": …, "en": …})."""
    out = {k: entity.get(k) for k in ("type", "id", "name", "kind", "mentions", "count")}
    out["name"] = display.display_name(out["id"], lang, kb, fallback=out["name"])
    out.update(display.org_number_field(out["type"], out["id"], kb))
    if by_lang := display.names(out["id"], kb):
        out["names"] = by_lang
    return out


def _local(value: datetime | None, tz: str) -> str | None:
    return value.astimezone(ZoneInfo(tz)).isoformat() if value else None
