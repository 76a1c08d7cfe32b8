"""Showroom studio use cases: sessions for a client, recording consent, markers, the
sessions and products shown on a profile, and recovery after a crash.

A session row is written when recording starts (status `recording`), so a crash leaves a
trace the next start can recover; markers are added as they happen, on the recording's
clock; `finish` stores what the recorder measured. Video files live under the book's media
folder, addressed relative to it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clients import Actor, Clock, NotFoundError, display_name
from app.consent import derive_consent
from app.validation import Checker, FieldError, ValidationError
from models import (
    Appointment,
    Associate,
    Client,
    ConsentEvent,
    Product,
    StudioMarker,
    StudioSession,
)
from models.enums import ConsentPurpose, MarkerKind, StudioStatus
from models.types import utcnow

STUDIO_FOLDER = "studio"


class ConsentRequired(ValidationError):
    """Recording a client needs their recorded consent to session recording."""


@dataclass(frozen=True)
class MarkerView:
    id: uuid.UUID
    at_ms: int
    kind: str
    label: str
    sku: str | None
    product_id: uuid.UUID | None
    preset: int | None


@dataclass(frozen=True)
class StudioSessionView:
    id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    appointment_id: uuid.UUID | None
    associate: str | None
    status: str
    started_at: datetime
    ended_at: datetime | None
    duration_ms: int | None
    dropped_frames: int
    video_path: str  # relative to the media folder
    width: int | None
    height: int | None
    camera: str | None
    error: str | None
    markers: tuple[MarkerView, ...]

    @property
    def products(self) -> tuple[str, ...]:
        """The SKUs shown, in order of first showing, each once."""
        seen: dict[str, None] = {}
        for m in self.markers:
            if m.sku:
                seen.setdefault(m.sku, None)
        return tuple(seen)


@dataclass(frozen=True)
class ProductShown:
    sku: str
    name: str
    brand: str
    product_id: uuid.UUID | None
    times: int
    last_shown_at: datetime
    session_id: uuid.UUID
    at_ms: int  # where in that session's recording it was last shown


class StudioService:
    def __init__(self, session: Session, actor: Actor, clock: Clock = utcnow) -> None:
        self.session = session
        self.actor = actor
        self.clock = clock

    # --- consent --------------------------------------------------------------------------

    def may_record(self, client_id: uuid.UUID) -> bool:
        """True when the client's latest word on session recording (any channel) is yes."""
        rows = self.session.execute(
            select(
                ConsentEvent.channel,
                ConsentEvent.purpose,
                ConsentEvent.action,
                ConsentEvent.captured_at,
            ).where(
                ConsentEvent.client_id == client_id,
                ConsentEvent.purpose == ConsentPurpose.SESSION_RECORDING,
            )
        ).all()
        states = derive_consent(rows)  # type: ignore[arg-type]
        if not states:
            return False
        latest = max(states, key=lambda s: s.since)
        return latest.granted

    # --- a session ------------------------------------------------------------------------

    def _client(self, client_id: uuid.UUID) -> Client:
        client = self.session.get(Client, client_id)
        if client is None or client.deleted_at is not None:
            raise NotFoundError(f"no client {client_id}")
        return client

    def start(
        self,
        client_id: uuid.UUID,
        video_path: str,
        appointment_id: uuid.UUID | None = None,
        camera: str | None = None,
    ) -> uuid.UUID:
        """Record the start of a session. Refused without recording consent."""
        self._client(client_id)
        c = Checker()
        if appointment_id is not None:
            appointment = self.session.get(Appointment, appointment_id)
            if appointment is None or appointment.client_id != client_id:
                c.fail("appointment", "is not this client's appointment")
        if not video_path.strip() or Path(video_path).is_absolute():
            c.fail("video_path", "must be a path inside the media folder")
        c.done()
        if not self.may_record(client_id):
            raise ConsentRequired(
                [FieldError("consent", "the client has not agreed to session recording")]
            )
        row = StudioSession(
            client_id=client_id,
            appointment_id=appointment_id,
            associate_id=self.actor.associate_id,
            store_id=self.actor.store_id,
            status=StudioStatus.RECORDING,
            started_at=self.clock(),
            video_path=video_path,
            camera=camera,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def _session(self, session_id: uuid.UUID) -> StudioSession:
        row = self.session.get(StudioSession, session_id)
        if row is None:
            raise NotFoundError(f"no studio session {session_id}")
        return row

    def add_marker(
        self,
        session_id: uuid.UUID,
        at_ms: int,
        kind: str,
        label: str,
        sku: str | None = None,
        preset: int | None = None,
    ) -> uuid.UUID:
        """A marker on the recording's clock; a SKU links the catalog's product if known."""
        self._session(session_id)
        c = Checker()
        if at_ms < 0:
            c.fail("at_ms", "cannot be before the recording started")
        try:
            marker_kind = MarkerKind(kind)
        except ValueError:
            c.fail("kind", f"must be one of {', '.join(k.value for k in MarkerKind)}")
            marker_kind = MarkerKind.NOTE
        text = label.strip()
        if not text:
            c.fail("label", "is empty")
        c.done()
        product_id = None
        if sku:
            product_id = self.session.scalar(select(Product.id).where(Product.sku == sku))
        row = StudioMarker(
            session_id=session_id,
            at_ms=at_ms,
            kind=marker_kind,
            label=text[:200],
            sku=sku,
            product_id=product_id,
            preset=preset,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def finish(
        self,
        session_id: uuid.UUID,
        duration_ms: int,
        dropped_frames: int = 0,
        width: int | None = None,
        height: int | None = None,
        interrupted: bool = False,
        error: str | None = None,
    ) -> None:
        row = self._session(session_id)
        if duration_ms <= 0 and not interrupted:
            row.status = StudioStatus.FAILED
        else:
            row.status = StudioStatus.INTERRUPTED if interrupted else StudioStatus.FINISHED
        row.ended_at = self.clock()
        row.duration_ms = max(0, duration_ms)
        row.dropped_frames = dropped_frames
        row.width, row.height = width, height
        row.error = error
        # Markers past the end of what was kept (an interrupted recording) are dropped.
        for marker in list(row.markers):
            if marker.at_ms > row.duration_ms:
                self.session.delete(marker)
        self.session.flush()

    def unfinished(self) -> list[StudioSessionView]:
        """Sessions still marked as recording: left by a crash, to recover at start."""
        rows = self.session.scalars(
            select(StudioSession).where(StudioSession.status == StudioStatus.RECORDING)
        ).all()
        return [self._view(r) for r in rows]

    def discard(self, session_id: uuid.UUID) -> str:
        """Remove a session (the caller removes its files); returns its video path."""
        row = self._session(session_id)
        path = row.video_path
        self.session.delete(row)
        self.session.flush()
        return path

    # --- reading --------------------------------------------------------------------------

    def _view(self, row: StudioSession, client_name: str | None = None) -> StudioSessionView:
        associate = None
        if row.associate_id is not None:
            associate = self.session.scalar(
                select(Associate.display_name).where(Associate.id == row.associate_id)
            )
        if client_name is None:
            client = self.session.get(Client, row.client_id)
            client_name = _name(client) if client is not None else ""
        return StudioSessionView(
            id=row.id,
            client_id=row.client_id,
            client_name=client_name,
            appointment_id=row.appointment_id,
            associate=associate,
            status=str(row.status),
            started_at=row.started_at,
            ended_at=row.ended_at,
            duration_ms=row.duration_ms,
            dropped_frames=row.dropped_frames,
            video_path=row.video_path,
            width=row.width,
            height=row.height,
            camera=row.camera,
            error=row.error,
            markers=tuple(
                MarkerView(m.id, m.at_ms, str(m.kind), m.label, m.sku, m.product_id, m.preset)
                for m in row.markers
            ),
        )

    def get(self, session_id: uuid.UUID) -> StudioSessionView:
        return self._view(self._session(session_id))

    def sessions_for(self, client_id: uuid.UUID, limit: int = 50) -> list[StudioSessionView]:
        """The client's sessions, newest first."""
        client = self._client(client_id)
        rows = self.session.scalars(
            select(StudioSession)
            .where(StudioSession.client_id == client_id)
            .order_by(StudioSession.started_at.desc())
            .limit(limit)
        ).all()
        return [self._view(r, _name(client)) for r in rows]

    def products_shown(self, client_id: uuid.UUID) -> list[ProductShown]:
        """Every product shown to the client in a recorded session, most recent first."""
        times = func.count(StudioMarker.id)
        last = func.max(StudioSession.started_at)
        rows = self.session.execute(
            select(StudioMarker.sku, times, last)
            .join(StudioSession, StudioSession.id == StudioMarker.session_id)
            .where(StudioSession.client_id == client_id, StudioMarker.sku.is_not(None))
            .group_by(StudioMarker.sku)
            .order_by(last.desc())
        ).all()
        out = []
        for sku, count, _last in rows:
            latest = self.session.execute(
                select(StudioMarker.at_ms, StudioSession.id, StudioSession.started_at)
                .join(StudioSession, StudioSession.id == StudioMarker.session_id)
                .where(StudioSession.client_id == client_id, StudioMarker.sku == sku)
                .order_by(StudioSession.started_at.desc(), StudioMarker.at_ms.desc())
                .limit(1)
            ).one()
            product = self.session.scalar(select(Product).where(Product.sku == sku))
            out.append(
                ProductShown(
                    sku=sku,
                    name=product.name if product else sku,
                    brand=product.brand if product else "",
                    product_id=product.id if product else None,
                    times=int(count),
                    last_shown_at=latest[2],
                    session_id=latest[1],
                    at_ms=int(latest[0]),
                )
            )
        return out


def _name(client: Client) -> str:
    return display_name(client.given_name, client.family_name, client.preferred_name)


def orphan_files(session: Session, media_dir: Path) -> list[Path]:
    """Recordings in the media folder that no session points to any more (the client was
    erased, or the session discarded): the caller deletes them."""
    folder = media_dir / STUDIO_FOLDER
    if not folder.is_dir():
        return []
    kept = {
        str(Path(p).with_suffix(""))
        for p in session.scalars(select(StudioSession.video_path)).all()
    }
    orphans = []
    for path in folder.iterdir():
        if not path.is_file():
            continue
        stem = str(path.relative_to(media_dir)).split(".", 1)[0]
        if stem not in kept:
            orphans.append(path)
    return sorted(orphans)
