"""The inline warning a new-client form shows when the person may already be in the book."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.duplicates import Duplicate
from ui import theme
from ui.dialogs.base import small_button
from ui.format import phone_text
from ui.widgets import named

SHOWN_DUPLICATES = 5


class DuplicatePanel(QFrame):
    """Who the new client may already be, each a keystroke away; nothing saved meanwhile."""

    open_existing = Signal(object)
    create_anyway = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("duplicatePanel")
        self.open_buttons: list[QWidget] = []
        self._rows = QVBoxLayout()
        self._rows.setSpacing(8)
        self.create_button = small_button(
            "Create anyway", "Save this as a new client all the same", "secondaryButton"
        )
        self.create_button.clicked.connect(self.create_anyway)
        footer = QHBoxLayout()
        footer.addWidget(named(QLabel("Nothing has been saved yet."), "fieldHint"))
        footer.addStretch(1)
        footer.addWidget(self.create_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 12, 16, 12)
        column.setSpacing(10)
        column.addWidget(named(QLabel("This client may already be in the book"), "duplicateTitle"))
        column.addLayout(self._rows)
        column.addLayout(footer)
        self.hide()

    def show_matches(self, matches: list[Duplicate]) -> None:
        while self._rows.count():  # counted, not taken until None (see fields.current_data)
            item = self._rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.open_buttons = []
        for match in matches[:SHOWN_DUPLICATES]:
            row = self._row(match)
            self._rows.addWidget(row)
            row.show()  # now, not on the layout's next pass: focus goes straight to it
        if len(matches) > SHOWN_DUPLICATES:
            more = f"and {len(matches) - SHOWN_DUPLICATES} more"
            self._rows.addWidget(named(QLabel(more), "fieldHint"))
        self.show()

    def _row(self, match: Duplicate) -> QWidget:
        hit = match.client
        detail = " · ".join(x for x in (hit.email, phone_text(hit.phone), hit.home_store) if x)
        text = QLabel(
            f"Possible duplicate: <b>{escape(hit.display_name)}</b> — {escape(match.reason)}"
            f'<br><span style="color:{theme.current().muted}">{escape(detail)}</span>'
        )
        text.setTextFormat(Qt.TextFormat.RichText)
        button = small_button("Open existing", f"Close this form and open {hit.display_name}")
        button.setAccessibleName(f"Open existing client {hit.display_name}")
        button.setObjectName("secondaryButton")
        button.clicked.connect(lambda: self.open_existing.emit(hit.id))
        self.open_buttons.append(button)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(text, 1)
        line.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        return row
