"""Network streams (RTSP IP cameras) and video files through PyAV, decoded off the GUI thread."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import av
import av.error

from camera.video.source import SourceState, VideoSource

LIVE_SCHEMES = ("rtsp", "rtsps", "rtmp", "rtmps", "srt", "udp", "tcp", "http", "https")
DRIFT_ALLOWANCE = 0.001  # s/s a camera's clock may run slower than ours (far above real drift)


def redact(url: str) -> str:
    """The URL without its password, for names, logs and status messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username}:***@{host}"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def is_live_url(text: str) -> bool:
    return urllib.parse.urlsplit(text).scheme.lower() in LIVE_SCHEMES


def _reason(exc: BaseException) -> str:
    """An FFmpeg error without the URL it carries (it may hold a password)."""
    text = getattr(exc, "strerror", None)
    return str(text) if text else type(exc).__name__


class _StreamEnded(Exception):
    pass


class StreamSource(VideoSource):
    """An RTSP (or other network) stream, or a video file, read and decoded on its own thread.

    Live streams: `av.open` gets `open_timeout` and `read_timeout` (an answer that never
    comes, or pictures that stop, end the attempt instead of hanging), RTSP goes over
    `transport` ("tcp" by default: no smeared pictures from lost UDP packets), and a stream
    that fails or ends is opened again with back-off. Decoding keeps up with the camera; if
    this machine falls more than `max_lag` seconds behind, frames are decoded but not
    converted or published until it has caught up, and count in `frames_lost`.

    Files: played at their own rate (`realtime`) or as fast as they decode, from the start
    again at the end (`loop`); a file that is missing or not a video puts the source in
    FAILED. `width`/`height`, when given, scale the pictures during colour conversion.
    """

    kind = "stream"

    def __init__(
        self,
        url: str,
        *,
        live: bool | None = None,
        loop: bool = True,
        realtime: bool = True,
        transport: str = "tcp",
        open_timeout: float = 5.0,
        read_timeout: float = 5.0,
        max_lag: float = 0.5,
        width: int | None = None,
        height: int | None = None,
        options: dict[str, str] | None = None,
        retry_first: float = 0.5,
        retry_limit: float = 10.0,
        name: str | None = None,
    ) -> None:
        if open_timeout <= 0 or read_timeout <= 0:
            raise ValueError("timeouts must be positive")
        if transport not in ("tcp", "udp", "udp_multicast", "http", "https"):
            raise ValueError(f"unknown RTSP transport {transport!r}")
        if (width is None) != (height is None):
            raise ValueError("give both width and height, or neither")
        self.url = url
        self.live = is_live_url(url) if live is None else live
        super().__init__(
            name or redact(url),
            width=width or 0,
            height=height or 0,
            fps=0.0,
            retry_first=retry_first,
            retry_limit=retry_limit,
        )
        self.loop = loop
        self.realtime = realtime
        self.transport = transport
        self.open_timeout = open_timeout
        self.read_timeout = read_timeout
        self.max_lag = max_lag
        self.scale_to = (width, height) if width and height else None
        self.options = dict(options or {})
        self._last_due = 0.0
        self.decode_errors = 0
        self.loops = 0  # times a file started again from the beginning

    # --- opening ----------------------------------------------------------------------

    def _open(self) -> tuple[Any, str, bool]:
        """(container, error, permanent): a container, or why not and whether to retry."""
        options = dict(self.options)
        if urllib.parse.urlsplit(self.url).scheme.lower() in ("rtsp", "rtsps"):
            options.setdefault("rtsp_transport", self.transport)
        if self.live:
            # FFmpeg's default probing holds the first picture back about a second.
            options.setdefault("analyzeduration", "500000")
        started = time.monotonic()
        try:
            container = av.open(
                self.url,
                options=options,
                timeout=(self.open_timeout, self.read_timeout),
            )
        except FileNotFoundError:
            return None, f"no such file: {self.url}", not self.live
        except av.error.FFmpegError as exc:
            waited = time.monotonic() - started
            if self.live and waited >= 0.9 * self.open_timeout:
                return None, f"no answer from {self.name} within {self.open_timeout:g} s", False
            return None, f"cannot open {self.name}: {_reason(exc)}", not self.live
        except OSError as exc:
            return None, f"cannot open {self.name}: {exc.strerror or exc}", not self.live
        if not container.streams.video:
            container.close()
            return None, f"{self.name} has no video", not self.live
        return container, "", False

    # --- the capture thread -----------------------------------------------------------

    def _run(self) -> None:
        attempts = 0
        was_live = False
        resume_at: float | None = None  # a looping file goes on where it was, unannounced
        while not self._stopping.is_set():
            container, error, permanent = self._open()
            if container is None:
                if permanent:
                    self._set_status(SourceState.FAILED, error, error=error)
                    return
                attempts += 1
                if not self._retry_later(error, attempts):
                    return
                continue
            try:
                error, went_live = self._play(container, was_live, resume_at)
            finally:
                container.close()
            resume_at = None
            was_live = was_live or went_live
            if went_live:
                attempts = 0
            if self._stopping.is_set():
                return
            if not error:  # a file came to its end
                if self.loop and went_live:
                    self.loops += 1
                    resume_at = self._last_due + (1.0 / self.fps if self.fps else 0.0)
                    continue
                self._set_status(SourceState.STOPPED, f"{self.name}: end of file")
                return
            if not self.live:
                self._set_status(SourceState.FAILED, error, error=error)
                return
            attempts += 1
            if not self._retry_later(error, attempts):
                return

    def _frames(self, container: Any) -> Iterator[Any]:
        stream = container.streams.video[0]
        for packet in container.demux(stream):
            if self._stopping.is_set():
                return
            try:
                decoded = packet.decode()
            except av.error.InvalidDataError:
                self.decode_errors += 1
                continue
            yield from decoded

    def _play(self, container: Any, was_live: bool, resume_at: float | None) -> tuple[str, bool]:
        """Decode and publish until the end, an error, or stop: (error or "", went live).
        `resume_at`: a file starting again, due at that time, already announced."""
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate
        fps = float(rate) if rate else 0.0
        frame_time = 1.0 / fps if fps else 0.0
        went_live = False
        base_wall = base_pts = 0.0
        prev_pts: float | None = None
        lag_floor: float | None = None
        lag_seen_at = 0.0
        behind = False
        pending_lost = 0
        try:
            for frame in self._frames(container):
                now = time.monotonic()
                pts = frame.time
                if pts is not None and prev_pts is not None and frame_time and self.live:
                    gap = round((pts - prev_pts) / frame_time)
                    pending_lost += max(0, gap - 1)
                if pts is not None:
                    prev_pts = pts
                if not went_live:
                    base_wall, base_pts = resume_at or now, pts or 0.0
                if self.live and pts is not None:
                    # How far behind the camera we are, against the best arrival seen so far;
                    # the floor creeps up so that a slow camera clock is not taken for lag.
                    offset = now - pts
                    if lag_floor is None:
                        lag_floor = offset
                    lag_floor = min(lag_floor + (now - lag_seen_at) * DRIFT_ALLOWANCE, offset)
                    lag_seen_at = now
                    lag = offset - lag_floor
                    behind = lag > self.max_lag or (behind and lag > self.max_lag / 2)
                    if behind and went_live:
                        pending_lost += 1
                        continue
                elif self.realtime and pts is not None:
                    due = base_wall + (pts - base_pts)
                    if due - now > 1.0 or now - due > 1.0:  # a jump in the file's clock
                        base_wall, base_pts, due = now, pts, now
                    if due > now and self._stopping.wait(due - now):
                        break
                    self._last_due = due
                    now = time.monotonic()
                image = self._to_bgr(frame)
                if self._publish(image, now, pending_lost) is None:
                    break
                pending_lost = 0
                if not went_live:
                    went_live = True
                    self._set_geometry(image.shape[1], image.shape[0], fps)
                    if resume_at is None:
                        self._went_live(self._live_message(fps, image.shape), was_live)
        except av.error.ExitError:
            return f"no picture from {self.name} for {self.read_timeout:g} s", went_live
        except av.error.EOFError:
            pass
        except (av.error.FFmpegError, OSError) as exc:
            return f"{self.name} failed: {_reason(exc)}", went_live
        if self._stopping.is_set() or not self.live:
            return "", went_live
        return f"{self.name} ended the stream", went_live

    def _to_bgr(self, frame: Any) -> Any:
        if self.scale_to is None:
            return frame.to_ndarray(format="bgr24")
        width, height = self.scale_to
        return frame.to_ndarray(format="bgr24", width=width, height=height)

    def _live_message(self, fps: float, shape: tuple[int, ...]) -> str:
        rate = f" at {fps:g} fps" if fps else ""
        return f"{self.name}: {shape[1]}×{shape[0]}{rate}"
