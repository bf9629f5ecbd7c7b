"""Each entity row carries its item's language, so a feed of one entity in one language is
read off the entity index without reading item rows.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An organization's Norwegian items (?org=…&lang=no) walked the organization's index rows
    # and read each item's row for its language. With the language as the index's last
    # column, the walk tests it in the index (search._entity_newest).
    op.add_column("item_entities", sa.Column("language", sa.String(8)))
    op.execute(
        "UPDATE item_entities SET language = (SELECT items.language FROM items "
        "WHERE items.id = item_entities.item_id)"
    )
    op.drop_index("ix_item_entities_day", "item_entities")
    op.execute(
        "CREATE INDEX ix_item_entities_day ON item_entities (entity_id, day DESC, item_id, "
        "language)"
    )


def downgrade() -> None:
    op.drop_index("ix_item_entities_day", "item_entities")
    op.execute("CREATE INDEX ix_item_entities_day ON item_entities (entity_id, day DESC, item_id)")
    op.drop_column("item_entities", "language")
