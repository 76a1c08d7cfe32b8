"""Today: what is due, whom to celebrate, who is coming in and what came back in stock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.context import Services
from app.tasks import DbRunner
from models.dto import AppointmentView, BackInStock, TaskView, TodayView, UpcomingDate
from ui.format import day_text, relative_day, time_range, words
from ui.widgets import named

CLIENT_ID_ROLE = Qt.ItemDataRole.UserRole
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 1
META_ROLE = Qt.ItemDataRole.UserRole + 2

TEXT = QColor("#2b2926")
MUTED = QColor("#857d72")
GOLD = QColor("#9c7a45")


@dataclass(frozen=True)
class Row:
    """One line of a section: who, what, and when (right-aligned)."""

    client_id: uuid.UUID | None
    title: str
    detail: str
    meta: str


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
        painter.setPen(TEXT if enabled else MUTED)
        title_rect = QRect(rect.left(), rect.top(), rect.width() - meta_width, half)
        title = QFontMetrics(painter.font()).elidedText(
            str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
            Qt.TextElideMode.ElideRight,
            title_rect.width(),
        )
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignVCenter, title)

        painter.setFont(opt.font)
        if meta:
            painter.setPen(GOLD)
            painter.drawText(
                QRect(rect.right() - meta_width, rect.top(), meta_width, half),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                meta,
            )
        detail = str(index.data(DETAIL_ROLE) or "")
        if detail:
            painter.setPen(MUTED)
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

    def __init__(self, title: str, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self._empty_text = empty_text
        self.title = named(QLabel(title), "cardTitle")
        self.count = named(QLabel(""), "cardCount")
        self.list = named(QListWidget(), "cardList")
        self.list.setItemDelegate(TwoLineDelegate(self.list))
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(True)
        self.list.itemActivated.connect(self._activated)

        header = QHBoxLayout()
        header.setContentsMargins(20, 16, 20, 8)
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.count)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 8)
        column.setSpacing(0)
        column.addLayout(header)
        column.addWidget(self.list, 1)

    def set_rows(self, rows: list[Row]) -> None:
        self.list.clear()
        self.count.setText(str(len(rows)))
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
            item.setToolTip(f"{row.title}\n{row.detail}" if row.detail else row.title)
            self.list.addItem(item)

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
        self.tasks = Section("Tasks due", "Nothing due — a quiet day.")
        self.appointments = Section("Appointments today", "No visits booked today.")
        self.dates = Section("Important dates · next 14 days", "No birthdays or anniversaries.")
        self.back_in_stock = Section("Wish list · back in stock", "Nothing wished-for came back.")

        grid = QGridLayout()
        grid.setSpacing(20)
        grid.addWidget(self.tasks, 0, 0)
        grid.addWidget(self.appointments, 0, 1)
        grid.addWidget(self.dates, 1, 0)
        grid.addWidget(self.back_in_stock, 1, 1)
        for section in self.sections():
            section.activated.connect(self.open_client)

        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 28)
        column.setSpacing(4)
        column.addWidget(self.heading)
        column.addWidget(self.subheading)
        column.addSpacing(16)
        column.addLayout(grid, 1)

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
