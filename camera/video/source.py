"""What every video source shares: frames, the capture thread, the latest frame for the
preview, bounded queues for encoders, counters, status, and retrying with back-off."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType
from typing import Self

import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Frame:
    """One picture. `image` is H×W×3 uint8 BGR, C-contiguous and read-only: the same array
    goes to the preview and to every subscriber, so nobody may draw on it (copy first)."""

    image: np.ndarray
    t: float  # time.monotonic() when it was captured
    index: int  # 0, 1, 2… per source; a gap is frames the source itself lost

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


class SourceState(StrEnum):
    STOPPED = "stopped"  # not started, or stopped
    OPENING = "opening"  # opening the device or stream (first time or after a retry wait)
    LIVE = "live"  # frames are flowing
    RETRYING = "retrying"  # lost or could not open; waits `retry_at`, then opens again
    FAILED = "failed"  # will not retry (a file that is not there or not a video)


@dataclass(frozen=True)
class SourceStatus:
    """What the UI shows about a source. `message` is a sentence for a person; `error` the last
    failure (kept while retrying, cleared once frames flow again)."""

    state: SourceState
    message: str
    error: str | None = None
    attempts: int = 0  # failed opens in a row
    retry_at: float | None = None  # monotonic time of the next attempt, while RETRYING
    since: float = 0.0  # monotonic time this status began

    @property
    def ok(self) -> bool:
        return self.state is SourceState.LIVE


StatusListener = Callable[[SourceStatus], None]


class Backoff:
    """Waits that double from `first` up to `limit` seconds; `reset()` after a success."""

    def __init__(self, first: float = 0.5, limit: float = 10.0, factor: float = 2.0) -> None:
        if first <= 0 or limit < first or factor < 1:
            raise ValueError("back-off needs 0 < first <= limit and factor >= 1")
        self.first = first
        self.limit = limit
        self.factor = factor
        self._next = first

    def next(self) -> float:
        wait = self._next
        self._next = min(self._next * self.factor, self.limit)
        return wait

    def reset(self) -> None:
        self._next = self.first


class Subscription:
    """A bounded queue of frames for one consumer (an encoder, an analyser).

    A frame that does not fit is not queued and counts in `dropped`: the source never waits
    for a slow consumer, and the frames that are queued stay in order. `get()` returns None
    on a timeout and once the subscription is closed (by `close()` or the source stopping).
    """

    def __init__(self, maxsize: int, on_close: Callable[[Subscription], None]) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._frames: deque[Frame] = deque()
        self._ready = threading.Condition(threading.Lock())
        self._closed = False
        self._on_close = on_close
        self.dropped = 0  # frames that found the queue full
        self.delivered = 0  # frames handed out by get()

    def offer(self, frame: Frame) -> bool:
        """Queue a frame unless full or closed (the source calls this)."""
        with self._ready:
            if self._closed:
                return False
            if len(self._frames) >= self.maxsize:
                self.dropped += 1
                return False
            self._frames.append(frame)
            self._ready.notify()
            return True

    def get(self, timeout: float | None = None) -> Frame | None:
        """The oldest queued frame; waits up to `timeout` seconds (None: until one comes or
        the subscription closes). Queued frames are still handed out after a close."""
        with self._ready:
            if not self._frames and not self._closed:
                self._ready.wait_for(lambda: bool(self._frames) or self._closed, timeout)
            if self._frames:
                self.delivered += 1
                return self._frames.popleft()
            return None

    def __len__(self) -> int:
        return len(self._frames)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        with self._ready:
            if self._closed:
                return
            self._closed = True
            self._ready.notify_all()
        self._on_close(self)

    def __iter__(self) -> Iterator[Frame]:
        """Frames until the subscription is closed and drained."""
        while True:
            frame = self.get()
            if frame is None:
                return
            yield frame

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class VideoSource:
    """A capture thread and what it feeds. Subclasses implement `_run()`, which loops until
    `_stopping` is set, calls `_publish()` per picture and `_set_status()` on changes.

    `width`, `height` and `fps` are what was asked for until the source opens, then what the
    device or stream actually gives.
    """

    kind = "source"

    def __init__(
        self,
        name: str,
        *,
        width: int,
        height: int,
        fps: float,
        retry_first: float = 0.5,
        retry_limit: float = 10.0,
    ) -> None:
        self.name = name
        self.requested = (width, height, fps)
        self._width = width
        self._height = height
        self._fps = fps
        self._backoff = Backoff(retry_first, retry_limit)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._fresh = threading.Condition(self._lock)
        self._latest: Frame | None = None
        self._next_index = 0
        self._subscriptions: list[Subscription] = []
        self._listeners: list[StatusListener] = []
        self._status = SourceStatus(SourceState.STOPPED, "not started", since=time.monotonic())
        self.frames_seen = 0  # frames published
        self.frames_lost = 0  # frames the source itself lost (gaps in Frame.index)
        self.frames_late = 0  # frames out after the next one was due (paced sources)
        self.reconnects = 0  # times frames flowed again after a loss

    # --- life -------------------------------------------------------------------------

    def start(self) -> Self:
        if self._thread is None or not self._thread.is_alive():
            self._stopping.clear()
            self._backoff.reset()
            self._set_status(SourceState.OPENING, f"opening {self.name}")
            self._thread = threading.Thread(
                target=self._main, name=f"video {self.name}", daemon=True
            )
            self._thread.start()
        return self

    def stop(self, timeout: float | None = 5.0) -> bool:
        """Stop capturing and close every subscription. Returns False if the capture thread
        is still inside a blocking call after `timeout` (it exits on its own when it returns
        and publishes nothing more)."""
        self._stopping.set()
        thread = self._thread
        finished = True
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            finished = not thread.is_alive()
        with self._lock:
            subscriptions = list(self._subscriptions)
        for sub in subscriptions:
            sub.close()
        if finished:
            self._thread = None
        return finished

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- reading (any thread) ---------------------------------------------------------

    @property
    def width(self) -> int:
        return self._width

    @property
    def height(self) -> int:
        return self._height

    @property
    def fps(self) -> float:
        return self._fps

    def latest(self) -> Frame | None:
        """The newest frame, for the preview. Never blocks."""
        return self._latest

    def wait_frame(self, after: int = -1, timeout: float | None = None) -> Frame | None:
        """The newest frame once its index is above `after`; None on timeout. For consumers
        without an event loop (tests, command-line tools); the GUI polls `latest()`."""
        with self._fresh:
            self._fresh.wait_for(
                lambda: (f := self._latest) is not None and f.index > after, timeout
            )
            frame = self._latest
        return frame if frame is not None and frame.index > after else None

    def subscribe(self, maxsize: int = 8) -> Subscription:
        """A bounded queue that receives every frame published from now on."""
        sub = Subscription(maxsize, self._unsubscribe)
        with self._lock:
            self._subscriptions.append(sub)
        return sub

    def _unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subscriptions:
                self._subscriptions.remove(sub)

    @property
    def status(self) -> SourceStatus:
        return self._status

    @property
    def state(self) -> SourceState:
        return self._status.state

    def add_status_listener(self, listener: StatusListener) -> Callable[[], None]:
        """Call `listener(status)` on every change, on the capture thread (a Qt adapter
        re-emits it as a signal). Returns a function that removes it."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    def describe(self) -> str:
        """One line for logs and the status bar: name, size, rate, counters."""
        return (
            f"{self.name}: {self._status.state} {self._width}×{self._height} "
            f"@ {self._fps:g} fps, {self.frames_seen} frames, {self.frames_lost} lost, "
            f"{self.frames_late} late"
        )

    # --- for subclasses (capture thread) ----------------------------------------------

    def _run(self) -> None:
        raise NotImplementedError

    def _main(self) -> None:
        try:
            self._run()
        except Exception as exc:  # a bug must still reach the status, not just stderr
            log.exception("video source %s crashed", self.name)
            self._set_status(SourceState.FAILED, f"{self.name} stopped: {exc}", error=repr(exc))
            return
        if self._status.state not in (SourceState.FAILED, SourceState.STOPPED):
            self._set_status(SourceState.STOPPED, "stopped")

    def _publish(self, image: np.ndarray, t: float, lost: int = 0) -> Frame | None:
        """Hand a picture to the preview and every subscriber. `lost` counts frames the
        source skipped just before this one; they leave a gap in the index."""
        if self._stopping.is_set():
            return None
        if image.ndim == 2:
            image = np.dstack([image] * 3)
        if not image.flags.c_contiguous:
            image = np.ascontiguousarray(image)
        image.flags.writeable = False
        with self._fresh:
            self._next_index += lost
            frame = Frame(image, t, self._next_index)
            self._next_index += 1
            self._latest = frame
            self.frames_seen += 1
            self.frames_lost += lost
            subscriptions = list(self._subscriptions)
            self._fresh.notify_all()
        for sub in subscriptions:
            sub.offer(frame)
        return frame

    def _set_geometry(self, width: int, height: int, fps: float) -> None:
        self._width, self._height, self._fps = width, height, fps

    def _set_status(
        self,
        state: SourceState,
        message: str,
        *,
        error: str | None = None,
        attempts: int = 0,
        retry_at: float | None = None,
    ) -> None:
        status = SourceStatus(state, message, error, attempts, retry_at, time.monotonic())
        with self._lock:
            self._status = status
            listeners = list(self._listeners)
        if state is SourceState.RETRYING:
            log.info("%s: %s", self.name, message)
        for listener in listeners:
            try:
                listener(status)
            except Exception:  # a listener's bug must not stop capture
                log.exception("status listener of %s failed", self.name)

    def _went_live(self, message: str, was_lost: bool) -> None:
        self._backoff.reset()
        if was_lost:
            self.reconnects += 1
        self._set_status(SourceState.LIVE, message)

    def _retry_later(self, error: str, attempts: int) -> bool:
        """Report the failure and wait out the back-off. False if stopped meanwhile."""
        wait = self._backoff.next()
        self._set_status(
            SourceState.RETRYING,
            f"{error}; retrying in {wait:.3g} s",
            error=error,
            attempts=attempts,
            retry_at=time.monotonic() + wait,
        )
        if self._stopping.wait(wait):
            return False
        self._set_status(
            SourceState.OPENING,
            f"opening {self.name} (attempt {attempts + 1})",
            error=error,
            attempts=attempts,
        )
        return True
