"""Search: the full-text index over clients and the per-client figures lists sort by.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Both are derived from the tables of 0001. The full-text table itself is owned by
models.search_index, which (re)builds it at start whenever its layout version changes, so this
migration never has to know how documents are made.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "client_stats",
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("search_rowid", sa.Integer(), nullable=True),
        sa.Column("last_contact_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_purchase_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("purchase_count", sa.Integer(), nullable=False),
        sa.Column("lifetime_spend_minor", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_stats_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_stats")),
        sa.UniqueConstraint("search_rowid", name=op.f("uq_client_stats_search_rowid")),
    )
    with op.batch_alter_table("client_stats", schema=None) as batch_op:
        batch_op.create_index("ix_client_stats_last_contact_at", ["last_contact_at"], unique=False)
        batch_op.create_index(
            "ix_client_stats_last_purchase_at", ["last_purchase_at"], unique=False
        )
        batch_op.create_index(
            "ix_client_stats_lifetime_spend_minor", ["lifetime_spend_minor"], unique=False
        )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS client_fts")
    op.execute("DELETE FROM local_meta WHERE key = 'search_index_version'")
    op.drop_table("client_stats")
