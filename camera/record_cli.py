"""`vitrine replay-info PATH [--json]`: what a recording holds; and `record()` for shells.

    vitrine replay-info studio/2026-11-23-martin.mp4
    vitrine replay-info studio/2026-11-23-martin.part.mp4 --json   # unfinished: read anyway

Exit codes: 0 done, 2 the file is missing or cannot be read (or bad arguments).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from camera.recording import (
    EncoderSettings,
    Frame,
    Recorder,
    RecordingError,
    RecordingFiles,
    RecordingResult,
    settings_for,
)
from camera.replay import RecordingInfo, ReplayError, info

EXIT_UNREADABLE = 2

FrameSource = (
    Callable[[], Frame | tuple[Frame, float] | None] | Iterable[Frame | tuple[Frame, float]]
)


def add_parser(verbs: Any) -> None:
    parser = verbs.add_parser(
        "replay-info", help="a recording's duration, chapters and dropped frames"
    )
    parser.add_argument("path", type=Path, help="NAME.mp4, or NAME.part.mp4 if unfinished")
    parser.add_argument("--json", action="store_true", help="print JSON")


def _clock(seconds: float) -> str:
    minutes, rest = divmod(max(0.0, seconds), 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}:{minutes:02d}:{rest:04.1f}"


def _size(count: int) -> str:
    if count >= 1e9:
        return f"{count / 1e9:,.2f} GB"
    if count >= 1e6:
        return f"{count / 1e6:,.1f} MB"
    return f"{count / 1e3:,.0f} kB"


def _state(facts: RecordingInfo) -> str:
    if facts.interrupted:
        return "finished after an interruption (recovered)"
    if facts.finished:
        return "finished"
    try:
        files = RecordingFiles.of(facts.path)
    except ValueError:
        return "a video file without a sidecar"
    if facts.path == files.partial:
        return "unfinished (being recorded, or left by a crash: recover it)"
    return "a video file without a sidecar"


def print_info(facts: RecordingInfo) -> None:
    print(f"Recording: {facts.path} — {_state(facts)}")
    print(
        f"Duration: {_clock(facts.duration)}   Frames: {facts.frames:,} "
        f"({facts.fps:.2f} fps average)   {facts.width}x{facts.height} {facts.codec}   "
        f"{_size(facts.size_bytes)}"
    )
    dropped = "unknown (no sidecar)" if facts.dropped is None else f"{facts.dropped:,}"
    print(f"Dropped frames: {dropped}")
    if facts.started_at:
        print(f"Started: {facts.started_at}")
    print(f"Chapters: {len(facts.chapters)}")
    for c in facts.chapters:
        kind = f"  [{c.kind}]" if c.kind else ""
        print(f"  {c.index + 1:>3}  {_clock(c.start)} – {_clock(c.end)}  {c.title}{kind}")


def _jsonable(facts: RecordingInfo) -> dict[str, Any]:
    data = asdict(facts)
    data["path"] = str(facts.path)
    return data


def run(args: argparse.Namespace) -> int:
    try:
        facts = info(args.path)
    except (ReplayError, RecordingError, OSError) as exc:
        print(f"vitrine: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.json:
        print(json.dumps(_jsonable(facts), ensure_ascii=False, indent=2))
    else:
        print_info(facts)
    return 0


def _pull(source: FrameSource) -> Iterator[tuple[Frame, float]]:
    items: Iterable[Frame | tuple[Frame, float] | None]
    if callable(source):
        call = source
        items = iter(call, None)
    else:
        items = source
    for item in items:
        if item is None:
            return
        if isinstance(item, tuple):
            yield item
        else:
            yield item, time.monotonic()


def record(
    source_frames: FrameSource,
    seconds: float,
    out: str | os.PathLike[str],
    *,
    settings: EncoderSettings | None = None,
    queue_frames: int = 16,
    metadata: Mapping[str, str] | None = None,
    on_start: Callable[[Recorder], None] | None = None,
    stop: threading.Event | None = None,
) -> RecordingResult:
    """Record `seconds` of capture time from a frame source into `out` (NAME.mp4).

    `source_frames` is a callable returning the next frame (None: the source ended) or an
    iterable of frames; a frame is a BGR uint8 array, or (array, time.monotonic() time) when
    the source knows its capture time. The source sets the pace: it should block until its
    next frame, as a camera does; frames offered faster than the encoder can take them are
    dropped and counted. `settings` default to the measured preset for the first frame's
    size. `on_start` receives the running recorder (to place markers from other threads);
    `stop` ends the recording early. Recording ends early as well when the source ends or
    a write fails; the result says why.
    """
    if seconds <= 0:
        raise ValueError("seconds must be positive")
    frames = _pull(source_frames)
    first = next(frames, None)
    if first is None:
        raise RecordingError("the source gave no frame")
    image, t_first = first
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"frames must be BGR uint8 arrays, got {image.shape} {image.dtype}")
    height, width = image.shape[:2]
    recorder = Recorder(
        out,
        settings or settings_for(width, height),
        queue_frames=queue_frames,
        metadata=metadata,
    )
    recorder.start()
    try:
        if on_start is not None:
            on_start(recorder)
        recorder.submit(image, t_first)
        for image, t in frames:
            if t - t_first >= seconds or (stop is not None and stop.is_set()):
                break
            if recorder.error is not None:
                break
            recorder.submit(image, t)
    finally:
        result = recorder.stop()
    return result
