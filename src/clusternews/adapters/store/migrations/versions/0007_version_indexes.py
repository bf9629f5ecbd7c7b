"""The index behind the data version's newest link (ETags, response caches).

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # search.version() asks max(item_sources.first_seen) on every feed request, beside
    # max(items.updated_at) (indexed by 0004); without it that is a scan of every link.
    op.create_index("ix_item_sources_first_seen", "item_sources", ["first_seen"])


def downgrade() -> None:
    op.drop_index("ix_item_sources_first_seen", "item_sources")
