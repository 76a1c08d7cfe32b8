"""Named camera presets: the camera keeps the position, Vitrine keeps the rest.

A preset is a slot in the camera's memory (`preset set N`) plus what the operator sees: a
name, the product it frames (a SKU), a thumbnail, and the position the camera reported when
it was saved, which tells whether the camera still sits on it. The book of presets is one
JSON file per workstation, keyed by camera, replaced atomically on every change; thumbnails
are JPEG/PNG files beside it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from camera.controller import CameraController, CameraError, CameraState

POSITION_TOLERANCE = 16  # camera units (≈ 0.3° on Sony) still counted as "on the preset"


@dataclass(frozen=True)
class Preset:
    number: int
    name: str
    sku: str | None = None
    pan: int | None = None
    tilt: int | None = None
    zoom: int | None = None
    thumbnail: str | None = None  # a file name beside the presets file
    saved_at: str = ""

    def holds(self, state: CameraState, tolerance: int = POSITION_TOLERANCE) -> bool:
        """Whether the camera's reported position is this preset's (within a tolerance)."""
        pairs = [(self.pan, state.pan), (self.tilt, state.tilt), (self.zoom, state.zoom)]
        known = [(a, b) for a, b in pairs if a is not None and b is not None]
        return bool(known) and all(abs(a - b) <= tolerance for a, b in known)


class PresetError(Exception):
    pass


class PresetBook:
    """The presets of every camera this workstation drives. Thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    @staticmethod
    def camera_key(url: str) -> str:
        """Presets belong to a camera, whatever the URL's options say."""
        return url.split("?", 1)[0].lower()

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise PresetError(f"cannot read the presets file {self.path}: {exc}") from exc
        if not isinstance(data, dict):
            raise PresetError(f"{self.path} is not a presets file")
        return data

    def _store(self, data: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".presets-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=1, sort_keys=True, ensure_ascii=False)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def presets(self, url: str) -> list[Preset]:
        with self._lock:
            slots = self._load().get(self.camera_key(url), {})
        return sorted((Preset(**raw) for raw in slots.values()), key=lambda p: p.number)

    def get(self, url: str, number: int) -> Preset | None:
        return next((p for p in self.presets(url) if p.number == number), None)

    def put(self, url: str, preset: Preset) -> Preset:
        with self._lock:
            data = self._load()
            data.setdefault(self.camera_key(url), {})[str(preset.number)] = asdict(preset)
            self._store(data)
        return preset

    def forget(self, url: str, number: int) -> None:
        with self._lock:
            data = self._load()
            slots = data.get(self.camera_key(url), {})
            gone = slots.pop(str(number), None)
            if gone is not None:
                self._store(data)
        if gone and gone.get("thumbnail"):
            (self.path.parent / gone["thumbnail"]).unlink(missing_ok=True)

    def edit(self, url: str, number: int, **changes: Any) -> Preset:
        current = self.get(url, number)
        if current is None:
            raise PresetError(f"preset {number} is not saved")
        return self.put(url, replace(current, **changes))

    def write_thumbnail(self, url: str, number: int, image: bytes, suffix: str = ".jpg") -> str:
        digest = hashlib.sha1(self.camera_key(url).encode()).hexdigest()[:10]
        name = f"preset-{digest}-{number}{suffix}"
        target = self.path.parent / name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(image)
        os.replace(tmp, target)
        return name

    # --- with a camera ----------------------------------------------------------------------

    def save(
        self,
        camera: CameraController,
        number: int,
        name: str | None = None,
        sku: str | None = None,
        thumbnail: bytes | None = None,
        timeout: float = 3.0,
    ) -> Preset:
        """Store the camera's current framing in slot `number` (blocking: call it off the
        GUI thread). The camera must acknowledge the save; the position is recorded when the
        camera answers inquiries, and left blank when it does not."""
        try:
            camera.preset_set(number).result(timeout)
        except CameraError as exc:
            raise PresetError(f"the camera did not save preset {number}: {exc}") from exc
        except TimeoutError as exc:
            raise PresetError(f"the camera did not confirm preset {number} in time") from exc
        state = camera.refresh(timeout=min(timeout, 1.5))
        previous = self.get(camera.address.url, number)
        preset = Preset(
            number=number,
            name=name or (previous.name if previous else f"Preset {number}"),
            sku=sku if sku is not None else (previous.sku if previous else None),
            pan=state.pan,
            tilt=state.tilt,
            zoom=state.zoom,
            thumbnail=previous.thumbnail if previous else None,
            saved_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        if thumbnail is not None:
            preset = replace(
                preset, thumbnail=self.write_thumbnail(camera.address.url, number, thumbnail)
            )
        return self.put(camera.address.url, preset)
