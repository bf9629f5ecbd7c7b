"""Stored items → a JSON Feed 1.1 document (https://jsonfeed.org/version/1.1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from clusternews.item_json import item_json
from clusternews.knowledge.base import KnowledgeBase

VERSION = "https://jsonfeed.org/version/1.1"
EXTENSION = "_clusternews"  # JSON Feed: extension keys start with an underscore


def feed_item(row: dict[str, Any], *, tz: str, kb: KnowledgeBase) -> dict[str, Any]:
    data = item_json(row, kb=kb, tz=tz)
    tags = [e["name"] for e in data["entities"] if e.get("type") != "PERSON"]
    out: dict[str, Any] = {
        "id": f"urn:clusternews:item:{row['id']}",  # stable: derived from the first URL
        "url": row["url"],
        "title": row["title"],
        "content_text": row["text"],
        "summary": row["summary"],
        "language": row["language"],
        "tags": list(dict.fromkeys([data["cluster"], *tags])),
        EXTENSION: data,
    }
    if data["published"]:
        out["date_published"] = data["published"]
    modified = row.get("updated_at")
    if isinstance(modified, datetime):
        out["date_modified"] = modified.astimezone(ZoneInfo(tz)).isoformat()
    if row.get("author"):
        out["authors"] = [{"name": row["author"]}]
    if row.get("image"):
        out["image"] = row["image"]
    if data["source"]:
        out["external_url"] = data["source"]
    return out


def feed(
    rows: list[dict[str, Any]],
    *,
    title: str,
    home_page_url: str,
    feed_url: str,
    next_url: str | None,
    tz: str,
    kb: KnowledgeBase,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "version": VERSION,
        "title": title,
        "home_page_url": home_page_url,
        "feed_url": feed_url,
        "description": "News from Nordic industry clusters, tagged with organizations, "
        "regions and programmes.",
        "items": [feed_item(r, tz=tz, kb=kb) for r in rows],
    }
    if next_url:
        doc["next_url"] = next_url
    return doc
