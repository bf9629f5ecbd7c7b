"""Warnings of each fetch and the source's current ones (feed cut short, charset, skips…).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # JSON lists of one-line messages; NULL on rows written before this revision means none.
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("warnings", sa.JSON))
    with op.batch_alter_table("fetches") as batch:
        batch.add_column(sa.Column("warnings", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("fetches") as batch:
        batch.drop_column("warnings")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("warnings")
