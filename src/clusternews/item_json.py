"""A stored item as the contract's JSON object (search --json, the API and the feed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo


def item_json(row: dict[str, Any], *, tz: str = "Europe/Oslo") -> dict[str, Any]:
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
        "entities": [{k: e.get(k) for k in ("type", "id", "name", "kind", "mentions", "count")}
                     for e in row.get("entities") or []],
        "regions": list(row.get("regions") or []),
    }


def _local(value: datetime | None, tz: str) -> str | None:
    return value.astimezone(ZoneInfo(tz)).isoformat() if value else None
