"""Frames that say which frame they are, real recordings and ffprobe, for the recording tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import pytest

from camera.recording import EncoderSettings, Recorder, RecordingResult

WIDTH, HEIGHT, FPS = 320, 240, 30
SMALL = EncoderSettings(WIDTH, HEIGHT, preset="ultrafast")
T0 = 5_000.0  # the capture clock's reading at the first frame
BITS = 12
_TEXTURE = cv2.resize(
    np.random.default_rng(3).integers(0, 255, (HEIGHT // 8, WIDTH // 4, 3), dtype=np.uint8),
    (WIDTH * 2, HEIGHT),
    interpolation=cv2.INTER_NEAREST,
)


def frame(index: int, *, blurred: bool = False) -> np.ndarray:
    """A textured picture moving a few pixels a frame, with `index` written as big bits."""
    shift = (index * 3) % WIDTH
    image = np.ascontiguousarray(_TEXTURE[:, shift : shift + WIDTH])
    if blurred:
        image = cv2.GaussianBlur(image, (0, 0), 6)
    cell = WIDTH // BITS
    for bit in range(BITS):
        on = (index >> bit) & 1
        image[:24, bit * cell : (bit + 1) * cell] = 255 if on else 0
    return image


def index_of(image: np.ndarray) -> int:
    """The index `frame()` wrote into a (decoded, possibly scaled) picture."""
    h, w = image.shape[:2]
    cell = w / BITS
    band = image[: max(1, round(h * 24 / HEIGHT) - 2)]
    value = 0
    for bit in range(BITS):
        margin = max(1, round(cell * 0.2))
        block = band[:, round(bit * cell) + margin : round((bit + 1) * cell) - margin]
        if block.mean() > 128:
            value |= 1 << bit
    return value


def times(count: int, fps: float = FPS) -> list[float]:
    return [T0 + i / fps for i in range(count)]


def record(
    path: Path,
    capture_times: Iterable[float],
    *,
    settings: EncoderSettings = SMALL,
    markers: Iterable[tuple[str, str, float, dict[str, Any]]] = (),
    blurred: Iterable[int] = (),
) -> RecordingResult:
    """Record frames stamped with the given capture times as fast as the encoder takes them."""
    stamps = list(capture_times)
    blurry = set(blurred)
    pending = sorted(markers, key=lambda m: m[2])
    recorder = Recorder(path, settings, queue_frames=len(stamps) + 1)
    recorder.start()
    for index, t in enumerate(stamps):
        while pending and pending[0][2] <= t:
            kind, label, at, data = pending.pop(0)
            recorder.mark(kind, label, at, data)
        assert recorder.submit(frame(index, blurred=index in blurry), t)
    for kind, label, at, data in pending:
        recorder.mark(kind, label, at, data)
    result = recorder.stop()
    assert result.dropped == 0 and result.error is None, result
    return result


def ffprobe(path: Path, *args: str) -> dict[str, Any]:
    exe = shutil.which("ffprobe")
    if exe is None:
        # CI installs ffmpeg and requires it; elsewhere these checks wait for it.
        if os.environ.get("VITRINE_REQUIRE_FFPROBE") == "1":
            pytest.fail("ffprobe is required here (VITRINE_REQUIRE_FFPROBE=1)")
        pytest.skip("ffprobe is not installed (apt-get install ffmpeg): the file is not probed")
    out = subprocess.run(
        [exe, "-v", "error", "-of", "json", *args, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def probe_video(path: Path) -> dict[str, Any]:
    """ffprobe's view: the video stream (frames counted by decoding), format and chapters."""
    data = ffprobe(
        path,
        "-count_frames",
        "-select_streams",
        "v:0",
        "-show_streams",
        "-show_format",
        "-show_chapters",
    )
    return {
        "stream": data["streams"][0],
        "format": data["format"],
        "chapters": data.get("chapters", []),
    }


def decode_all(path: Path, *, torn_end: bool = False) -> list[tuple[float, int]]:
    """Every frame's time and written index, decoded by PyAV.

    Damaged data raises, except with `torn_end`: then decoding stops at the first packet the
    demuxer reports incomplete, as after a write error in the middle of a fragment.
    """
    out = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for packet in container.demux(stream):
            if packet.is_corrupt and torn_end:
                break
            for f in packet.decode():
                out.append((float(f.time or 0.0), index_of(f.to_ndarray(format="bgr24"))))
    return out
