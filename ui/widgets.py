"""Small helpers shared by the pages' widget code."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QKeySequence, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from ui import theme

W = TypeVar("W", bound=QWidget)


def shortcut_text(sequence: str) -> str:
    """A key sequence the way this platform writes it (Ctrl on Linux, ⌘ on macOS)."""
    return QKeySequence(sequence).toString(QKeySequence.SequenceFormat.NativeText)


def named(widget: W, object_name: str) -> W:
    """The widget, with the object name the stylesheet addresses it by."""
    widget.setObjectName(object_name)
    return widget


def initials(name: str) -> str:
    """'Zoé Martin' -> 'ZM', 'Mohammed Al Mansoori' -> 'MM', 'Cher' -> 'C'."""
    letters = [word[0] for word in name.split() if word[:1].isalpha()]
    if not letters:
        return ""
    return (letters[0] + letters[-1] if len(letters) > 1 else letters[0]).upper()


class Monogram(QWidget):
    """The client's initials in a gold-ringed circle: a face for the name without a photo.

    Painted, not styled, so the ring stays round at any size and follows the theme on repaint.
    """

    def __init__(self, diameter: int = 48, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self.setFixedSize(diameter, diameter)
        self.setAccessibleName("Client initials")

    def set_name(self, name: str) -> None:
        self._text = initials(name)
        self.update()

    def text(self) -> str:
        return self._text

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        circle = QRectF(self.rect()).adjusted(0.75, 0.75, -0.75, -0.75)
        painter.setPen(QPen(theme.colour("accent_line"), 1.0))
        painter.setBrush(theme.colour("accent_soft"))
        painter.drawEllipse(circle)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)  # from the app font, so it scales with it
        font.setWeight(QFont.Weight.DemiBold)
        font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 106)
        painter.setFont(font)
        painter.setPen(theme.colour("gold_text"))
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, self._text)
