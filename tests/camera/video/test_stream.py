"""RTSP and files through PyAV: decoding off the caller's thread, looping, timeouts against a
camera that never answers or stops sending, reconnecting, and passwords kept out of sight."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from camera.video import SourceState, SourceStatus, StreamSource, VideoSource, open_source, redact
from tests.camera.video.conftest import until
from tests.camera.video.media import (
    RtspServer,
    SilentServer,
    clip_frames,
    encode_h264,
    free_port,
    write_clip,
)

Started = Callable[[VideoSource], Any]


class Watch:
    """Every status a source reports, and the threads it reported them from."""

    def __init__(self, source: VideoSource) -> None:
        self.statuses: list[SourceStatus] = []
        self.threads: set[str] = set()
        source.add_status_listener(self._heard)

    def _heard(self, status: SourceStatus) -> None:
        self.statuses.append(status)
        if status.state is not SourceState.OPENING:  # start() says OPENING on its caller's
            self.threads.add(threading.current_thread().name)

    def states(self) -> list[SourceState]:
        return [s.state for s in self.statuses]

    def retries(self) -> list[SourceStatus]:
        return [s for s in self.statuses if s.state is SourceState.RETRYING]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("clips") / "numbers.mp4", count=15, fps=30)


@pytest.fixture(scope="module")
def stream_units() -> list[bytes]:
    return encode_h264(clip_frames(30))


@pytest.fixture
def rtsp(stream_units: list[bytes]) -> Iterator[RtspServer]:
    with RtspServer(stream_units) as server:
        yield server


def test_a_file_plays_off_thread_at_its_rate_and_loops(clip: Path, sources: Started) -> None:
    source = open_source(f"file:{clip}")
    assert isinstance(source, StreamSource) and not source.live
    watch = Watch(source)
    with source.subscribe(maxsize=128) as queue:
        sources(source)
        started = time.monotonic()
        time.sleep(1.1)
        source.stop()
    frames = list(queue)
    took = frames[-1].t - frames[0].t
    assert 30 <= len(frames) <= 36  # 15 frames at 30 fps, played twice and more
    assert took == pytest.approx((len(frames) - 1) / 30, rel=0.15)
    assert [f.index for f in frames] == list(range(len(frames)))
    assert source.loops >= 2 and source.reconnects == 0
    assert (source.width, source.height, source.fps) == (160, 120, 30.0)
    assert frames[0].image.shape == (120, 160, 3)
    assert frames[0].t >= started
    # The frames carry the clip's pictures: frame n has grey level 4n.
    assert [int(f.image[5, 150, 1]) // 4 for f in frames[:15]] == pytest.approx(
        list(range(15)), abs=1
    )
    assert all(name.startswith("video ") for name in watch.threads)
    assert watch.states()[:2] == [SourceState.OPENING, SourceState.LIVE]


def test_a_file_without_loop_or_pacing_ends(clip: Path, sources: Started) -> None:
    source = sources(open_source(f"file:{clip}?loop=0&realtime=0"))
    assert until(lambda: source.state is SourceState.STOPPED, 5.0)
    assert source.frames_seen == 15
    assert "end of file" in source.status.message


def test_missing_or_broken_files_fail_for_good(tmp_path: Path, sources: Started) -> None:
    missing = sources(open_source(f"file:{tmp_path / 'none.mp4'}"))
    assert until(lambda: missing.state is SourceState.FAILED)
    assert "no such file" in missing.status.message
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"this is not a video" * 100)
    broken = sources(open_source(f"file:{junk}"))
    assert until(lambda: broken.state is SourceState.FAILED)
    assert "cannot open" in broken.status.message
    assert missing.latest() is None and broken.latest() is None


def test_rtsp_frames_arrive_and_the_stream_is_described(rtsp: RtspServer, sources) -> None:
    source = sources(open_source(rtsp.url, open_timeout=3, read_timeout=2))
    first = source.wait_frame(timeout=5.0)
    assert first is not None and first.image.shape == (120, 160, 3)
    assert source.state is SourceState.LIVE
    assert (source.width, source.height, source.fps) == (160, 120, 30.0)
    time.sleep(0.5)  # what FFmpeg held back while probing the stream comes in a burst
    seen = source.frames_seen
    time.sleep(1.0)
    assert 24 <= source.frames_seen - seen <= 36
    assert source.frames_lost == 0


def test_pictures_the_network_lost_leave_a_gap(rtsp: RtspServer, sources: Started) -> None:
    source = sources(open_source(rtsp.url, open_timeout=3, read_timeout=2))
    with source.subscribe(maxsize=256) as queue:
        assert queue.get(timeout=5.0) is not None
        time.sleep(0.3)
        rtsp.skip_gops = 1  # ten pictures never sent
        assert until(lambda: source.frames_lost >= 10, 3.0)
        time.sleep(0.2)
    frames = list(queue)
    jumps = [b.index - a.index for a, b in itertools.pairwise(frames) if b.index - a.index > 1]
    assert jumps == [11]
    assert source.frames_lost == 10


def test_a_backlog_is_skipped_to_catch_up_with_the_camera(rtsp, sources) -> None:
    source = sources(open_source(rtsp.url, open_timeout=3, read_timeout=3, max_lag=0.3))
    assert source.wait_frame(timeout=5.0) is not None
    time.sleep(0.8)  # past the start-up burst
    assert source.frames_lost == 0
    rtsp.hold_until = time.monotonic() + 1.0  # a second of pictures arrives in one go
    assert until(lambda: source.frames_lost > 0, 4.0)
    time.sleep(0.5)
    # Only the pictures more than 0.3 s old were skipped: about 0.7 s of the 1 s held back.
    assert 12 <= source.frames_lost <= 28
    seen = source.frames_seen
    time.sleep(0.5)
    assert source.frames_seen - seen >= 10  # and live again at the camera's pace


def test_a_dropped_rtsp_connection_is_reopened(rtsp: RtspServer, sources: Started) -> None:
    source = open_source(rtsp.url, open_timeout=3, read_timeout=2, retry_first=0.1)
    watch = Watch(source)
    sources(source)
    assert source.wait_frame(timeout=5.0) is not None
    rtsp.drop()
    assert until(lambda: source.reconnects == 1, 8.0)
    last = source.latest()
    again = source.wait_frame(after=last.index, timeout=3.0)
    assert again is not None and again.index > last.index
    retry = watch.retries()[0]
    assert "ended the stream" in retry.message and retry.attempts == 1
    assert rtsp.sessions == 2


def test_a_stream_that_stops_sending_times_out_and_recovers(rtsp, sources) -> None:
    source = open_source(rtsp.url, open_timeout=2, read_timeout=0.5, retry_first=0.1)
    watch = Watch(source)
    sources(source)
    assert source.wait_frame(timeout=5.0) is not None
    rtsp.stall()
    stalled_at = time.monotonic()
    assert until(lambda: bool(watch.retries()), 5.0)
    assert time.monotonic() - stalled_at < 3.0
    assert "no picture" in watch.retries()[0].message
    rtsp.stall(False)
    assert until(lambda: source.reconnects >= 1, 8.0)


def test_a_camera_that_accepts_and_never_answers_times_out(sources: Started) -> None:
    silent = SilentServer()
    try:
        source = open_source(
            f"rtsp://admin:hunter2@127.0.0.1:{silent.port}/stream1",
            open_timeout=0.4,
            retry_first=0.1,
            retry_limit=0.2,
        )
        watch = Watch(source)
        started = time.monotonic()
        sources(source)
        assert until(lambda: len(watch.retries()) >= 3, 5.0)
        took = time.monotonic() - started
        assert took < 3.0  # three 0.4 s timeouts and short waits, never a hang
        first = watch.retries()[0]
        assert first.message.startswith("no answer from rtsp://admin:***@127.0.0.1")
        assert [s.attempts for s in watch.retries()[:3]] == [1, 2, 3]
        assert all("hunter2" not in s.message + (s.error or "") for s in watch.statuses)
        assert "hunter2" not in source.name
        assert silent.connections >= 3
        assert source.latest() is None
        stop_started = time.monotonic()
        assert source.stop(timeout=2.0)
        assert time.monotonic() - stop_started < 1.0
    finally:
        silent.close()


def test_a_refused_connection_is_retried_with_growing_waits(sources: Started) -> None:
    source = open_source(f"rtsp://127.0.0.1:{free_port()}/x", retry_first=0.05, retry_limit=0.2)
    watch = Watch(source)
    sources(source)
    assert until(lambda: len(watch.retries()) >= 4, 5.0)
    retries = watch.retries()[:4]
    assert "Connection refused" in retries[0].message
    assert retries[0].message.endswith("retrying in 0.05 s")
    waits = [round(s.retry_at - s.since, 2) for s in retries]
    assert waits == [0.05, 0.1, 0.2, 0.2]


def test_redact_hides_passwords_only() -> None:
    assert redact("rtsp://u:p@10.0.0.2:554/a?x=1") == "rtsp://u:***@10.0.0.2:554/a?x=1"
    assert redact("rtsp://[::1]/a") == "rtsp://[::1]/a"
    assert redact("rtsp://u:p@[::1]/a") == "rtsp://u:***@[::1]/a"
    assert redact("file:/a/b.mp4") == "file:/a/b.mp4"
