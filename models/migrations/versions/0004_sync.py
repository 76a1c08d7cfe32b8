"""Sync bookkeeping: the outbox, the conflict log and each row's server version.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

`server_version` is local: it records which server version of a row this book holds, so a
sync can verify the book against the server without sending it. Append-only rows may now
have that one column updated, and nothing else.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SYNCED = (
    "stores", "associates", "products", "product_images", "stock_levels", "clients",
    "client_emails", "client_phones", "client_tags", "client_sizes", "client_preferences",
    "important_dates", "notes", "interactions", "purchases", "purchase_lines", "wish_list_items",
    "closet_items", "tasks", "appointments", "consent_events",
)  # fmt: skip
APPEND_ONLY = ("notes", "interactions", "purchases", "purchase_lines", "consent_events")


def _append_only_trigger(table: str, allow_server_version: bool) -> str:
    when = ""
    if allow_server_version:
        columns = [
            row[1]
            for row in op.get_bind().exec_driver_sql(f"PRAGMA table_info({table})")
            if row[1] != "server_version"
        ]
        when = " WHEN " + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table}{when} "
        f"BEGIN SELECT RAISE(ABORT, '{table} are append-only: add a correcting row'); END"
    )


def upgrade() -> None:
    for table in SYNCED:
        op.add_column(table, sa.Column("server_version", sa.Integer(), nullable=True))
    for table in APPEND_ONLY:
        # Any column but server_version is still frozen. A later migration that adds a
        # column to one of these tables must recreate its trigger.
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")
        op.execute(_append_only_trigger(table, allow_server_version=True))
    op.create_table(
        "sync_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.LargeBinary(length=16), nullable=False),
        sa.Column("client_id", sa.LargeBinary(length=16), nullable=True),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("hlc", sa.String(length=80), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_outbox")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_sync_outbox_row", "sync_outbox", ["kind", "row_id"])
    op.create_index("ix_sync_outbox_client_id", "sync_outbox", ["client_id"])
    op.create_index("ix_sync_outbox_status", "sync_outbox", ["status", "id"])
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.LargeBinary(length=16), nullable=False),
        sa.Column("client_id", sa.LargeBinary(length=16), nullable=True),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("mine", sa.Text(), nullable=False),
        sa.Column("winning", sa.Text(), nullable=False),
        sa.Column("winner", sa.String(length=200), nullable=False),
        sa.Column("won_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mutation_id", sa.Integer(), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflicts")),
    )
    op.create_index("ix_sync_conflicts_client_id", "sync_conflicts", ["client_id"])


def downgrade() -> None:
    op.drop_table("sync_conflicts")
    op.drop_table("sync_outbox")
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")
        op.execute(_append_only_trigger(table, allow_server_version=False))
    for table in SYNCED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("server_version")
