"""Entities and regions of each item, one row per canonical id, for search by org/region.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_entities",
        sa.Column(
            "item_id",
            sa.String(20),
            sa.ForeignKey("items.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("entity_id", sa.String(200), primary_key=True),
        sa.Column("type", sa.String(12), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(20)),
        sa.Column("count", sa.Integer, nullable=False),
        # False for regions the article is about only as an ancestor of a named place.
        sa.Column("direct", sa.Boolean, nullable=False),
    )
    op.create_index("ix_item_entities_entity", "item_entities", ["entity_id", "item_id"])


def downgrade() -> None:
    op.drop_index("ix_item_entities_entity", "item_entities")
    op.drop_table("item_entities")
