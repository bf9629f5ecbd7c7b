"""Sources, fetch history, items and the sources each item was seen in.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("cluster", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("body_hash", sa.String(64)),
        sa.Column("validators_trusted", sa.Boolean, nullable=False),
        sa.Column("last_unconditional_at", TS),
        sa.Column("last_fetch_at", TS),
        sa.Column("last_success_at", TS),
        sa.Column("last_outcome", sa.String(20)),
        sa.Column("last_error", sa.Text),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("next_due_at", TS),
        sa.Column("discovered_feed", sa.Text),
    )
    op.create_table(
        "fetches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.String(200), nullable=False, index=True),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("duration", sa.Float, nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("http_status", sa.Integer),
        sa.Column("bytes", sa.Integer, nullable=False),
        sa.Column("found", sa.Integer, nullable=False),
        sa.Column("new", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.String(20), primary_key=True),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("content_hash", sa.String(64), nullable=False, index=True),
        sa.Column("cluster", sa.String(100), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("published", TS),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("author", sa.Text),
        sa.Column("image", sa.Text),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("language_variant", sa.String(8)),
        sa.Column("language_confidence", sa.Float, nullable=False),
        sa.Column("entities", sa.JSON, nullable=False),
        sa.Column("regions", sa.JSON, nullable=False),
    )
    op.create_index("ix_items_published", "items", ["published"])
    op.create_table(
        "item_sources",
        sa.Column(
            "item_id",
            sa.String(20),
            sa.ForeignKey("items.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("source_id", sa.String(200), primary_key=True),
        sa.Column("cluster", sa.String(100), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("first_seen", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("item_sources")
    op.drop_table("items")
    op.drop_table("fetches")
    op.drop_table("sources")
