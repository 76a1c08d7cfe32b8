"""Starts the desktop app: one QApplication, the house look, the main window."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QApplication

from app.context import AppContext
from app.sync import SyncController
from app.tasks import DbRunner
from ui import theme
from ui.main_window import MainWindow

log = logging.getLogger(__name__)

# The first family a workstation has wins; the stylesheet only sets sizes (in points) and weights.
FONT_FAMILIES = ("Inter", "Segoe UI", "SF Pro Text", "Helvetica Neue", "Noto Sans", "DejaVu Sans")
BASE_POINT_SIZE = 10


def prepare_high_dpi() -> None:
    """Before the QApplication exists: Qt reads the policy once, at start-up.

    Qt 6 scales by the screen's device pixel ratio on its own. PassThrough keeps 125 % and
    150 % as they are instead of rounding them to 1x or 2x, which would make everything too
    small or too large; our icons are SVG and the stylesheet uses points, so any ratio is sharp.
    """
    if QGuiApplication.instance() is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )


def load_stylesheet(name: str = "light") -> str:
    """The house stylesheet rendered in the named palette ("light" or "dark")."""
    try:
        return theme.stylesheet(theme.PALETTES[name])
    except OSError:
        # An unstyled window is still a working one.
        log.warning("the stylesheet is missing")
        return ""


def apply_look(qt_app: QApplication, choice: str = theme.DEFAULT_CHOICE) -> None:
    """Font, base style and theme; the main window then applies the theme stored in settings."""
    available = set(QFontDatabase.families())
    family = next((f for f in FONT_FAMILIES if f in available), qt_app.font().family())
    font = QFont(family, BASE_POINT_SIZE)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    qt_app.setFont(font)
    qt_app.setStyle("Fusion")  # the same base look on every platform, under our stylesheet
    try:
        theme.apply(qt_app, choice)
    except OSError:
        log.warning("the stylesheet is missing")


def run(ctx: AppContext) -> int:
    prepare_high_dpi()
    qt_app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(qt_app, QApplication)
    qt_app.setApplicationName("Vitrine")
    qt_app.setOrganizationName("Vitrine")
    qt_app.setApplicationDisplayName("Vitrine")
    settings = QSettings()
    apply_look(qt_app, theme.stored_choice(settings))

    runner = DbRunner(ctx)
    sync = SyncController(ctx.db)
    window = MainWindow(ctx, runner, settings, sync=sync)
    window.show()
    try:
        return qt_app.exec()
    finally:
        sync.shutdown()
        runner.shutdown()
        ctx.db.close()
