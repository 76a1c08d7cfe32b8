"""Today: what is due, whom to celebrate, who is coming in and what came back in stock."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import timedelta

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeySequence, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.context import Services
from app.tasks import DbRunner
from models.dto import AppointmentView, BackInStock, TaskView, TodayView, UpcomingDate
from ui import theme
from ui.format import day_text, relative_day, time_range, words
from ui.icons import SMALL_SIZE, IconLabel, icon
from ui.widgets import named, shortcut_text

CLIENT_ID_ROLE = Qt.ItemDataRole.UserRole
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 1
META_ROLE = Qt.ItemDataRole.UserRole + 2
REF_ROLE = Qt.ItemDataRole.UserRole + 3  # the task (or other record) a row stands for


@dataclass(frozen=True)
class Row:
    """One line of a section: who, what, and when (right-aligned)."""

    client_id: uuid.UUID | None
    title: str
    detail: str
    meta: str
    ref: uuid.UUID | None = None


class TwoLineDelegate(QStyledItemDelegate):
    """A name over a quieter detail line, with the when in gold on the right."""

    PADDING = 14

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(200, metrics.height() * 2 + 22)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)

        enabled = bool(index.flags() & Qt.ItemFlag.ItemIsEnabled)
        rect = opt.rect.adjusted(self.PADDING, 6, -self.PADDING, -6)
        half = rect.height() // 2
        title_font = QFont(opt.font)
        title_font.setWeight(QFont.Weight.DemiBold)
        meta = str(index.data(META_ROLE) or "")
        meta_width = QFontMetrics(opt.font).horizontalAdvance(meta) + 12 if meta else 0

        painter.save()
        painter.setFont(title_font if enabled else opt.font)
        # Read at paint time: a theme switch recolours the rows on the next repaint.
        painter.setPen(theme.colour("ink" if enabled else "muted"))
        title_rect = QRect(rect.left(), rect.top(), rect.width() - meta_width, half)
        title = QFontMetrics(painter.font()).elidedText(
            str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
            Qt.TextElideMode.ElideRight,
            title_rect.width(),
        )
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignVCenter, title)

        painter.setFont(opt.font)
        if meta:
            painter.setPen(theme.colour("gold_text"))
            painter.drawText(
                QRect(rect.right() - meta_width, rect.top(), meta_width, half),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                meta,
            )
        detail = str(index.data(DETAIL_ROLE) or "")
        if detail:
            painter.setPen(theme.colour("muted"))
            detail_rect = QRect(rect.left(), rect.top() + half, rect.width(), half)
            painter.drawText(
                detail_rect,
                Qt.AlignmentFlag.AlignVCenter,
                painter.fontMetrics().elidedText(
                    detail, Qt.TextElideMode.ElideRight, detail_rect.width()
                ),
            )
        painter.restore()


class Section(QFrame):
    """A titled card holding one list; activating a row asks to open that client."""

    activated = Signal(object)

    def __init__(
        self, title: str, empty_text: str, icon_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self._empty_text = empty_text
        self._title_text = title
        self.title = named(QLabel(title), "cardTitle")
        self.count = named(QLabel(""), "cardCount")
        self.list = named(QListWidget(), "cardList")
        self.list.setAccessibleName(title)
        self.list.setItemDelegate(TwoLineDelegate(self.list))
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(True)
        self.list.itemActivated.connect(self._activated)

        header = QHBoxLayout()
        header.setContentsMargins(20, 16, 20, 8)
        header.setSpacing(8)
        header.addWidget(IconLabel(icon_name, "gold_text"))
        header.addWidget(self.title)
        header.addStretch(1)
        self.header = header
        header.addWidget(self.count)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 8)
        column.setSpacing(0)
        column.addLayout(header)
        column.addWidget(self.list, 1)

    def set_rows(self, rows: list[Row]) -> None:
        self.list.clear()
        self.count.setText(str(len(rows)))
        self.count.setAccessibleName(f"{self._title_text}: {len(rows)}")
        self.count.setProperty("zero", not rows)
        self.count.style().polish(self.count)  # the pill's colour depends on "zero"
        if not rows:
            quiet = QListWidgetItem(self._empty_text)
            quiet.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(quiet)
            return
        for row in rows:
            item = QListWidgetItem(row.title)
            item.setData(CLIENT_ID_ROLE, row.client_id)
            item.setData(DETAIL_ROLE, row.detail)
            item.setData(META_ROLE, row.meta)
            item.setData(REF_ROLE, row.ref)
            item.setToolTip(f"{row.title}\n{row.detail}" if row.detail else row.title)
            self.list.addItem(item)

    def current_ref(self) -> uuid.UUID | None:
        item = self.list.currentItem()
        ref = item.data(REF_ROLE) if item is not None else None
        return ref if isinstance(ref, uuid.UUID) else None

    def add_header_button(self, button: QPushButton) -> None:
        """A card action, placed before the count and enabled only with a row selected."""
        self.header.insertWidget(self.header.count() - 1, button)
        button.setEnabled(False)
        self.list.currentItemChanged.connect(
            lambda current, _previous: button.setEnabled(
                current is not None and isinstance(current.data(REF_ROLE), uuid.UUID)
            )
        )

    def _activated(self, item: QListWidgetItem) -> None:
        client_id = item.data(CLIENT_ID_ROLE)
        if isinstance(client_id, uuid.UUID):
            self.activated.emit(client_id)


def task_row(task: TaskView, today: TodayView) -> Row:
    overdue = task.due_on < today.day
    return Row(
        task.client_id,
        task.client_name or "No client",
        task.reason,
        f"Due {day_text(task.due_on, year=False)}" if overdue else "Today",
        task.id,
    )


def date_row(upcoming: UpcomingDate, today: TodayView) -> Row:
    what = upcoming.label or words(upcoming.kind)
    if upcoming.years:
        what += f" · {upcoming.years} years"
    return Row(upcoming.client_id, upcoming.client_name, what, relative_day(upcoming.on, today.day))


def appointment_row(visit: AppointmentView) -> Row:
    parts = [visit.purpose or words(visit.kind), words(visit.kind)]
    if visit.associate:
        parts.append(f"with {visit.associate}")
    if visit.status != "confirmed":
        parts.append(words(visit.status))
    detail = " · ".join(dict.fromkeys(parts))  # the purpose may already be the kind
    return Row(
        visit.client_id, visit.client_name, detail, time_range(visit.starts_at, visit.ends_at)
    )


def back_in_stock_row(item: BackInStock) -> Row:
    piece = f"{item.product.brand} {item.product.name}"
    if item.size:
        piece += f", size {item.size}"
    return Row(item.client_id, item.client_name, piece, f"{item.quantity} in store")


def load_today(services: Services) -> TodayView:
    return services.today.today()


class TodayPage(QWidget):
    """Refreshes whenever it is shown, so it is never staler than the last glance at it."""

    open_client = Signal(object)

    def __init__(self, runner: DbRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("todayPage")
        self._runner = runner
        self.view: TodayView | None = None
        self.heading = named(QLabel("Today"), "pageTitle")
        self.subheading = named(QLabel(""), "pageSubtitle")
        self.tasks = Section("Tasks due", "Nothing due — a quiet day.", "task")
        self.appointments = Section("Appointments today", "No visits booked today.", "appointment")
        self.dates = Section(
            "Important dates · next 14 days", "No birthdays or anniversaries.", "dates"
        )
        self.back_in_stock = Section(
            "Wish list · back in stock", "Nothing wished-for came back.", "wish"
        )

        grid = QGridLayout()
        grid.setSpacing(20)
        grid.addWidget(self.tasks, 0, 0)
        grid.addWidget(self.appointments, 0, 1)
        grid.addWidget(self.dates, 1, 0)
        grid.addWidget(self.back_in_stock, 1, 1)
        for section in self.sections():
            section.activated.connect(self.open_client)
        self._build_task_actions()

        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 28)
        column.setSpacing(4)
        column.addWidget(self.heading)
        column.addWidget(self.subheading)
        column.addSpacing(16)
        column.addLayout(grid, 1)
        # Reading order, once everything is in this page: each list, and the tasks' own
        # actions right after their list.
        chain = (self.tasks.list, self.complete_button, self.snooze_button)
        chain += tuple(s.list for s in self.sections()[1:])
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _build_task_actions(self) -> None:
        """Complete or snooze the selected task without leaving Today."""
        done_keys, snooze_keys = shortcut_text("Ctrl+D"), shortcut_text("Ctrl+Shift+S")
        self.complete_button = named(QPushButton(icon("done", "gold_text"), "Done"), "cardAction")
        self.complete_button.setToolTip(f"Mark the selected task done  ({done_keys})")
        self.complete_button.setAccessibleName(f"Mark the selected task done ({done_keys})")
        self.complete_button.clicked.connect(self.complete_selected_task)
        self.snooze_button = named(
            QPushButton(icon("snooze", "gold_text"), "Snooze…"), "cardAction"
        )
        self.snooze_button.setToolTip(
            f"Move the selected task to a later day  ({snooze_keys} snoozes a day)"
        )
        self.snooze_button.setAccessibleName(f"Snooze the selected task ({snooze_keys})")
        for button in (self.complete_button, self.snooze_button):
            button.setIconSize(SMALL_SIZE)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
        menu = QMenu(self.snooze_button)
        for label, days in (("Tomorrow", 1), ("In three days", 3), ("Next week", 7)):
            # The tab shows the key in the menu's shortcut column without claiming it twice.
            text = f"{label}\t{snooze_keys}" if days == 1 else label
            menu.addAction(text, lambda d=days: self.snooze_selected_task(d))
        self.snooze_button.setMenu(menu)
        self.tasks.add_header_button(self.complete_button)
        self.tasks.add_header_button(self.snooze_button)
        done = QAction("Done", self)
        done.setShortcut(QKeySequence("Ctrl+D"))
        done.triggered.connect(self.complete_selected_task)
        snooze = QAction("Snooze a day", self)
        snooze.setShortcut(QKeySequence("Ctrl+Shift+S"))
        snooze.triggered.connect(lambda: self.snooze_selected_task(1))
        for action in (done, snooze):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.tasks.list.addAction(action)

    def complete_selected_task(self) -> None:
        task_id = self.tasks.current_ref()
        if task_id is None:
            return
        self._runner.submit(lambda s: s.activity.complete_task(task_id), self._after_change)

    def snooze_selected_task(self, days: int) -> None:
        task_id = self.tasks.current_ref()
        if task_id is None or self.view is None:
            return
        until = self.view.day + timedelta(days=days)
        self._runner.submit(lambda s: s.activity.snooze_task(task_id, until), self._after_change)

    def _after_change(self, _result: object) -> None:
        self.refresh()

    def sections(self) -> tuple[Section, Section, Section, Section]:
        return (self.tasks, self.appointments, self.dates, self.back_in_stock)

    def refresh(self) -> None:
        self._runner.submit(load_today, self.show_view, channel="today")

    def show_view(self, view: TodayView) -> None:
        self.view = view
        self.subheading.setText(f"{view.day:%A} {view.day.day} {view.day:%B %Y}")
        self.tasks.set_rows([task_row(t, view) for t in view.tasks_due])
        self.appointments.set_rows([appointment_row(a) for a in view.appointments])
        self.dates.set_rows([date_row(d, view) for d in view.upcoming_dates])
        self.back_in_stock.set_rows([back_in_stock_row(b) for b in view.back_in_stock])

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()
