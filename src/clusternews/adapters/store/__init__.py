"""The store: SQLAlchemy on SQLite (default) or PostgreSQL; all SQL of the project lives here."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from clusternews.adapters.store import engine as _engine
from clusternews.adapters.store import items, sources
from clusternews.adapters.store.sources import FetchRecord
from clusternews.adapters.store.writer import (
    LaterWrite,
    WriterThread,
    is_busy,
    lock_key,
    process_lock,
)

# A write a request makes itself (a rate-limit count) waits at most this long for the lock;
# then it gives up (StoreBusy) and the caller decides without the database.
QUICK_WAIT_SECONDS = 0.05


class StoreBusy(RuntimeError):
    """A quick write gave up: another writer held the lock for longer than it may wait."""


class Store:
    """Owns the engine. On SQLite every `write()` of this process goes through one lock (the
    threads queue here, not in SQLite's busy handler) and `write_later` through one thread;
    readers use WAL and never wait for either. PostgreSQL writes concurrently."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._lock_key = lock_key(engine.url)
        self._private_lock = threading.RLock()  # in-memory SQLite: this Store's own database
        self._quick: Engine | None = None
        self._quick_guard = threading.Lock()
        self._writer = WriterThread(self._write_now, name="clusternews-store-writer")

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        engine = _engine.create(url)
        if migrate:
            _engine.migrate(engine)
        return cls(engine)

    def _write_lock(self) -> threading.RLock | nullcontext[None]:
        if not self._sqlite:
            return nullcontext()
        # Looked up on each write, not kept: a forked child gets fresh locks (writer.py).
        return process_lock(self._lock_key) if self._lock_key else self._private_lock

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction; on SQLite after this process's other writes are done."""
        with self._write_lock(), self.engine.begin() as conn:
            yield conn

    def write_later(self, fn: LaterWrite) -> None:
        """Run `fn(conn)` in a `write()` transaction on the writer thread, in order, without
        waiting for it: for writes nobody waits on (a partner's last use, sweeps). An error
        in `fn` is logged and rolls back that one transaction."""
        self._writer.submit(fn)

    def _write_now(self, fn: LaterWrite) -> None:
        with self.write() as conn:
            fn(conn)

    @contextmanager
    def write_quick(self) -> Iterator[Connection]:
        """A short write that a request makes itself and must not wait for: it waits at most
        QUICK_WAIT_SECONDS for the write lock, then raises StoreBusy. Not behind the process
        lock (that would queue it behind ingestion); on SQLite on connections of their own
        with a short busy timeout, on PostgreSQL with a short lock_timeout."""
        try:
            if self._sqlite:
                with self._quick_engine().begin() as conn:
                    yield conn
            else:
                with self.engine.begin() as conn:
                    ms = round(QUICK_WAIT_SECONDS * 1000)
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{ms}ms'")
                    yield conn
        except DBAPIError as e:
            if is_busy(e):
                raise StoreBusy("store: the database is busy writing") from e
            raise

    def _quick_engine(self) -> Engine:
        if self._lock_key is None:  # in memory: another engine would be another database
            return self.engine
        with self._quick_guard:
            if self._quick is None:
                url = self.engine.url.render_as_string(hide_password=False)
                self._quick = _engine.create(url, busy_timeout=QUICK_WAIT_SECONDS)
            return self._quick

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def close(self) -> None:
        """Run the writes still queued, stop the writer thread, close the connections."""
        self._writer.stop()
        if self._quick is not None:
            self._quick.dispose()
        self.engine.dispose()


__all__ = ["FetchRecord", "Store", "StoreBusy", "items", "sources"]
