"""One writer per SQLite database and process: a lock for `write()`, a thread for later writes."""

from __future__ import annotations

import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

LaterWrite = Callable[[Connection], object]

# Writes waiting for the writer thread: touches and sweeps, a few a minute per process. Past
# this the database has been locked for long; dropping is better than growing without end.
QUEUE_LIMIT = 10_000

_SQLITE_BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
_PG_LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout ran out

_registry_guard = threading.Lock()
_locks: dict[str, threading.RLock] = {}


def _forget_locks() -> None:
    # A forked child must not inherit a lock some thread of the parent held at fork time.
    global _registry_guard
    _registry_guard = threading.Lock()
    _locks.clear()


os.register_at_fork(after_in_child=_forget_locks)


def lock_key(url: URL) -> str | None:
    """The key of the process-wide write lock for a SQLite database; None for a server
    database (PostgreSQL writes concurrently) and for an in-memory one (private to a Store)."""
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        return None
    return str(Path(url.database).resolve())


def process_lock(key: str) -> threading.RLock:
    """The one write lock of this process for that database, whichever Store asks. Re-entrant:
    a write nested in a write in one thread waits on SQLite as before, not here forever."""
    with _registry_guard:
        lock = _locks.get(key)
        if lock is None:
            lock = _locks[key] = threading.RLock()
        return lock


def is_busy(error: BaseException) -> bool:
    """True when a statement gave up waiting for a lock another writer holds."""
    if not isinstance(error, DBAPIError):
        return False
    orig = error.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return int(code) & 0xFF in _SQLITE_BUSY_CODES  # extended codes keep it in the low byte
    return getattr(orig, "sqlstate", None) == _PG_LOCK_NOT_AVAILABLE


class WriterThread:
    """Runs fire-and-forget writes one after another, each in its own transaction from
    `write` (so behind the process lock on SQLite); errors are logged, never raised."""

    def __init__(self, write: Callable[[LaterWrite], None], name: str) -> None:
        self._write = write
        self._name = name
        self._guard = threading.Lock()
        self._queue: queue.Queue[LaterWrite | None] = queue.Queue(QUEUE_LIMIT)
        self._thread: threading.Thread | None = None

    def submit(self, fn: LaterWrite) -> None:
        """Queue `fn`; never waits. Started on first use (and again after `stop` or a fork)."""
        with self._guard:
            if self._thread is None or not self._thread.is_alive():
                self._queue = queue.Queue(QUEUE_LIMIT)
                # Daemon: a process that never closes its Store still exits; what was queued
                # then is lost (last-use times, sweeps: news, not records).
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            try:
                self._queue.put_nowait(fn)
            except queue.Full:
                log.warning("store: %d writes waiting, one dropped", QUEUE_LIMIT)

    def stop(self) -> None:
        """Run what is queued, then end the thread."""
        with self._guard:
            thread, self._thread = self._thread, None
            if thread is None or not thread.is_alive():
                return
            self._queue.put(None)  # after everything queued so far
        thread.join()

    def _run(self) -> None:
        jobs = self._queue
        while (fn := jobs.get()) is not None:
            try:
                self._write(fn)
            except Exception:
                log.exception("store: a later write failed: %r", fn)
