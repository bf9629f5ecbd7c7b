"""The tables, as SQLAlchemy Core metadata; Alembic migrations create them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import DateTime, TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend: stored as UTC, read back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

sources = Table(
    "sources",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("cluster", String(100), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("url", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("body_hash", String(64)),
    # False once a server was caught answering 304 (or the same ETag) for a changed body.
    Column("validators_trusted", Boolean, nullable=False, default=True),
    Column("last_unconditional_at", UtcDateTime),
    Column("last_fetch_at", UtcDateTime),
    Column("last_success_at", UtcDateTime),
    Column("last_outcome", String(20)),
    Column("last_error", Text),
    Column("failures", Integer, nullable=False, default=0),
    Column("next_due_at", UtcDateTime),
    Column("discovered_feed", Text),
    # The last successful fetch's warnings (a 304 keeps them: the document is the same).
    Column("warnings", JSON),
)

fetches = Table(
    "fetches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(200), nullable=False, index=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("duration", Float, nullable=False),
    Column("outcome", String(20), nullable=False),  # ok | not_modified | error
    Column("http_status", Integer),
    Column("bytes", Integer, nullable=False, default=0),
    Column("found", Integer, nullable=False, default=0),
    Column("new", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("error", Text),
    Column("warnings", JSON),  # ["feed cut short: …", "2 entries skipped: …"]
)

items = Table(
    "items",
    metadata,
    Column("id", String(20), primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("content_hash", String(64), nullable=False, index=True),
    Column("cluster", String(100), nullable=False),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("published", UtcDateTime),
    Column("first_seen", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("author", Text),
    Column("image", Text),
    Column("language", String(8), nullable=False),
    Column("language_variant", String(8)),
    Column("language_confidence", Float, nullable=False),
    # Filled by the entity tagger: [{"type", "id", "name", "kind", "mentions", "count"}, …]
    Column("entities", JSON, nullable=False),
    Column("regions", JSON, nullable=False),
    Index("ix_items_published", "published"),
)

item_sources = Table(
    "item_sources",
    metadata,
    Column("item_id", String(20), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("source_id", String(200), primary_key=True),
    Column("cluster", String(100), nullable=False),
    Column("url", Text, nullable=False),  # the URL this source gave for the item
    Column("first_seen", UtcDateTime, nullable=False),
    Index("ix_item_sources_first_seen", "first_seen"),
)

item_entities = Table(
    "item_entities",
    metadata,
    Column("item_id", String(20), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", String(200), primary_key=True),
    Column("type", String(12), nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", String(20)),
    Column("count", Integer, nullable=False),
    Column("direct", Boolean, nullable=False),
    # The item's newest-first sort key, coalesce(published, first_seen), copied here so that a
    # feed filtered by an entity reads its newest items straight off ix_item_entities_day
    # (entity_id, day DESC, item_id; migration 0009, like ix_items_newest in 0004).
    Column("day", UtcDateTime),
    # The item's language, the index's last column (migration 0010): a feed of one entity in
    # one language tests it in the index instead of reading each item's row.
    Column("language", String(8)),
)

# Each item's story (migration 0006): its fingerprint, so a newcomer is compared without
# re-reading texts, and what it matched when it joined (`how`: near_duplicate | same_story).
story_members = Table(
    "story_members",
    metadata,
    Column("item_id", String(20), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", String(20), nullable=False),
    Column("day", Integer, nullable=False),  # days since 1970-01-01 of publication
    Column("content_hash", String(64), nullable=False),  # the text the fingerprint is of
    Column("words", LargeBinary, nullable=False),
    Column("grams", LargeBinary, nullable=False),
    Column("anchors", Text, nullable=False),  # one per line: cheaper to read than JSON
    Column("matched", String(20)),
    Column("how", String(16)),
    Column("joined_at", UtcDateTime, nullable=False),
    Index("ix_story_members_story", "story_id", "item_id"),
)

# LSH band keys and anchor keys of each item: a newcomer's candidates are one indexed lookup
# of its own keys within a window of days, whichever process or machine stored the others.
story_keys = Table(
    "story_keys",
    metadata,
    Column("item_id", String(20), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("key", BigInteger, primary_key=True),
    Column("day", Integer, nullable=False),
    Index("ix_story_keys_lookup", "key", "day", "item_id"),
)

# Partner intranets' API tokens: only a SHA-256 of each token is kept (tokens are 256-bit
# random, so a slow hash would add nothing). A revoked partner keeps its row: once partners
# have been set up, the API stays closed even if every one of them is revoked.
partners = Table(
    "partners",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    Column("last_used_at", UtcDateTime),
)

# Partner rate limits without Redis: one counter per key and fixed window, shared by every web
# process through the database (web/ratelimit.py DatabaseRateLimiter); old windows are swept.
rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("window_start", BigInteger, primary_key=True),  # epoch seconds
    Column("count", Integer, nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("digest_id", String(100), primary_key=True),
    Column("week", String(8), primary_key=True),  # ISO week, "2026-W47"
    Column("recipient", String(320), primary_key=True),
    # sending → sent | failed (→ sending again when due) ; skipped: an empty week, not sent
    Column("state", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("items", Integer, nullable=False, default=0),
    Column("message_id", Text),
    Column("error", Text),
    Column("permanent", Boolean, nullable=False, default=False),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("next_attempt_at", UtcDateTime),
)
