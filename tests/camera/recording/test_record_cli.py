"""`vitrine replay-info` and `record()`, the function the `vitrine record` verb will call."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from camera.record_cli import record as record_from_source
from camera.recording import Recorder, RecordingError
from main import main
from tests.camera.recording.helpers import (
    FPS,
    SMALL,
    T0,
    decode_all,
    ffprobe,
    frame,
    record,
    times,
)


def test_replay_info_prints_duration_chapters_and_drops(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.mp4"
    record(path, times(60), markers=[("preset", "Sac 35", T0 + 0.5, {"sku": "SKU-1"})])
    assert main(["replay-info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "finished" in out
    assert "Duration: 0:00:02.0" in out and "Frames: 60" in out and "320x240 h264" in out
    assert "Dropped frames: 0" in out
    assert "Chapters: 2" in out
    assert "0:00:00.5 – 0:00:02.0  Sac 35  [preset]" in out

    assert main(["replay-info", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["frames"] == 60 and data["dropped"] == 0 and data["finished"] is True
    assert data["duration"] == pytest.approx(2.0)
    assert [c["title"] for c in data["chapters"]] == ["Start", "Sac 35"]
    assert data["markers"][0]["data"] == {"sku": "SKU-1"}


def test_replay_info_reads_an_unfinished_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recorder = Recorder(tmp_path / "live.mp4", SMALL, queue_frames=64)
    recorder.start()
    try:
        for i in range(40):
            recorder.submit(frame(i), T0 + i / FPS)
        deadline = time.monotonic() + 10
        while recorder.frames < 40:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert main(["replay-info", str(tmp_path / "live.part.mp4")]) == 0
        out = capsys.readouterr().out
        assert "unfinished" in out and "Frames: 30" in out
    finally:
        recorder.stop()


def test_replay_info_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay-info", str(tmp_path / "missing.mp4")]) == 2
    assert "missing.mp4 does not exist" in capsys.readouterr().err
    (tmp_path / "junk.mp4").write_bytes(b"\x00junk" * 1000)
    assert main(["replay-info", str(tmp_path / "junk.mp4")]) == 2
    assert "junk.mp4 cannot be read" in capsys.readouterr().err


def test_record_pulls_frames_for_the_given_seconds(tmp_path: Path) -> None:
    start = time.monotonic()
    count = 0

    def camera() -> tuple[object, float]:
        # Blocks until the next frame is due, as a camera does.
        nonlocal count
        due = start + count / FPS
        time.sleep(max(0.0, due - time.monotonic()))
        count += 1
        return frame(count - 1), time.monotonic()

    seen: list[Recorder] = []

    def started(recorder: Recorder) -> None:
        seen.append(recorder)
        recorder.mark("note", "opening", time.monotonic())

    result = record_from_source(
        camera,
        1.0,
        tmp_path / "r.mp4",
        settings=SMALL,
        on_start=started,
        metadata={"title": "Showroom, 23 Nov"},
    )
    assert ffprobe(result.path, "-show_format")["format"]["tags"]["title"] == "Showroom, 23 Nov"
    assert result.finished and result.error is None and result.dropped == 0
    assert result.duration == pytest.approx(1.0, abs=2.5 / FPS)
    assert abs(result.frames - FPS) <= 2
    assert [i for _, i in decode_all(result.path)] == list(range(result.frames))
    assert [m.label for m in result.markers] == ["opening"] and len(seen) == 1


def test_record_from_an_iterable_stops_early_and_refuses_empty_sources(tmp_path: Path) -> None:
    stop = threading.Event()

    def frames() -> object:
        for i in range(1000):
            if i == 20:
                stop.set()
            yield frame(i), T0 + i / FPS

    result = record_from_source(
        frames(), 60.0, tmp_path / "i.mp4", settings=SMALL, stop=stop, queue_frames=64
    )
    assert result.frames == 20
    with pytest.raises(RecordingError, match="no frame"):
        record_from_source([], 1.0, tmp_path / "e.mp4")
