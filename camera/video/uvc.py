"""USB (UVC) cameras through OpenCV: V4L2 on Linux, the platform's default elsewhere."""

from __future__ import annotations

import os
import re
import sys
import time

import cv2
import numpy as np

from camera.video.source import VideoSource

# Many UVC cameras give YUYV at 5–6 fps above this size and MJPG at 30 fps.
MJPG_ABOVE_PIXELS = 640 * 480
FAILED_READS = 3  # reads in a row that return nothing before the camera counts as gone
_VIDEO_NODE = re.compile(r"/dev/video(\d+)$")


def _fourcc_text(value: float) -> str:
    code = int(value)
    text = "".join(chr((code >> (8 * i)) & 0xFF) for i in range(4))
    return text if text.isprintable() and text.strip() else "?"


def default_backend() -> int:
    return int(cv2.CAP_V4L2) if sys.platform.startswith("linux") else int(cv2.CAP_ANY)


class UvcSource(VideoSource):
    """A USB camera by index (`0`) or device path (`/dev/video0`, a `/dev/v4l/by-id/…` link).

    It asks for `width`×`height` at `fps` in `fourcc` (None: MJPG above 640×480, which UVC
    cameras need for 1080p30), keeps the driver's buffer at `buffer_size` frames so the
    preview stays fresh, and reads on its own thread. A camera that is missing or unplugged
    puts the source in RETRYING with a sentence saying so, and it is opened again with
    back-off until it answers. `width`, `height` and `fps` then report what the camera gave.

    OpenCV does not expose the driver's frame sequence numbers, so frames the camera dropped
    are not counted in `frames_lost`.
    """

    kind = "uvc"

    def __init__(
        self,
        device: int | str = 0,
        *,
        width: int = 1280,
        height: int = 720,
        fps: float = 30.0,
        fourcc: str | None = None,
        buffer_size: int = 1,
        backend: int | None = None,
        retry_first: float = 0.5,
        retry_limit: float = 10.0,
        name: str | None = None,
    ) -> None:
        if isinstance(device, int) and device < 0:
            raise ValueError("a camera index is 0 or more")
        if fourcc is not None and len(fourcc) != 4:
            raise ValueError(f"a FOURCC has four characters, not {fourcc!r}")
        super().__init__(
            name or f"USB camera {device}",
            width=width,
            height=height,
            fps=fps,
            retry_first=retry_first,
            retry_limit=retry_limit,
        )
        self.device = device
        self.fourcc = fourcc.upper() if fourcc else None
        self.buffer_size = buffer_size
        self.backend = default_backend() if backend is None else backend
        self.delivered_fourcc = ""

    @property
    def device_path(self) -> str | None:
        """The file the device should be at, where that can be known (Linux, or a path)."""
        if isinstance(self.device, str):
            return self.device
        if sys.platform.startswith("linux"):
            return f"/dev/video{self.device}"
        return None

    def _target(self) -> int | str:
        """What to give OpenCV: V4L2 opens most reliably by index, so a node path (or a
        by-id link to one) becomes its index."""
        if isinstance(self.device, int):
            return self.device
        if self.backend == cv2.CAP_V4L2:
            match = _VIDEO_NODE.match(os.path.realpath(self.device))
            if match:
                return int(match.group(1))
        return self.device

    def _open(self) -> tuple[cv2.VideoCapture | None, str]:
        path = self.device_path
        if path is not None and not os.path.exists(path):
            return None, f"no camera at {path}"
        try:
            cap = cv2.VideoCapture(self._target(), self.backend)
        except cv2.error as exc:
            return None, f"cannot open {self.name}: {exc}"
        if not cap.isOpened():
            cap.release()
            where = path or f"index {self.device}"
            return None, f"{where} did not open as a video device (busy, or not a camera)"
        want_w, want_h, want_fps = self.requested
        fourcc = self.fourcc
        if fourcc is None and want_w * want_h > MJPG_ABOVE_PIXELS:
            fourcc = "MJPG"
        # V4L2 applies these in order: the format decides which sizes and rates exist.
        if fourcc:
            cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*fourcc))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, want_w)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, want_h)
        cap.set(cv2.CAP_PROP_FPS, want_fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, self.buffer_size)
        return cap, ""

    def _describe_open(self, cap: cv2.VideoCapture, image: np.ndarray) -> str:
        height, width = image.shape[:2]
        fps = float(cap.get(cv2.CAP_PROP_FPS)) or self.requested[2]
        self.delivered_fourcc = _fourcc_text(cap.get(cv2.CAP_PROP_FOURCC))
        self._set_geometry(int(width), int(height), fps)
        want_w, want_h, want_fps = self.requested
        text = f"{self.name}: {width}×{height} {self.delivered_fourcc} at {fps:g} fps"
        if (width, height) != (want_w, want_h) or abs(fps - want_fps) > 0.5:
            text += f" (asked for {want_w}×{want_h} at {want_fps:g} fps)"
        return text

    def _run(self) -> None:
        attempts = 0
        was_live = False
        while not self._stopping.is_set():
            cap, error = self._open()
            image: np.ndarray | None = None
            if cap is not None:
                ok, image = cap.read()
                if not ok or image is None:
                    cap.release()
                    cap, image = None, None
                    error = f"{self.name} opened but sent no picture"
            if cap is None or image is None:
                attempts += 1
                if not self._retry_later(error, attempts):
                    return
                continue
            attempts = 0
            t = time.monotonic()
            self._went_live(self._describe_open(cap, image), was_live)
            was_live = True
            try:
                error = self._capture(cap, image, t)
            finally:
                cap.release()
            if self._stopping.is_set():
                return
            attempts = 1
            if not self._retry_later(error, attempts):
                return

    def _capture(self, cap: cv2.VideoCapture, first: np.ndarray, t: float) -> str:
        """Read until stopped or the camera goes; returns why it went."""
        self._publish(first, t)
        failures = 0
        while not self._stopping.is_set():
            ok, image = cap.read()
            t = time.monotonic()
            if ok and image is not None:
                failures = 0
                self._publish(image, t)
                continue
            failures += 1
            path = self.device_path
            if path is not None and not os.path.exists(path):
                return f"{self.name} was unplugged ({path} is gone)"
            if failures >= FAILED_READS:
                return f"{self.name} stopped sending pictures"
        return ""
