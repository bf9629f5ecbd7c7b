"""A stored item as the contract's JSON object (search --json, the API and the feed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from clusternews.knowledge import display
from clusternews.knowledge.base import KnowledgeBase
from clusternews.models import Entity, StoredItem, Story, StoryCopy
from clusternews.pipeline.dates import DEFAULT_TIMEZONE


def item_json(
    item: StoredItem, *, kb: KnowledgeBase, tz: str = DEFAULT_TIMEZONE, lang: str | None = None
) -> dict[str, Any]:
    """The item; entity names from the knowledge base, in `lang` when given (a page's
    language), else canonical."""
    sources = item.sources
    return {
        "id": item.id,
        "url": item.url,
        "title": item.title,
        "published": _local(item.published, tz),
        "cluster": item.cluster,
        "source": (sources[0].source_url or sources[0].url) if sources else None,
        "sources": [s.source_id for s in sources],
        "language": item.language,
        "language_variant": item.language_variant,
        "language_confidence": item.language_confidence,
        "summary": item.summary,
        "entities": [entity_json(e, kb=kb, lang=lang) for e in item.entities],
        "regions": list(item.regions),
        "story": story_json(item, tz),
    }


def story_json(item: StoredItem, tz: str) -> dict[str, Any]:
    """The item's story (the store attaches it); an item read without one is a story alone."""
    story = item.story or Story(
        id=item.id,
        size=1,
        first_seen=item.first_seen,
        items=(StoryCopy(item.id, item.url, item.cluster, item.language),),
    )
    return {
        "id": story.id,
        "size": story.size,
        "first_seen": _local(story.first_seen, tz),
        "items": [
            {"id": c.id, "url": c.url, "cluster": c.cluster, "language": c.language}
            for c in story.items
        ],
    }


def entity_json(entity: Entity, *, kb: KnowledgeBase, lang: str | None = None) -> dict[str, Any]:
    """One tagged entity; organizations carry `org_number` (null when unknown), and entities
    the knowledge base names differently per language carry `names` ({"sv": …, "en": …})."""
    out: dict[str, Any] = {
        "type": entity.type,
        "id": entity.id,
        "name": display.display_name(entity.id, lang, kb, fallback=entity.name),
        "kind": entity.kind,
        "mentions": list(entity.mentions),
        "count": entity.count,
    }
    out.update(display.org_number_field(entity.type, entity.id, kb))
    if by_lang := display.names(entity.id, kb):
        out["names"] = by_lang
    return out


def _local(value: datetime | None, tz: str) -> str | None:
    return value.astimezone(ZoneInfo(tz)).isoformat() if value else None
