"""Full-text search (SQLite FTS5 / PostgreSQL tsvector), newest-first index, partner tokens.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Keep in step with adapters/store/fts.py (SQLITE_TOKENIZER, PG_CONFIGS).
_PG_CONFIG = (
    "CASE WHEN language IN ('no','nb','nn') THEN 'norwegian'::regconfig "
    "WHEN language = 'sv' THEN 'swedish'::regconfig "
    "WHEN language = 'da' THEN 'danish'::regconfig "
    "WHEN language = 'en' THEN 'english'::regconfig "
    "ELSE 'simple'::regconfig END"
)

_SQLITE = [
    # External content: the index reads title and text from items by rowid, so the text is
    # stored once; the triggers keep it in step with every write, whoever makes it.
    "CREATE VIRTUAL TABLE items_fts USING fts5(title, text, content='items', "
    "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER items_fts_ai AFTER INSERT ON items BEGIN "
    "INSERT INTO items_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text); END",
    "CREATE TRIGGER items_fts_ad AFTER DELETE ON items BEGIN "
    "INSERT INTO items_fts(items_fts, rowid, title, text) "
    "VALUES ('delete', old.rowid, old.title, old.text); END",
    "CREATE TRIGGER items_fts_au AFTER UPDATE OF title, text ON items BEGIN "
    "INSERT INTO items_fts(items_fts, rowid, title, text) "
    "VALUES ('delete', old.rowid, old.title, old.text); "
    "INSERT INTO items_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text); END",
    "INSERT INTO items_fts(items_fts) VALUES ('rebuild')",
]

_PG = [
    # Generated from the item's own language, so every writer gets the right stemming.
    "ALTER TABLE items ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    f"setweight(to_tsvector({_PG_CONFIG}, coalesce(title, '')), 'A') || "
    f"setweight(to_tsvector({_PG_CONFIG}, coalesce(text, '')), 'D')) STORED",
    "CREATE INDEX ix_items_search ON items USING gin (search_vector)",
]


def upgrade() -> None:
    for statement in _SQLITE if op.get_bind().dialect.name == "sqlite" else _PG:
        op.execute(statement)
    # Feeds and pages list newest first: this is their ORDER BY, so no sort of the table.
    op.execute("CREATE INDEX ix_items_newest ON items (coalesce(published, first_seen) DESC, id)")
    # max(updated_at) is the data version the response cache checks on every request.
    op.create_index("ix_items_updated_at", "items", ["updated_at"])
    op.create_table(
        "partners",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("partners")
    op.drop_index("ix_items_updated_at", "items")
    op.execute("DROP INDEX ix_items_newest")
    if op.get_bind().dialect.name == "sqlite":
        for name in ("items_fts_ai", "items_fts_ad", "items_fts_au"):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE items_fts")
    else:
        op.execute("DROP INDEX ix_items_search")
        op.execute("ALTER TABLE items DROP COLUMN search_vector")
