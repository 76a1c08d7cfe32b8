"""Recording: real H.264 files read back by ffprobe and PyAV, crashes, drops and full disks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from camera.recording import (
    EncoderSettings,
    Recorder,
    RecordingError,
    RecordingFiles,
    find_unfinished,
    load_result,
    recover,
)
from tests.camera.recording.helpers import (
    FPS,
    HEIGHT,
    SMALL,
    T0,
    WIDTH,
    decode_all,
    frame,
    probe_video,
    record,
    times,
)

CHILD = Path(__file__).with_name("child.py")
FRAME = 1 / FPS


def test_a_recording_is_h264_with_one_chapter_a_marker(tmp_path: Path) -> None:
    markers = [
        ("preset", "Sac 35 noir", T0 + 0.5, {"sku": "SKU-1", "preset": 3}),
        ("product", "SKU-2", T0 + 1.25, {"sku": "SKU-2"}),
        ("note", "asked for the red one", T0 + 2.0, {}),
    ]
    result = record(tmp_path / "a.mp4", times(90), markers=markers)

    probe = probe_video(tmp_path / "a.mp4")
    stream = probe["stream"]
    assert stream["codec_name"] == "h264"
    assert (stream["width"], stream["height"]) == (WIDTH, HEIGHT)
    assert int(stream["nb_read_frames"]) == 90
    assert abs(float(probe["format"]["duration"]) - 3.0) <= 2 * FRAME
    # A chapter for each marker, plus "Start" for the time before the first one (MP4's
    # chapter track cannot leave it out).
    chapters = probe["chapters"]
    assert [c["tags"]["title"] for c in chapters] == [
        "Start",
        "Sac 35 noir",
        "SKU-2",
        "asked for the red one",
    ]
    starts = [float(c["start_time"]) for c in chapters]
    assert starts == pytest.approx([0.0, 0.5, 1.25, 2.0], abs=0.001)
    assert float(chapters[-1]["end_time"]) == pytest.approx(3.0, abs=0.001)

    assert result.finished and not result.interrupted and result.error is None
    assert (result.frames, result.dropped, result.codec) == (90, 0, "h264")
    assert result.duration == pytest.approx(3.0, abs=1e-6)
    assert [m.kind for m in result.markers] == ["preset", "product", "note"]
    assert result.markers[0].data == {"sku": "SKU-1", "preset": 3}
    assert result.markers[1].t == pytest.approx(1.25, abs=1e-9)
    assert [c.kind for c in result.chapters] == ["start", "preset", "product", "note"]

    sidecar = json.loads((tmp_path / "a.json").read_text())
    assert sidecar["video"] == "a.mp4"
    assert (sidecar["frames"], sidecar["dropped"], sidecar["codec"]) == (90, 0, "h264")
    assert sidecar["interrupted"] is False
    assert sidecar["duration"] == pytest.approx(3.0)
    assert sidecar["size_bytes"] == (tmp_path / "a.mp4").stat().st_size
    assert sidecar["encoder"]["name"] == "libx264"
    assert [m["label"] for m in sidecar["markers"]] == [
        "Sac 35 noir",
        "SKU-2",
        "asked for the red one",
    ]
    assert load_result(tmp_path / "a.mp4") == result
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.mp4"]


def test_chapter_count_equals_markers_when_the_first_is_at_the_start(tmp_path: Path) -> None:
    markers = [("preset", "P1", T0, {}), ("preset", "P2", T0 + 1.0, {})]
    record(tmp_path / "a.mp4", times(60), markers=markers)
    chapters = probe_video(tmp_path / "a.mp4")["chapters"]
    assert [(c["tags"]["title"], float(c["start_time"])) for c in chapters] == [
        ("P1", 0.0),
        ("P2", 1.0),
    ]


def test_frames_keep_their_capture_times(tmp_path: Path) -> None:
    # Jittery capture and a 0.6 s stall: the file keeps each frame's own time (VFR).
    rng = np.random.default_rng(1)
    stamps = [T0 + i / FPS + float(rng.uniform(-0.004, 0.004)) for i in range(40)]
    stamps += [stamps[-1] + 0.6 + i / FPS for i in range(20)]
    stamps[0] = T0
    record(tmp_path / "a.mp4", stamps)
    decoded = decode_all(tmp_path / "a.mp4")
    assert [index for _, index in decoded] == list(range(60))
    for (t, _), stamp in zip(decoded, stamps, strict=True):
        assert t == pytest.approx(stamp - T0, abs=1 / 90_000)


def test_keyframes_come_every_second_even_from_a_slow_source(tmp_path: Path) -> None:
    record(tmp_path / "a.mp4", times(40, fps=8))  # 5 s at 8 fps; nominal 30 fps would say 3.75 s
    with av.open(str(tmp_path / "a.mp4")) as container:
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        keys = [float(f.time or 0.0) for f in container.decode(stream)]
    gaps = np.diff(keys)
    assert len(keys) >= 5 and max(gaps) <= 1.0 + 1 / 8 + 1e-6, keys


def test_markers_are_on_disk_when_mark_returns(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "a.mp4", SMALL)
    recorder.start()
    try:
        assert recorder.submit(frame(0), T0)
        marker = recorder.mark("product", "SKU-9", T0 + 0.02, {"sku": "SKU-9"})
        lines = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text().splitlines()]
        assert lines[0]["type"] == "start" and lines[0]["width"] == WIDTH
        assert {"type": "marker", "kind": "product", "label": "SKU-9", "at": T0 + 0.02}.items() <= (
            next(x for x in lines if x["type"] == "marker").items()
        )
        assert marker.t == pytest.approx(0.02)
        # While recording, the fragmented file is there and the recording is not "unfinished".
        assert (tmp_path / "a.part.mp4").exists()
        assert find_unfinished(tmp_path) == []
        with pytest.raises(RecordingError, match="still being recorded"):
            recover(tmp_path / "a.mp4")
        assert recorder.elapsed == 0.0
        assert recorder.submit(frame(1), T0 + FRAME)
        assert recorder.elapsed == pytest.approx(FRAME)
    finally:
        result = recorder.stop()
    assert result.frames == 2 and [m.label for m in result.markers] == ["SKU-9"]


def test_bad_frames_and_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="even"):
        EncoderSettings(321, 240)
    with pytest.raises(ValueError, match="preset"):
        EncoderSettings(320, 240, preset="warp")
    with pytest.raises(ValueError, match=r"NAME\.mp4"):
        Recorder(tmp_path / "a.part.mp4", SMALL)
    recorder = Recorder(tmp_path / "a.mp4", SMALL)
    with pytest.raises(RecordingError, match="start"):
        recorder.submit(frame(0), T0)
    recorder.start()
    with pytest.raises(ValueError, match="320x240"):
        recorder.submit(np.zeros((10, 10, 3), np.uint8), T0)
    recorder.submit(frame(0), T0)
    recorder.stop()
    again = Recorder(tmp_path / "a.mp4", SMALL)
    with pytest.raises(RecordingError, match="already exists"):
        again.start()


def test_frames_the_encoder_cannot_take_are_dropped_and_counted(tmp_path: Path) -> None:
    # A 1080p picture of noise, a slow preset and a one-frame queue: the encoder falls behind.
    settings = EncoderSettings(1920, 1080, preset="medium")
    noise = np.random.default_rng(2).integers(0, 255, (1080, 1920, 3), dtype=np.uint8)
    recorder = Recorder(tmp_path / "a.mp4", settings, queue_frames=1)
    recorder.start()
    accepted = 0
    for i in range(40):
        accepted += recorder.submit(noise, T0 + i * FRAME)
    dropped_while_recording = recorder.dropped
    result = recorder.stop()
    assert dropped_while_recording > 0
    assert accepted + result.dropped == 40
    assert result.dropped == dropped_while_recording
    assert result.frames == accepted
    assert int(probe_video(result.path)["stream"]["nb_read_frames"]) == accepted
    assert json.loads(result.sidecar.read_text())["dropped"] == result.dropped


def _start_child(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _read_lines(child: subprocess.Popen[str], into: list[str]) -> threading.Thread:
    def pump() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            into.append(line.strip())

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    return thread


def test_a_killed_recording_plays_and_recovers_with_its_markers(tmp_path: Path) -> None:
    path = tmp_path / "crash.mp4"
    child = _start_child("crash", str(path))
    lines: list[str] = []
    reader = _read_lines(child, lines)
    deadline = time.monotonic() + 20
    while not any(x.startswith("first ") for x in lines):
        assert child.poll() is None, child.stderr.read() if child.stderr else ""
        assert time.monotonic() < deadline, "the recording did not start"
        time.sleep(0.01)
    first = float(next(x for x in lines if x.startswith("first ")).split()[1])
    time.sleep(max(0.0, first + 3.5 - time.monotonic()))
    os.kill(child.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    child.wait()
    reader.join(5)
    recorded = killed_at - first  # seconds of capture the process had when it died
    markers_on_disk = [float(x.split()[1]) - first for x in lines if x.startswith("marker ")]
    files = RecordingFiles.of(path)
    assert not path.exists() and files.partial.exists() and files.journal.exists()

    # Playable as it is, to within a second of the kill, every frame decodable.
    probe = probe_video(files.partial)
    assert probe["stream"]["codec_name"] == "h264"
    duration = float(probe["format"]["duration"])
    assert recorded - 1.0 - 2 * FRAME <= duration <= recorded, (duration, recorded)
    # A kill in the middle of writing a fragment (rare: it is written in one go) would leave
    # a torn packet at the very end; everything before it must decode.
    decoded = decode_all(files.partial, torn_end=True)
    assert abs(len(decoded) - int(probe["stream"]["nb_read_frames"])) <= 1
    assert [i for _, i in decoded] == list(range(len(decoded)))

    assert find_unfinished(tmp_path) == [files.partial]
    result = recover(files.partial)
    assert result.finished and result.interrupted
    assert result.path == path and result.frames == len(decoded)
    assert result.duration == pytest.approx(duration, abs=0.002)
    kept = [m for m in markers_on_disk if m < result.duration]
    assert [m.t for m in result.markers] == pytest.approx(kept, abs=1e-6)
    assert len(result.markers) + len(result.markers_past_end) >= len(markers_on_disk)
    assert all(m.t >= result.duration for m in result.markers_past_end)
    sidecar = json.loads(files.sidecar.read_text())
    assert sidecar["interrupted"] is True and sidecar["frames"] == len(decoded)
    final = probe_video(path)
    assert int(final["stream"]["nb_read_frames"]) == len(decoded)
    titles = [c["tags"]["title"] for c in final["chapters"]]
    assert titles == ["Start"] + [m.label for m in result.markers]
    assert not files.partial.exists() and not files.journal.exists()
    assert find_unfinished(tmp_path) == []
    assert recover(path) == load_result(path)  # recovering twice changes nothing


def _run_until_full(mode: str, path: Path, limit: int) -> tuple[dict[str, Any], int]:
    child = _start_child(mode, str(path), str(limit))
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, out + err
    lines = out.splitlines()
    result: dict[str, Any] = json.loads(next(x for x in lines if x.startswith("result "))[7:])
    encoded = int(next(x for x in lines if x.startswith("encoded ")).split()[1])
    assert "File too large" in result["error"]
    assert "what was written before is kept" in result["error"]
    return result, encoded


LIMIT = 300_000  # bytes a file may hold: under a second of this texture at 320x240


def test_a_full_disk_stops_the_recording_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "full.mp4"
    result, encoded = _run_until_full("disk-full", path, LIMIT)
    # With room again at stop(), the recording is finished: everything written before the
    # error is there, less the frames of the fragment the error cut (at most a second).
    assert result["finished"] is True and result["interrupted"] is True
    assert result["path"] == str(path)
    assert encoded - FPS - 1 <= result["frames"] <= encoded
    decoded = decode_all(path)
    assert [i for _, i in decoded] == list(range(result["frames"]))
    sidecar = json.loads(RecordingFiles.of(path).sidecar.read_text())
    assert "File too large" in sidecar["error"] and sidecar["interrupted"] is True


def test_a_disk_still_full_at_stop_keeps_the_recording_for_recovery(tmp_path: Path) -> None:
    path = tmp_path / "full.mp4"
    result, encoded = _run_until_full("still-full", path, LIMIT)
    assert result["frames"] <= encoded
    assert result["finished"] is False
    assert "could not be finished" in result["error"]
    files = RecordingFiles.of(path)
    assert result["path"] == str(files.partial) and not path.exists()
    assert files.partial.stat().st_size <= LIMIT
    decoded = decode_all(files.partial, torn_end=True)
    assert len(decoded) == result["frames"] > 0
    assert [i for _, i in decoded] == list(range(len(decoded)))
    assert find_unfinished(tmp_path) == [files.partial]

    recovered = recover(path)  # with room again
    assert recovered.finished and recovered.interrupted
    assert recovered.frames == len(decoded)
    assert "File too large" in (recovered.error or "")
    assert int(probe_video(path)["stream"]["nb_read_frames"]) == len(decoded)
