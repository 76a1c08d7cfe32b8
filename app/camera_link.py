"""The studio's camera, for the GUI: a `CameraController` whose events arrive as Qt signals.

The controller does its socket and serial work on its own thread; its events are emitted
from there and Qt queues them to the widgets on the GUI thread. Saving a preset waits for the
camera (seconds at worst), so it runs on a small worker, never in a slot.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

from camera import visca
from camera.controller import (
    CameraController,
    CameraError,
    CameraEvent,
    CameraOffline,
    CameraState,
)
from camera.presets import Preset, PresetBook, PresetError
from camera.visca import ViscaError

log = logging.getLogger(__name__)

MAX_DRIVE_SPEED = 24
STOP_WAIT = 0.5  # seconds a closing link waits for the camera to confirm its stop


class CameraLink(QObject):
    stateChanged = Signal(object)  # CameraState
    message = Signal(str, str)  # kind (error | notice), text for the operator
    presetsChanged = Signal(object)  # list[Preset]
    presetRecalled = Signal(int, object)  # number, Preset | None: the camera arrived there

    def __init__(self, presets: PresetBook, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.presets = presets
        self._camera: CameraController | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="camera-presets")
        self.speed = 10  # pan/tilt drive speed (1–24), set by the operator
        self._known: dict[int, Preset] = {}  # the presets as last read, for recalls

    # --- life -----------------------------------------------------------------------------

    @property
    def url(self) -> str | None:
        return self._camera.address.url if self._camera else None

    @property
    def dialect(self) -> visca.Dialect | None:
        return self._camera.dialect if self._camera else None

    @property
    def state(self) -> CameraState | None:
        return self._camera.state if self._camera else None

    def open(self, url: str) -> None:
        """Drive the camera at `url` (closing the previous one). A bad URL is reported."""
        self.close()
        try:
            camera = CameraController(url, listener=self._on_event)
        except ViscaError as exc:
            self.message.emit("error", str(exc))
            return
        self._camera = camera.start()
        self.stateChanged.emit(camera.state)
        self._worker.submit(self._refresh_presets)

    def close(self, wait: bool = False) -> None:
        """Let go of the camera, stopping whatever moves first. The stop is confirmed (or
        given up on after half a second) on a worker, unless `wait` (the app is exiting)."""
        camera, self._camera = self._camera, None
        if camera is None:
            return

        def let_go() -> None:
            with contextlib.suppress(Exception):  # offline, or refused: nothing moves then
                camera.stop().result(STOP_WAIT)
                camera.zoom_stop().result(STOP_WAIT)
            camera.close()

        if wait:
            let_go()
        else:
            threading.Thread(target=let_go, name="camera-close", daemon=True).start()

    def shutdown(self) -> None:
        self.close(wait=True)
        self._worker.shutdown(wait=False, cancel_futures=True)

    def _on_event(self, event: CameraEvent) -> None:  # the controller's thread
        self.stateChanged.emit(event.state)
        if event.kind in ("error", "notice") and event.text:
            self.message.emit(event.kind, event.text)

    # --- motion (all return at once) ------------------------------------------------------

    def _send(self, command: Any) -> None:
        if self._camera is None:
            return
        try:
            future = self._camera.submit(command)
        except ViscaError as exc:
            self.message.emit("error", str(exc))
            return
        future.add_done_callback(self._report)

    def _report(self, future: Future[Any]) -> None:
        exc = future.exception()
        if isinstance(exc, CameraError) and not isinstance(exc, CameraOffline):
            self.message.emit("error", str(exc))

    def _dialect(self) -> visca.Dialect | None:
        return self._camera.dialect if self._camera else None

    def drive(self, pan: int, tilt: int) -> None:
        """Directions −1, 0, +1 at the operator's speed."""
        d = self._dialect()
        if d is not None:
            speed = max(1, min(MAX_DRIVE_SPEED, self.speed))
            self._send(visca.pan_tilt_drive(d, pan * speed, tilt * speed))

    def stop(self) -> None:
        d = self._dialect()
        if d is not None:
            self._send(visca.pan_tilt_stop(d))

    def zoom(self, direction: int, speed: int = 5) -> None:
        d = self._dialect()
        if d is not None:
            self._send(visca.zoom_drive(d, direction * speed))

    def zoom_stop(self) -> None:
        d = self._dialect()
        if d is not None:
            self._send(visca.zoom_stop(d))

    def zoom_to(self, fraction: float) -> None:
        d = self._dialect()
        if d is not None:
            self._send(visca.zoom_direct(d, round(max(0.0, min(1.0, fraction)) * d.zoom_max)))

    def focus_mode(self, mode: str) -> None:
        d = self._dialect()
        if d is None:
            return
        if mode == "one-push":
            self._send(visca.focus_one_push(d))
        else:
            self._send(visca.focus_mode(d, mode))

    def focus(self, direction: int) -> None:
        d = self._dialect()
        if d is not None:
            self._send(visca.focus_drive(d, direction * 4))

    def move_to_degrees(self, pan_deg: float, tilt_deg: float) -> None:
        """An absolute move, in degrees (converted with the maker's units)."""
        d = self._dialect()
        if d is not None:
            pan, tilt = round(pan_deg * d.pan_per_degree), round(tilt_deg * d.tilt_per_degree)
            low, high = d.pan_limits
            tlow, thigh = d.tilt_limits
            pan, tilt = max(low, min(high, pan)), max(tlow, min(thigh, tilt))
            self._send(visca.pan_tilt_absolute(d, pan, tilt))

    def home(self) -> None:
        d = self._dialect()
        if d is not None:
            self._send(visca.home(d))

    # --- presets --------------------------------------------------------------------------

    def _refresh_presets(self) -> None:  # on the worker: it reads a file
        camera = self._camera
        if camera is None:
            return
        try:
            found = self.presets.presets(camera.address.url)
        except PresetError as exc:
            self.message.emit("error", str(exc))
            found = []
        self._known = {p.number: p for p in found}
        self.presetsChanged.emit(found)

    def recall(self, number: int) -> None:
        camera = self._camera
        if camera is None:
            return
        try:
            future = camera.preset_recall(number)
        except ViscaError as exc:
            self.message.emit("error", str(exc))
            return
        preset = self._known.get(number)

        def arrived(f: Future[Any]) -> None:
            if f.exception() is None:
                self.presetRecalled.emit(number, preset)
            else:
                self.message.emit("error", f"preset {number}: {f.exception()}")

        future.add_done_callback(arrived)

    def save_preset(
        self,
        number: int,
        name: str | None = None,
        sku: str | None = None,
        thumbnail: bytes | None = None,
    ) -> None:
        camera = self._camera
        if camera is None:
            return

        def work() -> None:
            try:
                self.presets.save(camera, number, name, sku, thumbnail)
            except (PresetError, ViscaError) as exc:
                self.message.emit("error", str(exc))
            self._refresh_presets()

        self._worker.submit(work)

    def edit_preset(self, number: int, **changes: Any) -> None:
        url = self.url
        if url is None:
            return

        def work() -> None:
            try:
                self.presets.edit(url, number, **changes)
            except PresetError as exc:
                self.message.emit("error", str(exc))
            self._refresh_presets()

        self._worker.submit(work)
