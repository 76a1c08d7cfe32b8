"""The synthetic showroom source with a real simulated camera driven over VISCA: the picture
follows the camera, frames keep their pace, the preview never waits, slow consumers drop."""

from __future__ import annotations

import dataclasses
import itertools
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
import pytest

from camera import visca
from camera.controller import CameraController
from camera.sim import CameraSimulator
from camera.video import (
    Frame,
    Pose,
    ShowroomSet,
    SourceState,
    SyntheticSource,
    VideoSource,
    open_source,
)
from tests.camera.video.conftest import until
from tests.camera.video.test_showroom import sharpness, shift, similarity

W, H = 640, 360
Started = Callable[[VideoSource], Any]


def still_frame(source: VideoSource, sim: CameraSimulator) -> tuple[Frame, float, float]:
    """A frame made after the camera came to rest, with the pose it was made at."""
    assert until(lambda: not sim.state().moving, 10.0)
    state = sim.state()
    current = source.latest()
    frame = source.wait_frame(after=current.index + 1 if current else -1, timeout=2.0)
    assert frame is not None
    return frame, state.pan_deg, state.hfov_deg


@pytest.fixture
def rig(
    simulator: CameraSimulator, showroom: ShowroomSet, sources: Started
) -> tuple[CameraSimulator, CameraController, SyntheticSource]:
    source = sources(
        SyntheticSource(ptz_state=simulator.state, width=W, height=H, showroom=showroom)
    )
    cam = CameraController(simulator.url).start()
    assert until(lambda: cam.state.connected)
    assert source.wait_frame(timeout=5.0) is not None
    yield simulator, cam, source
    cam.close()


def test_panning_the_camera_right_moves_the_picture_left(rig) -> None:
    sim, cam, source = rig
    before, pan0, hfov = still_frame(source, sim)
    cam.move_to(round(4.0 * 51.2), 0, speed=0x10).result(5)  # 4° to the right
    after, pan1, _ = still_frame(source, sim)
    assert pan1 - pan0 == pytest.approx(4.0, abs=0.05)
    dx, dy = shift(before.image, after.image)
    assert dx == pytest.approx(-(pan1 - pan0) * W / hfov, rel=0.08)
    assert abs(dy) < 1.5
    assert after.index > before.index and after.t > before.t


def test_tilting_up_moves_it_down_and_zooming_in_narrows_it(rig) -> None:
    sim, cam, source = rig
    wide, _, hfov_wide = still_frame(source, sim)
    cam.move_to(0, round(2.0 * 51.2), speed=0x10).result(5)
    up, _, _ = still_frame(source, sim)
    dx, dy = shift(wide.image, up.image)
    assert dy == pytest.approx(sim.state().tilt_deg * W / hfov_wide, rel=0.08)
    assert abs(dx) < 1.5
    cam.zoom_to(0x0C00).result(5)
    narrow, _, hfov_narrow = still_frame(source, sim)
    assert hfov_narrow < 0.6 * hfov_wide
    f = hfov_narrow / hfov_wide
    mh, mw = round(H * f), round(W * f)
    middle = up.image[(H - mh) // 2 : (H + mh) // 2, (W - mw) // 2 : (W + mw) // 2]
    assert similarity(cv2.resize(middle, (W, H)), narrow.image) > 0.8
    assert similarity(up.image, narrow.image) < 0.6


def test_frames_come_at_the_rate_on_the_monotonic_clock(rig) -> None:
    _, _, source = rig
    with source.subscribe(maxsize=64) as queue:
        started = time.monotonic()
        frames = []
        while time.monotonic() - started < 1.0:
            frame = queue.get(timeout=1.0)
            assert frame is not None
            frames.append(frame)
    assert 24 <= len(frames) <= 33, len(frames)
    times = [f.t for f in frames]
    assert all(b > a for a, b in itertools.pairwise(times))
    assert statistics.median(np.diff(times)) == pytest.approx(1 / 30, rel=0.25)
    assert all(abs(f.t - started) < 2.0 for f in frames)  # time.monotonic(), not wall time
    indexes = [f.index for f in frames]
    assert indexes[-1] - indexes[0] + 1 - len(indexes) == pytest.approx(0, abs=2)
    image = frames[-1].image
    assert image.shape == (H, W, 3) and image.dtype == np.uint8
    assert image.flags.c_contiguous and not image.flags.writeable


def test_latest_never_waits(rig) -> None:
    _, _, source = rig
    worst = 0.0
    seen = set()
    for _ in range(2000):
        t = time.perf_counter()
        frame = source.latest()
        worst = max(worst, time.perf_counter() - t)
        assert frame is not None
        seen.add(frame.index)
        time.sleep(0.0002)
    assert worst < 0.005
    assert len(seen) > 3  # it kept moving on meanwhile


def test_a_slow_subscriber_drops_frames_without_slowing_anyone(rig) -> None:
    _, _, source = rig
    slow = source.subscribe(maxsize=2)
    fast = source.subscribe(maxsize=8)
    got: list[Frame] = []

    def drain() -> None:
        while (frame := fast.get(timeout=2.0)) is not None:
            got.append(frame)

    reader = threading.Thread(target=drain)
    reader.start()
    seen_before = source.frames_seen
    time.sleep(1.0)
    published = source.frames_seen - seen_before
    fast.close()
    reader.join(3)
    assert published >= 24  # the source kept its pace
    assert len(slow) == 2
    assert slow.dropped >= published - 3
    assert fast.dropped == 0 and len(got) >= published - 1
    one = slow.get(timeout=0)
    assert one is not None and one.index <= got[0].index + 1  # the oldest two were kept
    slow.close()
    assert slow.get(timeout=0) is not None  # queued frames survive a close...
    assert slow.get(timeout=0.5) is None  # ...then it is over, without waiting


def test_no_two_frames_are_equal_but_they_differ_only_faintly(rig) -> None:
    _, _, source = rig
    a = source.wait_frame(timeout=2.0)
    b = source.wait_frame(after=a.index, timeout=2.0)
    assert not np.array_equal(a.image, b.image)
    body = np.s_[: H - 40, :]  # leave the clock out
    diff = cv2.absdiff(a.image[body], b.image[body])
    assert 0.3 < float(diff.mean()) < 5.0


def test_manual_focus_away_from_the_subject_blurs(simulator: CameraSimulator, showroom) -> None:
    source = SyntheticSource(width=W, height=H, showroom=showroom, noise=False, overlay=False)
    state = simulator.state()
    sharp = source.render(state)
    manual_in_focus = source.render(dataclasses.replace(state, focus_auto=False, focus=0.0))
    blurred = source.render(dataclasses.replace(state, focus_auto=False, focus=0.6))
    assert np.array_equal(sharp, manual_in_focus)
    assert sharpness(blurred) < 0.3 * sharpness(sharp)
    assert similarity(sharp, blurred) > 0.7  # the same picture, out of focus


def test_a_camera_in_standby_gives_a_dark_picture(rig) -> None:
    sim, cam, source = rig
    cam.submit(visca.power(cam.dialect, False)).result(5)
    assert until(lambda: not sim.state().power)
    current = source.latest()
    frame = source.wait_frame(after=current.index + 1, timeout=2.0)
    assert frame is not None and float(frame.image.mean()) < 20


def test_a_failing_camera_state_holds_the_last_pose_and_says_so(showroom, sources) -> None:
    calls = 0

    def flaky() -> Pose:
        nonlocal calls
        calls += 1
        if calls > 5:
            raise ConnectionError("camera state unavailable")
        return Pose(30.0, 0.0, 40.0)

    source = sources(SyntheticSource(ptz_state=flaky, width=W, height=H, showroom=showroom))
    assert until(lambda: source.status.error is not None)
    status = source.status
    assert status.state is SourceState.LIVE and "holding the last pose" in status.message
    seen = source.frames_seen
    assert until(lambda: source.frames_seen > seen + 5)


def test_frames_that_could_not_be_made_in_time_are_counted_as_gaps(showroom, sources) -> None:
    calls = 0

    def slow_every_tenth() -> Pose:
        nonlocal calls
        calls += 1
        if calls % 10 == 0:
            time.sleep(0.12)  # three or four periods at 30 fps
        return Pose()

    source = SyntheticSource(ptz_state=slow_every_tenth, width=320, height=180, showroom=showroom)
    with source.subscribe(maxsize=256) as queue:
        sources(source)
        time.sleep(1.2)
        source.stop()
    frames = list(queue)
    gaps = sum(b.index - a.index - 1 for a, b in itertools.pairwise(frames))
    slow_calls = calls // 10
    assert slow_calls >= 3
    # Each 120 ms stall skips two or three 33 ms ticks (the last may not have been followed).
    assert gaps >= 2 * (slow_calls - 1)
    assert frames[0].index == 0 and source.frames_lost == gaps
    assert source.frames_late >= slow_calls - 1


def test_open_source_builds_the_showroom_and_its_framings(simulator, showroom) -> None:
    source = open_source("sim?width=320&height=240&fps=15", ptz_state=simulator.state,
                         showroom=showroom)  # fmt: skip
    assert isinstance(source, SyntheticSource)
    assert (source.width, source.height, source.fps) == (320, 240, 15.0)
    pan, tilt, hfov = source.product_framing("RED-1")
    assert showroom.product_framing("RED-1", 320 / 240) == (pan, tilt, hfov)
    with source:
        frame = source.wait_frame(timeout=5.0)
        assert frame is not None and frame.image.shape == (240, 320, 3)
        assert source.status.state is SourceState.LIVE
        assert "12 products" in source.status.message
    assert source.status.state is SourceState.STOPPED
