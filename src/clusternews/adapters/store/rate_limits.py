"""Fixed-window request counters shared by every web process: one atomic upsert per request."""

from __future__ import annotations

from sqlalchemy import Connection, delete
from sqlalchemy.dialects import postgresql, sqlite

from clusternews.adapters.store.schema import rate_limits


def hit(conn: Connection, key: str, window_start: int) -> int:
    """Count one request for `key` in the window starting at `window_start` (epoch seconds);
    the count so far, this one included. One statement, so concurrent processes never race
    (INSERT … ON CONFLICT DO UPDATE … RETURNING: PostgreSQL, and SQLite since 3.35)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(rate_limits).values(key=key, window_start=window_start, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[rate_limits.c.key, rate_limits.c.window_start],
        set_={"count": rate_limits.c.count + 1},
    )
    return int(conn.execute(statement.returning(rate_limits.c.count)).scalar_one())


def sweep(conn: Connection, before: int) -> int:
    """Delete the windows that started before `before`; how many rows went."""
    return conn.execute(delete(rate_limits).where(rate_limits.c.window_start < before)).rowcount
