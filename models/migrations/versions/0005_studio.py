"""Showroom studio sessions and their markers (local to the workstation; they do not sync).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "studio_sessions",
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("appointment_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("associate_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("store_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "recording",
                "finished",
                "interrupted",
                "failed",
                name="studio_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("started_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("dropped_frames", sa.Integer(), nullable=False),
        sa.Column("video_path", sa.String(length=260), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("camera", sa.String(length=200), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_studio_sessions_appointment_id_appointments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["associate_id"],
            ["associates.id"],
            name=op.f("fk_studio_sessions_associate_id_associates"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_studio_sessions_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_studio_sessions_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_sessions")),
    )
    op.create_index(
        "ix_studio_sessions_client_id", "studio_sessions", ["client_id", "started_at"], unique=False
    )
    op.create_index("ix_studio_sessions_status", "studio_sessions", ["status"], unique=False)
    op.create_table(
        "studio_markers",
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("session_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("at_ms", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "preset",
                "product",
                "note",
                name="marker_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("product_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("sku", sa.String(length=40), nullable=True),
        sa.Column("preset", sa.Integer(), nullable=True),
        sa.CheckConstraint("at_ms >= 0", name=op.f("ck_studio_markers_at_not_negative")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_studio_markers_product_id_products"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["studio_sessions.id"],
            name=op.f("fk_studio_markers_session_id_studio_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_markers")),
    )
    op.create_index("ix_studio_markers_product_id", "studio_markers", ["product_id"], unique=False)
    op.create_index(
        "ix_studio_markers_session_id", "studio_markers", ["session_id", "at_ms"], unique=False
    )


def downgrade() -> None:
    op.drop_table("studio_markers")
    op.drop_table("studio_sessions")
