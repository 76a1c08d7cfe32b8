"""Recording a studio session, for the GUI: the video feed, the recorder and the book.

Threads: the video source captures on its own thread; a feeder thread moves frames from
the source to the recorder, which encodes on its own; finishing a recording (a remux of a
few seconds) runs on a small worker; every read and write of the book goes through the
DbRunner. The GUI thread only receives signals.

A session row is written before the first frame (status `recording`), so a crash leaves a
trace; `recover_unfinished` finds those at the next start, makes their files play up to the
last complete fragment and marks the sessions `interrupted`.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from sqlalchemy import select

from app.clients import Actor
from app.context import Services
from app.studio import STUDIO_FOLDER, ConsentRequired, StudioService, orphan_files
from app.tasks import DbRunner
from camera.recording import (
    Recorder,
    RecordingError,
    RecordingResult,
    recover,
    settings_for,
)
from camera.video import ShowroomProduct, VideoSource
from models import Product, ProductImage

log = logging.getLogger(__name__)

SHOWROOM_PRODUCTS = 43  # the places on the synthetic set


@dataclass(frozen=True)
class RecordingStatus:
    session_id: uuid.UUID
    client_name: str
    elapsed: float  # seconds on the recording's clock
    frames: int
    dropped: int


def showroom_products(services: Services, media_dir: Path) -> list[ShowroomProduct]:
    """The catalog's products with a picture, for the synthetic showroom's shelves."""
    rows = services.session.execute(
        select(Product.sku, Product.name, Product.brand, ProductImage.path)
        .join(ProductImage, ProductImage.product_id == Product.id)
        .where(Product.deleted_at.is_(None), ProductImage.position == 0)
        .order_by(Product.category, Product.sku)
        .limit(SHOWROOM_PRODUCTS)
    ).all()
    return [
        ShowroomProduct(sku, name, brand, str(media_dir / path))
        for sku, name, brand, path in rows
        if (media_dir / path).is_file()
    ]


class StudioRecorder(QObject):
    """Starts, marks and stops recordings of one video source for clients of the book."""

    started = Signal(object)  # RecordingStatus
    progress = Signal(object)  # RecordingStatus, four times a second while recording
    marked = Signal(str, str)  # kind, label
    finished = Signal(object)  # RecordingResult
    consent_needed = Signal(object, str)  # client id, client name
    failed = Signal(str)
    recovered = Signal(int)  # how many interrupted sessions were recovered at start
    _stopped = Signal(object, object)  # (session id, RecordingResult | Exception), from a worker
    _opened = Signal(object, str, object)  # (session id, client, Recorder | error), from a worker

    def __init__(
        self,
        runner: DbRunner,
        actor: Actor,
        media_dir: Path,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._actor = actor
        self.media_dir = media_dir
        self.source: VideoSource | None = None
        self._recorder: Recorder | None = None
        self._session_id: uuid.UUID | None = None
        self._client_name = ""
        self._feeder: threading.Thread | None = None
        self._stop_feeding = threading.Event()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-finish")
        self._closed = False
        self._ticker = QTimer(self)
        self._ticker.setInterval(250)
        self._ticker.timeout.connect(self._tick)
        self._stopped.connect(self._store_result)
        self._opened.connect(self._rolling)

    # --- state ----------------------------------------------------------------------------

    @property
    def recording(self) -> bool:
        return self._recorder is not None

    @property
    def session_id(self) -> uuid.UUID | None:
        return self._session_id

    def set_source(self, source: VideoSource | None) -> None:
        if self.recording:
            raise RecordingError("stop the recording before changing the video source")
        self.source = source

    def _status(self) -> RecordingStatus | None:
        rec, sid = self._recorder, self._session_id
        if rec is None or sid is None:
            return None
        return RecordingStatus(sid, self._client_name, rec.elapsed, rec.frames, rec.dropped)

    def _tick(self) -> None:
        status = self._status()
        if status is not None:
            self.progress.emit(status)
        rec = self._recorder
        if rec is not None and rec.error is not None:
            self.failed.emit(f"Recording stopped: {rec.error}")
            self.stop()

    # --- start ----------------------------------------------------------------------------

    def start(
        self,
        client_id: uuid.UUID,
        client_name: str,
        appointment_id: uuid.UUID | None = None,
        camera: str | None = None,
    ) -> None:
        if self.recording:
            return
        source = self.source
        if source is None or source.latest() is None:
            self.failed.emit("No picture from the camera yet: nothing to record")
            return
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        relative = f"{STUDIO_FOLDER}/{name}.mp4"

        def write(services: Services) -> uuid.UUID:
            studio = StudioService(services.session, self._actor)
            return studio.start(client_id, relative, appointment_id, camera)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ConsentRequired):
                self.consent_needed.emit(client_id, client_name)
            else:
                self.failed.emit(str(exc))

        self._runner.submit(
            write, lambda sid: self._begin(sid, client_name, relative), on_error=failed
        )

    def _begin(self, session_id: uuid.UUID, client_name: str, relative: str) -> None:
        source = self.source
        frame = source.latest() if source is not None else None
        if source is None or frame is None:
            self._abandon(session_id, "the video source stopped")
            return
        height, width = frame.image.shape[:2]
        recorder = Recorder(
            self.media_dir / relative,
            settings_for(width, height, fps=max(1, round(source.fps or 30))),
            metadata={"session": str(session_id), "client": client_name},
        )
        client = client_name

        def open_files() -> None:  # on the worker: creating files and fsyncs
            try:
                recorder.start()
                # The recording's first chapter: one chapter a marker, from the very start.
                recorder.mark("start", f"Session with {client}")
            except RecordingError as exc:
                self._opened.emit(session_id, client, str(exc))
                return
            self._opened.emit(session_id, client, recorder)

        self._background(open_files)

    def _rolling(self, session_id: uuid.UUID, client_name: str, outcome: Any) -> None:
        """The recorder's files are open (or could not be): start feeding it frames."""
        if isinstance(outcome, str):
            self._abandon(session_id, outcome)
            return
        recorder: Recorder = outcome
        source = self.source
        if source is None:
            recorder.stop()
            self._abandon(session_id, "the video source stopped")
            return
        self._recorder, self._session_id, self._client_name = recorder, session_id, client_name
        subscription = source.subscribe(maxsize=8)
        self._stop_feeding.clear()

        def feed() -> None:
            # The source's own queue counts what the recorder could not take in time.
            try:
                while not self._stop_feeding.is_set():
                    got = subscription.get(timeout=0.2)
                    if got is not None:
                        recorder.submit(got.image, got.t)
            finally:
                subscription.close()

        self._feeder = threading.Thread(target=feed, name="studio-feeder", daemon=True)
        self._feeder.start()
        self._ticker.start()
        status = self._status()
        if status is not None:
            self.started.emit(status)

    def _abandon(self, session_id: uuid.UUID, why: str) -> None:
        self._runner.submit(
            lambda s: StudioService(s.session, self._actor).finish(session_id, 0, error=why),
            lambda _r: None,
        )
        self.failed.emit(f"Recording could not start: {why}")

    # --- markers --------------------------------------------------------------------------

    def mark(
        self, kind: str, label: str, sku: str | None = None, preset: int | None = None
    ) -> None:
        """A marker now, on the recording's clock: in the recording's journal (on disk at
        once) and in the book."""
        rec, sid = self._recorder, self._session_id
        if rec is None or sid is None or not label.strip():
            return
        data: dict[str, Any] = {
            k: v for k, v in (("sku", sku), ("preset", preset)) if v is not None
        }
        at = time.monotonic()  # the moment asked for, whenever the disk gets to it

        def write() -> None:  # on the worker: the journal line is fsynced before it returns
            try:
                marker = rec.mark(kind, label.strip(), t=at, data=data)
            except RecordingError as exc:
                self.failed.emit(str(exc))
                return
            at_ms = round(marker.t * 1000)
            self._runner.submit(
                lambda s: StudioService(s.session, self._actor).add_marker(
                    sid, at_ms, kind, label, sku=sku, preset=preset
                ),
                lambda _id: self.marked.emit(kind, label),
                on_error=lambda exc: self.failed.emit(f"Marker not saved: {exc}"),
            )

        self._background(write)

    # --- stop -----------------------------------------------------------------------------

    def stop(self, wait: bool = False) -> None:
        rec, sid = self._recorder, self._session_id
        if rec is None or sid is None:
            return
        self._recorder, self._session_id = None, None
        self._ticker.stop()
        self._stop_feeding.set()
        feeder = self._feeder

        def finish() -> RecordingResult:
            if feeder is not None:
                feeder.join(timeout=2)
            return rec.stop()

        future = self._worker.submit(finish)
        if wait:
            self._store_result(sid, future.result())
            return
        future.add_done_callback(lambda f: self._stopped.emit(sid, f.exception() or f.result()))

    def _store_result(self, session_id: uuid.UUID, outcome: Any) -> None:  # GUI thread
        if isinstance(outcome, BaseException):
            self.failed.emit(f"Recording could not be finished: {outcome}")
            return
        result: RecordingResult = outcome
        self._runner.submit(
            lambda s: StudioService(s.session, self._actor).finish(
                session_id,
                round(result.duration * 1000),
                result.dropped,
                result.width,
                result.height,
                interrupted=result.interrupted,
                error=result.error,
            ),
            lambda _r: self.finished.emit(result),
            on_error=lambda exc: self.failed.emit(str(exc)),
        )

    # --- recovery -------------------------------------------------------------------------

    def recover_unfinished(self) -> None:
        """Sessions a crash left `recording`: make their files play, mark them interrupted."""

        def find(services: Services) -> list[tuple[uuid.UUID, str]]:
            studio = StudioService(services.session, self._actor)
            return [(v.id, v.video_path) for v in studio.unfinished()]

        def fix(found: list[tuple[uuid.UUID, str]]) -> None:
            if found:
                self._background(self._recover_all, found)

        self._runner.submit(find, fix)

    def _recover_all(self, found: list[tuple[uuid.UUID, str]]) -> None:
        for session_id, relative in found:
            outcome: RecordingResult | str
            try:
                outcome = recover(self.media_dir / relative)
            except (RecordingError, OSError) as exc:
                log.warning("could not recover %s: %s", relative, exc)
                outcome = str(exc)
            self._runner.submit(self._mark_interrupted(session_id, outcome), lambda _r: None)
        self._runner.submit(lambda _s: len(found), self.recovered.emit)

    def _mark_interrupted(
        self, session_id: uuid.UUID, outcome: RecordingResult | str
    ) -> Callable[[Services], None]:
        def write(services: Services) -> None:
            studio = StudioService(services.session, self._actor)
            if isinstance(outcome, str):
                studio.finish(session_id, 0, interrupted=True, error=outcome)
            else:
                # A recording finished just as the app closed (its row not yet written) is
                # whole: it is stored as finished, not as interrupted.
                studio.finish(
                    session_id,
                    round(outcome.duration * 1000),
                    outcome.dropped,
                    outcome.width,
                    outcome.height,
                    interrupted=outcome.interrupted or not outcome.finished,
                    error=outcome.error,
                )

        return write

    def delete_orphans(self) -> None:
        """Remove recordings no session points to (after an erasure arrived by sync)."""

        def find(services: Services) -> list[Path]:
            return orphan_files(services.session, self.media_dir)

        def remove(paths: list[Path]) -> None:
            for path in paths:
                path.unlink(missing_ok=True)

        def later(paths: list[Path]) -> None:
            self._background(remove, paths)

        self._runner.submit(find, later)

    def _background(self, fn: Callable[..., object], *args: object) -> None:
        """Slow file work on the worker; nothing once the window has closed."""
        if not self._closed:
            self._worker.submit(fn, *args)

    def shutdown(self) -> None:
        if self.recording:
            self.stop(wait=True)
        self._closed = True
        self._worker.shutdown(wait=True)
