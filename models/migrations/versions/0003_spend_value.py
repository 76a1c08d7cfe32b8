"""Lifetime spend in indicative euro cents, so lists sort clients by value across currencies.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

The figures are derived: the search index's layout version moved with this revision, so the
book recomputes every client's figures, this column included, when it is next opened.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("client_stats", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("spend_value", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index("ix_client_stats_spend_value", ["spend_value"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("client_stats", schema=None) as batch_op:
        batch_op.drop_index("ix_client_stats_spend_value")
        batch_op.drop_column("spend_value")
