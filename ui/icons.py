"""The house line icons (resources/icons/*.svg), tinted by the current theme and sharp at any scale.

Each icon is drawn from its SVG at the size and device pixel ratio asked for, in a colour role of
the palette applied at that moment, so switching themes recolours every icon on the next paint
and a 150 % screen never shows a scaled-up bitmap.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from PySide6.QtCore import QByteArray, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPaintEvent, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui import theme

# Drawn at these logical sizes; the SVGs are 24 x 24 with 1.5 px strokes.
NAV_SIZE = QSize(18, 18)
BUTTON_SIZE = QSize(16, 16)
SMALL_SIZE = QSize(14, 14)


def names() -> tuple[str, ...]:
    """Every icon in resources/icons, by file name without .svg."""
    folder = files("resources").joinpath("icons")
    return tuple(
        sorted(
            entry.name.removesuffix(".svg")
            for entry in folder.iterdir()
            if entry.name.endswith(".svg")
        )
    )


@lru_cache(maxsize=256)
def _renderer(name: str, colour: str) -> QSvgRenderer:
    # One per icon and colour: parsing the SVG again on every paint would be waste.
    return QSvgRenderer(QByteArray(theme.tinted_svg(name, colour).encode()))


class TintedSvgEngine(QIconEngine):
    """Paints one SVG in a palette role; Selected and Disabled modes have their own role."""

    def __init__(self, name: str, role: str, selected_role: str | None = None) -> None:
        super().__init__()
        self._name = name
        self._role = role
        self._selected_role = selected_role or role

    def _colour(self, mode: QIcon.Mode) -> str:
        palette = theme.current()
        if mode == QIcon.Mode.Disabled:
            return palette.disabled
        role = self._selected_role if mode == QIcon.Mode.Selected else self._role
        return theme.colour_of(palette, role)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        _renderer(self._name, self._colour(mode)).render(painter, QRectF(rect))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        # QIcon asks for size x device pixel ratio and marks the ratio itself.
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return TintedSvgEngine(self._name, self._role, self._selected_role)

    def key(self) -> str:
        return "vitrine-tinted-svg"

    def iconName(self) -> str:
        return self._name


def icon(name: str, role: str = "ink_soft", selected_role: str | None = None) -> QIcon:
    """`role`: a colour role of ui.theme.Palette ("ink", "muted", "gold_text", …)."""
    theme.colour_of(theme.current(), role)  # a misspelt role fails here, not at paint time
    if not files("resources").joinpath("icons", f"{name}.svg").is_file():
        raise FileNotFoundError(f"no icon named {name!r} in resources/icons")
    return QIcon(TintedSvgEngine(name, role, selected_role))


class IconLabel(QWidget):
    """An icon on its own, beside a title: painted each time, so it follows the theme."""

    def __init__(
        self,
        name: str,
        role: str = "gold_text",
        size: QSize = BUTTON_SIZE,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._icon = icon(name, role)
        self._size = size
        self.setFixedSize(size)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._icon.paint(painter, self.rect())
