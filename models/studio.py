"""Showroom studio sessions: a recording of a remote selling session and its markers.

Local to the workstation that recorded them, like the video files they point to: they do
not sync. They go with their client (ON DELETE CASCADE), so an erasure takes them too; the
video files are removed by the application when it removes the rows.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, str_enum
from models.enums import MarkerKind, StudioStatus
from models.ids import uuid7
from models.types import utcnow


class StudioSession(Base):
    __tablename__ = "studio_sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL")
    )
    associate_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("associates.id"))
    store_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stores.id"))
    status: Mapped[StudioStatus] = mapped_column(
        str_enum(StudioStatus, "studio_status"), default=StudioStatus.RECORDING
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    duration_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    dropped_frames: Mapped[int] = mapped_column(Integer, default=0)
    # The recording, relative to the book's media folder so the book can move machines.
    video_path: Mapped[str] = mapped_column(String(260))
    width: Mapped[int | None] = mapped_column(Integer, default=None)
    height: Mapped[int | None] = mapped_column(Integer, default=None)
    camera: Mapped[str | None] = mapped_column(String(200), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)

    markers: Mapped[list[StudioMarker]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="StudioMarker.at_ms"
    )

    __table_args__ = (
        Index("ix_studio_sessions_client_id", "client_id", "started_at"),
        Index("ix_studio_sessions_status", "status"),
    )


class StudioMarker(Base):
    """A moment of a recording, on the recording's own clock (milliseconds from its start)."""

    __tablename__ = "studio_markers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("studio_sessions.id", ondelete="CASCADE")
    )
    at_ms: Mapped[int] = mapped_column(Integer)
    kind: Mapped[MarkerKind] = mapped_column(str_enum(MarkerKind, "marker_kind"))
    label: Mapped[str] = mapped_column(String(200))
    product_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL")
    )
    sku: Mapped[str | None] = mapped_column(String(40))
    preset: Mapped[int | None] = mapped_column(Integer)

    session: Mapped[StudioSession] = relationship(back_populates="markers")

    __table_args__ = (
        CheckConstraint("at_ms >= 0", name="at_not_negative"),
        Index("ix_studio_markers_session_id", "session_id", "at_ms"),
        Index("ix_studio_markers_product_id", "product_id"),
    )
