"""Opening the database: engine per URL, SQLite pragmas, Alembic upgrade to head."""

from __future__ import annotations

from pathlib import Path

import orjson
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).with_name("migrations")
# Connections kept open per process. A web worker runs up to 40 requests at once in its thread
# pool; with SQLAlchemy's default 5 (+10 overflow, closed again when returned), 20 clients of
# uncached feeds made PostgreSQL start ~45 backends a second, each with cold caches, and SQLite
# open connections with empty page caches (uncached region feeds, 20 clients: 259-285 ->
# 284-337 requests/s in alternating runs).
POOL_SIZE = 16
POOL_OVERFLOW = 8
_MIGRATION_LOCK = 7_304_771_204  # an arbitrary fixed advisory-lock key


def create(url: str, *, busy_timeout: float = 30.0) -> Engine:
    """`busy_timeout`: seconds a SQLite connection waits for the write lock before giving up.

    JSON columns (an item's entities, regions) are read with orjson: a feed page decodes
    two per item, and json.loads was ~10 % of an uncached feed's CPU."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout},
            json_deserializer=orjson.loads,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.drivername == "postgresql":  # plain postgresql:// means psycopg 3 here
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(
        parsed,
        pool_pre_ping=True,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        json_deserializer=orjson.loads,
    )


def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
    cursor = dbapi_conn.cursor()
    # WAL lets readers (the web pages) read while the one writer path writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def migrate(engine: Engine) -> None:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Workers on many machines start together: one upgrades, the others wait for it.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
