"""The sources table (validators, health, back-off) and the fetches log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from clusternews.adapters.store.schema import fetches, sources


@dataclass
class FetchRecord:
    source_id: str
    started_at: datetime
    duration: float
    outcome: str  # ok | not_modified | error
    http_status: int | None = None
    bytes: int = 0
    found: int = 0
    new: int = 0
    updated: int = 0
    failed: int = 0
    error: str | None = None
    warnings: list[str] | None = None


_SYNC_LOCK = 7_304_771_206  # an arbitrary fixed advisory-lock key


def sync(conn: Connection, specs: list[Any]) -> None:
    """Make sure every configured source has a row; URL changes reset its validators."""
    if conn.dialect.name == "postgresql":
        # Workers on many machines start together: one syncs, the next waits and sees its rows.
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SYNC_LOCK})")
    existing = {row.id: row for row in conn.execute(select(sources.c.id, sources.c.url))}
    for spec in specs:
        row = existing.get(spec.id)
        if row is None:
            conn.execute(
                insert(sources).values(
                    id=spec.id,
                    cluster=spec.cluster,
                    kind=spec.kind,
                    url=spec.url,
                    validators_trusted=True,
                    failures=0,
                )
            )
        elif row.url != spec.url:
            conn.execute(
                update(sources)
                .where(sources.c.id == spec.id)
                .values(url=spec.url, kind=spec.kind, etag=None, last_modified=None, body_hash=None)
            )


def state(conn: Connection, source_id: str) -> dict[str, Any]:
    row = conn.execute(select(sources).where(sources.c.id == source_id)).mappings().first()
    return dict(row) if row else {}


def all_states(conn: Connection) -> dict[str, dict[str, Any]]:
    return {row["id"]: dict(row) for row in conn.execute(select(sources)).mappings()}


def record(conn: Connection, rec: FetchRecord, *, changes: dict[str, Any]) -> None:
    """Append to the fetch log and update the source's state in one transaction."""
    conn.execute(insert(fetches).values(**rec.__dict__))
    conn.execute(
        update(sources)
        .where(sources.c.id == rec.source_id)
        .values(last_fetch_at=rec.started_at, last_outcome=rec.outcome, **changes)
    )


def history(conn: Connection, source_id: str, *, limit: int = 20) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(fetches)
        .where(fetches.c.source_id == source_id)
        .order_by(fetches.c.id.desc())
        .limit(limit)
    ).mappings()
    return [dict(r) for r in rows]
