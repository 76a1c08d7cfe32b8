"""The frame every operation dialog shares: a form, an inline error per field, Save and Cancel.

A dialog only collects input. Saving is one operation on the database thread; while it runs the
buttons are disabled, and what comes back is either the result (the dialog emits `saved` and
closes) or a ValidationError whose field names say where each message belongs.
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.context import Services
from app.tasks import DbRunner
from app.validation import FieldError, ValidationError
from ui.icons import IconLabel, icon
from ui.widgets import named, shortcut_text

Operation = Callable[[Services], Any]

SAVE_KEYS = ("Ctrl+Return", "Ctrl+Enter")  # Enter is the keypad's Return
_channels = itertools.count(1)
# A message that starts with one of these reads as the end of a sentence about the field.
_PREDICATES = ("is", "must", "needs", "has")


def repolish(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property it selects on has changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


@dataclass
class FieldSlot:
    """Where one field's error goes: its label, the inputs it marks, the line under them."""

    label: str
    inputs: tuple[QWidget, ...]
    error: QLabel


class OperationDialog(QDialog):
    saved = Signal(object)
    ICON: str | None = None  # resources/icons name shown beside the heading and as window icon

    def __init__(self, runner: DbRunner, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("operationDialog")
        self.setWindowTitle(title)
        self.setModal(True)
        self._runner = runner
        # Channels are per dialog: two dialogs open at once must not cancel each other's reads.
        self._channel_prefix = f"dialog{next(_channels)}"
        self._channels: set[str] = set()
        self._fields: dict[str, FieldSlot] = {}
        self._marked: list[FieldSlot] = []
        self.busy = False

        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(14)
        self.message = named(QLabel(""), "formMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(
            "Cancel", QDialogButtonBox.ButtonRole.RejectRole
        )
        named(self.save_button, "primaryButton")
        self.save_button.setToolTip(f"Save  ({shortcut_text(SAVE_KEYS[0])})")
        self.cancel_button.setToolTip("Close without saving  (Esc)")
        # The box would accept on its own; saving must go through the database first.
        self.save_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        for keys in SAVE_KEYS:
            QShortcut(QKeySequence(keys), self).activated.connect(self.submit)

        column = QVBoxLayout(self)
        column.setContentsMargins(28, 24, 28, 20)
        column.setSpacing(16)
        column.addLayout(self.body, 1)
        column.addWidget(self.message)
        column.addWidget(self.buttons)
        # Only now, inside the dialog: otherwise the dialog picks its own default when shown,
        # and a Save still disabled while the form loads would lose Enter to Cancel.
        self.save_button.setDefault(True)

    # --- building the form ----------------------------------------------------------------

    def heading(self, title: str, subtitle: str = "", icon_name: str | None = None) -> QLabel:
        """The dialog's name in large type, who it is about under it, then a thin gold rule."""
        icon_name = icon_name or self.ICON
        title_row = QHBoxLayout()
        title_row.setSpacing(10)
        if icon_name:
            self.setWindowIcon(icon(icon_name, "ink"))
            title_row.addWidget(IconLabel(icon_name, "gold_text", QSize(22, 22)))
        title_row.addWidget(named(QLabel(title), "dialogTitle"), 1)
        self.body.addLayout(title_row)
        under = named(QLabel(subtitle), "dialogSubtitle")
        under.setVisible(bool(subtitle))
        self.body.addWidget(under)
        rule = named(QLabel(), "goldRule")
        rule.setFixedSize(36, 1)
        self.body.addWidget(rule)
        return under

    def field(
        self,
        key: str,
        label: str,
        widget: QWidget,
        *,
        extra: tuple[QWidget, ...] = (),
        hint: str | None = None,
    ) -> QWidget:
        """`widget` under its label, with room for an error under it; registered as `key`."""
        block = QWidget()
        column = QVBoxLayout(block)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        caption = named(QLabel(label), "fieldLabel")
        caption.setBuddy(widget)
        column.addWidget(caption)
        column.addWidget(widget)
        if not widget.accessibleName():
            widget.setAccessibleName(label)
        if hint:
            column.addWidget(named(QLabel(hint), "fieldHint"))
        self.bind_field(key, label, (widget, *extra), self.error_label(column))
        return block

    @staticmethod
    def error_label(layout: QVBoxLayout) -> QLabel:
        error = named(QLabel(""), "fieldError")
        error.setWordWrap(True)
        error.hide()
        layout.addWidget(error)
        return error

    def bind_field(self, key: str, label: str, inputs: tuple[QWidget, ...], error: QLabel) -> None:
        self._fields[key] = FieldSlot(label, inputs, error)

    def unbind_fields(self, prefix: str) -> None:
        """Forget rows that no longer exist (or whose numbers changed) before rebinding."""
        for key in [k for k in self._fields if k.startswith(prefix)]:
            del self._fields[key]

    def error_label_for(self, key: str) -> QLabel | None:
        slot = self._fields.get(key)
        return slot.error if slot else None

    def set_tab_order(self, *widgets: QWidget) -> None:
        """Tab walks the form in reading order, then Save, then Cancel."""
        chain = [*widgets, self.save_button, self.cancel_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- reading --------------------------------------------------------------------------

    def load(self, name: str, fn: Operation, on_done: Callable[..., None], *args: Any) -> None:
        """Fetch what the form shows; `on_done(*args, result)` runs if the dialog still exists.

        A newer request of the same name replaces this one.
        """
        channel = f"{self._channel_prefix}.{name}"
        self._channels.add(channel)
        self._runner.submit(fn, weakly(on_done, *args), weakly(self._load_failed), channel=channel)

    def _load_failed(self, error: BaseException) -> None:
        self.show_message(f"Could not load this form: {error}")

    # --- saving ---------------------------------------------------------------------------

    def operation(self) -> Operation | None:
        """The save to run, built from the form on the GUI thread; None if it cannot start."""
        raise NotImplementedError

    def submit(self) -> None:
        if self.busy or not self.save_button.isEnabled():
            return
        self.clear_errors()
        op = self.operation()
        if op is not None:
            self.run(op)

    def run(self, op: Operation) -> None:
        self.set_busy(True)
        self._runner.submit(op, weakly(self._finished), weakly(self._failed))

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.save_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def _finished(self, result: Any) -> None:
        self.set_busy(False)
        self.succeeded(result)

    def succeeded(self, result: Any) -> None:
        """The save went through: tell whoever asked, then close."""
        self.saved.emit(result)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.set_busy(False)
        if isinstance(error, ValidationError):
            self.show_errors(error.errors)
        else:
            self.show_message(f"Could not save: {error or type(error).__name__}")

    # --- errors ---------------------------------------------------------------------------

    def slot_for(self, field: str) -> FieldSlot | None:
        """'emails[1]' falls back to 'emails', 'sizes.shoes' to 'sizes'."""
        key = field
        while True:
            if key in self._fields:
                return self._fields[key]
            shorter = re.sub(r"(\[\d+\]|\.[^.\[\]]+)$", "", key)
            if shorter == key:
                return None
            key = shorter

    def show_errors(self, errors: list[FieldError]) -> None:
        self.clear_errors()
        unplaced: list[str] = []
        for err in errors:
            slot = self.slot_for(err.field)
            if slot is None:
                unplaced.append(f"{err.field.replace('_', ' ')}: {err.message}")
                continue
            text = sentence(slot.label, err.message)
            # Two rows mapped to one slot (a fallback) keep both messages.
            shown = slot.error.text()
            slot.error.setText(
                f"{shown}\n{text}" if shown and slot.error.isVisibleTo(self) else text
            )
            slot.error.show()
            for widget in slot.inputs:
                widget.setProperty("error", True)
                widget.setAccessibleDescription(text)
                repolish(widget)
            self._marked.append(slot)
        if unplaced:
            self.show_message("\n".join(unplaced))
        self._focus_first_marked()

    def clear_errors(self) -> None:
        for slot in self._marked:
            slot.error.clear()
            slot.error.hide()
            for widget in slot.inputs:
                widget.setProperty("error", False)
                widget.setAccessibleDescription("")
                repolish(widget)
        self._marked.clear()
        self.message.clear()
        self.message.hide()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _focus_first_marked(self) -> None:
        """Focus goes to the first refused field in tab order, which is reading order."""
        marked = {slot.inputs[0]: slot for slot in self._marked if slot.inputs}
        if not marked:
            return
        widget: QWidget | None = self.nextInFocusChain()
        first: QWidget | None = None
        while widget is not self and widget is not None:
            if widget in marked:
                first = widget
                break
            widget = widget.nextInFocusChain()
        target = first or next(iter(marked))
        reveal(marked[target].error)  # the message first, then the field: both end up in view
        reveal(target)
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- closing --------------------------------------------------------------------------

    def reject(self) -> None:
        # Closing mid-save would leave the result with nobody to tell.
        if not self.busy:
            super().reject()

    def done(self, result: int) -> None:
        for channel in self._channels:
            self._runner.cancel(channel)
        super().done(result)


def weakly(method: Callable[..., None], *args: Any) -> Callable[[Any], None]:
    """A callback that calls `method(*args, result)` only while its dialog is alive.

    The runner drops a finished job on the database thread. If that job held the last
    reference to a dialog, the dialog would be freed there, and shiboken 6.12 crashes when it
    hands such a deletion back to the GUI thread. A weak reference keeps that from happening.
    """
    ref = weakref.WeakMethod(method)

    def call(result: Any) -> None:
        bound = ref()
        if bound is not None:
            bound(*args, result)

    return call


def sentence(label: str, message: str) -> str:
    """'E-mail' + 'is required' -> 'E-mail is required'; other messages stand alone."""
    first = message.split(" ", 1)[0]
    if first in _PREDICATES:
        return f"{label} {message}"
    return message[:1].upper() + message[1:]


def reveal(widget: QWidget) -> None:
    """Scroll every enclosing scroll area so `widget` is on screen."""
    window = widget.window()
    parent: QWidget | None = widget
    # Stops at the window instead of asking it for its (None) parent: PySide6 6.12 on
    # Python 3.11 drops a reference to None each time a Qt call returns it.
    while parent is not None and parent is not window:
        parent = parent.parentWidget()
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(widget, 24, 24)


def small_button(text: str, tooltip: str, object_name: str = "linkButton") -> QPushButton:
    """A quiet text button for Add/Remove/Clear; never the dialog's default."""
    button = named(QPushButton(text), object_name)
    button.setToolTip(tooltip)
    button.setAutoDefault(False)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button
