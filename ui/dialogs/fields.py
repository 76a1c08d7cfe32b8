"""Form pieces the dialogs share: enum combos, comma lists and rows you can add and remove."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QFont, QIntValidator, QTextCharFormat
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from models.dto import DateInput
from models.enums import DateKind
from ui import theme
from ui.dialogs.base import OperationDialog, small_button
from ui.format import words
from ui.widgets import named

RowT = TypeVar("RowT", bound="Row")


def comma_values(text: str) -> list[str]:
    """'Cartier, Hermès,, ' -> ['Cartier', 'Hermès']."""
    return [part.strip() for part in text.split(",") if part.strip()]


def choice_combo(
    values: Iterable[str], label: Callable[[str], str] = words, current: str | None = None
) -> QComboBox:
    """A closed list shown as words, holding the stored value as item data."""
    combo = QComboBox()
    for value in values:
        combo.addItem(label(value), value)
    if current is not None:
        select_data(combo, current)
    return combo


def current_data(combo: QComboBox) -> Any:
    """The chosen item's data, or None when nothing is chosen.

    Items never hold None, and an empty combo is never asked: PySide6 6.12 on Python 3.11
    loses a reference to None each time an empty QVariant comes back, until the interpreter
    aborts. Use "" for "none of these" and map it here.
    """
    if combo.currentIndex() < 0:
        return None
    value = combo.itemData(combo.currentIndex())
    return value if value != "" else None


def select_data(combo: QComboBox, value: Any) -> bool:
    """Choose the item holding `value`, compared in Python.

    QComboBox.findData compares wrapped Python objects by identity, so a UUID read in another
    unit of work would never be found.
    """
    for index in range(combo.count()):
        if combo.itemData(index) == value:
            combo.setCurrentIndex(index)
            return True
    return False


# BCP 47 tags, as the book stores them; shown by name through QLocale.
LANGUAGES = (
    *("en-GB", "en-US", "fr-FR", "de-DE", "it-IT", "es-ES", "pt-PT", "nl-NL"),
    *("da-DK", "ru-RU", "ar-AE", "zh-Hans-CN", "ja-JP", "ko-KR"),
)


def language_name(tag: str) -> str:
    """'fr-FR' -> 'French (France)', in the workstation's language."""
    locale = QLocale(tag.replace("-Hans", ""))
    if locale.language() == QLocale.Language.C:
        return tag
    language = QLocale.languageToString(locale.language())
    return f"{language} ({QLocale.territoryToString(locale.territory())})"


def language_for(country: str) -> str:
    """A new client's likely language: the first one spoken in the home store's country."""
    return next((t for t in LANGUAGES if t.endswith(f"-{country.upper()}")), LANGUAGES[0])


def language_combo() -> QComboBox:
    combo = QComboBox()
    for tag in LANGUAGES:
        combo.addItem(language_name(tag), tag)
    return combo


def quiet_weekends(calendar: QCalendarWidget) -> None:
    """Weekends in the muted text colour, not Qt's alarm red: a Saturday is a fine day to book."""
    weekend = QTextCharFormat()
    weekend.setForeground(theme.colour("muted"))
    for day in (Qt.DayOfWeek.Saturday, Qt.DayOfWeek.Sunday):
        calendar.setWeekdayTextFormat(day, weekend)


class DateEdit(QDateEdit):
    """Tab leaves the field as it does everywhere else; typing and arrows move between parts."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)

    def setCalendarPopup(self, enable: bool) -> None:
        super().setCalendarPopup(enable)
        if enable:
            quiet_weekends(self.calendarWidget())


class TimeEdit(QTimeEdit):
    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


class DateTimeEdit(QDateTimeEdit):
    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)

    def setCalendarPopup(self, enable: bool) -> None:
        super().setCalendarPopup(enable)
        if enable:
            quiet_weekends(self.calendarWidget())


class Row(QWidget):
    """One removable line of a repeated field, with its own error line under it."""

    remove_requested = Signal(object)

    def __init__(self, noun: str) -> None:
        super().__init__()
        self.line = QHBoxLayout()
        self.line.setContentsMargins(0, 0, 0, 0)
        self.line.setSpacing(6)
        self.remove = small_button("Remove", f"Remove this {noun}")
        self.remove.setAccessibleName(f"Remove {noun}")
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addLayout(self.line)
        self.error = OperationDialog.error_label(column)

    def inputs(self) -> tuple[QWidget, ...]:
        raise NotImplementedError

    def finish(self) -> None:
        self.line.addWidget(self.remove)


class RowList(QWidget, Generic[RowT]):
    """Rows plus an Add button; `rows_changed` lets the form redo its tab order."""

    rows_changed = Signal()

    def __init__(self, make_row: Callable[[], RowT], add_text: str, keep_one: bool) -> None:
        super().__init__()
        self._make_row = make_row
        self._keep_one = keep_one  # an e-mail list always offers an empty line to type into
        self.rows: list[RowT] = []
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.setSpacing(6)
        self.add_button = small_button(add_text, add_text)
        self.add_button.clicked.connect(lambda: self.add_row(focus=True))
        footer = QHBoxLayout()
        footer.addWidget(self.add_button)
        footer.addStretch(1)
        self._column.addLayout(footer)
        if keep_one:
            self.add_row()

    def add_row(self, *, focus: bool = False) -> RowT:
        row = self._make_row()
        row.remove_requested.connect(self._remove)
        self._column.insertWidget(len(self.rows), row)
        self.rows.append(row)
        self.rows_changed.emit()
        if focus:
            row.inputs()[0].setFocus(Qt.FocusReason.OtherFocusReason)
        return row

    def clear_rows(self) -> None:
        for row in self.rows:
            row.deleteLater()
        self.rows = []

    def focus_order(self) -> list[QWidget]:
        return [w for row in self.rows for w in (*row.inputs(), row.remove)] + [self.add_button]

    def _remove(self, row: RowT) -> None:
        index = self.rows.index(row)
        self.rows.remove(row)
        row.deleteLater()
        if self._keep_one and not self.rows:
            self.add_row()
        self.rows_changed.emit()
        # Keep the keyboard where it was: on the row that took this one's place, or Add.
        target = self.rows[min(index, len(self.rows) - 1)].inputs()[0] if self.rows else None
        (target or self.add_button).setFocus(Qt.FocusReason.OtherFocusReason)


class LineRow(Row):
    def __init__(self, noun: str, placeholder: str) -> None:
        super().__init__(noun)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.edit.setAccessibleName(noun.capitalize())
        self.line.addWidget(self.edit, 1)
        self.finish()

    def inputs(self) -> tuple[QWidget, ...]:
        return (self.edit,)


class LineRows(RowList[LineRow]):
    """E-mails or phones: as many as the client has, always at least one line."""

    def __init__(self, noun: str, placeholder: str, add_text: str) -> None:
        super().__init__(lambda: LineRow(noun, placeholder), add_text, keep_one=True)

    def set_values(self, values: list[str]) -> None:
        self.clear_rows()
        for value in values or [""]:
            self.add_row().edit.setText(value)

    def filled(self) -> list[LineRow]:
        """Rows with text, in order: the service numbers its errors over exactly these."""
        return [row for row in self.rows if row.edit.text().strip()]


MONTHS = [calendar.month_name[m] for m in range(1, 13)]


class DateRow(Row):
    def __init__(self) -> None:
        super().__init__("date")
        self.kind = choice_combo([k.value for k in DateKind])
        self.kind.setAccessibleName("Kind of date")
        self.day = QSpinBox()
        self.day.setRange(1, 31)
        self.day.setAccessibleName("Day")
        self.day.setFixedWidth(72)
        self.month = QComboBox()
        self.month.addItems(MONTHS)
        self.month.setAccessibleName("Month")
        self.year = QLineEdit()
        self.year.setPlaceholderText("Year")
        self.year.setValidator(QIntValidator(0, 9999, self.year))
        self.year.setMaxLength(4)
        self.year.setFixedWidth(72)
        self.year.setAccessibleName("Year, optional")
        self.year.setToolTip("Leave empty when the year is not known")
        self.label = QLineEdit()
        self.label.setPlaceholderText("Label (optional)")
        self.label.setAccessibleName("Label")
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for widget, stretch in (
            (self.kind, 2),
            (self.day, 0),
            (self.month, 2),
            (self.year, 0),
            (self.label, 5),
        ):
            self.line.addWidget(widget, stretch)
        self.finish()

    def inputs(self) -> tuple[QWidget, ...]:
        return (self.kind, self.day, self.month, self.year, self.label)

    def value(self) -> DateInput:
        year = self.year.text().strip()
        return DateInput(
            kind=str(self.kind.currentData()),
            month=self.month.currentIndex() + 1,
            day=self.day.value(),
            year=int(year) if year else None,
            label=self.label.text().strip() or None,
        )

    def set_value(self, value: DateInput) -> None:
        select_data(self.kind, value.kind)
        self.day.setValue(value.day)
        self.month.setCurrentIndex(value.month - 1)
        self.year.setText(str(value.year) if value.year else "")
        self.label.setText(value.label or "")

    def _kind_changed(self) -> None:
        # A custom date means nothing without a name for it.
        custom = self.kind.currentData() == DateKind.CUSTOM.value
        self.label.setPlaceholderText("What is it? e.g. wedding" if custom else "Label (optional)")


class DateRows(RowList[DateRow]):
    def __init__(self) -> None:
        super().__init__(DateRow, "Add a date", keep_one=False)

    def set_values(self, values: list[DateInput]) -> None:
        self.clear_rows()
        for value in values:
            self.add_row().set_value(value)


def section_title(text: str) -> QLabel:
    """A small spaced-capitals heading; stylesheets cannot space letters, so the font does."""
    label = named(QLabel(text.upper()), "sectionTitle")
    font = label.font()
    font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 112)
    label.setFont(font)
    return label


def grid(
    *blocks: QWidget, columns: int | None = None, stretch: tuple[int, ...] = ()
) -> QGridLayout:
    """Field blocks side by side, `columns` to a line, top-aligned so errors push nothing."""
    layout = QGridLayout()
    layout.setHorizontalSpacing(12)
    layout.setVerticalSpacing(8)
    per_row = columns or len(blocks)
    for n, block in enumerate(blocks):
        layout.addWidget(block, n // per_row, n % per_row, Qt.AlignmentFlag.AlignTop)
    for column in range(per_row):
        layout.setColumnStretch(column, stretch[column] if column < len(stretch) else 1)
    return layout
