"""A surface the client signs on with a mouse, a pen or a finger on a touch screen.

Strokes are kept as points and drawn as smoothed curves, so the ink looks like a pen and not a
polyline; the PNG is rendered from the same strokes at twice the size, for a proof that stays
legible when printed.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ui import theme

# The pad is the paper the proof is kept on: the same in both themes (see theme.Paper). Only
# its frame, which is part of the form, follows the theme.
INK = QColor(theme.PAPER.paper_ink)
PAPER = QColor(theme.PAPER.paper)
RULE = QColor(theme.PAPER.paper_rule)
HINT = QColor(theme.PAPER.paper_hint)
INK_WIDTH = 2.0
EXPORT_SCALE = 2
MIN_STEP = 1.5  # px: closer samples add nothing but jitter


def smooth_path(points: list[QPointF]) -> QPainterPath:
    """A curve through the midpoints of successive samples, with the samples as controls."""
    path = QPainterPath(points[0])
    if len(points) == 1:
        path.lineTo(points[0] + QPointF(0.1, 0.1))  # a dot still leaves a mark
        return path
    for previous, current in itertools.pairwise(points):
        path.quadTo(previous, (previous + current) / 2)
    path.lineTo(points[-1])
    return path


class SignaturePad(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signaturePad")
        self.setAccessibleName("Signature pad")
        self.setAccessibleDescription(
            "The client signs here with the mouse or a pen. Delete clears the signature."
        )
        self.setToolTip("Sign with the mouse or a pen  (Delete clears)")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMinimumSize(360, 150)
        self._strokes: list[list[QPointF]] = []
        self._ink = QPainterPath()  # finished strokes, built once each
        self._drawing = False
        # Always a bool: reading an unset property returns an empty QVariant, which PySide6
        # 6.12 on Python 3.11 turns into an unowned None (see ui/dialogs/fields.current_data).
        self.setProperty("error", False)

        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("padClear")
        self.clear_button.setAccessibleName("Clear signature")
        self.clear_button.setToolTip("Erase the signature and start again  (Delete)")
        self.clear_button.setAutoDefault(False)
        self.clear_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.clear_button.clicked.connect(self.clear)
        self.clear_button.setEnabled(False)
        corner = QHBoxLayout()
        corner.addStretch(1)
        corner.addWidget(self.clear_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(10, 8, 10, 8)
        column.addStretch(1)
        column.addLayout(corner)

    def sizeHint(self) -> QSize:
        return QSize(480, 180)

    def is_empty(self) -> bool:
        return not self._strokes

    def clear(self) -> None:
        if self.is_empty():
            return
        self._strokes.clear()
        self._ink = QPainterPath()
        self.clear_button.setEnabled(False)
        self.update()
        self.changed.emit()

    def png_bytes(self) -> bytes:
        """The signature as drawn, ink on white, as PNG file bytes."""
        image = QImage(self.size() * EXPORT_SCALE, QImage.Format.Format_RGB32)
        image.fill(PAPER)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(EXPORT_SCALE, EXPORT_SCALE)
        self._draw_ink(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # stubs say bytes; PySide wants str
        buffer.close()
        return bytes(data.data())

    # --- input ----------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._drawing = True
        self._strokes.append([event.position()])
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not self._drawing:
            return
        stroke = self._strokes[-1]
        point = event.position()
        delta = point - stroke[-1]
        if abs(delta.x()) + abs(delta.y()) >= MIN_STEP:
            stroke.append(point)
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if not self._drawing or event.button() != Qt.MouseButton.LeftButton:
            return
        self._drawing = False
        self._strokes[-1].append(event.position())
        self._ink.addPath(smooth_path(self._strokes[-1]))
        self.clear_button.setEnabled(True)
        self.update()
        self.changed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear()
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.update()  # the border shows where the keyboard is
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)

    # --- drawing --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        if self.property("error") is True:
            border = theme.colour("danger")
        elif self.hasFocus():
            border = theme.colour("gold")
        else:
            border = theme.colour("border")
        painter.setPen(QPen(border, 1))
        painter.setBrush(PAPER)
        painter.drawRoundedRect(frame, 6, 6)

        # A signing line, as on paper, so people sign at a sensible size and place.
        base_y = self.height() * 0.68
        painter.setPen(QPen(RULE, 1))
        painter.drawLine(QPointF(28, base_y), QPointF(self.width() - 28, base_y))
        painter.setPen(HINT)
        painter.drawText(QPointF(28, base_y - 8), "×")
        if self.is_empty():
            painter.drawText(
                QRectF(0, base_y + 6, self.width(), 24),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                "Sign above the line",
            )
        self._draw_ink(painter)

    def _draw_ink(self, painter: QPainter) -> None:
        pen = QPen(INK, INK_WIDTH)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._ink)
        if self._drawing and self._strokes:
            painter.drawPath(smooth_path(self._strokes[-1]))
