"""Query parameters shared by the feeds, the API and the pages → one store Query."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import HTTPException
from fastapi import Query as Param

from clusternews.adapters.store.search import Query
from clusternews.knowledge.base import KnowledgeBase
from clusternews.queries import build_query

MAX_LIMIT = 200


@dataclass
class Filters:
    """What a request asks for, as the user wrote it (names, not ids)."""

    q: str | None = None
    org: list[str] = field(default_factory=list)
    region: list[str] = field(default_factory=list)
    programme: list[str] = field(default_factory=list)
    lang: list[str] = field(default_factory=list)
    cluster: list[str] = field(default_factory=list)
    since: date | None = None
    collapse: str | None = None  # "story": one item per story

    def pairs(self) -> list[tuple[str, str]]:
        """The filters as query-string pairs, for next links and entity links."""
        out = [("q", self.q)] if self.q else []
        for key in ("org", "region", "programme", "lang", "cluster"):
            out += [(key, v) for v in getattr(self, key)]
        if self.since:
            out.append(("since", self.since.isoformat()))
        if self.collapse:
            out.append(("collapse", self.collapse))
        return out


async def filters_param(
    q: Annotated[str | None, Param(max_length=200, description="free text")] = None,
    org: Annotated[list[str], Param(description="organization, any alias")] = [],  # noqa: B006
    region: Annotated[list[str], Param(description="region; places inside count")] = [],  # noqa: B006
    programme: Annotated[list[str], Param(description="programme, any alias")] = [],  # noqa: B006
    lang: Annotated[list[str], Param(description="no, sv, da, en …")] = [],  # noqa: B006
    cluster: Annotated[list[str], Param(description="cluster id")] = [],  # noqa: B006
    since: Annotated[date | None, Param(description="published on or after (YYYY-MM-DD)")] = None,
    collapse: Annotated[
        str | None,
        Param(pattern="^story$", description="story: one item per story, its earliest copy"),
    ] = None,
) -> Filters:
    clean = [v.strip() for v in (*org, *region, *programme, *cluster) if v.strip()]
    if any(len(v) > 200 for v in clean):
        raise HTTPException(400, "filter values are at most 200 characters")
    return Filters(
        q=(q or "").strip() or None,
        org=[v for v in org if v.strip()],
        region=[v for v in region if v.strip()],
        programme=[v for v in programme if v.strip()],
        lang=[v for v in lang if v],
        cluster=[v for v in cluster if v.strip()],
        since=since,
        collapse=collapse,
    )


def to_query(
    kb: KnowledgeBase, f: Filters, *, tz: str, limit: int, offset: int = 0, order: str | None = None
) -> Query:
    """The store query; an unknown region or programme or language is a ValueError."""
    return build_query(
        kb,
        text=f.q,
        orgs=f.org,
        regions=f.region,
        programmes=f.programme,
        languages=f.lang,
        clusters=f.cluster,
        since=f.since,
        tz=tz,
        collapse=f.collapse,
        limit=max(1, min(limit, MAX_LIMIT)),
        offset=max(0, offset),
        order=order,
    )


def encode_cursor(position: tuple[datetime, str]) -> str:
    day, item = position
    raw = f"{day.astimezone(UTC).isoformat()}|{item}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        day, item = raw.split("|", 1)
        parsed = datetime.fromisoformat(day)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValueError("malformed cursor (use the next_url of the previous page)") from None
    if parsed.tzinfo is None:
        raise ValueError("malformed cursor (use the next_url of the previous page)")
    return parsed, item
