"""Replay: facts, seeking to the exact frame, playback on a worker thread, thumbnails, clips."""

from __future__ import annotations

import queue
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from camera.recording import Recorder, RecordingResult
from camera.replay import (
    Player,
    PlayerEvent,
    PlayerFrame,
    ReplayError,
    chapter_thumbnails,
    export_clip,
    info,
    thumbnail,
)
from tests.camera.recording.helpers import (
    FPS,
    HEIGHT,
    SMALL,
    T0,
    WIDTH,
    decode_all,
    frame,
    index_of,
    probe_video,
    record,
)

FRAMES = 120
# Capture jitters by a few milliseconds; frame i is stamped STAMPS[i] seconds in.
STAMPS = [0.0] + [i / FPS + 0.003 * np.sin(i * 1.7) for i in range(1, FRAMES)]
BLURRED = range(30, 45)  # the keyframe at 1 s (frame 30) is out of focus
MARKERS = [
    ("preset", "P1", T0 + 0.6, {"sku": "SKU-1"}),
    ("product", "SKU-2", T0 + 1.7, {"sku": "SKU-2"}),
    ("note", "likes the clasp", T0 + 2.9, {}),
]
TICK = 1 / 90_000


@pytest.fixture(scope="module")
def show(tmp_path_factory: pytest.TempPathFactory) -> RecordingResult:
    path = tmp_path_factory.mktemp("replay") / "show.mp4"
    return record(path, [T0 + s for s in STAMPS], markers=MARKERS, blurred=BLURRED)


def shown_at(t: float) -> int:
    """The frame on screen at t: the last one that starts at or before it."""
    return max(i for i, s in enumerate(STAMPS) if s <= t + TICK / 2)


def test_info_of_a_finished_recording(show: RecordingResult) -> None:
    facts = info(show.path)
    assert facts.finished and not facts.interrupted
    assert (facts.width, facts.height, facts.codec) == (WIDTH, HEIGHT, "h264")
    assert facts.frames == FRAMES and facts.dropped == 0
    assert facts.duration == pytest.approx(show.duration)
    assert facts.fps == pytest.approx(FRAMES / show.duration)
    assert [(c.title, c.kind) for c in facts.chapters] == [
        ("Start", "start"),
        ("P1", "preset"),
        ("SKU-2", "product"),
        ("likes the clasp", "note"),
    ]
    assert [c.start for c in facts.chapters] == pytest.approx([0, 0.6, 1.7, 2.9])
    assert [m.label for m in facts.markers] == ["P1", "SKU-2", "likes the clasp"]
    assert facts.size_bytes == show.path.stat().st_size


def test_info_of_a_recording_still_being_made(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "live.mp4", SMALL, queue_frames=100)
    recorder.start()
    try:
        for i in range(70):
            assert recorder.submit(frame(i), T0 + i / FPS)
        recorder.mark("product", "SKU-7", T0 + 0.5)
        recorder.mark("product", "SKU-8", T0 + 2.1)  # not in a written fragment yet
        deadline = time.monotonic() + 10
        while recorder.frames < 70:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        # Fragments are written when the next one starts: frames 0-59 are on disk.
        facts = info(tmp_path / "live.mp4")
        assert facts.path == tmp_path / "live.part.mp4" and not facts.finished
        assert facts.frames == 60 and facts.duration == pytest.approx(2.0)
        assert facts.dropped == 0
        assert [(c.title, round(c.start, 3)) for c in facts.chapters] == [
            ("Start", 0.0),
            ("SKU-7", 0.5),
        ]
    finally:
        recorder.stop()


def test_info_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(ReplayError, match="does not exist"):
        info(tmp_path / "missing.mp4")
    (tmp_path / "junk.mp4").write_bytes(b"not a video" * 100)
    with pytest.raises(ReplayError, match="cannot be read"):
        info(tmp_path / "junk.mp4")


class Screen:
    """Collects what a player delivers, and on which thread."""

    def __init__(self) -> None:
        self.frames: queue.Queue[tuple[PlayerFrame, str, float]] = queue.Queue()

    def on_frame(self, f: PlayerFrame) -> None:
        self.frames.put((f, threading.current_thread().name, time.monotonic()))

    def next(self, timeout: float = 5.0) -> tuple[PlayerFrame, str, float]:
        return self.frames.get(timeout=timeout)

    def drain(self) -> list[tuple[PlayerFrame, str, float]]:
        out = []
        while True:
            try:
                out.append(self.frames.get_nowait())
            except queue.Empty:
                return out


def test_seek_lands_on_the_frame_shown_at_that_time(show: RecordingResult) -> None:
    screen = Screen()
    with Player(show.path, screen.on_frame) as player:
        first, thread, _ = screen.next()  # opening shows the first frame
        assert first.t == 0.0 and index_of(first.image) == 0 and thread == "player-decode"
        for target in (0.5, 0.01, 1.0, 1.49, 2.3456, 0.2, 3.9, 2.0 + 0.5 / FPS):
            player.seek(target)
            shown, thread, _ = screen.next()
            expected = shown_at(target)
            assert thread != threading.current_thread().name
            assert index_of(shown.image) == expected, (target, shown.t)
            assert shown.t == pytest.approx(STAMPS[expected], abs=TICK)
            assert player.position == shown.t
        player.seek(99.0)  # past the end: the last frame
        assert index_of(screen.next()[0].image) == FRAMES - 1


def test_play_pause_and_speed_deliver_frames_on_the_worker(show: RecordingResult) -> None:
    screen = Screen()
    events: list[PlayerEvent] = []
    player = Player(show.path, screen.on_frame, on_event=events.append, size=(160, 160))
    player.open()
    try:
        first, _, _ = screen.next()
        assert first.image.shape == (120, 160, 3)  # fitted in the box, aspect kept

        def run(speed: float, seconds: float) -> list[tuple[PlayerFrame, str, float]]:
            player.set_speed(speed)
            player.play()
            time.sleep(seconds)
            player.pause()
            time.sleep(0.1)
            return screen.drain()

        normal = run(1.0, 0.6)
        assert {thread for _, thread, _ in normal} == {"player-decode"}
        indices = [index_of(f.image) for f, _, _ in normal]
        assert indices == list(range(1, len(indices) + 1))  # every frame, in order
        assert 12 <= len(normal) <= 21
        assert screen.drain() == []  # paused: nothing more
        assert not player.playing

        def rate(frames: list[tuple[PlayerFrame, str, float]]) -> float:
            (a, _, wall_a), (b, _, wall_b) = frames[0], frames[-1]
            return (b.t - a.t) / (wall_b - wall_a)

        assert rate(normal) == pytest.approx(1.0, rel=0.2)
        fast = run(2.0, 0.5)
        assert rate(fast) == pytest.approx(2.0, rel=0.2)
        assert fast[0][0].t > normal[-1][0].t  # went on from where it paused
        slow = run(0.5, 0.6)
        assert rate(slow) == pytest.approx(0.5, rel=0.2)

        player.seek(show.duration - 0.2)
        screen.next()
        player.set_speed(1.0)
        player.play()
        deadline = time.monotonic() + 5
        while "ended" not in events:
            assert time.monotonic() < deadline, events
            time.sleep(0.01)
        assert index_of(screen.drain()[-1][0].image) == FRAMES - 1
        assert events[:2] == ["playing", "paused"] and not player.playing
    finally:
        player.close()


def test_thumbnails_from_keyframes_and_the_sharpest_nearby(show: RecordingResult) -> None:
    picture = thumbnail(show.path, 2.5, (160, 160))
    assert picture.shape == (120, 160, 3)
    assert index_of(picture) == 60  # the keyframe at 2 s, at or before 2.5 s
    assert index_of(thumbnail(show.path, 1.2)) == 30  # the blurred keyframe at 1 s ...
    assert index_of(thumbnail(show.path, 1.2, sharpest=True, within=1.0)) == 60  # ... skipped

    thumbs = chapter_thumbnails(show.path, (160, 160), settle=3.0)
    assert [c.title for c, _ in thumbs] == ["Start", "P1", "SKU-2", "likes the clasp"]
    assert all(image.shape == (120, 160, 3) for _, image in thumbs)
    # The sharpest keyframe inside each chapter's first seconds; P1 (0.6-1.7 s) holds only
    # the blurred one at 1 s.
    assert [index_of(image) for _, image in thumbs] == [0, 30, 60, 90]


def test_a_chapter_exported_by_stream_copy(show: RecordingResult, tmp_path: Path) -> None:
    chapter = next(c for c in show.chapters if c.title == "SKU-2")
    clip = export_clip(show.path, chapter.start, chapter.end, tmp_path / "clip.mp4")
    # Copied from the keyframe at or before the start (1 s), up to the chapter's end.
    assert not clip.reencoded and clip.start == pytest.approx(STAMPS[30], abs=TICK)
    probe = probe_video(clip.path)
    assert probe["stream"]["codec_name"] == "h264"
    duration = float(probe["format"]["duration"])
    assert duration == pytest.approx(clip.duration, abs=2 / FPS)
    assert chapter.end - chapter.start <= duration <= chapter.end - chapter.start + 1.0 + 1 / FPS
    decoded = decode_all(clip.path)
    assert decoded[0] == (0.0, 30)
    assert decoded[-1][1] == shown_at(chapter.end - TICK)
    titles = [c["tags"]["title"] for c in probe["chapters"]]
    assert titles == ["P1", "SKU-2"]
    assert float(probe["chapters"][1]["start_time"]) == pytest.approx(1.7 - clip.start, abs=0.001)


def test_a_chapter_exported_exactly_is_reencoded(show: RecordingResult, tmp_path: Path) -> None:
    chapter = next(c for c in show.chapters if c.title == "SKU-2")
    clip = export_clip(show.path, chapter.start, chapter.end, tmp_path / "clip.mp4", exact=True)
    assert clip.reencoded and clip.start == chapter.start
    duration = float(probe_video(clip.path)["format"]["duration"])
    assert duration == pytest.approx(chapter.end - chapter.start, abs=1.5 / FPS)
    # It opens on the picture on screen at the start, then every frame keeps its time.
    decoded = decode_all(clip.path)
    first = shown_at(chapter.start)
    assert [i for _, i in decoded] == list(range(first, shown_at(chapter.end - TICK) + 1))
    assert decoded[0][0] == 0.0
    for t, i in decoded[1:]:
        assert t == pytest.approx(STAMPS[i] - chapter.start, abs=TICK)
    with pytest.raises(ValueError, match="after its start"):
        export_clip(show.path, 2.0, 1.0, tmp_path / "bad.mp4")
