"""Starts the desktop app: one QApplication, the house stylesheet, the main window."""

from __future__ import annotations

import logging
import sys
from importlib.resources import files

from PySide6.QtCore import QSettings
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.context import AppContext
from app.tasks import DbRunner
from ui.main_window import MainWindow

log = logging.getLogger(__name__)

# The first family a workstation has wins; the stylesheet only sets sizes and weights.
FONT_FAMILIES = ("Inter", "Segoe UI", "SF Pro Text", "Helvetica Neue", "Noto Sans", "DejaVu Sans")
BASE_POINT_SIZE = 10


def load_stylesheet(name: str = "light") -> str:
    resource = files("resources").joinpath("style", f"{name}.qss")
    try:
        return resource.read_text(encoding="utf-8")
    except OSError:
        # An unstyled window is still a working one.
        log.warning("stylesheet %s is missing", name)
        return ""


def apply_look(qt_app: QApplication) -> None:
    available = set(QFontDatabase.families())
    family = next((f for f in FONT_FAMILIES if f in available), qt_app.font().family())
    font = QFont(family, BASE_POINT_SIZE)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    qt_app.setFont(font)
    qt_app.setStyle("Fusion")  # the same base look on every platform, under our stylesheet
    qt_app.setStyleSheet(load_stylesheet())


def run(ctx: AppContext) -> int:
    qt_app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(qt_app, QApplication)
    qt_app.setApplicationName("Vitrine")
    qt_app.setOrganizationName("Vitrine")
    qt_app.setApplicationDisplayName("Vitrine")
    apply_look(qt_app)

    runner = DbRunner(ctx)
    window = MainWindow(ctx, runner, QSettings())
    window.show()
    try:
        return qt_app.exec()
    finally:
        runner.shutdown()
        ctx.db.close()
