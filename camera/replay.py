"""Reading recordings back: facts, a player, thumbnails and clips.

    facts = info("studio/2026-11-23-martin.mp4")    # duration, chapters, dropped frames
    player = Player(path, on_frame=show)             # decodes on its own thread
    player.open(); player.seek(facts.chapters[2].start); player.play()
    thumbs = chapter_thumbnails(path)                # one picture a chapter
    export_clip(path, chapter.start, chapter.end, "clip.mp4")

Unfinished recordings (NAME.part.mp4 and its journal, while recording or after a crash) can be
read too: their chapters come from the journal.

Seeking goes back to the keyframe at or before the time (one a second) and decodes forward
to the frame shown at that time: the last frame that starts at or before it.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

import av
import av.error
import cv2
import numpy as np
from av.container import InputContainer, OutputContainer
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from camera.recording import (
    CHAPTER_TIME_BASE,
    HD_720P30,
    TIME_BASE,
    Chapter,
    EncoderSettings,
    Frame,
    JournalContents,
    Marker,
    RecordingError,
    RecordingFiles,
    chapters_for,
    load_result,
    summarize,
)

if TYPE_CHECKING:
    from av.container.core import Chapter as AvChapter

log = logging.getLogger(__name__)

SPEEDS: Final = (0.5, 1.0, 2.0)
PlayerEvent = Literal["playing", "paused", "ended", "error"]


class ReplayError(Exception):
    """A recording cannot be read."""


@dataclass(frozen=True)
class RecordingInfo:
    path: Path  # the file read: NAME.mp4, or NAME.part.mp4 for an unfinished recording
    finished: bool  # the final sidecar exists
    interrupted: bool  # finished by recover() after a crash
    duration: float
    frames: int
    fps: float  # average over the recording (capture times set the frame rate)
    width: int
    height: int
    codec: str
    size_bytes: int
    chapters: tuple[Chapter, ...]
    dropped: int | None  # None when no sidecar or journal says
    markers: tuple[Marker, ...]
    started_at: str = ""


def _video_stream(container: InputContainer, path: Path) -> VideoStream:
    if not container.streams.video:
        raise ReplayError(f"{path} has no video")
    return container.streams.video[0]


def _open(path: Path) -> InputContainer:
    if not path.exists():
        raise ReplayError(f"{path} does not exist")
    try:
        return av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise ReplayError(f"{path} cannot be read: {exc}") from exc


def _locate(path: str | os.PathLike[str]) -> tuple[Path, RecordingFiles | None]:
    """The file to read, and the recording's file names when it follows them."""
    given = Path(path)
    try:
        files = RecordingFiles.of(given)
    except ValueError:
        return given, None
    if given.suffix in (".json", ".jsonl") or not given.exists():
        for candidate in (files.video, files.partial):
            if candidate.exists():
                return candidate, files
    return given, files


def info(path: str | os.PathLike[str]) -> RecordingInfo:
    """Facts about a finished or unfinished recording (or any video file)."""
    video, files = _locate(path)
    if files is not None and video == files.video and files.sidecar.exists():
        try:
            result = load_result(files.video)
        except (RecordingError, KeyError, TypeError, ValueError) as exc:
            log.warning("%s: ignoring the sidecar: %s", files.sidecar, exc)
        else:
            return RecordingInfo(
                path=video,
                finished=True,
                interrupted=result.interrupted,
                duration=result.duration,
                frames=result.frames,
                fps=result.frames / result.duration if result.duration else 0.0,
                width=result.width,
                height=result.height,
                codec=result.codec,
                size_bytes=video.stat().st_size if video.exists() else result.size_bytes,
                chapters=result.chapters,
                dropped=result.dropped,
                markers=result.markers,
                started_at=result.started_at,
            )
    if not video.exists():
        raise ReplayError(f"{video} does not exist")
    try:
        summary = summarize(video)
    except (av.error.FFmpegError, OSError, IndexError) as exc:
        raise ReplayError(f"{video} cannot be read: {exc}") from exc
    if summary.frames == 0:
        raise ReplayError(f"{video} holds no complete video frames")
    duration = summary.duration
    chapters: tuple[Chapter, ...] = ()
    markers: tuple[Marker, ...] = ()
    dropped: int | None = None
    started_at = ""
    if files is not None and video == files.partial and files.journal.exists():
        journal = JournalContents.read(files.journal)
        kept = [m for m in journal.markers if m.t < duration]
        markers = tuple(sorted(kept, key=lambda m: m.t))
        chapters = tuple(chapters_for(kept, duration))
        dropped = journal.dropped
        started_at = str(journal.header.get("started_at", ""))
    else:
        with _open(video) as container:
            chapters = tuple(
                Chapter(
                    index=n,
                    title=str(c["metadata"].get("title", "")),
                    start=float(c["start"] * (c["time_base"] or 1)),
                    end=float(c["end"] * (c["time_base"] or 1)),
                )
                for n, c in enumerate(container.chapters())
            )
    return RecordingInfo(
        path=video,
        finished=False,
        interrupted=False,
        duration=duration,
        frames=summary.frames,
        fps=summary.frames / duration if duration else 0.0,
        width=summary.width,
        height=summary.height,
        codec=summary.codec,
        size_bytes=video.stat().st_size,
        chapters=chapters,
        dropped=dropped,
        markers=markers,
        started_at=started_at,
    )


# -- decoding helpers -------------------------------------------------------------------


def _fit(width: int, height: int, box: tuple[int, int] | None) -> tuple[int, int]:
    """The largest even size with the frame's aspect ratio that fits in box."""
    if box is None:
        return width, height
    scale = min(box[0] / width, box[1] / height)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def _to_bgr(frame: VideoFrame, size: tuple[int, int]) -> Frame:
    if (frame.width, frame.height) == size:
        image = frame.to_ndarray(format="bgr24")
    else:
        image = frame.to_ndarray(
            format="bgr24", width=size[0], height=size[1], interpolation="AREA"
        )
    return np.asarray(image, dtype=np.uint8)


def _seek_to_keyframe(container: InputContainer, stream: VideoStream, t: float) -> None:
    tb = stream.time_base or TIME_BASE
    container.seek(max(0, math.floor(t / tb)), stream=stream, backward=True, any_frame=False)


def _decode(container: InputContainer, stream: VideoStream) -> Iterator[VideoFrame]:
    """Frames from the current position, ending cleanly where a crash cut the file short."""
    try:
        for packet in container.demux(stream):
            if packet.is_corrupt:
                break
            yield from stream.decode(packet)
    except av.error.InvalidDataError:
        log.info("%s: stopped at damaged data (an unfinished recording's end)", container.name)
    with contextlib.suppress(av.error.FFmpegError):
        yield from stream.decode(None)  # the frames the decoder still holds


def _sharpness(image: Frame) -> float:
    """Variance of the Laplacian: low for motion blur and focus hunting."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


def _keyframes(
    container: InputContainer, stream: VideoStream, start: float, end: float
) -> Iterator[VideoFrame]:
    """Keyframes from the one at or before `start` up to `end`, decoding nothing else."""
    stream.codec_context.skip_frame = "NONKEY"
    try:
        _seek_to_keyframe(container, stream, start)
        first = True
        for frame in _decode(container, stream):
            if frame.time is None:
                continue
            if not first and frame.time > end:
                return
            first = False
            yield frame
    finally:
        stream.codec_context.skip_frame = "DEFAULT"


def _pick(
    container: InputContainer,
    stream: VideoStream,
    start: float,
    end: float,
    size: tuple[int, int],
    sharpest: bool,
) -> Frame | None:
    """The keyframe at or before `start`, or the sharpest from `start` to `end` (falling
    back on the one before when none starts in between)."""
    fallback: Frame | None = None
    best: Frame | None = None
    best_score = -1.0
    for frame in _keyframes(container, stream, start, end):
        image = _to_bgr(frame, size)
        if not sharpest:
            return image
        if (frame.time or 0.0) < start - float(TIME_BASE):
            fallback = image
            continue
        score = _sharpness(image)
        if score > best_score:
            best, best_score = image, score
    return best if best is not None else fallback


def thumbnail(
    path: str | os.PathLike[str],
    t: float,
    size: tuple[int, int] = (320, 180),
    *,
    sharpest: bool = False,
    within: float = 2.0,
) -> Frame:
    """A BGR picture of the recording near `t`, fitted in `size` (aspect kept).

    By default the keyframe at or before `t` (only keyframes are decoded: fast). With
    `sharpest`, the sharpest keyframe from `t - within` to `t + within`.
    """
    video, _ = _locate(path)
    with _open(video) as container:
        stream = _video_stream(container, video)
        box = _fit(stream.codec_context.width, stream.codec_context.height, size)
        start, end = (max(0.0, t - within), t + within) if sharpest else (t, t)
        try:
            image = _pick(container, stream, start, end, box, sharpest)
        except av.error.FFmpegError as exc:
            raise ReplayError(f"{video} cannot be decoded near {t:.2f} s: {exc}") from exc
    if image is None:
        raise ReplayError(f"{video} has no picture near {t:.2f} s")
    return image


def chapter_thumbnails(
    path: str | os.PathLike[str],
    size: tuple[int, int] = (320, 180),
    *,
    settle: float = 3.0,
) -> list[tuple[Chapter, Frame]]:
    """One picture a chapter: its sharpest keyframe in the first `settle` seconds.

    A preset marker is set when the camera starts moving, so its first frames are often
    blurred; the sharpest keyframe of the next seconds usually shows the product framed.
    """
    facts = info(path)
    out: list[tuple[Chapter, Frame]] = []
    with _open(facts.path) as container:
        stream = _video_stream(container, facts.path)
        box = _fit(stream.codec_context.width, stream.codec_context.height, size)
        for chapter in facts.chapters:
            end = min(chapter.end, chapter.start + settle)
            image = _pick(container, stream, chapter.start, end, box, sharpest=True)
            if image is not None:
                out.append((chapter, image))
    return out


# -- clips ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClipResult:
    path: Path
    start: float  # where the clip really starts in the recording
    end: float
    duration: float
    frames: int
    reencoded: bool


def export_clip(
    path: str | os.PathLike[str],
    start: float,
    end: float,
    out: str | os.PathLike[str],
    *,
    exact: bool = False,
    settings: EncoderSettings | None = None,
) -> ClipResult:
    """Write the part of a recording from `start` to `end` (seconds) as an MP4.

    By default the H.264 packets are copied, no re-encoding: fast and lossless, but a clip
    can only start on a keyframe, so it starts at the keyframe at or before `start` (up to
    one keyframe interval, 1 s, early) and ends with the last frame before `end`. With
    `exact`, the frames from `start` to `end` are decoded and encoded again (libx264,
    `settings` or 720p-class defaults at the source size): exact, slower, one generation of
    loss. Chapters that overlap the clip are carried over, shifted to the clip's time.
    """
    if end <= start:
        raise ValueError(f"the clip's end ({end}) must come after its start ({start})")
    facts = info(path)
    video = facts.path
    target = Path(out)
    tmp = target.with_name(target.name + ".tmp")
    try:
        with _open(video) as source:
            stream = _video_stream(source, video)
            with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as sink:
                if exact:
                    first, last, frames = _encode_clip(source, stream, sink, start, end, settings)
                else:
                    first, last, frames = _copy_clip(source, stream, sink, start, end)
                if frames == 0:
                    raise ReplayError(f"{video} has no frames between {start:.2f} and {end:.2f} s")
                sink.set_chapters(_shifted_chapters(facts.chapters, first, last))
        os.replace(tmp, target)
    except (av.error.FFmpegError, OSError) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise ReplayError(f"cannot export a clip of {video} to {target}: {exc}") from exc
    except ReplayError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return ClipResult(target, first, last, last - first, frames, reencoded=exact)


def _copy_clip(
    source: InputContainer, stream: VideoStream, sink: OutputContainer, start: float, end: float
) -> tuple[float, float, int]:
    tb = stream.time_base or TIME_BASE
    out_stream = sink.add_stream_from_template(stream)
    out_stream.time_base = stream.time_base
    _seek_to_keyframe(source, stream, start)
    origin: int | None = None
    held: av.Packet | None = None  # the last packet: its duration is cut at `end`
    frames = 0
    for packet in source.demux(stream):
        if packet.pts is None or packet.size == 0:
            continue
        if packet.is_corrupt:
            break  # the torn end of an unfinished recording
        if origin is None:
            if not packet.is_keyframe:
                continue
            origin = packet.pts
        if float(packet.pts * tb) >= end - 1e-6:
            break
        if held is not None:
            sink.mux(held)
        packet.pts -= origin
        if packet.dts is not None:
            packet.dts -= origin
        packet.stream = out_stream
        held = packet
        frames += 1
    if origin is None or held is None:
        return start, start, 0
    assert held.pts is not None
    end_pts = math.floor(end / tb) - origin
    held.duration = max(1, min(held.duration or end_pts - held.pts, end_pts - held.pts))
    sink.mux(held)
    return float(origin * tb), float((origin + held.pts + held.duration) * tb), frames


def _encode_clip(
    source: InputContainer,
    stream: VideoStream,
    sink: OutputContainer,
    start: float,
    end: float,
    settings: EncoderSettings | None,
) -> tuple[float, float, int]:
    width, height = stream.codec_context.width, stream.codec_context.height
    s = settings or EncoderSettings(width, height, preset=HD_720P30.preset, crf=20)
    out_stream = sink.add_stream("libx264", rate=s.fps)
    out_stream.width, out_stream.height, out_stream.pix_fmt = s.width, s.height, "yuv420p"
    out_stream.codec_context.time_base = TIME_BASE
    out_stream.time_base = TIME_BASE
    # zerolatency: no B-frames, so no negative decoding times for MP4 to shift with an edit
    # list (which moved the first frame by a few ms here).
    out_stream.options = {"preset": s.preset, "tune": s.tune, "crf": str(s.crf), "g": str(s.gop)}
    tick = round(1 / (s.fps * TIME_BASE))
    frames = 0
    last_t = start

    def put(frame: VideoFrame | None, t: float) -> None:
        nonlocal frames, last_t
        picture = (
            frame.reformat(width=s.width, height=s.height, format="yuv420p") if frame else None
        )
        if picture is not None:
            picture.pts = round((t - start) / TIME_BASE)
            picture.time_base = TIME_BASE
            frames += 1
            last_t = t
        for packet in out_stream.encode(picture):
            packet.duration = tick
            sink.mux(packet)

    # The clip opens on the picture on screen at `start` (stamped 0: a first frame later than
    # 0 would need an MP4 edit list, whose millisecond units move it), then each later frame
    # keeps its own time.
    _seek_to_keyframe(source, stream, start)
    on_screen: VideoFrame | None = None
    for frame in _decode(source, stream):
        t = frame.time
        if t is None:
            continue
        if t <= start + float(TIME_BASE) / 2:
            on_screen = frame
            continue
        if on_screen is not None:
            put(on_screen, start)
            on_screen = None
        if t >= end:
            break
        put(frame, t)
    if on_screen is not None:
        put(on_screen, start)
    put(None, 0.0)
    return start, min(end, last_t + 1 / s.fps) if frames else start, frames


def _shifted_chapters(chapters: Iterable[Chapter], start: float, end: float) -> list[AvChapter]:
    out: list[AvChapter] = []
    for c in chapters:
        if min(c.end, end) - max(c.start, start) < float(CHAPTER_TIME_BASE):
            continue  # outside the clip, or touching it only
        out.append(
            {
                "id": len(out) + 1,
                "start": round(max(0.0, c.start - start) / CHAPTER_TIME_BASE),
                "end": round((min(c.end, end) - start) / CHAPTER_TIME_BASE),
                "time_base": CHAPTER_TIME_BASE,
                "metadata": {"title": c.title},
            }
        )
    return out


# -- the player -------------------------------------------------------------------------


@dataclass(frozen=True)
class PlayerFrame:
    image: Frame  # BGR, at the player's size
    t: float  # seconds into the recording


class Player:
    """Plays a recording on a worker thread, handing each frame to `on_frame` on time.

    `on_frame` and `on_event` run on the worker thread (a Qt caller emits a signal from
    them). Commands (`play`, `pause`, `seek`, `set_speed`) return at once and may come from
    any thread. A seek shows the frame at that time even when paused.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        on_frame: Callable[[PlayerFrame], None],
        *,
        size: tuple[int, int] | None = None,
        on_event: Callable[[PlayerEvent], None] | None = None,
    ) -> None:
        self.path, _ = _locate(path)
        self._on_frame = on_frame
        self._on_event = on_event
        self._box = size
        self._cond = threading.Condition()
        self._playing = False
        self._speed = 1.0
        self._seek_to: float | None = None
        self._ended = False
        self._closed = False
        self._position = 0.0
        self._duration = 0.0
        self._error: str | None = None
        self._thread: threading.Thread | None = None
        self._container: InputContainer | None = None

    @property
    def duration(self) -> float:
        return self._duration

    @property
    def position(self) -> float:
        """The time of the frame shown last."""
        return self._position

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def error(self) -> str | None:
        return self._error

    def open(self) -> None:
        """Open the file (errors raise here) and start the worker; shows the first frame."""
        if self._thread is not None:
            raise ReplayError("the player is already open")
        self._duration = info(self.path).duration
        self._container = _open(self.path)
        _video_stream(self._container, self.path)
        self._seek_to = 0.0
        self._thread = threading.Thread(target=self._run, name="player-decode", daemon=True)
        self._thread.start()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def __enter__(self) -> Player:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def play(self) -> None:
        """Play from the current frame; from the start after the end was reached."""
        with self._cond:
            if self._ended and self._seek_to is None:
                self._seek_to = 0.0
            self._playing = True
            self._cond.notify_all()

    def pause(self) -> None:
        with self._cond:
            self._playing = False
            self._cond.notify_all()

    def seek(self, t: float) -> None:
        with self._cond:
            self._seek_to = min(max(0.0, t), self._duration)
            self._ended = False
            self._cond.notify_all()

    def set_speed(self, speed: float) -> None:
        if speed not in SPEEDS:
            raise ValueError(f"speed must be one of {SPEEDS}")
        with self._cond:
            self._speed = speed
            self._cond.notify_all()

    # -- the worker ---------------------------------------------------------------------

    def _emit(self, event: PlayerEvent) -> None:
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:
                log.exception("player event handler failed")

    def _deliver(self, frame: VideoFrame, box: tuple[int, int]) -> None:
        t = float(frame.time or 0.0)
        self._position = t
        try:
            self._on_frame(PlayerFrame(_to_bgr(frame, box), t))
        except Exception:
            log.exception("player frame handler failed")

    def _run(self) -> None:
        container = self._container
        assert container is not None
        try:
            self._play_loop(container)
        except (av.error.FFmpegError, OSError) as exc:
            self._error = f"{self.path} cannot be decoded: {exc}"
            log.error("%s", self._error)
            self._emit("error")
        finally:
            container.close()

    def _play_loop(self, container: InputContainer) -> None:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        box = _fit(stream.codec_context.width, stream.codec_context.height, self._box)
        decoded: Iterator[VideoFrame] = iter(())
        ahead: VideoFrame | None = None  # the next frame, decoded but not shown
        anchor_wall = anchor_t = 0.0  # a frame at t is due at anchor_wall + (t - anchor_t)/speed
        anchored_speed = 0.0
        was_playing = False
        last_shown_wall = 0.0
        while True:
            with self._cond:
                while not self._closed and self._seek_to is None and not self._playing:
                    if was_playing:
                        break
                    self._cond.wait()
                if self._closed:
                    return
                target, self._seek_to = self._seek_to, None
                playing, speed = self._playing, self._speed
            if playing != was_playing:
                was_playing = playing
                self._emit("playing" if playing else "paused")
                anchored_speed = 0.0  # re-anchor when playback resumes
            if target is not None:
                shown, ahead, decoded = self._seek(container, stream, target)
                anchored_speed = 0.0
                if shown is not None:
                    self._deliver(shown, box)
                    # Playing on, the next frame is due one frame interval after this one.
                    anchor_wall, anchor_t, anchored_speed = time.monotonic(), target, speed
                continue
            if not playing:
                continue
            frame = ahead if ahead is not None else next(decoded, None)
            ahead = None
            if frame is None or frame.time is None:
                with self._cond:
                    self._playing = False
                    self._ended = True
                was_playing = False
                self._emit("ended")
                continue
            if anchored_speed != speed:
                anchor_wall, anchor_t, anchored_speed = time.monotonic(), frame.time, speed
            due = anchor_wall + (frame.time - anchor_t) / speed
            with self._cond:
                while not self._closed and self._seek_to is None and self._playing:
                    if self._speed != speed:
                        break
                    wait = due - time.monotonic()
                    if wait <= 0:
                        break
                    self._cond.wait(wait)
                interrupted = (
                    self._closed or self._seek_to is not None or not self._playing
                ) or self._speed != speed
            if interrupted:
                ahead = frame  # not shown yet: it comes first when playback goes on
                continue
            now = time.monotonic()
            # Too slow to keep up (2x on a busy machine): skip late frames, but show one at
            # least every 0.2 s so the picture still moves.
            if now - due > 0.1 and now - last_shown_wall < 0.2:
                continue
            self._deliver(frame, box)
            last_shown_wall = now

    def _seek(
        self, container: InputContainer, stream: VideoStream, target: float
    ) -> tuple[VideoFrame | None, VideoFrame | None, Iterator[VideoFrame]]:
        """The frame shown at `target`, the one after it, and the decoder positioned after."""
        _seek_to_keyframe(container, stream, target)
        decoded = _decode(container, stream)
        shown: VideoFrame | None = None
        for frame in decoded:
            if frame.time is None:
                continue
            # Half a tick of slack: times are rounded to 1/90000 s.
            if frame.time > target + float(TIME_BASE) / 2 and shown is not None:
                return shown, frame, decoded
            shown = frame
        return shown, None, decoded
