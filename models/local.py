"""Tables that exist only on this workstation: derived figures and bookkeeping.

Nothing here is synced; everything here can be rebuilt from the synced tables.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
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
