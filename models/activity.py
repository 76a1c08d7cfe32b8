"""What happens with a client over time: notes, interactions, purchases, wish list, closet,
tasks, appointments and consent events."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import AppendOnly, Entity, str_enum
from models.enums import (
    AppointmentKind,
    AppointmentStatus,
    Channel,
    ConsentAction,
    ConsentChannel,
    ConsentPurpose,
    Direction,
    ProofKind,
    SalesChannel,
    TaskSource,
    TaskStatus,
    WishStatus,
)
from models.types import CurrencyCode

_CLIENT_FK = "clients.id"


class Note(AppendOnly):
    __tablename__ = "notes"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("associates.id"))
    body: Mapped[str] = mapped_column(Text)
    # A correction names the note it replaces; the original stays, as the ledger requires.
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("notes.id"), index=True)

    __table_args__ = (Index("ix_notes_client_id_created_at", "client_id", "created_at"),)


class Interaction(AppendOnly):
    __tablename__ = "interactions"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    associate_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("associates.id"))
    store_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stores.id"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, "direction"))
    summary: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column()

    __table_args__ = (Index("ix_interactions_client_id_occurred_at", "client_id", "occurred_at"),)


class Purchase(AppendOnly):
    """A receipt. Returns and corrections are new purchases with negative lines."""

    __tablename__ = "purchases"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    store_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stores.id"))
    associate_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("associates.id"))
    channel: Mapped[SalesChannel] = mapped_column(str_enum(SalesChannel, "sales_channel"))
    purchased_at: Mapped[datetime] = mapped_column()
    currency: Mapped[str] = mapped_column(CurrencyCode())
    total_minor: Mapped[int] = mapped_column(Integer)
    # The POS or e-commerce receipt number: importing the same receipt twice is a no-op.
    external_ref: Mapped[str | None] = mapped_column(String(64), unique=True)

    lines: Mapped[list[PurchaseLine]] = relationship(
        back_populates="purchase", cascade="all, delete-orphan", order_by="PurchaseLine.line_no"
    )
    __table_args__ = (Index("ix_purchases_client_id_purchased_at", "client_id", "purchased_at"),)


class PurchaseLine(AppendOnly):
    __tablename__ = "purchase_lines"

    purchase_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("purchases.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(200))
    size: Mapped[str | None] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(Integer)
    line_total_minor: Mapped[int] = mapped_column(Integer)

    purchase: Mapped[Purchase] = relationship(back_populates="lines")
    __table_args__ = (
        Index("uq_purchase_lines_purchase_id_line_no", "purchase_id", "line_no", unique=True),
        Index("ix_purchase_lines_product_id", "product_id"),
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
    )


class WishListItem(Entity):
    __tablename__ = "wish_list_items"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"))
    size: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("associates.id"))
    status: Mapped[WishStatus] = mapped_column(
        str_enum(WishStatus, "wish_status"), default=WishStatus.ACTIVE
    )

    __table_args__ = (
        Index("ix_wish_list_items_client_id", "client_id"),
        Index("ix_wish_list_items_product_id_status", "product_id", "status"),
    )


class ClosetItem(Entity):
    """Something the client owns, bought here or elsewhere."""

    __tablename__ = "closet_items"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    product_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("products.id"))
    purchase_line_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("purchase_lines.id"))
    description: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str | None] = mapped_column(String(80))
    size: Mapped[str | None] = mapped_column(String(16))
    acquired_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (Index("ix_closet_items_client_id", "client_id"),)


class Task(Entity):
    __tablename__ = "tasks"

    client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("associates.id"))
    due_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(300))
    source: Mapped[TaskSource] = mapped_column(
        str_enum(TaskSource, "task_source"), default=TaskSource.MANUAL
    )
    status: Mapped[TaskStatus] = mapped_column(
        str_enum(TaskStatus, "task_status"), default=TaskStatus.OPEN
    )
    completed_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        Index("ix_tasks_status_due_on", "status", "due_on"),
        Index("ix_tasks_client_id", "client_id"),
        Index("ix_tasks_assignee_id_status", "assignee_id", "status"),
    )


class Appointment(Entity):
    __tablename__ = "appointments"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    associate_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("associates.id"))
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    kind: Mapped[AppointmentKind] = mapped_column(str_enum(AppointmentKind, "appointment_kind"))
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    status: Mapped[AppointmentStatus] = mapped_column(
        str_enum(AppointmentStatus, "appointment_status"), default=AppointmentStatus.BOOKED
    )
    purpose: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_appointments_starts_at", "starts_at"),
        Index("ix_appointments_client_id", "client_id"),
    )


class ConsentEvent(AppendOnly):
    """One grant or withdrawal, with its proof. Current consent is derived from these."""

    __tablename__ = "consent_events"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    channel: Mapped[ConsentChannel] = mapped_column(str_enum(ConsentChannel, "consent_channel"))
    purpose: Mapped[ConsentPurpose] = mapped_column(str_enum(ConsentPurpose, "consent_purpose"))
    action: Mapped[ConsentAction] = mapped_column(str_enum(ConsentAction, "consent_action"))
    captured_at: Mapped[datetime] = mapped_column()
    captured_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("associates.id"))
    store_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stores.id"))
    proof_kind: Mapped[ProofKind] = mapped_column(str_enum(ProofKind, "proof_kind"))
    proof_text: Mapped[str | None] = mapped_column(Text)  # wording shown, reference, witness
    proof_image: Mapped[bytes | None] = mapped_column(LargeBinary)  # e.g. a signature PNG
    proof_mime: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (
        Index("ix_consent_events_client_id", "client_id", "channel", "purpose", "captured_at"),
    )
