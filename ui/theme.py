"""Light and dark from one stylesheet: a palette table, the template's tokens, applying them live.

resources/style/vitrine.qss names colours by role (`@ink`, `@gold`, `@surface`) and control
glyphs by icon (`@icon(chevron-down, muted)`); `render` fills them from a Palette. `apply` gives
the application both the stylesheet and a matching QPalette, so what the stylesheet does not
reach (tooltips, calendar pop-ups, radio buttons, disabled text) follows the same colours.
Code that paints by hand asks `current()` for the colour of a role instead of a hex constant.
"""

from __future__ import annotations

import atexit
import hashlib
import re
import shutil
import tempfile
from dataclasses import dataclass, fields
from importlib.resources import files
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMenu


@dataclass(frozen=True)
class Palette:
    """Every colour the look uses, by role. The stylesheet refers to these as `@<field>`."""

    name: str
    dark: bool
    # surfaces, from the window down to what sits on it
    canvas: str  # the window behind everything
    shelf: str  # sidebar and status bar, a step away from the canvas
    shelf_hover: str
    surface: str  # cards, tables, fields, menus
    hover: str
    selected: str
    highlight: str  # selected text
    sunken: str  # empty badges, disabled fields
    accent_soft: str  # badges and pills
    # lines
    line: str  # card and pane borders
    line_soft: str  # separators inside a surface
    divider: str  # between rows
    border: str  # fields
    border_strong: str  # buttons
    border_hover: str
    scroll: str
    accent_line: str
    # text
    ink: str  # body text: at least 4.5:1 on canvas and surface
    ink_soft: str
    muted: str  # secondary text: at least 4.5:1 on surface too
    faint: str  # placeholders, empty states
    disabled: str
    # the one accent
    gold: str  # rules, focus rings, the selected tab
    gold_text: str  # gold as text, darker or lighter than `gold` so it stays legible
    gold_deep: str
    # states
    danger: str
    danger_soft: str
    danger_line: str
    danger_field: str
    danger_text: str
    danger_badge: str
    success: str
    success_soft: str
    success_line: str
    success_badge: str
    tag_text: str
    # the one filled button per dialog
    primary: str
    primary_hover: str
    on_primary: str
    primary_disabled: str
    on_primary_disabled: str
    # panels and tiles
    accent_panel: str
    accent_panel_line: str
    tile: str
    tile_mark: str
    # the studio: the backdrop behind live video and its text, empty preset slots
    screen: str
    screen_text: str
    slot: str
    slot_saved: str


LIGHT = Palette(
    name="light",
    dark=False,
    canvas="#f8f5ef",
    shelf="#f1ece3",
    shelf_hover="#ebe4d7",
    surface="#ffffff",
    hover="#faf6ef",
    selected="#f3ead9",
    highlight="#efe3cc",
    sunken="#f3f1ed",
    accent_soft="#f4eee3",
    line="#e7e0d4",
    line_soft="#ece5da",
    divider="#f1ece4",
    border="#e2dacb",
    border_strong="#d9cfbf",
    border_hover="#c9bda9",
    scroll="#ddd5c7",
    accent_line="#c9ad7f",
    ink="#2b2926",
    ink_soft="#5f584f",
    muted="#776f64",
    faint="#a39b90",
    disabled="#b5ada2",
    gold="#b08d57",
    gold_text="#8a6b3c",
    gold_deep="#6e5330",
    danger="#a4473a",
    danger_soft="#fbf1ee",
    danger_line="#efd6cf",
    danger_field="#fffaf8",
    danger_text="#8a4b3c",
    danger_badge="#f4e8e4",
    success="#3f6133",
    success_soft="#eef4ea",
    success_line="#cbd9c3",
    success_badge="#e8efe3",
    tag_text="#6b5a3e",
    primary="#2b2926",
    primary_hover="#3a3733",
    on_primary="#f8f5ef",
    primary_disabled="#b9b2a8",
    on_primary_disabled="#f3f1ed",
    accent_panel="#fbf7ef",
    accent_panel_line="#e4d4b4",
    tile="#f1ece3",
    tile_mark="#d9cfbf",
    screen="#161513",
    screen_text="#a39d93",
    slot="#2a2825",
    slot_saved="#4a4236",
)

# Warm graphite rather than blue-black, so the gold and the product photos keep their warmth.
DARK = Palette(
    name="dark",
    dark=True,
    canvas="#1b1916",
    shelf="#151311",
    shelf_hover="#221f1b",
    surface="#24211d",
    hover="#2b2823",
    selected="#3a3225",
    highlight="#54452d",
    sunken="#1f1c19",
    accent_soft="#342c1f",
    line="#36312b",
    line_soft="#2f2b26",
    divider="#2d2924",
    border="#413b33",
    border_strong="#4b443b",
    border_hover="#5e5649",
    scroll="#4a443b",
    accent_line="#7d6642",
    ink="#ece6da",
    ink_soft="#c8c0b2",
    muted="#a39a8b",
    faint="#7f786d",
    disabled="#615b52",
    gold="#b08d57",
    gold_text="#cfac72",
    gold_deep="#e2c58f",
    danger="#e0907f",
    danger_soft="#3a2420",
    danger_line="#5c3a33",
    danger_field="#2c201d",
    danger_text="#e6a393",
    danger_badge="#3d2621",
    success="#a3c68f",
    success_soft="#24301f",
    success_line="#40563a",
    success_badge="#27331f",
    tag_text="#dcc59b",
    primary="#ece6da",
    primary_hover="#faf6ef",
    on_primary="#1b1916",
    primary_disabled="#3e3933",
    on_primary_disabled="#7f786d",
    accent_panel="#29241c",
    accent_panel_line="#5a4a30",
    tile="#2b2823",
    tile_mark="#4a443b",
    screen="#0e0d0c",
    screen_text="#8f887d",
    slot="#24221e",
    slot_saved="#4a4236",
)

PALETTES = {p.name: p for p in (LIGHT, DARK)}
COLOUR_ROLES = tuple(f.name for f in fields(Palette) if f.name not in ("name", "dark"))


@dataclass(frozen=True)
class Paper:
    """A signature is a document: dark ink on white paper whatever the screen's theme.

    The stylesheet can name these too (`@paper_ink`), for what sits on the paper.
    """

    paper: str = "#ffffff"
    paper_ink: str = "#2b2926"
    paper_rule: str = "#e2dacb"
    paper_hint: str = "#857d72"  # 4.1:1 on white: a prompt beside the line
    paper_hover: str = "#f6f2ea"


PAPER = Paper()
PAPER_ROLES = tuple(f.name for f in fields(Paper))

SETTINGS_KEY = "ui/theme"
SYSTEM = "system"
CHOICES = (("light", "&Light"), ("dark", "&Dark"), (SYSTEM, "Follow &system"))
DEFAULT_CHOICE = "light"  # the house look until someone asks for another

_COLOUR_TOKEN = re.compile(r"@([a-z][a-z0-9_]*)")
_ICON_TOKEN = re.compile(r"@icon\(\s*([a-z0-9-]+)\s*,\s*([a-z_]+)\s*\)")


# --- the Qt-free part: colours, contrast, the template ---------------------------------------


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """The WCAG contrast ratio, 1 to 21."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def colour_of(palette: Palette, role: str) -> str:
    if role in COLOUR_ROLES:
        return str(getattr(palette, role))
    if role in PAPER_ROLES:
        return str(getattr(PAPER, role))
    raise KeyError(f"no colour role {role!r} in the palette")


def icon_svg(name: str) -> str:
    """The icon's SVG text, strokes in `currentColor`."""
    return files("resources").joinpath("icons", f"{name}.svg").read_text(encoding="utf-8")


def tinted_svg(name: str, colour: str) -> str:
    return icon_svg(name).replace("currentColor", colour)


def stylesheet_template() -> str:
    return files("resources").joinpath("style", "vitrine.qss").read_text(encoding="utf-8")


class _GlyphFolder:
    """Tinted copies of control glyphs for the stylesheet's `image: url(...)`.

    A stylesheet can only load images from files or compiled Qt resources, and a combo box's
    arrow must be light on dark fields, so each glyph is written once per colour to a folder
    private to this process and removed when it exits.
    """

    def __init__(self) -> None:
        self._path: Path | None = None

    def file(self, name: str, colour: str) -> str:
        if self._path is None:
            self._path = Path(tempfile.mkdtemp(prefix="vitrine-glyphs-"))
            atexit.register(shutil.rmtree, self._path, True)
        svg = tinted_svg(name, colour)
        # Named by content: a changed drawing never reuses a stale file.
        digest = hashlib.sha1(svg.encode(), usedforsecurity=False).hexdigest()[:10]
        target = self._path / f"{name}-{digest}.svg"
        if not target.exists():
            target.write_text(svg, encoding="utf-8")
        return target.as_posix()


_glyphs = _GlyphFolder()


def render(template: str, palette: Palette) -> str:
    """The stylesheet for `palette`; an unknown token is an error, never a silent black."""

    def icon(match: re.Match[str]) -> str:
        return _glyphs.file(match.group(1), colour_of(palette, match.group(2)))

    def colour(match: re.Match[str]) -> str:
        return colour_of(palette, match.group(1))

    return _COLOUR_TOKEN.sub(colour, _ICON_TOKEN.sub(icon, template))


def stylesheet(palette: Palette) -> str:
    return render(stylesheet_template(), palette)


# --- the Qt part: what the application shows ---------------------------------------------------

# What the application was last given. Qt's palette and stylesheet are application-wide, so
# this is too; hand-painted code reads it through current().
_applied: Palette = LIGHT
_applied_choice: str | None = None  # None until apply() first runs


def current() -> Palette:
    return _applied


def applied_choice() -> str | None:
    return _applied_choice


def colour(role: str) -> QColor:
    """A role of the current palette as a QColor, for delegates and painted widgets."""
    return QColor(colour_of(_applied, role))


def qpalette(p: Palette) -> QPalette:
    """The same colours for what the stylesheet does not style: native pop-ups, indicators."""
    palette = QPalette()
    role = QPalette.ColorRole
    normal = {
        role.Window: p.canvas,
        role.WindowText: p.ink,
        role.Base: p.surface,
        role.AlternateBase: p.hover,
        role.Text: p.ink,
        role.PlaceholderText: p.faint,
        role.Button: p.surface,
        role.ButtonText: p.ink,
        role.BrightText: p.on_primary,
        role.ToolTipBase: p.surface,
        role.ToolTipText: p.ink,
        role.Highlight: p.selected,
        role.HighlightedText: p.ink,
        role.Link: p.gold_text,
        role.LinkVisited: p.gold_deep,
        role.Accent: p.gold,
        # Fusion draws frames and bevels from these.
        role.Light: p.surface,
        role.Midlight: p.line_soft,
        role.Mid: p.border,
        role.Dark: p.border_strong,
        role.Shadow: p.border_hover,
    }
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        for colour_role, value in normal.items():
            palette.setColor(group, colour_role, QColor(value))
    for colour_role, value in normal.items():
        palette.setColor(QPalette.ColorGroup.Disabled, colour_role, QColor(value))
    for colour_role in (role.WindowText, role.Text, role.ButtonText, role.PlaceholderText):
        palette.setColor(QPalette.ColorGroup.Disabled, colour_role, QColor(p.disabled))
    palette.setColor(QPalette.ColorGroup.Disabled, role.Base, QColor(p.sunken))
    return palette


def system_palette() -> Palette:
    scheme = QGuiApplication.styleHints().colorScheme()
    return DARK if scheme == Qt.ColorScheme.Dark else LIGHT


def resolve(choice: str) -> Palette:
    if choice == SYSTEM:
        return system_palette()
    return PALETTES.get(choice, PALETTES[DEFAULT_CHOICE])


def apply(app: QApplication, choice: str) -> Palette:
    """Show `choice` ("light", "dark" or "system") now; every open window follows."""
    global _applied, _applied_choice
    hints = QGuiApplication.styleHints()
    # Tells the platform too (title bars, native dialogs) where it listens; Unknown hands the
    # choice back to the system.
    scheme = {
        "light": Qt.ColorScheme.Light,
        "dark": Qt.ColorScheme.Dark,
    }.get(choice, Qt.ColorScheme.Unknown)
    if hasattr(hints, "setColorScheme"):  # Qt 6.8 and later; pyproject allows 6.6
        hints.setColorScheme(scheme)
    palette = resolve(choice)
    _applied, _applied_choice = palette, choice
    # The palette first: the stylesheet repolishes every widget, which then reads both.
    app.setPalette(qpalette(palette))
    app.setStyleSheet(stylesheet(palette))
    return palette


def stored_choice(settings: QSettings) -> str:
    value = settings.value(SETTINGS_KEY, DEFAULT_CHOICE, type=str)
    return value if value in dict(CHOICES) else DEFAULT_CHOICE


class ThemeSwitcher(QObject):
    """View > Theme: three checkable choices, stored in the settings and applied at once."""

    def __init__(self, menu: QMenu, settings: QSettings) -> None:
        super().__init__(menu)
        self._settings = settings
        self.choice = stored_choice(settings)
        self.actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        group.setExclusive(True)
        for key, text in CHOICES:
            action = QAction(text, self)
            action.setCheckable(True)
            action.setChecked(key == self.choice)
            action.triggered.connect(lambda _checked=False, k=key: self.choose(k))
            group.addAction(action)
            menu.addAction(action)
            self.actions[key] = action
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_changed)
        if applied_choice() != self.choice:  # run() may have shown it already, before the window
            self._apply()

    def choose(self, choice: str) -> None:
        self.choice = choice if choice in dict(CHOICES) else DEFAULT_CHOICE
        self.actions[self.choice].setChecked(True)
        self._settings.setValue(SETTINGS_KEY, self.choice)
        self._apply()

    def _apply(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply(app, self.choice)

    def _system_changed(self, _scheme: Qt.ColorScheme) -> None:
        # Our own setColorScheme calls land here too; only a real change matters.
        if self.choice == SYSTEM and resolve(SYSTEM) is not _applied:
            self._apply()


def add_theme_menu(parent: QMenu, settings: QSettings) -> ThemeSwitcher:
    """Adds View > Theme and shows the stored choice right away."""
    menu = parent.addMenu("T&heme")
    return ThemeSwitcher(menu, settings)
