"""Source texts, the queue and status machinery every source shares, and preview scaling."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from camera.video import (
    EXAMPLES,
    Backoff,
    Frame,
    SourceSpecError,
    SourceState,
    StreamSource,
    SyntheticSource,
    UvcSource,
    VideoSource,
    fit,
    fit_size,
    open_source,
)
from tests.camera.video.conftest import until


def test_every_example_spec_opens_its_kind() -> None:
    kinds = [type(open_source(spec)) for spec in EXAMPLES]
    assert kinds == [
        SyntheticSource,
        SyntheticSource,
        UvcSource,
        UvcSource,
        StreamSource,
        StreamSource,
    ]


def test_spec_options_reach_the_source_and_keywords_win() -> None:
    uvc = open_source("uvc:/dev/video2?width=1920&height=1080&fps=25&fourcc=mjpg", fps=30)
    assert isinstance(uvc, UvcSource)
    assert uvc.device == "/dev/video2" and uvc.fourcc == "MJPG"
    assert (uvc.width, uvc.height, uvc.fps) == (1920, 1080, 30)
    assert open_source("UVC:1").device == 1
    synthetic = open_source("showroom?width=320&height=180&overlay=no")
    assert isinstance(synthetic, SyntheticSource)
    assert (synthetic.width, synthetic.height, synthetic.overlay) == (320, 180, False)
    rtsp = open_source("rtsp://cam.local/ch1?profile=2", transport="udp", read_timeout=2)
    assert isinstance(rtsp, StreamSource) and rtsp.live
    assert rtsp.url == "rtsp://cam.local/ch1?profile=2"  # the query is the camera's
    assert (rtsp.transport, rtsp.read_timeout) == ("udp", 2)
    clip = open_source("file:///tmp/a%20b.mp4?loop=0&realtime=false")
    assert isinstance(clip, StreamSource) and not clip.live
    assert (clip.url, clip.loop, clip.realtime) == ("/tmp/a b.mp4", False, False)


@pytest.mark.parametrize(
    ("spec", "options", "message"),
    [
        ("", {}, "empty video source; try one of: synthetic"),
        ("webcam", {}, "unknown video source 'webcam'"),
        ("uvc:", {}, "uvc: needs a camera index or a device path"),
        ("uvc:front", {}, "uvc:front is neither a camera index nor a device path"),
        ("uvc:0?width=wide", {}, "bad value for width in a uvc source"),
        ("uvc:0?fourcc=MJPEG", {}, "bad value for fourcc"),
        ("uvc:0?zoom=2", {}, "unknown option 'zoom' for a uvc source (known: buffer_size"),
        ("uvc:0", {"colour": 1}, "unknown option colour for a uvc source"),
        ("synthetic?fps=0", {}, "fps must be in (0, 120]"),
        ("synthetic?width=641", {}, "width and height must be even"),
        ("file:", {}, "file: needs a path"),
        ("rtsp://u:secret@/x", {}, "rtsp://u:***@/x has no host"),
        ("rtsp://cam:99999/x", {}, "has a bad port"),
        ("rtsp://cam/x", {"transport": "carrier pigeon"}, "unknown RTSP transport"),
        ("rtsp://cam/x", {"open_timeout": 0}, "timeouts must be positive"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec: str, options: dict, message: str) -> None:
    with pytest.raises(SourceSpecError) as caught:
        open_source(spec, **options)
    assert message in str(caught.value)
    assert "secret" not in str(caught.value)


class Pictures(VideoSource):
    """A source of numbered grey pictures, as fast as asked: for the shared machinery."""

    def __init__(self, count: int, every: float = 0.0) -> None:
        super().__init__("pictures", width=8, height=4, fps=0)
        self.count = count
        self.every = every

    def _run(self) -> None:
        self._went_live("pictures flowing", False)
        for n in range(self.count):
            if self._stopping.wait(self.every):
                return
            self._publish(np.full((4, 8, 3), n % 256, np.uint8), time.monotonic(), lost=n % 2)


def test_publishing_fills_queues_in_order_and_counts_what_does_not_fit() -> None:
    source = Pictures(10)
    big, small = source.subscribe(maxsize=32), source.subscribe(maxsize=3)
    source.start()
    assert until(lambda: source.state is SourceState.STOPPED)
    source.stop()  # closes the queues, so iterating them ends
    got = list(big)
    # lost=n%2 leaves a gap after every odd picture: indexes 0, 2, 3, 5, 6…
    assert [f.index for f in got] == [0, 2, 3, 5, 6, 8, 9, 11, 12, 14]
    assert source.frames_seen == 10 and source.frames_lost == 5
    assert [int(f.image[0, 0, 0]) for f in list(small)] == [0, 1, 2]
    assert small.dropped == 7 and big.dropped == 0 and big.delivered == 10
    assert big.closed and small.closed


def test_a_closed_subscription_gets_nothing_more_and_wakes_its_reader() -> None:
    source = Pictures(1000, every=0.002)
    sub = source.subscribe(maxsize=4)
    woke = threading.Event()
    with source:

        def reader() -> None:
            while sub.get() is not None:
                pass
            woke.set()

        thread = threading.Thread(target=reader)
        thread.start()
        time.sleep(0.1)
        sub.close()
        assert woke.wait(1.0)
        seen = source.frames_seen
        assert until(lambda: source.frames_seen > seen + 5)
        assert len(sub) == 0 and sub.get(timeout=0) is None


def test_a_listener_that_raises_does_not_stop_capture() -> None:
    source = Pictures(50, every=0.001)
    calls = []

    def broken(status) -> None:
        calls.append(status.state)
        raise RuntimeError("bug in a listener")

    remove = source.add_status_listener(broken)
    with source:
        assert until(lambda: source.frames_seen == 50)
    assert SourceState.LIVE in calls
    remove()
    count = len(calls)
    source.start()
    assert until(lambda: source.state is SourceState.STOPPED)
    assert len(calls) == count


def test_frames_are_read_only_and_contiguous() -> None:
    source = Pictures(1)
    with source:
        frame = source.wait_frame(timeout=2.0)
    assert isinstance(frame, Frame) and (frame.width, frame.height) == (8, 4)
    with pytest.raises(ValueError):
        frame.image[0, 0, 0] = 1


def test_backoff_doubles_to_its_limit_and_resets() -> None:
    backoff = Backoff(0.5, 3.0)
    assert [backoff.next() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.reset()
    assert backoff.next() == 0.5
    with pytest.raises(ValueError):
        Backoff(0, 1)


def test_fit_scales_to_the_box_keeping_the_aspect() -> None:
    image = np.zeros((1080, 1920, 3), np.uint8)
    image[:, 960:] = 200
    assert fit(image, 640, 640).shape == (360, 640, 3)
    assert fit(image, 1280, 360).shape == (360, 640, 3)
    small = fit(image, 480, 270)
    assert small.flags.c_contiguous and small[135, 100, 0] == 0 and small[135, 400, 0] == 200
    assert fit(image, 1920, 1080) is image
    frame = Frame(image, 0.0, 0)
    assert fit(frame, 3840, 2160).shape == (2160, 3840, 3)
    assert fit(frame, 3840, 2160, upscale=False) is image
    assert fit_size(1920, 1080, 1, 1) == (1, 1)
    with pytest.raises(ValueError):
        fit(image, 0, 100)
