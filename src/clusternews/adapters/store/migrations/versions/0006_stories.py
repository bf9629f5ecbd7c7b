"""Stories: each item's story and fingerprint, and the keys that find its candidates.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_members",
        sa.Column(
            "item_id",
            sa.String(20),
            sa.ForeignKey("items.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("story_id", sa.String(20), nullable=False),
        sa.Column("day", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("words", sa.LargeBinary, nullable=False),
        sa.Column("grams", sa.LargeBinary, nullable=False),
        sa.Column("anchors", sa.Text, nullable=False),  # one per line
        sa.Column("matched", sa.String(20)),
        sa.Column("how", sa.String(16)),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_story_members_story", "story_members", ["story_id", "item_id"])
    op.create_table(
        "story_keys",
        sa.Column(
            "item_id",
            sa.String(20),
            sa.ForeignKey("items.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("key", sa.BigInteger, primary_key=True),
        sa.Column("day", sa.Integer, nullable=False),
    )
    op.create_index("ix_story_keys_lookup", "story_keys", ["key", "day", "item_id"])


def downgrade() -> None:
    op.drop_index("ix_story_keys_lookup", "story_keys")
    op.drop_table("story_keys")
    op.drop_index("ix_story_members_story", "story_members")
    op.drop_table("story_members")
