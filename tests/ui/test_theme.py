"""Light and dark from one stylesheet, tinted icons, and the choice kept in the settings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QSize
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.tasks import DbRunner
from ui import theme
from ui.icons import icon, names
from ui.main_window import MainWindow
from ui.signature_pad import SignaturePad

TIMEOUT_MS = 10_000


def qt_app() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app


@pytest.fixture(autouse=True)
def back_to_light() -> Iterator[None]:
    """The application is shared by every test: leave it as the other tests expect it."""
    yield
    theme.apply(qt_app(), "light")


def window_colour() -> QColor:
    return qt_app().palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Window)


def test_switching_to_dark_recolours_the_application(window: MainWindow) -> None:
    window.theme.actions["dark"].trigger()

    assert window_colour() == QColor(theme.DARK.canvas)
    assert theme.current() is theme.DARK
    sheet = qt_app().styleSheet()
    assert theme.DARK.canvas in sheet and theme.LIGHT.canvas not in sheet
    assert "@" not in sheet, "a token was left in the stylesheet"

    window.theme.actions["light"].trigger()
    assert window_colour() == QColor(theme.LIGHT.canvas)


@pytest.mark.parametrize("palette", [theme.LIGHT, theme.DARK], ids=lambda p: p.name)
def test_the_template_renders_completely_in_each_palette(palette: theme.Palette) -> None:
    sheet = theme.stylesheet(palette)

    assert "@" not in sheet
    assert sheet.count("{") == sheet.count("}")
    for path in re.findall(r"url\(([^)]+)\)", sheet):
        assert Path(path).is_file(), f"the stylesheet points at a missing glyph: {path}"


def test_an_unknown_token_is_an_error_not_a_silent_colour() -> None:
    with pytest.raises(KeyError):
        theme.render("QLabel { color: @inkk; }", theme.LIGHT)


@pytest.mark.parametrize("palette", [theme.LIGHT, theme.DARK], ids=lambda p: p.name)
def test_text_is_legible_in_each_palette(palette: theme.Palette) -> None:
    for background in (palette.canvas, palette.surface, palette.selected):
        assert theme.contrast(palette.ink, background) >= 7
    for secondary in (palette.muted, palette.gold_text):
        assert theme.contrast(secondary, palette.surface) >= 4.5
    assert theme.contrast(palette.on_primary, palette.primary) >= 7


def test_dark_is_dark_and_keeps_the_same_gold() -> None:
    assert theme.relative_luminance(theme.DARK.canvas) < 0.02
    assert theme.relative_luminance(theme.LIGHT.canvas) > 0.85
    assert theme.DARK.gold == theme.LIGHT.gold


def test_every_icon_file_loads_and_draws_sharp_at_high_density(qtbot: QtBot) -> None:
    folder = files("resources").joinpath("icons")
    assert len(names()) >= 15
    for name in names():
        with_file = QIcon(str(folder.joinpath(f"{name}.svg")))
        assert not with_file.isNull(), name
        tinted = icon(name)
        assert not tinted.isNull(), name
        # Drawn at the device's resolution, not scaled up from a small bitmap.
        pixmap = tinted.pixmap(QSize(18, 18), 2.0)
        assert pixmap.size() == QSize(36, 36), name
        assert pixmap.devicePixelRatio() == 2.0, name
        image = pixmap.toImage()
        inked = sum(image.pixelColor(x, y).alpha() > 0 for x in range(36) for y in range(36))
        assert inked > 20, f"{name} draws nothing"


def test_icons_follow_the_theme_without_being_rebuilt(qtbot: QtBot) -> None:
    done = icon("done", "ink")

    def darkest_ink() -> int:
        image = done.pixmap(QSize(24, 24), 1.0).toImage()
        opaque = [
            image.pixelColor(x, y)
            for x in range(24)
            for y in range(24)
            if image.pixelColor(x, y).alpha() == 255
        ]
        assert opaque
        return min(c.lightness() for c in opaque)

    theme.apply(qt_app(), "light")
    assert darkest_ink() < 80
    theme.apply(qt_app(), "dark")
    assert darkest_ink() > 180


def test_the_choice_is_kept_in_the_settings_and_shown_next_time(
    qtbot: QtBot, ctx: AppContext, runner: DbRunner, tmp_path: Path
) -> None:
    path = str(tmp_path / "theme.ini")
    first = MainWindow(ctx, runner, QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(first)
    first.theme.actions["dark"].trigger()
    first.close()
    stored = QSettings(path, QSettings.Format.IniFormat)
    assert stored.value(theme.SETTINGS_KEY) == "dark"

    theme.apply(qt_app(), "light")  # as if the application had just started
    second = MainWindow(ctx, runner, stored)
    qtbot.addWidget(second)

    assert second.theme.actions["dark"].isChecked()
    assert window_colour() == QColor(theme.DARK.canvas)


def test_follow_system_uses_the_platform_colour_scheme(window: MainWindow) -> None:
    window.theme.actions["system"].trigger()

    assert window.theme.choice == theme.SYSTEM
    assert theme.current() is theme.system_palette()
    assert window.theme.actions["system"].isChecked()


def test_an_open_profile_is_redrawn_in_the_new_colours(qtbot: QtBot, window: MainWindow) -> None:
    page = window.clients_page
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=TIMEOUT_MS)
    window.open_client(page.model.client_id(0))
    qtbot.waitUntil(lambda: page.profile is not None, timeout=TIMEOUT_MS)
    overview = page.profile_view.browsers[0]

    window.theme.actions["dark"].trigger()

    assert theme.DARK.ink in overview.document().defaultStyleSheet()
    assert theme.LIGHT.ink not in overview.document().defaultStyleSheet()
    assert theme.DARK.ink.lower() in overview.toHtml().lower()


def test_a_signature_stays_dark_ink_on_white_paper_in_the_dark_theme(qtbot: QtBot) -> None:
    theme.apply(qt_app(), "dark")
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(400, 160)
    pad.show()
    qtbot.waitExposed(pad)

    image = pad.grab().toImage()
    assert image.pixelColor(200, 40) == QColor(theme.PAPER.paper)


def test_colours_live_in_the_palette_table_only() -> None:
    """A hex colour anywhere else in ui/ would stay the same when the theme changes."""
    ui_folder = Path(theme.__file__).parent
    hex_colour = re.compile(r"#[0-9a-fA-F]{6}\b")
    strays = [
        f"{path.relative_to(ui_folder)}: {match}"
        for path in sorted(ui_folder.rglob("*.py"))
        if path.name != "theme.py"
        for match in hex_colour.findall(path.read_text(encoding="utf-8"))
    ]
    assert strays == []
