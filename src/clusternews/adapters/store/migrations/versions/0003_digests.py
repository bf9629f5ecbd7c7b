"""Digest deliveries: one row per (digest, week, recipient), written before and after sending.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("digest_id", sa.String(100), primary_key=True),
        sa.Column("week", sa.String(8), primary_key=True),
        sa.Column("recipient", sa.String(320), primary_key=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("items", sa.Integer, nullable=False, server_default="0"),
        sa.Column("message_id", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("permanent", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("claimed_at", TS, nullable=False),
        sa.Column("sent_at", TS),
        sa.Column("next_attempt_at", TS),
    )


def downgrade() -> None:
    op.drop_table("deliveries")
