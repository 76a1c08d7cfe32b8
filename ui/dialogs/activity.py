"""The quick things an associate does for one client: a note, a logged call, a task, a visit.

Each dialog is a few fields and one service call; the client's name is in the title so the
associate never wonders whose book they are writing in.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.tasks import DbRunner
from models.enums import AppointmentKind, Channel, Direction
from ui.dialogs.base import SAVE_KEYS, Operation, OperationDialog, shortcut_text
from ui.dialogs.fields import DateEdit, DateTimeEdit, TimeEdit, choice_combo, grid
from ui.format import channel_label

DATE_FORMAT = "ddd d MMM yyyy"
DURATIONS_MIN = (15, 30, 45, 60, 90, 120, 180)
DEFAULT_DURATION_MIN = 60
DEFAULT_START = QTime(11, 0)


def duration_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def py_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def py_time(value: QTime) -> time:
    return time(value.hour(), value.minute())


def local_instant(day: date, at: time) -> datetime:
    """A wall-clock time on this workstation as an aware instant (the service stores UTC)."""
    return datetime.combine(day, at).astimezone()


def text_box(placeholder: str, height: int) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)  # Tab leaves the box, as everywhere else in the form
    box.setMinimumHeight(height)
    return box


def date_edit(value: QDate) -> DateEdit:
    edit = DateEdit(value)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    return edit


class ClientDialog(OperationDialog):
    """An operation on one client, named in the window title and the heading."""

    def __init__(
        self,
        runner: DbRunner,
        client_id: uuid.UUID,
        client_name: str,
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, f"{title} — {client_name}", parent)
        self.client_id = client_id
        self.client_name = client_name
        self.heading(title, client_name)


class QuickNoteDialog(ClientDialog):
    """Ctrl+N from anywhere a client is open: type, Ctrl+Enter, done."""

    ICON = "note"

    def __init__(
        self,
        runner: DbRunner,
        client_id: uuid.UUID,
        client_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, client_id, client_name, "Note", parent)
        self.note = text_box(
            f"What did you talk about? What did they love?   {shortcut_text(SAVE_KEYS[0])} saves",
            180,
        )
        self.body.addWidget(self.field("body", "Note", self.note), 1)
        self.set_tab_order(self.note)
        self.resize(580, 400)
        self.note.setFocus()

    def operation(self) -> Operation:
        client_id, text = self.client_id, self.note.toPlainText()
        return lambda s: s.activity.add_note(client_id, text)


class LogInteractionDialog(ClientDialog):
    ICON = "interaction"

    def __init__(
        self,
        runner: DbRunner,
        client_id: uuid.UUID,
        client_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, client_id, client_name, "Log an interaction", parent)
        self.channel = choice_combo([c.value for c in Channel], channel_label, Channel.PHONE.value)
        self.direction = choice_combo([d.value for d in Direction], current="outbound")
        self.direction.setToolTip("Outbound: you reached out. Inbound: the client did.")
        self.occurred_at = DateTimeEdit(QDateTime.currentDateTime())
        self.occurred_at.setCalendarPopup(True)
        self.occurred_at.setDisplayFormat(f"{DATE_FORMAT}  HH:mm")
        self.summary = text_box("What was said, and what happens next", 120)
        self.body.addLayout(
            grid(
                self.field("channel", "Channel", self.channel),
                self.field("direction", "Direction", self.direction),
                self.field("occurred_at", "When", self.occurred_at),
                stretch=(1, 1, 2),
            )
        )
        self.body.addWidget(self.field("summary", "Summary", self.summary), 1)
        self.set_tab_order(self.channel, self.direction, self.occurred_at, self.summary)
        self.resize(620, 440)
        self.summary.setFocus()

    def operation(self) -> Operation:
        # Read on the GUI thread; the lambda only carries plain values to the database thread.
        client_id, summary = self.client_id, self.summary.toPlainText()
        channel, direction = str(self.channel.currentData()), str(self.direction.currentData())
        chosen = self.occurred_at.dateTime()
        when = local_instant(py_date(chosen.date()), py_time(chosen.time()))
        return lambda s: s.activity.log_interaction(client_id, channel, direction, summary, when)


class NewTaskDialog(ClientDialog):
    ICON = "task"

    def __init__(
        self,
        runner: DbRunner,
        client_id: uuid.UUID,
        client_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, client_id, client_name, "New task", parent)
        self.due_on = date_edit(QDate.currentDate().addDays(1))
        self.reason = QLineEdit()
        self.reason.setMaxLength(300)
        self.reason.setPlaceholderText("Call when the new collection arrives")
        self.body.addLayout(
            grid(
                self.field("due_on", "Due", self.due_on),
                self.field("reason", "What to do", self.reason),
                stretch=(1, 3),
            )
        )
        self.body.addStretch(1)
        self.set_tab_order(self.due_on, self.reason)
        self.resize(640, 260)
        self.reason.setFocus()

    def operation(self) -> Operation:
        client_id, reason = self.client_id, self.reason.text()
        due = py_date(self.due_on.date())
        return lambda s: s.activity.create_task(client_id, due, reason)


class BookAppointmentDialog(ClientDialog):
    ICON = "appointment"

    def __init__(
        self,
        runner: DbRunner,
        client_id: uuid.UUID,
        client_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, client_id, client_name, "Book an appointment", parent)
        self.kind = choice_combo([k.value for k in AppointmentKind])
        self.day = date_edit(QDate.currentDate().addDays(1))
        self.start = TimeEdit(DEFAULT_START)
        self.start.setDisplayFormat("HH:mm")
        self.start.setAccessibleName("Start time")
        self.duration = QComboBox()
        for minutes in DURATIONS_MIN:
            self.duration.addItem(duration_text(minutes), minutes)
        self.duration.setCurrentIndex(DURATIONS_MIN.index(DEFAULT_DURATION_MIN))
        self.purpose = QLineEdit()
        self.purpose.setPlaceholderText("Bridal fitting, watch service, new season preview…")
        self.notes = text_box("Anything to prepare", 90)
        self.body.addLayout(
            grid(
                self.field("kind", "Kind", self.kind),
                self.field("starts_at", "Date", self.day),
                self.field("start", "Start", self.start),
                self.field("ends_at", "Duration", self.duration),
                stretch=(2, 3, 1, 1),
            )
        )
        self.body.addWidget(self.field("purpose", "Purpose", self.purpose))
        self.body.addWidget(self.field("notes", "Notes", self.notes), 1)
        self.set_tab_order(self.kind, self.day, self.start, self.duration, self.purpose, self.notes)
        self.resize(680, 460)
        self.purpose.setFocus()

    def starts_at(self) -> datetime:
        return local_instant(py_date(self.day.date()), py_time(self.start.time()))

    def operation(self) -> Operation:
        starts = self.starts_at()
        ends = starts + timedelta(minutes=int(self.duration.currentData()))
        client_id, kind = self.client_id, str(self.kind.currentData())
        purpose, notes = self.purpose.text(), self.notes.toPlainText()
        return lambda s: s.activity.book_appointment(client_id, kind, starts, ends, purpose, notes)
