"""Shared fixtures: a real database per test, on SQLite and on PostgreSQL (pg_server.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from clusternews.adapters.store import Store
from clusternews.jobs.workers import Processor
from clusternews.knowledge.base import KnowledgeBase

from . import pg_server
from .digest_helpers import SmtpServer

GOLDEN = Path(__file__).parent / "golden"
PG_URL = pytest.StashKey[str]()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Before the first test: the PostgreSQL at $CLUSTERNEWS_TEST_PG, or a throwaway one, when
    any selected test runs on PostgreSQL; else stop the run with one line saying why."""
    if not any(
        getattr(item, "callspec", None) and item.callspec.params.get("db_url") == "postgresql"
        for item in session.items
    ):
        return
    try:
        url, stop = pg_server.provide(os.environ.get("CLUSTERNEWS_TEST_PG"))
    except pg_server.Unavailable as e:
        pytest.exit(str(e), returncode=pytest.ExitCode.USAGE_ERROR)
    session.config.add_cleanup(stop)
    session.config.stash[PG_URL] = url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    pg_url = request.config.stash[PG_URL]
    admin = sa.create_engine(pg_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{pg_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store.open(db_url)
    yield s
    s.close()


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.fixture(scope="session")
def processor() -> Iterator[Processor]:
    """Extraction, language and tagging in one thread, loaded once for the whole session."""
    p = Processor(0)
    yield p
    p.close()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on loopback."""
    with SmtpServer() as server:
        yield server
