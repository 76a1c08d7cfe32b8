"""USB cameras without a USB camera: a missing device, a file that is not one, and a
"device" that comes and goes, played by OpenCV's FFmpeg backend from a real clip behind a
device-like path."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import pytest

from camera.video import SourceState, UvcSource, VideoSource, open_source
from tests.camera.video.conftest import until
from tests.camera.video.media import write_clip
from tests.camera.video.test_stream import Watch

Started = Callable[[VideoSource], Any]


def test_a_missing_camera_is_a_status_retried_with_back_off(sources: Started) -> None:
    source = open_source("uvc:63?width=1920&height=1080&fps=30&retry_limit=0.2", retry_first=0.05)
    assert isinstance(source, UvcSource)
    watch = Watch(source)
    sources(source)  # no exception, whatever the machine has
    assert until(lambda: len(watch.retries()) >= 4, 5.0)
    retries = watch.retries()[:4]
    assert retries[0].message == "no camera at /dev/video63; retrying in 0.05 s"
    assert retries[0].error == "no camera at /dev/video63"
    assert [s.attempts for s in retries] == [1, 2, 3, 4]
    assert [round(s.retry_at - s.since, 2) for s in retries] == [0.05, 0.1, 0.2, 0.2]
    assert source.latest() is None and source.frames_seen == 0
    assert (source.width, source.height, source.fps) == (1920, 1080, 30.0)  # as asked
    started = time.monotonic()
    assert source.stop(timeout=2.0)
    assert time.monotonic() - started < 0.5
    assert source.state is SourceState.STOPPED


def test_a_file_that_is_not_a_camera_says_so(tmp_path: Path, sources: Started) -> None:
    not_a_camera = tmp_path / "video0"
    not_a_camera.write_bytes(b"\0" * 64)
    source = open_source(f"uvc:{not_a_camera}", retry_first=0.05, retry_limit=0.05)
    watch = Watch(source)
    sources(source)
    assert until(lambda: len(watch.retries()) >= 2, 5.0)
    assert "did not open as a video device" in watch.retries()[0].message


def test_a_camera_that_comes_and_goes_is_picked_up_again(tmp_path: Path, sources) -> None:
    clip = write_clip(tmp_path / "clip.mp4", count=10, size=(320, 240))
    device = tmp_path / "by-id" / "usb-Test_Camera-video-index0"
    device.parent.mkdir()
    source = UvcSource(
        str(device),
        width=1280,
        height=720,
        backend=cv2.CAP_FFMPEG,
        retry_first=0.05,
        retry_limit=0.1,
    )
    watch = Watch(source)
    sources(source)
    assert until(lambda: len(watch.retries()) >= 2)
    assert "no camera at" in watch.retries()[0].message
    device.symlink_to(clip)  # plugged in
    first = source.wait_frame(timeout=5.0)
    assert first is not None and first.image.shape == (240, 320, 3)
    live = next(s for s in watch.statuses if s.state is SourceState.LIVE)
    assert "320×240" in live.message and "(asked for 1280×720 at 30 fps)" in live.message
    assert (source.width, source.height) == (320, 240)
    # The clip ends after ten pictures: the camera "stops sending" and is opened again.
    assert until(lambda: source.reconnects >= 1, 5.0)
    stopped = [s for s in watch.retries() if "stopped sending" in s.message]
    assert stopped and stopped[0].attempts == 1
    device.unlink()  # unplugged
    assert until(lambda: watch.retries()[-1].message.startswith("no camera at"), 5.0)
    assert source.frames_seen >= 20
    indexes_grow = source.latest()
    assert indexes_grow is not None and indexes_grow.index == source.frames_seen - 1


def test_bad_uvc_options_are_refused_before_anything_opens() -> None:
    with pytest.raises(ValueError, match="FOURCC"):
        UvcSource(0, fourcc="MJPEG")
    with pytest.raises(ValueError, match="index"):
        UvcSource(-1)
