"""Sync in words: the status bar's one-line state, and the phrases the Sync page shares with it."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QWidget

from app.sync import Progress, SyncMode, SyncState
from ui.format import day_text, time_text

PHASES = {
    "hello": "connecting",
    "push": "sending",
    "pull": "receiving",
    "snapshot": "fetching the book",
    "verify": "checking",
    "done": "finishing",
}
ALERT_MODES = frozenset({SyncMode.OFFLINE, SyncMode.CLOCK, SyncMode.REFUSED, SyncMode.FAILED})


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def size_text(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    if n < 1_000_000:
        return f"{n / 1000:.0f} KB"
    return f"{n / 1_000_000:.1f} MB"


def ago_text(when: datetime, now: datetime) -> str:
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 24 * 3600 and when.astimezone().date() == now.astimezone().date():
        return f"at {time_text(when)}"
    if seconds < 48 * 3600:
        return f"yesterday at {time_text(when)}" if seconds < 36 * 3600 else "2 days ago"
    return f"on {day_text(when)}"


def progress_text(progress: Progress | None) -> str:
    if progress is None:
        return "starting"
    phase = PHASES.get(progress.phase, progress.phase)
    parts = [phase]
    if progress.items or progress.total:
        total = f"/{progress.total:,}" if progress.total else ""
        parts.append(f"{progress.items:,}{total}")
    if progress.bytes:
        parts.append(f"({size_text(progress.bytes)})")
    return " ".join(parts)


def waiting_text(pending: int) -> str:
    return f"{plural(pending, 'edit')} waiting" if pending else "nothing waiting"


def state_text(state: SyncState, now: datetime | None = None) -> str:
    """One line for the status bar: "Synced 4 min ago", "Offline — 12 edits waiting"."""
    now = now or datetime.now(UTC)
    mode = state.mode
    if mode == SyncMode.STARTING:
        return "Sync…"
    if mode == SyncMode.NOT_ENROLLED:
        return "Not enrolled — local book"
    if mode == SyncMode.SYNCING:
        return f"Syncing… {progress_text(state.progress)}"
    if mode == SyncMode.OFFLINE:
        return f"Offline — {waiting_text(state.pending)}"
    if mode == SyncMode.CLOCK:
        return "Clock is off — sync paused"
    if mode == SyncMode.REFUSED:
        return "Sync refused — enroll again"
    if mode == SyncMode.FAILED:
        return f"Sync failed — {waiting_text(state.pending)}"
    last = state.last_ok_at
    text = f"Synced {ago_text(last, now)}" if last is not None else "Never synced"
    conflicts = len(state.status.conflicts) if state.status is not None else 0
    if conflicts:
        text += f" · {plural(conflicts, 'conflict')}"
    elif state.pending:
        text += f" · {waiting_text(state.pending)}"
    return text


def state_details(state: SyncState) -> str:
    """The longer story, for a tooltip: the error, the retry, the next nightly sync."""
    lines: list[str] = []
    if state.status is not None and state.status.server:
        lines.append(f"Server: {state.status.server}")
    if state.error:
        lines.append(state.error)
    if state.retry_at is not None:
        lines.append(f"Trying again at {time_text(state.retry_at)}")
    if state.next_run_at is not None:
        lines.append(f"Nightly sync: {day_text(state.next_run_at)} {time_text(state.next_run_at)}")
    if state.mode == SyncMode.NOT_ENROLLED:
        lines.append("Everything you do stays on this workstation.")
    return "\n".join(lines)


class SyncIndicator(QLabel):
    """The status bar's sync state; a click opens the Sync page. Re-reads "4 min ago" on its
    own, from the state it already has (no database work)."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Sync…", parent)
        self.setObjectName("syncState")
        self.setAccessibleName("Sync state")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._state: SyncState | None = None
        self._tick = QTimer(self)
        self._tick.setInterval(30_000)
        self._tick.timeout.connect(self._render)
        self._tick.start()

    def show_state(self, state: SyncState) -> None:
        self._state = state
        self._render()

    def _render(self) -> None:
        state = self._state
        if state is None:
            return
        self.setText(state_text(state))
        details = state_details(state)
        self.setToolTip(f"{details}\nClick to open Sync." if details else "Click to open Sync.")
        alert = state.mode in ALERT_MODES
        if self.property("alert") != alert:
            self.setProperty("alert", alert)
            self.style().polish(self)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)
