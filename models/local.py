"""Tables that exist only on this workstation: derived figures and bookkeeping.

Nothing here is synced; everything here can be rebuilt from the synced tables.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ClientStats(Base):
    """Per-client figures the list sorts and filters by, kept by the data layer.

    `search_rowid` is the client's row in the full-text index. It is renewed on every change
    to the client, so higher means more recently active: broad type-ahead results use it to
    show the clients an associate is most likely looking for first.
    """

    __tablename__ = "client_stats"

    client_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True
    )
    search_rowid: Mapped[int | None] = mapped_column(Integer, unique=True)
    last_contact_at: Mapped[datetime | None] = mapped_column()
    last_purchase_at: Mapped[datetime | None] = mapped_column()
    purchase_count: Mapped[int] = mapped_column(Integer, default=0)
    lifetime_spend_minor: Mapped[int] = mapped_column(Integer, default=0)
    # Every purchase, whatever its currency, in indicative euro cents: what "lifetime spend"
    # sorts by, so a Tokyo client and a Paris client compare by value, not by digits.
    spend_value: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_client_stats_last_contact_at", "last_contact_at"),
        Index("ix_client_stats_last_purchase_at", "last_purchase_at"),
        Index("ix_client_stats_lifetime_spend_minor", "lifetime_spend_minor"),
        Index("ix_client_stats_spend_value", "spend_value"),
    )


class LocalMeta(Base):
    """Key/value facts about this copy of the book (device id, demo seed, ...)."""

    __tablename__ = "local_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(400))


class SyncOutbox(Base):
    """Local edits not yet accepted by the server, written in the same transaction as the
    edit itself. `id` is the device's mutation id: increasing, never reused (AUTOINCREMENT).

    A rejected mutation stays here with its reason, so nothing the associate typed is lost.
    """

    __tablename__ = "sync_outbox"
    __table_args__ = (
        Index("ix_sync_outbox_row", "kind", "row_id"),
        Index("ix_sync_outbox_client_id", "client_id"),
        Index("ix_sync_outbox_status", "status", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[uuid.UUID] = mapped_column()
    client_id: Mapped[uuid.UUID | None] = mapped_column()
    op: Mapped[str] = mapped_column(String(8))  # upsert | insert | erase
    hlc: Mapped[str] = mapped_column(String(80))
    fields: Mapped[str] = mapped_column(Text)  # JSON object: column -> wire value
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | rejected
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()


class SyncConflict(Base):
    """A field where another store's edit won over this workstation's: shown on the Sync page
    until the associate keeps the winner or re-applies their own value."""

    __tablename__ = "sync_conflicts"
    __table_args__ = (Index("ix_sync_conflicts_client_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[uuid.UUID] = mapped_column()
    client_id: Mapped[uuid.UUID | None] = mapped_column()
    field: Mapped[str] = mapped_column(String(64))
    mine: Mapped[str] = mapped_column(Text)  # JSON wire value
    winning: Mapped[str] = mapped_column(Text)  # JSON wire value
    winner: Mapped[str] = mapped_column(String(200))  # who made the winning edit
    won_at: Mapped[datetime] = mapped_column()  # when the winning edit was made
    mutation_id: Mapped[int] = mapped_column(Integer)
    detected_at: Mapped[datetime] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
