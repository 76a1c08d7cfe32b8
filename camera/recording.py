"""Recording the showroom camera: H.264 in a file that survives a crash, markers beside it.

    rec = Recorder("studio/2026-11-23-martin.mp4", HD_1080P30)
    rec.start()
    rec.submit(frame, time.monotonic())          # from the capture thread; never blocks
    rec.mark("preset", "Sac 35", t, {"sku": "SKU-1"})  # from any thread
    result = rec.stop()                          # the finished MP4 with one chapter a marker

Files, for a recording named NAME:

    NAME.part.mp4   fragmented MP4 written while recording (playable at any moment)
    NAME.jsonl      the journal: a header line, then markers (fsync'ed as they happen), the
                    clock's zero and a progress line a second
    NAME.mp4        the finished recording: the same H.264 stream copied, chapters embedded
    NAME.json       the final sidecar, written last: its presence means "finished"

Why fragmented MP4. A plain MP4 killed before its trailer is unreadable. Killed with SIGKILL
3.4 s into a 30 fps recording (1 s keyframe interval, packets flushed as they are muxed),
fragmented MP4 (`frag_keyframe+empty_moov+default_base_moof`) and Matroska both kept the
90 frames of their last complete fragment or cluster, but ffprobe reads the fragmented MP4's
duration while the Matroska file reports none. The finished file is MP4 (what players,
browsers and editors take), so finishing is a stream copy inside one family, and chapters
are added then: the MP4 muxer drops chapters when the `moov` was written first, as it is in
a fragmented file, so markers wait in the journal until the copy.

What a crash costs. The muxer writes a fragment when the next keyframe arrives; keyframes
come every `keyframe_seconds` of capture time (1 s), forced by time as well as by frame
count so a slow source cannot stretch them, so a SIGKILL loses at most the fragment being
built (≤ 1 s) plus the frames still queued. A helper thread fsyncs the video and the
journal after each fragment, so a power cut loses about as much. `recover()` rebuilds the
finished file from what survived; `find_unfinished()` lists what needs it.

Timing. Every frame carries its capture time from the caller's monotonic clock; the first
frame's time is the recording's zero and each frame is stamped (t - t0) in 1/90000 s, so the
output has a variable frame rate when capture jitters or frames are dropped, and markers,
PTZ events and video share one timeline. The codec's time base is set explicitly: the MP4
muxer rewrites the stream's own time base once the header is written.

Encoding budget (bench/record.py, docs/studio-figures.md): libx264 with `zerolatency` (no
B-frames, no lookahead: packets come out as frames go in) at `superfast` for 1080p30 and
`veryfast` for 720p30 kept up on two shared cores next to capture and preview: 0 dropped
frames in 120 s, 16.9 and 10.8 ms of CPU a frame, 1.09 and 1.06 times what the ffmpeg
command line spends on the same frames. `veryfast` at 1080p dropped 5 % of the frames;
`ultrafast` keeps up but writes 2.3 times the bytes. Frames are converted BGR to YUV 4:2:0
by swscale (BT.601, limited range, tagged so).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

import av
import av.error
import numpy as np
import numpy.typing as npt
from av.container import InputContainer, OutputContainer
from av.video.frame import PictureType
from av.video.stream import VideoStream

log = logging.getLogger(__name__)

TIME_BASE: Final = Fraction(1, 90_000)
CHAPTER_TIME_BASE: Final = Fraction(1, 1000)
JOURNAL_VERSION: Final = 1
START_CHAPTER: Final = "Start"
FRAGMENTED_MP4: Final = {
    "movflags": "frag_keyframe+empty_moov+default_base_moof",
    # Without it the muxer's output waits in 256 KiB buffers and a crash loses them.
    "flush_packets": "1",
}
X264_PRESETS: Final = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium")
# swscale's BGR to YUV conversion uses BT.601 coefficients in limited range; say so in the
# stream, otherwise players assume BT.709 for HD sizes and shift the colours.
_SMPTE170M: Final = 6
_LIMITED_RANGE: Final = 1

Frame = npt.NDArray[np.uint8]


class RecordingError(Exception):
    """A recording could not be started, written, finished or recovered."""


@dataclass(frozen=True)
class EncoderSettings:
    """How to encode: the frame size the caller submits, libx264's preset and quality."""

    width: int
    height: int
    fps: int = 30  # nominal: sets the keyframe interval and rate control, not frame times
    preset: str = "superfast"
    crf: int = 23
    tune: str = "zerolatency"
    keyframe_seconds: float = 1.0
    threads: int = 0  # 0: libx264 chooses

    def __post_init__(self) -> None:
        problems = []
        if self.width <= 0 or self.height <= 0 or self.width % 2 or self.height % 2:
            problems.append(f"size {self.width}x{self.height} must be positive and even")
        if not 1 <= self.fps <= 240:
            problems.append(f"fps {self.fps} is out of 1..240")
        if self.preset not in X264_PRESETS:
            problems.append(f"preset {self.preset!r} is not one of {', '.join(X264_PRESETS)}")
        if not 0 <= self.crf <= 51:
            problems.append(f"crf {self.crf} is out of 0..51")
        if not 0.1 <= self.keyframe_seconds <= 10:
            problems.append(f"keyframe_seconds {self.keyframe_seconds} is out of 0.1..10")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def gop(self) -> int:
        return max(1, round(self.fps * self.keyframe_seconds))


HD_1080P30: Final = EncoderSettings(1920, 1080, preset="superfast")
HD_720P30: Final = EncoderSettings(1280, 720, preset="veryfast")
PRESETS: Final = {"1080p30": HD_1080P30, "720p30": HD_720P30}


def settings_for(width: int, height: int, **changes: Any) -> EncoderSettings:
    """Settings for frames of this size: the measured preset for its class of size."""
    base = HD_1080P30 if width * height > HD_720P30.width * HD_720P30.height else HD_720P30
    return replace(base, width=width, height=height, **changes)


@dataclass(frozen=True)
class Marker:
    """Something that happened while recording, placed on the recording's timeline."""

    kind: str  # "preset" (a recall, with the product's SKU), "product", "note", ...
    label: str
    t: float  # seconds into the recording
    at: float  # the same moment on the caller's monotonic clock
    data: dict[str, Any] = field(default_factory=dict)
    wall: str = ""  # UTC wall-clock time, ISO 8601


@dataclass(frozen=True)
class Chapter:
    """A span of the recording: from one marker to the next (or the end)."""

    index: int
    title: str  # the marker's label, or its kind when it has none
    start: float
    end: float
    kind: str = ""  # the marker's kind; "start" for the span before the first marker


@dataclass(frozen=True)
class RecordingResult:
    """What a stopped or recovered recording holds."""

    path: Path  # the playable file: the finished MP4, or the fragmented one if finishing failed
    sidecar: Path | None  # the final sidecar; None when finishing failed
    finished: bool
    interrupted: bool  # ended by a crash, a power loss or a write error, not by stop()
    duration: float
    frames: int
    dropped: int
    width: int
    height: int
    codec: str
    size_bytes: int
    started_at: str
    markers: tuple[Marker, ...]
    chapters: tuple[Chapter, ...]
    markers_past_end: tuple[Marker, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class RecordingFiles:
    """The names of one recording's files, from any one of them."""

    video: Path
    sidecar: Path
    partial: Path
    journal: Path

    @classmethod
    def of(cls, path: str | os.PathLike[str]) -> RecordingFiles:
        p = Path(path)
        name = p.name
        for suffix in (".part.mp4", ".jsonl", ".json", ".mp4"):
            if name.endswith(suffix) and len(name) > len(suffix):
                stem = name[: -len(suffix)]
                break
        else:
            raise ValueError(f"{p} is not a recording's file (NAME.mp4, .part.mp4, .jsonl, .json)")
        folder = p.parent
        return cls(
            video=folder / f"{stem}.mp4",
            sidecar=folder / f"{stem}.json",
            partial=folder / f"{stem}.part.mp4",
            journal=folder / f"{stem}.jsonl",
        )


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno is not None:
        reason = exc.strerror or os.strerror(exc.errno)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            reason = f"the disk is full ({reason})"
        return reason
    return str(exc) or type(exc).__name__


class _Journal:
    """The append-only JSON-lines journal; markers are fsync'ed before mark() returns."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # O_EXCL: never append to, or truncate, another recording's journal.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        try:
            # Held while recording: recover() and find_unfinished() leave a live one alone.
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise
        self._file = os.fdopen(fd, "a", encoding="utf-8")
        self._lock = threading.Lock()

    def append(self, entry: Mapping[str, Any], durable: bool) -> None:
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            self._file.write(line)
            self._file.flush()
            if durable:
                os.fsync(self._file.fileno())

    def sync(self) -> None:
        with self._lock:
            os.fsync(self._file.fileno())

    def close(self) -> None:
        with self._lock, contextlib.suppress(OSError):
            self._file.close()


class Recorder:
    """Encodes submitted frames on its own thread into a crash-safe file; see the module doc.

    `submit`, `mark` and the counters may be used from any thread. Frames are not copied:
    once submitted, the array belongs to the recorder until it is encoded (read-only use
    elsewhere, e.g. by a preview, is fine).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        settings: EncoderSettings,
        *,
        queue_frames: int = 16,
        metadata: Mapping[str, str] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        """`queue_frames` bounds the frames waiting for the encoder; `metadata` goes into the
        file (e.g. {"title": ...}); `on_error(message)` is called on the encoder thread when a
        write fails and the recording stops (`stop()` must then come from another thread)."""
        self.files = RecordingFiles.of(path)
        if Path(path).name != self.files.video.name:
            raise ValueError(f"name the finished file, NAME.mp4, not {Path(path).name}")
        if queue_frames < 1:
            raise ValueError("queue_frames must be at least 1")
        self.settings = settings
        self.metadata = dict(metadata or {})
        self._on_error = on_error
        # (frame, capture time), or None: stop.
        self._queue: queue.Queue[tuple[Frame, float] | None] = queue.Queue(maxsize=queue_frames)
        self._lock = threading.Lock()  # counters and state, held for microseconds
        self._mark_lock = threading.Lock()  # held across a marker's fsync
        self._state = "new"  # new -> recording -> stopping -> stopped
        self._t0: float | None = None
        self._last_t: float | None = None
        self._dropped = 0
        self._frames = 0
        self._encoder_cpu = 0.0
        self._error: str | None = None
        self._markers: list[Marker] = []
        self._started_at = ""
        self._journal: _Journal | None = None
        self._container: OutputContainer | None = None
        self._stream: VideoStream | None = None
        self._video_fd: int | None = None
        self._fragment_done = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- what any thread may read ----------------------------------------------------------

    @property
    def elapsed(self) -> float:
        """Seconds of capture time from the first frame to the latest one accepted."""
        t0, last = self._t0, self._last_t
        return 0.0 if t0 is None or last is None else last - t0

    @property
    def dropped(self) -> int:
        """Frames refused because the encoder was behind and the queue was full."""
        return self._dropped

    @property
    def frames(self) -> int:
        """Frames encoded so far."""
        return self._frames

    @property
    def error(self) -> str | None:
        """Why the recording stopped by itself (a write error), or None."""
        return self._error

    @property
    def recording(self) -> bool:
        return self._state == "recording" and self._error is None

    @property
    def encoder_cpu_seconds(self) -> float:
        """CPU time of the encoding thread itself (libx264's own threads not included)."""
        return self._encoder_cpu

    @property
    def markers(self) -> tuple[Marker, ...]:
        """The markers recorded so far, in the order they were made."""
        with self._lock:
            return tuple(self._markers)

    @property
    def queued(self) -> int:
        """Frames waiting for the encoder (at most `queue_frames`)."""
        return self._queue.qsize()

    # -- control ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._state != "new":
            raise RecordingError("a recorder records once; make a new one")
        files = self.files
        for existing in (files.video, files.partial, files.journal, files.sidecar):
            if existing.exists():
                raise RecordingError(f"{existing} already exists: choose another name")
        try:
            files.video.parent.mkdir(parents=True, exist_ok=True)
            self._journal = _Journal(files.journal)
            self._started_at = _utc_now()
            s = self.settings
            self._journal.append(
                {
                    "type": "start",
                    "version": JOURNAL_VERSION,
                    "started_at": self._started_at,
                    "clock": "monotonic",
                    "video": files.partial.name,
                    "width": s.width,
                    "height": s.height,
                    "fps": s.fps,
                    "codec": "h264",
                    "encoder": {
                        "name": "libx264",
                        "preset": s.preset,
                        "tune": s.tune,
                        "crf": s.crf,
                        "keyframe_seconds": s.keyframe_seconds,
                    },
                    "metadata": self.metadata,
                },
                durable=True,
            )
            self._open_video()
        except (OSError, av.error.FFmpegError) as exc:
            self._abandon_start()
            raise RecordingError(f"cannot start recording {files.video}: {_describe(exc)}") from exc
        self._state = "recording"
        encoder = threading.Thread(target=self._encode_loop, name="recorder-encode", daemon=True)
        syncer = threading.Thread(target=self._sync_loop, name="recorder-sync", daemon=True)
        self._threads = [encoder, syncer]
        encoder.start()
        syncer.start()

    def _open_video(self) -> None:
        s = self.settings
        container = av.open(
            str(self.files.partial), "w", format="mp4", options=dict(FRAGMENTED_MP4)
        )
        self._container = container
        stream = container.add_stream("libx264", rate=s.fps)
        stream.width = s.width
        stream.height = s.height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = TIME_BASE
        stream.codec_context.colorspace = _SMPTE170M
        stream.codec_context.color_range = _LIMITED_RANGE
        if s.threads:
            stream.codec_context.thread_count = s.threads
        stream.options = {"preset": s.preset, "tune": s.tune, "crf": str(s.crf), "g": str(s.gop)}
        for key, value in self.metadata.items():
            container.metadata[key] = value
        self._stream = stream
        # Open the encoder and write the header now: a bad option or an unwritable folder
        # fails here, in start(), not later on the encoder thread.
        container.start_encoding()
        # A second descriptor on the same file, only to fsync what FFmpeg has written.
        self._video_fd = os.open(self.files.partial, os.O_RDONLY)

    def _abandon_start(self) -> None:
        if self._container is not None:
            with contextlib.suppress(Exception):
                self._container.close()
        if self._video_fd is not None:
            os.close(self._video_fd)
        if self._journal is not None:
            self._journal.close()
        for path in (self.files.partial, self.files.journal):
            with contextlib.suppress(OSError):
                path.unlink()

    def submit(self, frame: Frame, t: float) -> bool:
        """Queue a BGR frame (H×W×3 uint8) captured at monotonic time `t`; never blocks.

        Returns False when the frame was not taken: the queue was full (counted in
        `dropped`) or the recording has stopped (see `error`).
        """
        s = self.settings
        if frame.shape != (s.height, s.width, 3) or frame.dtype != np.uint8:
            raise ValueError(
                f"expected a {s.width}x{s.height} BGR uint8 frame, got {frame.shape} {frame.dtype}"
            )
        if self._state == "new":
            raise RecordingError("start() the recorder before submitting frames")
        with self._lock:
            if self._state != "recording" or self._error is not None:
                return False
            # Only submit() adds frames, under this lock: a queue not full now takes one.
            if self._queue.full():
                self._dropped += 1
                return False
            if self._t0 is None:
                self._t0 = t  # before the encoder can see the frame
            self._last_t = t
            self._queue.put_nowait((frame, t))
            return True

    def mark(
        self, kind: str, label: str, t: float | None = None, data: Mapping[str, Any] | None = None
    ) -> Marker:
        """Record a marker at monotonic time `t` (now if None); it is on disk when this returns.

        Raises RecordingError when the journal cannot be written; the recording then stops.
        """
        if not kind:
            raise ValueError("a marker needs a kind")
        at = time.monotonic() if t is None else t
        t0 = self._t0
        marker = Marker(
            kind=kind,
            label=label,
            t=0.0 if t0 is None else max(0.0, at - t0),
            at=at,
            data=dict(data or {}),
            wall=_utc_now(),
        )
        try:
            json.dumps(marker.data)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"marker data must be JSON: {exc}") from exc
        with self._mark_lock:
            if not self.recording or self._journal is None:
                raise RecordingError(self._error or "the recorder is not recording")
            try:
                self._journal.append({"type": "marker", **asdict(marker)}, durable=True)
            except OSError as exc:
                self._fail(exc)
                raise RecordingError(self._error or _describe(exc)) from exc
            with self._lock:
                self._markers.append(marker)
        return marker

    def stop(self) -> RecordingResult:
        """Drain the queue, close the fragmented file and finish it into NAME.mp4 with chapters.

        I/O problems do not raise: the result's `error` says what happened and `path` is the
        playable file that was kept.
        """
        if self._state == "new":
            raise RecordingError("the recorder was never started")
        if self._state == "stopped":
            raise RecordingError("the recorder is already stopped")
        if threading.current_thread() in self._threads:
            raise RecordingError("stop() from on_error would wait for itself: call it elsewhere")
        with self._mark_lock, self._lock:
            self._state = "stopping"
        encoder, syncer = self._threads
        while encoder.is_alive():
            try:
                self._queue.put(None, timeout=0.1)
                break
            except queue.Full:
                continue
        encoder.join()
        self._fragment_done.set()  # wakes the sync thread, which sees the state and ends
        syncer.join()
        self._state = "stopped"
        journal = self._journal
        assert journal is not None
        with contextlib.suppress(OSError):
            journal.append(
                {
                    "type": "stop",
                    "t": self.elapsed,
                    "frames": self._frames,
                    "dropped": self._dropped,
                },
                durable=True,
            )
        if self._video_fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(self._video_fd)
            os.close(self._video_fd)
            self._video_fd = None
        journal.close()
        return _finish(
            self.files,
            JournalContents.read(self.files.journal),
            interrupted=self._error is not None,
            dropped=self._dropped,
            error=self._error,
        )

    def __enter__(self) -> Recorder:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._state in ("recording", "stopping"):
            self.stop()

    # -- the encoder thread ---------------------------------------------------------------

    def _encode_loop(self) -> None:
        container, stream = self._container, self._stream
        assert container is not None and stream is not None
        tick = round(1 / (self.settings.fps * TIME_BASE))
        key_every = round(self.settings.keyframe_seconds / TIME_BASE) + tick // 2
        last_pts = -1
        last_key_pts: int | None = None
        next_progress = 0
        cpu_start = time.thread_time()
        try:
            while True:
                item = self._queue.get()
                if item is None or self._error is not None:
                    break  # stopped, or a journal or fsync failure ended the recording
                image, t = item
                if self._frames == 0:
                    assert self._journal is not None
                    self._journal.append({"type": "clock", "t0": t}, durable=True)
                t0 = self._t0
                assert t0 is not None
                pts = max(round((t - t0) / TIME_BASE), last_pts + 1)
                # Wraps the caller's array, no copy: swscale reads it once, converting to
                # YUV 4:2:0 inside encode() (0.5 ms a 1080p frame saved).
                picture = np.ascontiguousarray(image)
                frame = av.VideoFrame.from_numpy_buffer(picture, format="bgr24")
                frame.pts = pts
                frame.time_base = TIME_BASE
                if last_key_pts is not None and pts - last_key_pts >= key_every:
                    # A slow or stalled source must not stretch the crash window.
                    frame.pict_type = PictureType.I
                for packet in stream.encode(frame):
                    packet.duration = tick
                    container.mux(packet)
                    if packet.is_keyframe:
                        # The muxer has just written the fragment this keyframe closes.
                        last_key_pts = packet.pts
                        self._fragment_done.set()
                last_pts = pts
                self._frames += 1
                self._encoder_cpu = time.thread_time() - cpu_start
                if pts >= next_progress:
                    next_progress = pts + round(1 / TIME_BASE)
                    self._progress(pts)
            for packet in stream.encode(None):
                packet.duration = tick
                container.mux(packet)
        except (OSError, av.error.FFmpegError) as exc:
            self._fail(exc)
        finally:
            with contextlib.suppress(Exception):
                container.close()
            self._encoder_cpu = time.thread_time() - cpu_start

    def _progress(self, pts: int) -> None:
        assert self._journal is not None
        self._journal.append(
            {
                "type": "progress",
                "t": round(float(pts * TIME_BASE), 3),
                "frames": self._frames,
                "dropped": self._dropped,
            },
            durable=False,
        )

    def _sync_loop(self) -> None:
        # fsync can take a while on a slow disk: not on the encoder's time.
        while True:
            self._fragment_done.wait()
            self._fragment_done.clear()
            if self._state != "recording" or self._error is not None:
                return
            try:
                if self._video_fd is not None:
                    os.fsync(self._video_fd)
                if self._journal is not None:
                    self._journal.sync()
            except OSError as exc:
                self._fail(exc)
                return

    def _fail(self, exc: BaseException) -> None:
        with self._lock:
            if self._error is not None:
                return
            self._error = (
                f"the recording could not be written ({_describe(exc)}); it stopped at "
                f"{self.elapsed:.1f} s and what was written before is kept"
            )
        log.error("recording %s: %s", self.files.video, self._error)
        if self._journal is not None:
            with contextlib.suppress(OSError):
                self._journal.append({"type": "error", "message": self._error}, durable=True)
        if self._on_error is not None:
            self._on_error(self._error)


# -- the journal, read back -------------------------------------------------------------


@dataclass
class JournalContents:
    """A journal read back: a line cut short by a crash is skipped, not fatal."""

    header: dict[str, Any]
    t0: float | None
    markers: list[Marker]
    dropped: int
    stopped: bool
    errors: list[str]

    @classmethod
    def read(cls, path: Path) -> JournalContents:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RecordingError(f"cannot read {path}: {_describe(exc)}") from exc
        header: dict[str, Any] = {}
        t0: float | None = None
        raw_markers: list[dict[str, Any]] = []
        dropped = 0
        stopped = False
        errors: list[str] = []
        for number, line in enumerate(text.split("\n"), start=1):
            line = line.strip().strip("\x00")
            if not line:
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                # A line a crash cut short, or blocks a power cut left unwritten.
                log.warning("%s:%d: skipped a damaged journal line", path, number)
                continue
            kind = entry.get("type")
            if kind == "start":
                header = entry
            elif kind == "clock":
                t0 = float(entry["t0"])
            elif kind == "marker":
                raw_markers.append(entry)
            elif kind in ("progress", "stop"):
                dropped = max(dropped, int(entry.get("dropped", 0)))
                stopped = stopped or kind == "stop"
            elif kind == "error":
                errors.append(str(entry.get("message", "")))
        if not header:
            raise RecordingError(f"{path} has no journal header")
        markers = [
            Marker(
                kind=str(m["kind"]),
                label=str(m.get("label", "")),
                t=0.0 if t0 is None else max(0.0, float(m["at"]) - t0),
                at=float(m["at"]),
                data=dict(m.get("data") or {}),
                wall=str(m.get("wall", "")),
            )
            for m in raw_markers
        ]
        return cls(header, t0, markers, dropped, stopped, errors)


def chapters_for(markers: Iterable[Marker], duration: float) -> list[Chapter]:
    """One chapter a marker, and a "Start" chapter before the first marker if it is not at 0.

    MP4 cannot say "no chapter yet": its chapter track covers the timeline from 0, so the
    muxer would silently stretch the first marker's chapter back to 0 (the `chpl` box keeps
    the right time, but players and FFmpeg read the track).
    """
    ordered = sorted(markers, key=lambda m: m.t)
    spans = [(m.label or m.kind, m.kind, m.t) for m in ordered]
    if spans and spans[0][2] >= float(CHAPTER_TIME_BASE):
        spans.insert(0, (START_CHAPTER, "start", 0.0))
    chapters = []
    for index, (title, kind, start) in enumerate(spans):
        end = spans[index + 1][2] if index + 1 < len(spans) else duration
        chapters.append(Chapter(index, title, start, end, kind))
    return chapters


@dataclass
class StreamSummary:
    """The playable part of a video file: its complete packets, without decoding them."""

    frames: int = 0
    first_pts: int | None = None
    end_pts: int = 0
    time_base: Fraction = TIME_BASE
    width: int = 0
    height: int = 0
    codec: str = ""
    truncated: bool = False

    @property
    def duration(self) -> float:
        if self.first_pts is None:
            return 0.0
        return float((self.end_pts - self.first_pts) * self.time_base)


def _complete_packets(container: InputContainer, summary: StreamSummary) -> Iterator[av.Packet]:
    """The video packets up to the first one a crash cut short."""
    stream = container.streams.video[0]
    summary.time_base = stream.time_base or TIME_BASE
    summary.width = stream.codec_context.width
    summary.height = stream.codec_context.height
    summary.codec = stream.codec_context.name
    try:
        for packet in container.demux(stream):
            if packet.pts is None or packet.size == 0:
                continue  # the demuxer's end-of-stream marker
            if packet.is_corrupt:
                summary.truncated = True
                return
            if summary.first_pts is None:
                summary.first_pts = packet.pts
            summary.frames += 1
            summary.end_pts = max(summary.end_pts, packet.pts + (packet.duration or 0))
            yield packet
    except av.error.FFmpegError:
        summary.truncated = True  # a torn fragment at the end: keep what came before


def summarize(path: Path) -> StreamSummary:
    """Count the complete packets of a (possibly unfinished) file's video stream."""
    summary = StreamSummary()
    with av.open(str(path)) as container:
        for _ in _complete_packets(container, summary):
            pass
    return summary


def _write_json_atomically(path: Path, value: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=2)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _finish(
    files: RecordingFiles,
    journal: JournalContents,
    *,
    interrupted: bool,
    dropped: int,
    error: str | None,
) -> RecordingResult:
    """Copy the fragmented file's complete packets into NAME.mp4 with chapters, then write
    NAME.json and remove the working files. On failure the working files stay for recover()."""
    header = journal.header
    tmp = files.video.with_name(files.video.name + ".tmp")
    summary = StreamSummary()
    try:
        if not files.partial.exists() or files.partial.stat().st_size == 0:
            raise RecordingError(f"nothing was recorded: {files.partial} is missing or empty")
        try:
            source = av.open(str(files.partial))
        except av.error.FFmpegError as exc:
            raise RecordingError(f"nothing playable in {files.partial}: {exc}") from exc
        with source:
            if not source.streams.video:
                raise RecordingError(f"nothing playable in {files.partial}: no video stream")
            with av.open(str(tmp), "w", format="mp4") as output:
                in_stream = source.streams.video[0]
                out_stream = output.add_stream_from_template(in_stream)
                # Keep 1/90000 s: left alone, the muxer picks 1/15360 from the nominal rate.
                out_stream.time_base = in_stream.time_base
                for key, value in (header.get("metadata") or {}).items():
                    output.metadata[str(key)] = str(value)
                for packet in _complete_packets(source, summary):
                    packet.stream = out_stream
                    output.mux(packet)
                if summary.frames == 0:
                    raise RecordingError(f"nothing playable in {files.partial}: no frames")
                duration = summary.duration
                kept = [m for m in journal.markers if m.t < duration]
                past_end = [m for m in journal.markers if m.t >= duration]
                chapters = chapters_for(kept, duration)
                output.set_chapters(
                    [
                        {
                            "id": c.index + 1,
                            "start": round(c.start / CHAPTER_TIME_BASE),
                            "end": round(c.end / CHAPTER_TIME_BASE),
                            "time_base": CHAPTER_TIME_BASE,
                            "metadata": {"title": c.title},
                        }
                        for c in chapters
                    ]
                )
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, files.video)
        _fsync_folder(files.video.parent)
        size = files.video.stat().st_size
        result = RecordingResult(
            path=files.video,
            sidecar=files.sidecar,
            finished=True,
            interrupted=interrupted,
            duration=duration,
            frames=summary.frames,
            dropped=dropped,
            width=summary.width,
            height=summary.height,
            codec=summary.codec,
            size_bytes=size,
            started_at=str(header.get("started_at", "")),
            markers=tuple(sorted(kept, key=lambda m: m.t)),
            chapters=tuple(chapters),
            markers_past_end=tuple(past_end),
            error=error,
        )
        _write_json_atomically(files.sidecar, _sidecar_json(result, header))
    except (OSError, av.error.FFmpegError, RecordingError) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        with contextlib.suppress(OSError):
            files.sidecar.with_name(files.sidecar.name + ".tmp").unlink()
        reason = str(exc) if isinstance(exc, RecordingError) else _describe(exc)
        message = f"the recording could not be finished ({reason}); kept as {files.partial}"
        if error:
            message = f"{error}; {message}"
        log.error("recording %s: %s", files.video, message)
        return _unfinished_result(files, journal, dropped=dropped, error=message)
    for leftover in (files.partial, files.journal):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    return result


def _unfinished_result(
    files: RecordingFiles, journal: JournalContents, *, dropped: int, error: str
) -> RecordingResult:
    try:
        summary = summarize(files.partial)
    except (OSError, av.error.FFmpegError):
        summary = StreamSummary()
    markers = [m for m in journal.markers if m.t < summary.duration]
    header = journal.header
    return RecordingResult(
        path=files.partial,
        sidecar=None,
        finished=False,
        interrupted=False,
        duration=summary.duration,
        frames=summary.frames,
        dropped=dropped,
        width=summary.width or int(header.get("width", 0)),
        height=summary.height or int(header.get("height", 0)),
        codec=summary.codec or str(header.get("codec", "")),
        size_bytes=files.partial.stat().st_size if files.partial.exists() else 0,
        started_at=str(header.get("started_at", "")),
        markers=tuple(sorted(markers, key=lambda m: m.t)),
        chapters=tuple(chapters_for(markers, summary.duration)),
        markers_past_end=tuple(m for m in journal.markers if m.t >= summary.duration),
        error=error,
    )


def _sidecar_json(result: RecordingResult, header: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "version": JOURNAL_VERSION,
        "video": result.path.name,
        "started_at": result.started_at,
        "finished_at": _utc_now(),
        "interrupted": result.interrupted,
        "duration": round(result.duration, 6),
        "frames": result.frames,
        "dropped": result.dropped,
        "width": result.width,
        "height": result.height,
        "codec": result.codec,
        "encoder": header.get("encoder", {}),
        "size_bytes": result.size_bytes,
        "metadata": header.get("metadata", {}),
        "markers": [asdict(m) for m in result.markers],
        "markers_past_end": [asdict(m) for m in result.markers_past_end],
        "chapters": [asdict(c) for c in result.chapters],
        "error": result.error,
    }


def load_result(path: str | os.PathLike[str]) -> RecordingResult:
    """The result of a finished recording, read from its final sidecar (NAME.json)."""
    files = RecordingFiles.of(path)
    try:
        data = json.loads(files.sidecar.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecordingError(
            f"{files.video} is not finished: there is no {files.sidecar}"
        ) from None
    except (OSError, json.JSONDecodeError) as exc:
        raise RecordingError(f"cannot read {files.sidecar}: {exc}") from exc

    def markers(key: str) -> tuple[Marker, ...]:
        return tuple(Marker(**m) for m in data.get(key, []))

    return RecordingResult(
        path=files.video,
        sidecar=files.sidecar,
        finished=True,
        interrupted=bool(data.get("interrupted", False)),
        duration=float(data["duration"]),
        frames=int(data["frames"]),
        dropped=int(data["dropped"]),
        width=int(data["width"]),
        height=int(data["height"]),
        codec=str(data["codec"]),
        size_bytes=int(data["size_bytes"]),
        started_at=str(data.get("started_at", "")),
        markers=markers("markers"),
        chapters=tuple(Chapter(**c) for c in data.get("chapters", [])),
        markers_past_end=markers("markers_past_end"),
        error=data.get("error"),
    )


def _journal_is_live(path: Path) -> bool:
    """True while a recorder (in this process or another) holds the journal's lock."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock taken here
    return False


def find_unfinished(folder: str | os.PathLike[str]) -> list[Path]:
    """Recordings in `folder` a crash left unfinished (their NAME.part.mp4), oldest first.

    A recording still being made, in this process or another, is not listed.
    """
    found = []
    for journal in Path(folder).glob("*.jsonl"):
        files = RecordingFiles.of(journal)
        if files.sidecar.exists() or _journal_is_live(journal):
            continue
        found.append(files.partial)
    return sorted(found, key=lambda p: (p.stat().st_mtime if p.exists() else 0.0, p.name))


def recover(path: str | os.PathLike[str]) -> RecordingResult:
    """Finish a recording a crash or power loss interrupted.

    The fragmented file is copied up to its last complete fragment (at most about a second is
    lost), chapters come from the journal's markers (those past the end are dropped and listed
    in `markers_past_end`), and the final sidecar says `interrupted: true`. A recording that
    was already finished is tidied and returned as it is.
    """
    files = RecordingFiles.of(path)
    if files.sidecar.exists():
        for leftover in (files.partial, files.journal):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        return load_result(files.video)
    if not files.journal.exists():
        raise RecordingError(f"{files.journal} is missing: nothing to recover")
    if _journal_is_live(files.journal):
        raise RecordingError(f"{files.video} is still being recorded")
    journal = JournalContents.read(files.journal)
    result = _finish(
        files,
        journal,
        interrupted=not journal.stopped or bool(journal.errors),
        dropped=journal.dropped,
        error=journal.errors[0] if journal.errors else None,
    )
    if not result.finished:
        raise RecordingError(result.error or f"{files.video} could not be recovered")
    return result
