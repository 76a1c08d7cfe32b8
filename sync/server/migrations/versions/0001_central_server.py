"""The central server: first revision.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

The record store, the change log, stores, devices and grants.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "client_scope",
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("home_store_id", models.types.UUIDType(length=16), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_scope")),
    )
    op.create_index(
        "ix_client_scope_home", "client_scope", ["home_store_id", "client_id"], unique=False
    )
    op.create_table(
        "conflicts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("device_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("row_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("mine", sa.Text(), nullable=False),
        sa.Column("winning", sa.Text(), nullable=False),
        sa.Column("winner_hlc", sa.String(length=80), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflicts")),
    )
    op.create_index(op.f("ix_conflicts_client_id"), "conflicts", ["client_id"], unique=False)
    op.create_table(
        "devices",
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("store_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_devices_token_hash")),
    )
    op.create_index(op.f("ix_devices_store_id"), "devices", ["store_id"], unique=False)
    op.create_table(
        "enrollment_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("store_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("device_id", models.types.UUIDType(length=16), nullable=True),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_enrollment_codes")),
    )
    op.create_table(
        "erased",
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_erased")),
    )
    op.create_table(
        "grants",
        sa.Column("store_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "client_id", name=op.f("pk_grants")),
    )
    op.create_index("ix_grants_client_id", "grants", ["client_id"], unique=False)
    op.create_table(
        "mutation_log",
        sa.Column("device_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("incarnation", sa.String(length=40), nullable=False),
        sa.Column("mutation_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "device_id", "incarnation", "mutation_id", name=op.f("pk_mutation_log")
        ),
    )
    op.create_index(op.f("ix_mutation_log_client_id"), "mutation_log", ["client_id"], unique=False)
    op.create_table(
        "ops",
        sa.Column("bucket", models.types.UUIDType(length=16), nullable=False),
        sa.Column("op_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("row_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "op_id", name=op.f("pk_ops")),
    )
    op.create_index(op.f("ix_ops_client_id"), "ops", ["client_id"], unique=False)
    op.create_table(
        "records",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("kind_order", sa.Integer(), nullable=False),
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("store_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("clocks", sa.Text(), nullable=True),
        sa.Column("natural_key", sa.String(length=400), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "id", name=op.f("pk_records")),
    )
    op.create_index(op.f("ix_records_client_id"), "records", ["client_id"], unique=False)
    op.create_index("ix_records_kind_order_id", "records", ["kind_order", "id"], unique=False)
    op.create_index("uq_records_kind_natural_key", "records", ["kind", "natural_key"], unique=True)
    op.create_table(
        "server_stores",
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_server_stores")),
        sa.UniqueConstraint("code", name=op.f("uq_server_stores_code")),
    )
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("horizon", sa.BigInteger(), nullable=False),
        sa.Column("max_hlc", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_state")),
    )


def downgrade() -> None:
    op.drop_table("sync_state")
    op.drop_table("server_stores")
    op.drop_index("uq_records_kind_natural_key", table_name="records")
    op.drop_index("ix_records_kind_order_id", table_name="records")
    op.drop_index(op.f("ix_records_client_id"), table_name="records")
    op.drop_table("records")
    op.drop_index(op.f("ix_ops_client_id"), table_name="ops")
    op.drop_table("ops")
    op.drop_index(op.f("ix_mutation_log_client_id"), table_name="mutation_log")
    op.drop_table("mutation_log")
    op.drop_index("ix_grants_client_id", table_name="grants")
    op.drop_table("grants")
    op.drop_table("erased")
    op.drop_table("enrollment_codes")
    op.drop_index(op.f("ix_devices_store_id"), table_name="devices")
    op.drop_table("devices")
    op.drop_index(op.f("ix_conflicts_client_id"), table_name="conflicts")
    op.drop_table("conflicts")
    op.drop_index("ix_client_scope_home", table_name="client_scope")
    op.drop_table("client_scope")
