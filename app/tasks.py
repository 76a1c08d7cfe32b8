"""Runs database work off the GUI thread and hands the outcome back on it.

SQLite prefers one writer, and a SQLAlchemy Session belongs to one thread, so every operation
goes through a single dedicated worker; each runs in its own unit of work. Only a queued Qt
signal crosses back, so callbacks always run on the GUI thread and may touch widgets.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from app.context import AppContext, Services

log = logging.getLogger(__name__)

Operation = Callable[[Services], Any]
OnDone = Callable[[Any], None]
OnError = Callable[[BaseException], None]


@dataclass(frozen=True)
class _Job:
    fn: Operation
    on_done: OnDone
    on_error: OnError | None
    channel: str | None
    generation: int


class DbRunner(QObject):
    """The one database thread of the app.

    A `channel` names a stream of requests where only the latest matters (type-ahead, the
    profile of the selected row): submitting on it makes every earlier request on the same
    channel stale, so it is skipped if not started yet and its result is dropped otherwise.
    """

    # Emitted on the worker thread once an outcome is queued; handled on the GUI thread.
    _ready = Signal()
    # For failures nobody asked to handle, so the shell can say something went wrong.
    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vitrine-db")
        # Generations are read on the worker to skip stale jobs early, so guard them.
        self._lock = threading.Lock()
        self._generations: dict[str, int] = {}
        self._jobs: dict[int, _Job] = {}
        self._next_key = 0
        self._outcomes: queue.SimpleQueue[tuple[int, Any, BaseException | None, bool]] = (
            queue.SimpleQueue()
        )
        self._closed = False
        self._ready.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def submit(
        self,
        fn: Operation,
        on_done: OnDone,
        on_error: OnError | None = None,
        *,
        channel: str | None = None,
    ) -> None:
        """Run `fn(services)` in a fresh unit of work on the database thread."""
        if self._closed:
            log.debug("runner is shut down; dropping %r", fn)
            return
        with self._lock:
            generation = 0
            if channel is not None:
                generation = self._generations.get(channel, 0) + 1
                self._generations[channel] = generation
            self._next_key += 1
            key = self._next_key
            self._jobs[key] = _Job(fn, on_done, on_error, channel, generation)
        # The worker only ever sees the key: the job (and whatever widgets its callbacks hold)
        # is owned here and released on the GUI thread. A widget whose last reference died on
        # the worker would be destroyed on the wrong thread.
        self._executor.submit(self._work, key)

    def cancel(self, channel: str) -> None:
        """Forget whatever is pending on `channel`: its results will not be delivered."""
        with self._lock:
            self._generations[channel] = self._generations.get(channel, 0) + 1

    def shutdown(self) -> None:
        """Stop taking work, drop what has not started and wait for the running operation."""
        if self._closed:
            return
        self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            self._jobs.clear()
        while not self._outcomes.empty():
            self._outcomes.get_nowait()

    def _is_current(self, job: _Job) -> bool:
        if job.channel is None:
            return True
        with self._lock:
            return self._generations.get(job.channel) == job.generation

    def _work(self, key: int) -> None:
        with self._lock:
            job = self._jobs.get(key)
        if job is None or self._closed or not self._is_current(job):
            self._outcomes.put((key, None, None, False))
            del job
            self._ready.emit()
            return
        fn = job.fn
        del job
        result: Any = None
        error: BaseException | None = None
        try:
            with self._ctx.unit_of_work() as services:
                result = fn(services)
        except Exception as exc:
            error = exc
        del fn
        self._outcomes.put((key, result, error, True))
        del result, error
        self._ready.emit()

    @Slot()
    def _deliver(self) -> None:
        while not self._outcomes.empty():
            key, result, error, ran = self._outcomes.get_nowait()
            with self._lock:
                job = self._jobs.pop(key, None)
            if job is None or not ran or self._closed or not self._is_current(job):
                continue
            if error is None:
                job.on_done(result)
            elif job.on_error is not None:
                job.on_error(error)
            else:
                log.error("database operation failed", exc_info=error)
                self.failed.emit(str(error) or type(error).__name__)
