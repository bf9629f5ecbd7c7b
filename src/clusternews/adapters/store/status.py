"""Store-side numbers for /healthz, /metrics and the sources page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from clusternews.adapters.store.schema import fetches, item_sources, items, sources


def items_stored(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(items)).scalar_one())


def last_success(conn: Connection) -> datetime | None:
    value: datetime | None = conn.execute(select(func.max(sources.c.last_success_at))).scalar()
    return value


def fetch_totals(conn: Connection) -> list[dict[str, Any]]:
    """Per outcome: how many fetches and their summed duration (seconds)."""
    rows = conn.execute(
        select(
            fetches.c.outcome,
            func.count().label("n"),
            func.coalesce(func.sum(fetches.c.duration), 0.0).label("seconds"),
        ).group_by(fetches.c.outcome)
    ).mappings()
    return [dict(r) for r in rows]


def sources_in_error(conn: Connection) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(sources).where(sources.c.last_outcome == "error")
        ).scalar_one()
    )


def source_rows(conn: Connection, *, now: datetime, weeks: int = 4) -> list[dict[str, Any]]:
    """Every source's state with its item count and items first seen in each recent week."""
    counts: dict[str, int] = {
        source: n
        for source, n in conn.execute(
            select(item_sources.c.source_id, func.count()).group_by(item_sources.c.source_id)
        )
    }
    start = now - timedelta(weeks=weeks)
    recent: dict[str, list[int]] = {}
    for source_id, seen in conn.execute(
        select(item_sources.c.source_id, item_sources.c.first_seen).where(
            item_sources.c.first_seen >= start
        )
    ):
        week = min(weeks - 1, int((now - seen).total_seconds() // (7 * 86400)))
        recent.setdefault(source_id, [0] * weeks)[weeks - 1 - week] += 1
    out = []
    for row in conn.execute(select(sources).order_by(sources.c.cluster, sources.c.id)).mappings():
        data = dict(row)
        data["items"] = counts.get(row["id"], 0)
        data["per_week"] = recent.get(row["id"], [0] * weeks)
        shown = _status(row, data["items"])  # the same words as `clusternews sources`
        data["status"], data["warnings"] = shown.status, list(shown.warnings)
        out.append(data)
    return out


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """One source as `sources` and the sources page show it."""

    id: str
    cluster: str
    kind: str
    url: str
    status: str  # ok | ok, warnings | error | pending (never fetched)
    last_fetch: datetime | None
    last_error: str | None
    warnings: tuple[str, ...]
    next_due: datetime | None
    items: int

    def as_json(self) -> dict[str, Any]:
        data = {f: getattr(self, f) for f in self.__slots__}
        data["warnings"] = list(self.warnings)
        for key in ("last_fetch", "next_due"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def source_statuses(conn: Connection, ids: list[str]) -> list[SourceStatus]:
    """The given sources, in that order, with their status and stored item count."""
    counts: dict[str, int] = {
        source: n
        for source, n in conn.execute(
            select(item_sources.c.source_id, func.count()).group_by(item_sources.c.source_id)
        )
    }
    rows = {row["id"]: row for row in conn.execute(select(sources)).mappings()}
    return [_status(rows[i], counts.get(i, 0)) for i in ids if i in rows]


def _status(row: Any, items: int) -> SourceStatus:
    warnings = tuple(row["warnings"] or ())
    outcome = row["last_outcome"]
    if outcome == "error":
        status = "error"
    elif outcome is None:
        status = "pending"
    else:  # ok or not_modified: a 304 keeps the warnings of the document it confirms
        status = "ok, warnings" if warnings else "ok"
    return SourceStatus(
        id=row["id"],
        cluster=row["cluster"],
        kind=row["kind"],
        url=row["url"],
        status=status,
        last_fetch=row["last_fetch_at"],
        last_error=row["last_error"] if status == "error" else None,
        warnings=warnings,
        next_due=row["next_due_at"],
        items=items,
    )
