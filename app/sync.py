"""Sync in the desktop: the engine on its own thread, a nightly window, retries while offline.

A sync is network plus its own SQL connections and may take minutes, so it runs neither on the
GUI thread nor on the database thread (the associate keeps working while it runs). Answers to
conflicts and rejected edits run on a second small worker, so they never wait behind a sync.
Workers only put outcomes in a queue and emit a queued signal: every public signal is emitted
on the GUI thread, where widgets may take it.

A book that is not enrolled never syncs: the controller stays idle and says so.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QObject, Qt, QTimer, QTimeZone, Signal, Slot

from models.database import Database
from sync import local
from sync.engine import (
    AuthRefused,
    ClockSkew,
    NotEnrolled,
    Progress,
    ServerFailed,
    ServerUnreachable,
    SyncCancelled,
    SyncEngine,
    SyncReport,
    TokenStore,
    Transport,
)
from sync.status import Conflict, Rejected, SyncStatus, dismiss_rejected, keep_mine, keep_winner
from sync.status import sync_status as read_sync_status

__all__ = [
    "DEFAULT_WINDOW",
    "Conflict",
    "Progress",
    "Rejected",
    "SyncController",
    "SyncMode",
    "SyncReport",
    "SyncState",
    "SyncStatus",
    "format_window",
    "last_due",
    "next_run",
    "parse_window",
    "retry_delay",
]

log = logging.getLogger(__name__)

DEFAULT_WINDOW = time(2, 0)
WINDOW_META = "window"  # local_meta key `sync_window`, "HH:MM" in the workstation's local time
RETRY_FIRST_S = 60.0
RETRY_MAX_S = 15 * 60.0
# A timer set for many hours can fire late after the machine slept; look again at least hourly.
SCHEDULE_CHECK_S = 3600.0

TransportFactory = Callable[[str], Transport]


# --- the schedule, as pure functions ------------------------------------------------------

_WINDOW_TEXT = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def parse_window(text: str | None) -> time:
    """ "HH:MM" (24 h) to a time; anything else is the default window (02:00)."""
    match = _WINDOW_TEXT.match(text or "")
    if match is None:
        return DEFAULT_WINDOW
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return DEFAULT_WINDOW
    return time(hour, minute)


def format_window(window: time) -> str:
    return f"{window.hour:02d}:{window.minute:02d}"


def _window_on(day: date, window: time, zone: tzinfo) -> datetime:
    """The instant (UTC) the window opens on this local day.

    Wall times are read with fold=0: a window the clocks skip (spring forward) opens by the
    clock as it was before the jump, i.e. right after the gap for a window at the change
    (02:00 in Europe); a window that occurs twice (autumn) opens at its first occurrence only.
    """
    return datetime.combine(day, window.replace(fold=0), tzinfo=zone).astimezone(UTC)


def next_run(now: datetime, window: time, zone: tzinfo) -> datetime:
    """The first nightly window strictly after `now` (aware), as an aware UTC instant.

    Instants are compared in UTC: two aware datetimes in one zone compare by wall time and
    ignore `fold`, which would run the window twice on the night clocks fall back.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    instant = now.astimezone(UTC)
    day = now.astimezone(zone).date()
    for offset in range(3):
        candidate = _window_on(day + timedelta(days=offset), window, zone)
        if candidate > instant:
            return candidate
    raise AssertionError("a window opens every day")  # pragma: no cover


def last_due(now: datetime, window: time, zone: tzinfo) -> datetime:
    """The latest nightly window at or before `now`, as an aware UTC instant."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    instant = now.astimezone(UTC)
    day = now.astimezone(zone).date()
    for offset in range(3):
        candidate = _window_on(day - timedelta(days=offset), window, zone)
        if candidate <= instant:
            return candidate
    raise AssertionError("a window opens every day")  # pragma: no cover


def retry_delay(attempt: int, first_s: float = RETRY_FIRST_S, cap_s: float = RETRY_MAX_S) -> float:
    """Seconds before retry number `attempt` (0-based): 1, 2, 4, 8 minutes, then every 15."""
    return float(min(first_s * 2 ** min(attempt, 16), cap_s))


def local_zone() -> tzinfo:
    """The workstation's time zone, with its daylight-saving rules when the system names it."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode(errors="ignore")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        fixed = datetime.now(UTC).astimezone().tzinfo
        return fixed if fixed is not None else UTC


def _stamp(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# --- the book side (worker threads only) ----------------------------------------------------


def read_window(db: Database) -> time:
    with db.engine.connect() as conn:
        return parse_window(local.read_meta(conn).get(WINDOW_META))


def write_window(db: Database, window: time) -> None:
    with db.engine.begin() as conn:
        local.write_meta(conn, **{WINDOW_META: format_window(window)})


# --- what the desktop shows -----------------------------------------------------------------


class SyncMode(StrEnum):
    STARTING = "starting"  # before the book has been read
    NOT_ENROLLED = "not_enrolled"  # a local book: nothing to sync with
    IDLE = "idle"  # enrolled, not syncing, the last attempt went well (or there was none)
    SYNCING = "syncing"
    OFFLINE = "offline"  # the server could not be reached; a retry is armed
    CLOCK = "clock"  # the workstation's clock is off: paused until it is put right
    REFUSED = "refused"  # the server refused this workstation's token
    FAILED = "failed"  # anything else went wrong


@dataclass(frozen=True)
class SyncState:
    mode: SyncMode
    status: SyncStatus | None = None
    progress: Progress | None = None
    error: str | None = None
    cancelled: bool = False
    window: time = DEFAULT_WINDOW
    next_run_at: datetime | None = None
    retry_at: datetime | None = None

    @property
    def last_ok_at(self) -> datetime | None:
        return _stamp(self.status.last_ok_at) if self.status is not None else None

    @property
    def pending(self) -> int:
        return self.status.pending if self.status is not None else 0


def _mode_of(error: BaseException) -> SyncMode:
    if isinstance(error, NotEnrolled):
        return SyncMode.NOT_ENROLLED
    if isinstance(error, ServerUnreachable):
        return SyncMode.OFFLINE
    if isinstance(error, ClockSkew):
        return SyncMode.CLOCK
    if isinstance(error, AuthRefused):
        return SyncMode.REFUSED
    if isinstance(error, SyncCancelled):
        return SyncMode.IDLE
    return SyncMode.FAILED


def _changed_the_book(report: SyncReport) -> bool:
    return bool(
        report.pulled
        or report.snapshot_rows
        or report.superseded
        or report.rejected
        or report.conflicts
        or report.resynced
    )


@dataclass(frozen=True)
class _Outcome:
    """What a worker hands back to the GUI thread."""

    status: SyncStatus | None = None
    window: time | None = None
    report: SyncReport | None = None
    error: BaseException | None = None
    changed: bool = False


class SyncController(QObject):
    """Runs the sync engine for one book off the GUI thread, on demand, nightly and on retry.

    `transport_factory(server_url)` and `tokens` default to HTTP and the OS keyring; tests hand
    in the in-process server's transport and a memory token store.
    """

    state_changed = Signal(object)  # SyncState
    progress = Signal(object)  # Progress
    finished = Signal(object)  # SyncReport
    failed = Signal(object)  # the exception a sync ended with
    status_changed = Signal(object)  # SyncStatus
    action_failed = Signal(str)  # a conflict or rejection answer that could not be written
    data_changed = Signal()  # the book's clients changed: views showing them should reload

    _ready = Signal()

    def __init__(
        self,
        db: Database,
        transport_factory: TransportFactory | None = None,
        tokens: TokenStore | None = None,
        *,
        now: Callable[[], datetime] | None = None,
        zone: tzinfo | None = None,
        retry_first_s: float = RETRY_FIRST_S,
        retry_max_s: float = RETRY_MAX_S,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._owns_transports = transport_factory is None
        self._transport_factory = transport_factory or _http_transport
        if tokens is None:
            from sync.credentials import KeyringTokens

            tokens = KeyringTokens()
        self._tokens = tokens
        self._now = now or (lambda: datetime.now(UTC))
        self._zone = zone or local_zone()
        self._retry_first_s = retry_first_s
        self._retry_max_s = retry_max_s
        self._transports: dict[str, Transport] = {}  # used on the sync thread only

        self._sync_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vitrine-sync")
        self._io_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vitrine-sync-io")
        self._outcomes: queue.SimpleQueue[tuple[Callable[[Any], None], Any]] = queue.SimpleQueue()
        self._ready.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._cancel = threading.Event()
        self._closed = False
        self._running = False
        self._retries = 0
        self._state = SyncState(SyncMode.STARTING)

        self.schedule_timer = QTimer(self)
        self.schedule_timer.setSingleShot(True)
        self.schedule_timer.timeout.connect(self._schedule_tick)
        self.retry_timer = QTimer(self)
        self.retry_timer.setSingleShot(True)
        self.retry_timer.timeout.connect(self._retry)

    # --- what the desktop calls ----------------------------------------------------------

    @property
    def state(self) -> SyncState:
        return self._state

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        """Read the book's sync state, arm the nightly window, and catch up on a missed one."""
        self._submit_io(self._read, self._started)

    def refresh_status(self) -> None:
        """Re-read pending edits, conflicts and rejections (after a local edit, say)."""
        self._submit_io(self._read, self._status_read)

    def sync_now(self) -> bool:
        """Start a sync unless one is running; False if it was not started."""
        if self._closed or self._running:
            return False
        self._running = True
        self.retry_timer.stop()
        self._cancel = threading.Event()
        self._set(mode=SyncMode.SYNCING, progress=None, cancelled=False, retry_at=None)
        self._sync_pool.submit(self._sync_job, self._cancel)
        return True

    def cancel(self) -> None:
        """Stop the running sync at its next safe point (what it received is kept), or a
        pending retry."""
        if self._running:
            self._cancel.set()
        elif self.retry_timer.isActive():
            self.retry_timer.stop()
            self._set(retry_at=None)

    def set_window(self, window: time) -> None:
        """Move the nightly sync to this local time (kept in the book)."""
        db = self._db

        def write() -> _Outcome:
            write_window(db, window)
            return self._read()

        self._submit_io(write, self._started_or_status)

    def keep_mine(self, conflict_id: int) -> None:
        """Write my value again as a new edit; it goes out with the next sync."""
        db = self._db

        def work() -> _Outcome:
            keep_mine(db, conflict_id)
            return replace(self._read(), changed=True)

        self._submit_io(work, self._status_read)

    def keep_theirs(self, conflict_id: int) -> None:
        db = self._db

        def work() -> _Outcome:
            keep_winner(db, conflict_id)
            return self._read()

        self._submit_io(work, self._status_read)

    def dismiss(self, mutation_id: int) -> None:
        db = self._db

        def work() -> _Outcome:
            dismiss_rejected(db, mutation_id)
            return self._read()

        self._submit_io(work, self._status_read)

    def shutdown(self) -> None:
        """Cancel a running sync, wait for the workers, and deliver nothing more."""
        if self._closed:
            return
        self._closed = True
        self._cancel.set()
        self.schedule_timer.stop()
        self.retry_timer.stop()
        self._sync_pool.shutdown(wait=True, cancel_futures=True)
        self._io_pool.shutdown(wait=True, cancel_futures=True)
        if self._owns_transports:
            for transport in self._transports.values():
                close = getattr(transport, "close", None)
                if callable(close):
                    close()
        self._transports.clear()
        while not self._outcomes.empty():
            self._outcomes.get_nowait()

    # --- workers -------------------------------------------------------------------------

    def _post(self, handler: Callable[[Any], None], value: Any) -> None:
        self._outcomes.put((handler, value))
        self._ready.emit()

    def _submit_io(self, work: Callable[[], _Outcome], then: Callable[[_Outcome], None]) -> None:
        if self._closed:
            return

        def run() -> None:
            try:
                outcome = work()
            except Exception as exc:
                log.warning("sync: an answer could not be written", exc_info=exc)
                self._post(self._action_failed, exc)
                return
            self._post(then, outcome)

        self._io_pool.submit(run)

    def _read(self) -> _Outcome:
        return _Outcome(status=read_sync_status(self._db), window=read_window(self._db))

    def _transport(self, server: str) -> Transport:
        transport = self._transports.get(server)
        if transport is None:
            transport = self._transports[server] = self._transport_factory(server)
        return transport

    def _sync_job(self, cancel: threading.Event) -> None:
        try:
            status = read_sync_status(self._db)
            if not status.enrolled or not status.server:
                # Checked here so that a local book is never written to by the engine.
                self._post(self._sync_failed, (NotEnrolled("this book is not enrolled"), status))
                return
            engine = SyncEngine(self._db, self._transport(status.server), self._tokens)
            report = engine.sync(lambda p: self._post(self._on_progress, p), cancel)
        except Exception as exc:
            if not isinstance(exc, SyncCancelled | ServerUnreachable):
                log.warning("sync failed", exc_info=exc)
            self._post(self._sync_failed, (exc, self._status_or_none()))
            return
        self._post(self._sync_done, (report, self._status_or_none()))

    def _status_or_none(self) -> SyncStatus | None:
        try:
            return read_sync_status(self._db)
        except Exception:
            log.exception("sync: the book's sync state could not be read")
            return None

    # --- back on the GUI thread ----------------------------------------------------------

    @Slot()
    def _deliver(self) -> None:
        latest_progress: Progress | None = None
        while not self._outcomes.empty():
            handler, value = self._outcomes.get_nowait()
            if self._closed:
                continue
            if handler == self._on_progress:
                latest_progress = value  # only the newest counts on screen
                continue
            if latest_progress is not None:
                self._on_progress(latest_progress)
                latest_progress = None
            handler(value)
        if latest_progress is not None and not self._closed:
            self._on_progress(latest_progress)

    def _set(self, **changes: Any) -> None:
        self._state = replace(self._state, **changes)
        self.state_changed.emit(self._state)

    def _on_progress(self, progress: Progress) -> None:
        if not self._running:
            return  # a late page after the sync ended
        self._set(progress=progress)
        self.progress.emit(progress)

    def _started(self, outcome: _Outcome) -> None:
        self._apply_read(outcome)
        status = outcome.status
        if status is None or not status.enrolled:
            return
        last = _stamp(status.last_attempt_at)
        due = last_due(self._now(), self._state.window, self._zone)
        if (last is None or last < due) and not self._running:
            log.info("sync: the nightly window at %s was missed; syncing now", due)
            self.sync_now()

    def _started_or_status(self, outcome: _Outcome) -> None:
        if self._state.mode == SyncMode.STARTING:
            self._started(outcome)
        else:
            self._status_read(outcome)

    def _status_read(self, outcome: _Outcome) -> None:
        self._apply_read(outcome)
        if outcome.changed:
            self.data_changed.emit()

    def _apply_read(self, outcome: _Outcome) -> None:
        status = outcome.status
        changes: dict[str, Any] = {"status": status}
        if outcome.window is not None:
            changes["window"] = outcome.window
        if status is not None and not status.enrolled:
            changes["mode"] = SyncMode.NOT_ENROLLED
            self.schedule_timer.stop()
            changes["next_run_at"] = None
        elif self._state.mode in (SyncMode.STARTING, SyncMode.NOT_ENROLLED):
            changes["mode"] = SyncMode.IDLE
        self._set(**changes)
        if status is not None:
            self.status_changed.emit(status)
            if status.enrolled:
                self._arm_schedule()

    def _sync_done(self, value: tuple[SyncReport, SyncStatus | None]) -> None:
        report, status = value
        self._running = False
        self._retries = 0
        self.retry_timer.stop()
        self._set(
            mode=SyncMode.IDLE,
            status=status or self._state.status,
            progress=None,
            error=None,
            retry_at=None,
        )
        if status is not None:
            self.status_changed.emit(status)
        self.finished.emit(report)
        if _changed_the_book(report):
            self.data_changed.emit()

    def _sync_failed(self, value: tuple[BaseException, SyncStatus | None]) -> None:
        error, status = value
        self._running = False
        mode = _mode_of(error)
        retry_at = None
        if mode == SyncMode.OFFLINE or isinstance(error, ServerFailed):
            delay = retry_delay(self._retries, self._retry_first_s, self._retry_max_s)
            self._retries += 1
            self.retry_timer.start(int(delay * 1000))
            retry_at = self._now() + timedelta(seconds=delay)
        self._set(
            mode=mode,
            status=status or self._state.status,
            progress=None,
            error=None if mode in (SyncMode.NOT_ENROLLED, SyncMode.IDLE) else str(error),
            cancelled=isinstance(error, SyncCancelled),
            retry_at=retry_at,
        )
        if status is not None:
            self.status_changed.emit(status)
            if not status.enrolled:
                self.schedule_timer.stop()
        self.failed.emit(error)
        if mode != SyncMode.NOT_ENROLLED:
            # What was pulled before a cancel or a dropped connection is kept: show it.
            self.data_changed.emit()

    def _action_failed(self, error: BaseException) -> None:
        self.action_failed.emit(str(error) or type(error).__name__)
        self.refresh_status()

    # --- timers --------------------------------------------------------------------------

    def _arm_schedule(self) -> None:
        now = self._now()
        upcoming = next_run(now, self._state.window, self._zone)
        wait_s = min((upcoming - now).total_seconds(), SCHEDULE_CHECK_S)
        self.schedule_timer.start(max(int(wait_s * 1000), 1000))
        if upcoming != self._state.next_run_at:
            self._set(next_run_at=upcoming)

    def _schedule_tick(self) -> None:
        due = self._state.next_run_at
        if due is not None and self._now() >= due and not self._running:
            log.info("sync: nightly window")
            self.sync_now()
        self._arm_schedule()

    def _retry(self) -> None:
        if not self._running:
            self.sync_now()


def _http_transport(server: str) -> Transport:
    from sync.transport import HttpTransport

    return HttpTransport(server)
