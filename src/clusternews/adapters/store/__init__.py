"""The store: SQLAlchemy on SQLite (default) or PostgreSQL; all SQL of the project lives here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from clusternews.adapters.store import engine as _engine
from clusternews.adapters.store import items, sources
from clusternews.adapters.store.sources import FetchRecord


class Store:
    """Owns the engine; every write goes through `write()`, one transaction at a time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        engine = _engine.create(url)
        if migrate:
            _engine.migrate(engine)
        return cls(engine)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()


__all__ = ["FetchRecord", "Store", "items", "sources"]
