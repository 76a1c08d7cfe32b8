"""The client book: stores, associates, clients, catalog and activity.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


APPEND_ONLY = ("notes", "interactions", "purchases", "purchase_lines", "consent_events")


def upgrade() -> None:
    op.create_table(
        "local_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_local_meta")),
    )
    op.create_table(
        "products",
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("brand", sa.String(length=80), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("colour", sa.String(length=40), nullable=True),
        sa.Column("material", sa.String(length=60), nullable=True),
        sa.Column("price_minor", sa.Integer(), nullable=False),
        sa.Column("currency", models.types.CurrencyCode(length=3), nullable=False),
        sa.Column("size_category", sa.String(length=20), nullable=True),
        sa.Column(
            "stock_flag",
            sa.Enum(
                "none",
                "aged",
                "excess",
                name="stock_flag",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("price_minor >= 0", name=op.f("ck_products_price_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("sku", name=op.f("uq_products_sku")),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_products_brand"), ["brand"], unique=False)
        batch_op.create_index(batch_op.f("ix_products_category"), ["category"], unique=False)

    op.create_table(
        "stores",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("city", sa.String(length=80), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("currency", models.types.CurrencyCode(length=3), nullable=False),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stores")),
        sa.UniqueConstraint("code", name=op.f("uq_stores_code")),
    )
    op.create_table(
        "associates",
        sa.Column("store_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column(
            "role",
            sa.Enum(
                "associate",
                "manager",
                "studio_operator",
                name="role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_associates_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_associates")),
    )
    with op.batch_alter_table("associates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_associates_store_id"), ["store_id"], unique=False)

    op.create_table(
        "product_images",
        sa.Column("product_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("path", sa.String(length=260), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_images_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_images")),
    )
    with op.batch_alter_table("product_images", schema=None) as batch_op:
        batch_op.create_index(
            "ix_product_images_product_id", ["product_id", "position"], unique=False
        )

    op.create_table(
        "stock_levels",
        sa.Column("product_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("store_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("restocked_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_stock_levels_quantity_not_negative")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_stock_levels_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_stock_levels_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_levels")),
    )
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.create_index(
            "uq_stock_levels_product_id_store_id", ["product_id", "store_id"], unique=True
        )

    op.create_table(
        "clients",
        sa.Column("given_name", sa.String(length=80), nullable=False),
        sa.Column("family_name", sa.String(length=80), nullable=False),
        sa.Column("preferred_name", sa.String(length=80), nullable=True),
        sa.Column("title", sa.String(length=20), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("home_store_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("primary_owner_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("secondary_owner_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column(
            "tier",
            sa.Enum(
                "prospect",
                "client",
                "vip",
                "vvip",
                name="tier",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("address_line1", sa.String(length=120), nullable=True),
        sa.Column("address_line2", sa.String(length=120), nullable=True),
        sa.Column("city", sa.String(length=80), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("region", sa.String(length=80), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("sort_key", sa.String(length=170), nullable=False),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["home_store_id"], ["stores.id"], name=op.f("fk_clients_home_store_id_stores")
        ),
        sa.ForeignKeyConstraint(
            ["primary_owner_id"],
            ["associates.id"],
            name=op.f("fk_clients_primary_owner_id_associates"),
        ),
        sa.ForeignKeyConstraint(
            ["secondary_owner_id"],
            ["associates.id"],
            name=op.f("fk_clients_secondary_owner_id_associates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
    )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_clients_home_store_id"), ["home_store_id"], unique=False
        )
        batch_op.create_index(
            "ix_clients_home_store_id_tier", ["home_store_id", "tier"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_clients_primary_owner_id"), ["primary_owner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_clients_secondary_owner_id"), ["secondary_owner_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_clients_sort_key"), ["sort_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_clients_tier"), ["tier"], unique=False)

    op.create_table(
        "appointments",
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("associate_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("store_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "in_store",
                "phone",
                "video",
                name="appointment_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("starts_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "booked",
                "confirmed",
                "completed",
                "cancelled",
                "no_show",
                name="appointment_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("purpose", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_appointments_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["associate_id"],
            ["associates.id"],
            name=op.f("fk_appointments_associate_id_associates"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_appointments_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_appointments_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index("ix_appointments_client_id", ["client_id"], unique=False)
        batch_op.create_index("ix_appointments_starts_at", ["starts_at"], unique=False)

    op.create_table(
        "client_emails",
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("label", sa.String(length=20), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_emails_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_emails")),
    )
    with op.batch_alter_table("client_emails", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_emails_address"), ["address"], unique=False)
        batch_op.create_index("ix_client_emails_client_id", ["client_id", "position"], unique=False)

    op.create_table(
        "client_phones",
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("e164", sa.String(length=20), nullable=False),
        sa.Column("national_digits", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=20), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_phones_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_phones")),
    )
    with op.batch_alter_table("client_phones", schema=None) as batch_op:
        batch_op.create_index("ix_client_phones_client_id", ["client_id", "position"], unique=False)
        batch_op.create_index(batch_op.f("ix_client_phones_e164"), ["e164"], unique=False)

    op.create_table(
        "client_preferences",
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "brand",
                "colour",
                "style",
                "like",
                "dislike",
                name="preference_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("value", sa.String(length=80), nullable=False),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_preferences_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_preferences")),
    )
    with op.batch_alter_table("client_preferences", schema=None) as batch_op:
        batch_op.create_index("ix_client_preferences_kind_value", ["kind", "value"], unique=False)
        batch_op.create_index("uq_client_preferences", ["client_id", "kind", "value"], unique=True)

    op.create_table(
        "client_sizes",
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "clothing",
                "tops",
                "trousers",
                "dress",
                "suit",
                "shirt_collar",
                "shoes",
                "ring",
                "wrist",
                "belt",
                "gloves",
                "hat",
                name="size_category",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("value", sa.String(length=16), nullable=False),
        sa.Column("system", sa.String(length=8), nullable=False),
        sa.Column("fit_note", sa.String(length=200), nullable=True),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_sizes_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_sizes")),
    )
    with op.batch_alter_table("client_sizes", schema=None) as batch_op:
        batch_op.create_index(
            "uq_client_sizes_client_id_category", ["client_id", "category"], unique=True
        )

    op.create_table(
        "client_tags",
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_tags_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_tags")),
    )
    with op.batch_alter_table("client_tags", schema=None) as batch_op:
        batch_op.create_index("ix_client_tags_tag", ["tag"], unique=False)
        batch_op.create_index("uq_client_tags_client_id_tag", ["client_id", "tag"], unique=True)

    op.create_table(
        "consent_events",
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "email",
                "sms",
                "phone",
                "whatsapp",
                "post",
                "video",
                name="consent_channel",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "purpose",
            sa.Enum(
                "marketing",
                "outreach",
                "session_recording",
                name="consent_purpose",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "action",
            sa.Enum(
                "granted",
                "withdrawn",
                name="consent_action",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("captured_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("captured_by_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("store_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column(
            "proof_kind",
            sa.Enum(
                "signature",
                "verbal",
                "written_form",
                "email_confirmation",
                "web_form",
                "imported",
                name="proof_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("proof_text", sa.Text(), nullable=True),
        sa.Column("proof_image", sa.LargeBinary(), nullable=True),
        sa.Column("proof_mime", sa.String(length=40), nullable=True),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["captured_by_id"],
            ["associates.id"],
            name=op.f("fk_consent_events_captured_by_id_associates"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_consent_events_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_consent_events_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_events")),
    )
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consent_events_client_id",
            ["client_id", "channel", "purpose", "captured_at"],
            unique=False,
        )

    op.create_table(
        "important_dates",
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "birthday",
                "anniversary",
                "custom",
                name="date_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("label", sa.String(length=80), nullable=True),
        sa.Column("month", sa.SmallInteger(), nullable=False),
        sa.Column("day", sa.SmallInteger(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=True),
        sa.Column(
            "recurrence",
            sa.Enum("yearly", "once", name="recurrence", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("month_day", sa.SmallInteger(), nullable=False),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("day BETWEEN 1 AND 31", name=op.f("ck_important_dates_day_range")),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name=op.f("ck_important_dates_month_range")),
        sa.CheckConstraint(
            "month_day = month * 100 + day", name=op.f("ck_important_dates_month_day_derived")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_important_dates_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_important_dates")),
    )
    with op.batch_alter_table("important_dates", schema=None) as batch_op:
        batch_op.create_index("ix_important_dates_client_id", ["client_id"], unique=False)
        batch_op.create_index("ix_important_dates_month_day", ["month_day", "kind"], unique=False)

    op.create_table(
        "interactions",
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("associate_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("store_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column(
            "channel",
            sa.Enum(
                "in_store",
                "phone",
                "email",
                "sms",
                "whatsapp",
                "video",
                name="channel",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "direction",
            sa.Enum(
                "inbound", "outbound", name="direction", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("occurred_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["associate_id"],
            ["associates.id"],
            name=op.f("fk_interactions_associate_id_associates"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_interactions_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_interactions_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interactions")),
    )
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interactions_client_id_occurred_at", ["client_id", "occurred_at"], unique=False
        )

    op.create_table(
        "notes",
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("author_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("supersedes_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["associates.id"], name=op.f("fk_notes_author_id_associates")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_notes_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["notes.id"], name=op.f("fk_notes_supersedes_id_notes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notes_client_id_created_at", ["client_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notes_supersedes_id"), ["supersedes_id"], unique=False)

    op.create_table(
        "purchases",
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("store_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("associate_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column(
            "channel",
            sa.Enum(
                "store",
                "online",
                "phone",
                "video",
                name="sales_channel",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("purchased_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("currency", models.types.CurrencyCode(length=3), nullable=False),
        sa.Column("total_minor", sa.Integer(), nullable=False),
        sa.Column("external_ref", sa.String(length=64), nullable=True),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["associate_id"], ["associates.id"], name=op.f("fk_purchases_associate_id_associates")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_purchases_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_purchases_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchases")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_purchases_external_ref")),
    )
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_purchases_client_id_purchased_at", ["client_id", "purchased_at"], unique=False
        )

    op.create_table(
        "tasks",
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("assignee_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "manual",
                "birthday",
                "anniversary",
                "after_purchase",
                "back_in_stock",
                "lapsed",
                "campaign",
                "studio",
                "aged_stock",
                name="task_source",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "done",
                "cancelled",
                name="task_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("completed_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["associates.id"], name=op.f("fk_tasks_assignee_id_associates")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_tasks_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tasks_assignee_id_status", ["assignee_id", "status"], unique=False
        )
        batch_op.create_index("ix_tasks_client_id", ["client_id"], unique=False)
        batch_op.create_index("ix_tasks_status_due_on", ["status", "due_on"], unique=False)

    op.create_table(
        "wish_list_items",
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("product_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("size", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("added_by_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "purchased",
                "removed",
                name="wish_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["associates.id"],
            name=op.f("fk_wish_list_items_added_by_id_associates"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_wish_list_items_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_wish_list_items_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wish_list_items")),
    )
    with op.batch_alter_table("wish_list_items", schema=None) as batch_op:
        batch_op.create_index("ix_wish_list_items_client_id", ["client_id"], unique=False)
        batch_op.create_index(
            "ix_wish_list_items_product_id_status", ["product_id", "status"], unique=False
        )

    op.create_table(
        "purchase_lines",
        sa.Column("purchase_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("size", sa.String(length=16), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.Integer(), nullable=False),
        sa.Column("line_total_minor", sa.Integer(), nullable=False),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity <> 0", name=op.f("ck_purchase_lines_quantity_not_zero")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_purchase_lines_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["purchase_id"],
            ["purchases.id"],
            name=op.f("fk_purchase_lines_purchase_id_purchases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_lines")),
    )
    with op.batch_alter_table("purchase_lines", schema=None) as batch_op:
        batch_op.create_index("ix_purchase_lines_product_id", ["product_id"], unique=False)
        batch_op.create_index(
            "uq_purchase_lines_purchase_id_line_no", ["purchase_id", "line_no"], unique=True
        )

    op.create_table(
        "closet_items",
        sa.Column("client_id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("product_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("purchase_line_id", models.types.UUIDType(length=16), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("brand", sa.String(length=80), nullable=True),
        sa.Column("size", sa.String(length=16), nullable=True),
        sa.Column("acquired_on", sa.Date(), nullable=True),
        sa.Column("id", models.types.UUIDType(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_closet_items_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_closet_items_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["purchase_line_id"],
            ["purchase_lines.id"],
            name=op.f("fk_closet_items_purchase_line_id_purchase_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closet_items")),
    )
    with op.batch_alter_table("closet_items", schema=None) as batch_op:
        batch_op.create_index("ix_closet_items_client_id", ["client_id"], unique=False)

    for table in APPEND_ONLY:
        # Append-only kinds merge by id alone; an UPDATE would fork replicas silently.
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} are append-only: add a correcting row'); END"
        )


def downgrade() -> None:
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")
    with op.batch_alter_table("closet_items", schema=None) as batch_op:
        batch_op.drop_index("ix_closet_items_client_id")

    op.drop_table("closet_items")
    with op.batch_alter_table("purchase_lines", schema=None) as batch_op:
        batch_op.drop_index("uq_purchase_lines_purchase_id_line_no")
        batch_op.drop_index("ix_purchase_lines_product_id")

    op.drop_table("purchase_lines")
    with op.batch_alter_table("wish_list_items", schema=None) as batch_op:
        batch_op.drop_index("ix_wish_list_items_product_id_status")
        batch_op.drop_index("ix_wish_list_items_client_id")

    op.drop_table("wish_list_items")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_status_due_on")
        batch_op.drop_index("ix_tasks_client_id")
        batch_op.drop_index("ix_tasks_assignee_id_status")

    op.drop_table("tasks")
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_index("ix_purchases_client_id_purchased_at")

    op.drop_table("purchases")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notes_supersedes_id"))
        batch_op.drop_index("ix_notes_client_id_created_at")

    op.drop_table("notes")
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_client_id_occurred_at")

    op.drop_table("interactions")
    with op.batch_alter_table("important_dates", schema=None) as batch_op:
        batch_op.drop_index("ix_important_dates_month_day")
        batch_op.drop_index("ix_important_dates_client_id")

    op.drop_table("important_dates")
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_events_client_id")

    op.drop_table("consent_events")
    with op.batch_alter_table("client_tags", schema=None) as batch_op:
        batch_op.drop_index("uq_client_tags_client_id_tag")
        batch_op.drop_index("ix_client_tags_tag")

    op.drop_table("client_tags")
    with op.batch_alter_table("client_sizes", schema=None) as batch_op:
        batch_op.drop_index("uq_client_sizes_client_id_category")

    op.drop_table("client_sizes")
    with op.batch_alter_table("client_preferences", schema=None) as batch_op:
        batch_op.drop_index("uq_client_preferences")
        batch_op.drop_index("ix_client_preferences_kind_value")

    op.drop_table("client_preferences")
    with op.batch_alter_table("client_phones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_phones_e164"))
        batch_op.drop_index("ix_client_phones_client_id")

    op.drop_table("client_phones")
    with op.batch_alter_table("client_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_client_emails_client_id")
        batch_op.drop_index(batch_op.f("ix_client_emails_address"))

    op.drop_table("client_emails")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_starts_at")
        batch_op.drop_index("ix_appointments_client_id")

    op.drop_table("appointments")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clients_tier"))
        batch_op.drop_index(batch_op.f("ix_clients_sort_key"))
        batch_op.drop_index(batch_op.f("ix_clients_secondary_owner_id"))
        batch_op.drop_index(batch_op.f("ix_clients_primary_owner_id"))
        batch_op.drop_index("ix_clients_home_store_id_tier")
        batch_op.drop_index(batch_op.f("ix_clients_home_store_id"))

    op.drop_table("clients")
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.drop_index("uq_stock_levels_product_id_store_id")

    op.drop_table("stock_levels")
    with op.batch_alter_table("product_images", schema=None) as batch_op:
        batch_op.drop_index("ix_product_images_product_id")

    op.drop_table("product_images")
    with op.batch_alter_table("associates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_associates_store_id"))

    op.drop_table("associates")
    op.drop_table("stores")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_products_category"))
        batch_op.drop_index(batch_op.f("ix_products_brand"))

    op.drop_table("products")
    op.drop_table("local_meta")
