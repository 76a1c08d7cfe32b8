"""Sync: when this book last met the server, what is waiting, and what the associate must decide.

Everything here comes from the SyncController's signals; the page never reads the book itself.
Conflicts show both values side by side with who won and when; "Keep mine" writes my value
again as a new edit (it goes out with the next sync), "Keep theirs" accepts the winner.
Rejected edits say why the server refused them and leave when dismissed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, QTime
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.sync import (
    Conflict,
    Rejected,
    SyncController,
    SyncMode,
    SyncReport,
    SyncState,
    SyncStatus,
)
from ui.format import day_text, time_text, words
from ui.icons import BUTTON_SIZE, SMALL_SIZE, IconLabel, icon
from ui.sync_indicator import ALERT_MODES, ago_text, progress_text, state_text
from ui.widgets import named

ID_ROLE = Qt.ItemDataRole.UserRole
CONFLICT_COLUMNS = ("Client", "Field", "My value", "Winning value", "Who", "When")
REJECTED_COLUMNS = ("Client", "What", "Reason", "When")
KIND_LABELS = {
    "clients": "Client",
    "client_emails": "E-mail",
    "client_phones": "Phone",
    "client_tags": "Tag",
    "client_sizes": "Size",
    "client_preferences": "Preference",
    "important_dates": "Important date",
    "wish_list_items": "Wish list item",
    "closet_items": "Closet item",
    "consent_events": "Consent",
    "purchase_lines": "Purchase line",
}
# Bookkeeping fields every edit carries; they say nothing to the associate.
QUIET_FIELDS = frozenset({"id", "created_at", "updated_at", "client_id"})


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind) or words(kind.removesuffix("s"))


def value_text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def when_text(stored: str) -> str:
    """Stored as UTC 'YYYY-MM-DD HH:MM:SS[.ffffff]'; read on the workstation's clock."""
    try:
        value = datetime.fromisoformat(stored)
    except ValueError:
        return stored
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return f"{day_text(value)} {time_text(value)}"


def field_text(conflict: Conflict) -> str:
    field = words(conflict.field)
    return field if conflict.kind == "clients" else f"{kind_label(conflict.kind)} · {field.lower()}"


def rejected_client(rejected: Rejected) -> str:
    if rejected.client_name:
        return rejected.client_name
    given, family = rejected.fields.get("given_name"), rejected.fields.get("family_name")
    if rejected.kind == "clients" and (given or family):
        return " ".join(str(p) for p in (given, family) if p)
    return "—"


def edit_summary(rejected: Rejected) -> str:
    """'New client', 'Client: city, tier', 'Removed tag'."""
    label = kind_label(rejected.kind)
    fields = rejected.fields
    if "created_at" in fields:
        return f"New {label.lower()}"
    if fields.get("deleted_at"):
        return f"Removed {label.lower()}"
    changed = [words(name).lower() for name in fields if name not in QUIET_FIELDS]
    if not changed:
        return label
    shown = ", ".join(changed[:4]) + (" …" if len(changed) > 4 else "")
    return f"{label}: {shown}"


def _item(text: str, tooltip: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(tooltip if tooltip is not None else text)
    return item


class SyncTable(QTableWidget):
    """A short read-only list (at most a couple of hundred rows, already in memory)."""

    def __init__(self, title: str, columns: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(0, len(columns), parent)
        self.setObjectName("syncTable")
        self.setAccessibleName(title)
        self.setHorizontalHeaderLabels(list(columns))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setTabKeyNavigation(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(34)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)

    def set_rows(self, rows: list[tuple[int, list[QTableWidgetItem]]]) -> None:
        """Each row: its id and its cells. Keeps the selection on the same id if it is still
        there."""
        keep = self.current_id()
        self.setRowCount(len(rows))
        for r, (row_id, cells) in enumerate(rows):
            cells[0].setData(ID_ROLE, row_id)
            for c, cell in enumerate(cells):
                self.setItem(r, c, cell)
        for r, (row_id, _cells) in enumerate(rows):
            if row_id == keep:
                self.selectRow(r)
                break
        else:
            self.clearSelection()
            self.setCurrentItem(None)

    def current_id(self) -> int | None:
        row = self.currentRow()
        if row < 0 or not self.selectionModel().hasSelection():
            return None
        item = self.item(row, 0)
        value = item.data(ID_ROLE) if item is not None else None
        return value if isinstance(value, int) else None


class ListCard(QFrame):
    """A titled card holding one table, with its actions and count in the header."""

    def __init__(
        self,
        title: str,
        icon_name: str,
        columns: tuple[str, ...],
        empty_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self._title = title
        self.title = named(QLabel(title), "cardTitle")
        self.count = named(QLabel("0"), "cardCount")
        self.table = SyncTable(title, columns)
        self.empty = named(QLabel(empty_text), "syncEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.header = QHBoxLayout()
        self.header.setContentsMargins(20, 16, 20, 10)
        self.header.setSpacing(8)
        self.header.addWidget(IconLabel(icon_name, "gold_text"))
        self.header.addWidget(self.title)
        self.header.addStretch(1)
        self.header.addWidget(self.count)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 12)
        column.setSpacing(0)
        column.addLayout(self.header)
        body = QVBoxLayout()
        body.setContentsMargins(14, 0, 14, 0)
        body.addWidget(self.table, 1)
        body.addWidget(self.empty, 1)
        column.addLayout(body, 1)
        self.set_count(0)

    def add_action(self, button: QPushButton) -> None:
        self.header.insertWidget(self.header.count() - 1, button)

    def set_count(self, n: int) -> None:
        self.count.setText(str(n))
        self.count.setAccessibleName(f"{self._title}: {n}")
        self.count.setProperty("zero", n == 0)
        self.count.style().polish(self.count)
        self.table.setVisible(n > 0)
        self.empty.setVisible(n == 0)


def card_button(icon_name: str, text: str, tooltip: str) -> QPushButton:
    button = named(QPushButton(icon(icon_name, "gold_text"), text), "cardAction")
    button.setIconSize(SMALL_SIZE)
    button.setToolTip(tooltip)
    button.setAccessibleName(tooltip)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setEnabled(False)
    return button


class SyncPage(QWidget):
    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncPage")
        self._controller = controller
        self._busy = False  # an answer to a conflict or rejection is being written
        self._was_syncing = False
        self.state: SyncState = controller.state
        self.status: SyncStatus | None = None

        self.heading = named(QLabel("Sync"), "pageTitle")
        self.subheading = named(QLabel(""), "pageSubtitle")

        self.conflicts = ListCard(
            "Conflicts",
            "conflict",
            CONFLICT_COLUMNS,
            "No conflicts: every edit from this workstation reached the server as written.",
        )
        self.keep_mine_button = card_button(
            "done", "Keep mine", "Write my value again; it is sent with the next sync"
        )
        self.keep_theirs_button = card_button(
            "sync", "Keep theirs", "Accept the winning value and close the conflict"
        )
        self.conflicts.add_action(self.keep_mine_button)
        self.conflicts.add_action(self.keep_theirs_button)

        self.rejected = ListCard(
            "Rejected edits",
            "rejected",
            REJECTED_COLUMNS,
            "No rejected edits.",
        )
        self.dismiss_button = card_button(
            "done", "Dismiss", "I have read why this edit was refused; remove it from the list"
        )
        self.rejected.add_action(self.dismiss_button)

        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 28)
        column.setSpacing(4)
        column.addWidget(self.heading)
        column.addWidget(self.subheading)
        column.addSpacing(16)
        column.addWidget(self._overview())
        column.addSpacing(20)
        column.addWidget(self.conflicts, 3)
        column.addSpacing(20)
        column.addWidget(self.rejected, 2)
        self._size_columns()

        self.sync_button.clicked.connect(self._sync_now)
        self.cancel_button.clicked.connect(controller.cancel)
        self.keep_mine_button.clicked.connect(self._keep_mine)
        self.keep_theirs_button.clicked.connect(self._keep_theirs)
        self.dismiss_button.clicked.connect(self._dismiss)
        self.window_edit.editingFinished.connect(self._window_edited)
        for table in (self.conflicts.table, self.rejected.table):
            table.itemSelectionChanged.connect(self._update_buttons)
        controller.state_changed.connect(self.show_state)
        controller.status_changed.connect(self.show_status)
        controller.finished.connect(self._finished)
        controller.action_failed.connect(self._action_failed)
        self.show_state(controller.state)
        if controller.state.status is not None:
            self.show_status(controller.state.status)

    # --- layout --------------------------------------------------------------------------

    def _overview(self) -> QFrame:
        card = named(QFrame(), "card")
        grid = QGridLayout()
        grid.setHorizontalSpacing(40)
        grid.setVerticalSpacing(2)
        self.figures: dict[str, QLabel] = {}
        for index, caption in enumerate(("Last sync", "Pending edits", "Conflicts", "Rejected")):
            grid.addWidget(named(QLabel(caption.upper()), "figureLabel"), 0, index)
            value = named(QLabel("—"), "figureValue")
            value.setAccessibleName(caption)
            grid.addWidget(value, 1, index)
            self.figures[caption] = value
        grid.addWidget(named(QLabel("NIGHTLY SYNC"), "figureLabel"), 0, 4)
        self.window_edit = named(QTimeEdit(), "syncWindow")
        self.window_edit.setDisplayFormat("HH:mm")
        self.window_edit.setAccessibleName("Nightly sync time")
        self.window_edit.setToolTip(
            "When this workstation syncs every night, on its own clock "
            "(it catches up at start if it was off)"
        )
        grid.addWidget(self.window_edit, 1, 4, Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(5, 1)

        self.message = named(QLabel(""), "syncMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.progress_bar = named(QProgressBar(), "syncProgress")
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setFixedHeight(6)
        self.progress_bar.setAccessibleName("Sync progress")
        self.phase = named(QLabel(""), "syncPhase")
        self.phase.setMinimumWidth(260)

        self.sync_button = named(QPushButton(icon("sync", "on_primary"), "Sync now"), "syncPrimary")
        self.sync_button.setIconSize(BUTTON_SIZE)
        self.sync_button.setToolTip("Send waiting edits and fetch what changed")
        self.cancel_button = named(QPushButton("Cancel"), "syncSecondary")
        self.cancel_button.setToolTip("Stop at the next safe point; what arrived is kept")
        for button in (self.sync_button, self.cancel_button):
            button.setCursor(Qt.CursorShape.PointingHandCursor)

        bar = QHBoxLayout()
        bar.setSpacing(14)
        bar.addWidget(self.progress_bar, 1)
        bar.addWidget(self.phase)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.sync_button)

        column = QVBoxLayout(card)
        column.setContentsMargins(24, 18, 24, 18)
        column.setSpacing(12)
        column.addLayout(grid)
        column.addWidget(self.message)
        column.addLayout(bar)
        return card

    def _size_columns(self) -> None:
        """Fixed starting widths; the values (or the reason) take whatever is left."""
        for table, widths, stretch in (
            (self.conflicts.table, (200, 170, 0, 0, 190, 170), (2, 3)),
            (self.rejected.table, (200, 200, 0, 170), (2,)),
        ):
            header = table.horizontalHeader()
            for index, width in enumerate(widths):
                if index in stretch:
                    header.setSectionResizeMode(index, QHeaderView.ResizeMode.Stretch)
                else:
                    header.resizeSection(index, width)

    # --- what the controller says ---------------------------------------------------------

    def show_state(self, state: SyncState) -> None:
        self.state = state
        now = datetime.now(UTC)
        enrolled = state.mode not in (SyncMode.NOT_ENROLLED, SyncMode.STARTING)
        syncing = state.mode == SyncMode.SYNCING
        status = state.status
        if state.mode == SyncMode.NOT_ENROLLED:
            self.subheading.setText("A local book: nothing here is shared yet")
        elif status is not None and status.server:
            self.subheading.setText(f"Shared with {status.server}")
        last = state.last_ok_at
        self.figures["Last sync"].setText(ago_text(last, now).capitalize() if last else "Never")
        if last is not None:
            self.figures["Last sync"].setToolTip(f"{day_text(last)} {time_text(last)}")
        self.figures["Pending edits"].setText(f"{state.pending:,}")

        self.message.setText(self._message(state, now))
        alert = state.mode in ALERT_MODES
        if self.message.property("alert") != alert:
            self.message.setProperty("alert", alert)
            self.message.style().polish(self.message)

        if syncing:
            progress = state.progress
            total = progress.total if progress is not None else None
            if total:
                self.progress_bar.setRange(0, total)
                self.progress_bar.setValue(min(progress.items if progress else 0, total))
            else:
                self.progress_bar.setRange(0, 0)  # moving, with no end known
            self.phase.setText(f"Syncing… {progress_text(progress)}")
        elif self._was_syncing:
            # A sync that ended well fills the bar in _finished; this one stopped short.
            self.progress_bar.setRange(0, 1)
            self.progress_bar.setValue(0)
            if state.cancelled:
                self.phase.setText("Cancelled; what arrived is kept")
            elif state.mode in ALERT_MODES:
                self.phase.setText("Stopped before the end; what arrived is kept")
        self._was_syncing = syncing
        if not self.window_edit.hasFocus():
            self.window_edit.setTime(QTime(state.window.hour, state.window.minute))
        self.window_edit.setEnabled(enrolled)
        self.sync_button.setEnabled(enrolled and not syncing)
        self.cancel_button.setEnabled(syncing or state.retry_at is not None)
        self._update_buttons()

    def _message(self, state: SyncState, now: datetime) -> str:
        if state.mode == SyncMode.NOT_ENROLLED:
            return (
                "This book lives on this workstation only. To share it with your boutique and "
                "head office, enroll it with a code from head office: "
                "vitrine sync enroll --server URL --code CODE."
            )
        lines = []
        if state.mode in ALERT_MODES:
            lines.append(state_text(state, now))
        if state.error:
            lines.append(state.error)
        elif state.status is not None and state.status.last_error and state.mode != SyncMode.IDLE:
            lines.append(state.status.last_error)
        if state.retry_at is not None:
            lines.append(f"Trying again at {time_text(state.retry_at)}.")
        elif state.next_run_at is not None and state.mode != SyncMode.SYNCING:
            lines.append(
                f"Next nightly sync {day_text(state.next_run_at)} at "
                f"{time_text(state.next_run_at)}."
            )
        return "  ".join(lines)

    def show_status(self, status: SyncStatus) -> None:
        self.status = status
        self.figures["Conflicts"].setText(f"{len(status.conflicts):,}")
        self.figures["Rejected"].setText(f"{len(status.rejected):,}")
        self.conflicts.table.set_rows(
            [
                (
                    c.id,
                    [
                        _item(c.client_name or kind_label(c.kind)),
                        _item(field_text(c)),
                        _item(value_text(c.mine)),
                        _item(value_text(c.winning)),
                        _item(c.winner),
                        _item(when_text(c.won_at), f"Detected {when_text(c.detected_at)}"),
                    ],
                )
                for c in status.conflicts
            ]
        )
        self.conflicts.set_count(len(status.conflicts))
        self.rejected.table.set_rows(
            [
                (
                    r.mutation_id,
                    [
                        _item(rejected_client(r)),
                        _item(edit_summary(r)),
                        _item(r.reason[:1].upper() + r.reason[1:]),
                        _item(when_text(r.created_at)),
                    ],
                )
                for r in status.rejected
            ]
        )
        self.rejected.set_count(len(status.rejected))
        self._busy = False
        self._update_buttons()

    def _finished(self, report: SyncReport) -> None:
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(1)
        self.phase.setText(report.summary())

    def _action_failed(self, message: str) -> None:
        self._busy = False
        self.message.setText(f"That could not be saved: {message}")
        self._update_buttons()

    # --- what the associate does ------------------------------------------------------------

    def _update_buttons(self) -> None:
        conflict = self.conflicts.table.current_id() is not None and not self._busy
        self.keep_mine_button.setEnabled(conflict)
        self.keep_theirs_button.setEnabled(conflict)
        self.dismiss_button.setEnabled(
            self.rejected.table.current_id() is not None and not self._busy
        )

    def _sync_now(self) -> None:
        self._controller.sync_now()

    def _answer(self, table: SyncTable, action: Any) -> None:
        row_id = table.current_id()
        if row_id is None or self._busy:
            return
        self._busy = True
        self._update_buttons()
        action(row_id)

    def _keep_mine(self) -> None:
        self._answer(self.conflicts.table, self._controller.keep_mine)

    def _keep_theirs(self) -> None:
        self._answer(self.conflicts.table, self._controller.keep_theirs)

    def _dismiss(self) -> None:
        self._answer(self.rejected.table, self._controller.dismiss)

    def _window_edited(self) -> None:
        chosen = self.window_edit.time()
        window = self.state.window
        if (chosen.hour(), chosen.minute()) != (window.hour, window.minute):
            self._controller.set_window(window.replace(hour=chosen.hour(), minute=chosen.minute()))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._controller.refresh_status()
        self.show_state(self.state)  # "4 min ago" moves on while the page is hidden
