"""A calm page for what is planned but not built yet: it says so, and offers nothing fake."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.widgets import named


class PlaceholderPage(QWidget):
    def __init__(self, title: str, explanation: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("placeholderPage")
        heading = named(QLabel(title), "placeholderTitle")
        body = named(QLabel(explanation), "placeholderBody")
        body.setWordWrap(True)
        # A fixed measure lets the wrapped label know its height; 520 px reads comfortably.
        body.setFixedWidth(520)
        for label in (heading, body):
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        rule = named(QLabel(), "goldRule")
        rule.setFixedSize(48, 1)

        column = QVBoxLayout(self)
        column.setContentsMargins(48, 48, 48, 48)
        column.setSpacing(18)
        column.addStretch(2)
        column.addWidget(heading, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(rule, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(body, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(3)
