"""One client's profile: who they are at a glance, what to do next, and their history by tab."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QImage, QImageReader, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.tasks import DbRunner
from app.timeline import KINDS, TimelineEntry, timeline
from models.dto import ClientProfile, TaskView
from ui import theme
from ui.format import day_text, tier_label, words
from ui.icons import BUTTON_SIZE, icon
from ui.pages import profile_html as html
from ui.widgets import Monogram, named


@dataclass(frozen=True)
class ActionSpec:
    kind: str  # what action_requested carries; the page maps it to a dialog
    text: str
    shortcut: str
    tip: str
    icon: str  # in resources/icons


ACTIONS = (
    ActionSpec("edit", "Edit", "Ctrl+E", "Edit this client's details", "edit"),
    ActionSpec("note", "Note", "Ctrl+N", "Add a note", "note"),
    ActionSpec(
        "interaction", "Log interaction", "Ctrl+I", "Log a call, message or visit", "interaction"
    ),
    # Ctrl+W closes windows and tabs on most desktops; a wish is worth the extra key.
    ActionSpec("wish", "Wish list", "Ctrl+Shift+W", "Add a piece to the wish list", "wish"),
    ActionSpec("appointment", "Book", "Ctrl+Shift+A", "Book an appointment", "appointment"),
    ActionSpec("task", "Task", "Ctrl+T", "Create a follow-up task", "task"),
    ActionSpec("consent", "Consent", "Ctrl+Shift+C", "Record consent, with proof", "consent"),
)
TABS = ("Overview", "Timeline", "Purchases", "Wish list", "Visits", "Tasks", "Consent")
OVERVIEW, TIMELINE, PURCHASES, WISHES, APPOINTMENTS, TASKS, CONSENT = range(len(TABS))
THUMB_PX = 112  # drawn at 56 px; twice that stays sharp on high-density screens


def _column(host: QWidget, margins: tuple[int, int, int, int], spacing: int) -> QVBoxLayout:
    layout = QVBoxLayout(host)
    layout.setContentsMargins(*margins)
    layout.setSpacing(spacing)
    return layout


class FlowLayout(QLayout):
    """Left to right, wrapping: buttons and badges fit a narrow pane without clipping."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # the widest item: anything wider wraps
        return QSize(max((i.minimumSize().width() for i in self._items), default=0), 0)

    def _arrange(self, rect: QRect, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > rect.right() + 1 and line > 0:
                x, y, line = rect.x(), y + line + self._gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            line = max(line, hint.height())
        return y + line - rect.y()


class ThumbBrowser(QTextBrowser):
    """Rich text whose thumb://<product id> images are the catalogue's pictures, scaled once."""

    def __init__(self, media_dir: Path | None) -> None:
        super().__init__()
        self._media_dir = media_dir
        self._paths: dict[str, Path] = {}
        self._images: dict[Path, QImage] = {}

    def set_pictures(self, pictures: dict[str, str]) -> set[str]:
        """Product id -> image path in the media folder; returns the ids that have a file."""
        if self._media_dir is None:
            return set()
        self._paths = {
            key: self._media_dir / rel
            for key, rel in pictures.items()
            if (self._media_dir / rel).is_file()
        }
        return set(self._paths)

    def loadResource(self, kind: int, url: QUrl | str) -> object:
        name = url.toString() if isinstance(url, QUrl) else url
        path = self._paths.get(name.removeprefix("thumb://"))
        if path is None:
            return super().loadResource(kind, url)
        if path not in self._images:
            reader = QImageReader(str(path))
            reader.setScaledSize(QSize(THUMB_PX, THUMB_PX))  # decode small: far less work
            self._images[path] = reader.read()
        return self._images[path]


def _browser(browser: QTextBrowser | None = None) -> QTextBrowser:
    view = named(browser or QTextBrowser(), "profileText")
    view.setOpenLinks(False)
    view.document().setDefaultStyleSheet(html.profile_css(theme.current()))
    view.document().setDocumentMargin(18)
    return view


class ProfileView(QWidget):
    """Loads through the runner on the "profile" channel: only the latest choice is shown."""

    action_requested = Signal(str, object)  # kind, uuid.UUID of the client
    loaded = Signal(object)  # ClientProfile
    changed = Signal(object)  # uuid.UUID: something about this client was written here
    replay_requested = Signal(object)  # uuid.UUID of a recorded studio session

    def __init__(
        self, runner: DbRunner, media_dir: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self.client_id: uuid.UUID | None = None
        self.profile: ClientProfile | None = None
        self.shown_timeline: list[TimelineEntry] = []
        self._stale_tabs: set[int] = set()
        self._palette = theme.current()  # what the rich text was last drawn in
        self.complete_buttons: dict[uuid.UUID, QPushButton] = {}

        self.message = named(QLabel("Select a client to see their profile."), "profileEmpty")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.tabs = named(QTabWidget(), "profileTabs")
        self.tabs.setDocumentMode(True)
        # Titles shorten a little in a narrow pane rather than hide behind scroll arrows.
        self.tabs.setUsesScrollButtons(False)
        self.tabs.setElideMode(Qt.TextElideMode.ElideRight)
        self.tabs.tabBar().setExpanding(False)
        self.browsers = {
            n: _browser(ThumbBrowser(media_dir) if n == WISHES else None)
            for n in (OVERVIEW, TIMELINE, PURCHASES, WISHES, APPOINTMENTS, CONSENT)
        }
        self.browsers[TIMELINE].anchorClicked.connect(self._timeline_link)
        for n, title in enumerate(TABS):
            self.tabs.addTab(self._tab_page(n), title)
            if n in self.browsers:
                self.browsers[n].setAccessibleName(f"Profile: {title.lower()}")
        self.tabs.tabBar().setAccessibleName("Profile sections")
        self.tabs.currentChanged.connect(self._render_tab)

        content = QWidget()
        column = _column(content, (0, 0, 0, 0), 0)
        column.addWidget(self._build_header())
        column.addWidget(self.tabs, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.message)
        self.stack.addWidget(content)
        pane = named(QFrame(), "profilePane")
        _column(pane, (1, 1, 1, 1), 0).addWidget(self.stack)
        _column(self, (0, 0, 0, 0), 0).addWidget(pane)
        self._set_actions_enabled(False)

    # --- building --------------------------------------------------------------------------

    def _build_header(self) -> QWidget:
        header = named(QFrame(), "profileHeader")
        column = _column(header, (22, 18, 22, 14), 4)
        self.monogram = Monogram(48)
        identity = QHBoxLayout()
        identity.setSpacing(14)
        identity.addWidget(self.monogram, 0, Qt.AlignmentFlag.AlignTop)
        names = QVBoxLayout()
        names.setSpacing(4)
        identity.addLayout(names, 1)
        column.addLayout(identity)
        self.eyebrow = named(QLabel(), "profileEyebrow")
        self.name = named(QLabel(), "profileName")
        self.name.setWordWrap(True)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.owners = named(QLabel(), "profileMuted")
        self.contact = named(QLabel(), "profileMuted")
        self.contact.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (self.eyebrow, self.name, self.owners):
            names.addWidget(label)
        # Under the monogram, not beside it: an e-mail and a phone need the pane's full width.
        self.contact.setWordWrap(True)
        column.addWidget(self.contact)
        figures = QWidget()
        flow = FlowLayout(figures, spacing=18)  # wraps rather than clip a long amount
        self.figures: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        # Three figures fit a 420 px pane at 1440 px; the purchase count rides in a caption.
        for caption in ("Lifetime spend", "Last purchase", "Last contact"):
            box = QWidget()
            pair = _column(box, (0, 0, 0, 0), 1)
            self.captions[caption] = named(QLabel(caption.upper()), "figureLabel")
            pair.addWidget(self.captions[caption])
            self.figures[caption] = named(QLabel("—"), "figureValue")
            self.figures[caption].setAccessibleName(caption)
            pair.addWidget(self.figures[caption])
            flow.addWidget(box)
        column.addSpacing(8)
        column.addWidget(figures)
        column.addSpacing(8)
        self.badges = named(QLabel(), "profileBadges")
        self.badges.setWordWrap(True)
        self.badges.setTextFormat(Qt.TextFormat.RichText)
        self.badges.setAccessibleName("Consent and tags")
        column.addWidget(self.badges)
        bar = FlowLayout(spacing=6)
        self.actions_by_kind: dict[str, QAction] = {}
        for spec in ACTIONS:
            action = QAction(icon(spec.icon), spec.text, self)
            action.setShortcut(QKeySequence(spec.shortcut))
            # Active wherever focus is in the page that adds it: the list or the profile.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{spec.tip}  ({keys})")
            action.triggered.connect(partial(self._request, spec.kind))
            self.addAction(action)
            self.actions_by_kind[spec.kind] = action
            button = named(QToolButton(), "profileAction")
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setIconSize(BUTTON_SIZE)
            button.setAccessibleName(f"{spec.tip} ({keys})")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            bar.addWidget(button)
        bar_host = QWidget()
        bar_host.setLayout(bar)
        column.addSpacing(8)
        column.addWidget(bar_host)
        return header

    def _tab_page(self, index: int) -> QWidget:
        if index == TIMELINE:
            page = QWidget()
            column = _column(page, (0, 10, 0, 0), 0)
            chips = QHBoxLayout()
            chips.setContentsMargins(18, 0, 18, 0)
            self.kind_boxes: dict[str, QCheckBox] = {}
            for kind in KINDS:
                box = named(QCheckBox(html.KIND_LABELS[kind]), "timelineChip")
                box.setChecked(True)
                box.setAccessibleName(f"Show {html.KIND_LABELS[kind].lower()}")
                box.toggled.connect(self._render_timeline)
                self.kind_boxes[kind] = box
                chips.addWidget(box)
            chips.addStretch(1)
            column.addLayout(chips)
            column.addWidget(self.browsers[TIMELINE], 1)
            return page
        if index == TASKS:
            scroll = named(QScrollArea(), "taskScroll")
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.task_host = named(QWidget(), "taskHost")
            self.task_rows = _column(self.task_host, (18, 14, 18, 14), 0)
            self.task_error = named(QLabel(), "taskError")
            self.task_error.setWordWrap(True)
            self.task_error.hide()
            self.task_rows.addWidget(self.task_error)
            scroll.setWidget(self.task_host)
            return scroll
        return self.browsers[index]

    # --- loading ---------------------------------------------------------------------------

    def load(self, client_id: uuid.UUID) -> None:
        self.client_id = client_id
        self._runner.submit(
            lambda s: s.clients.profile(client_id), self._show, self._failed, channel="profile"
        )

    def reload(self) -> None:
        if self.client_id is not None:
            self.load(self.client_id)

    def _failed(self, error: BaseException) -> None:
        self.profile = None
        self._set_actions_enabled(False)
        self.message.setText(f"This client could not be opened.\n{error}")
        self.stack.setCurrentIndex(0)

    def _show(self, p: ClientProfile) -> None:
        self.profile = p
        self.eyebrow.setText(f"{tier_label(p.tier)} · {p.home_store}".upper())
        self.name.setText(p.display_name)
        self.monogram.set_name(p.display_name)
        owners = " & ".join(o for o in (p.primary_owner, p.secondary_owner) if o)
        self.owners.setText(f"Looked after by {owners}" if owners else "No associate assigned")
        self.contact.setText("   ·   ".join([*p.emails[:1], *p.phones[:1]]))
        self.contact.setVisible(bool(p.emails or p.phones))
        self.figures["Lifetime spend"].setText(p.lifetime_spend.format())
        count = f"{p.purchase_count} purchase{'' if p.purchase_count == 1 else 's'}"
        self.captions["Lifetime spend"].setText(f"LIFETIME SPEND · {count.upper()}")
        self.figures["Last purchase"].setText(day_text(p.last_purchase_at))
        self.figures["Last contact"].setText(day_text(p.last_contact_at))
        self.badges.setText(html.badges_html(p, theme.current()))
        open_tasks = sum(t.status == "open" for t in p.tasks)
        self.tabs.setTabText(TASKS, f"Tasks · {open_tasks}" if open_tasks else "Tasks")
        # Only the tab in view is drawn now; the others when first opened (keeps arrowing
        # down the list smooth on rich profiles).
        self._stale_tabs = set(range(len(TABS)))
        self._render_tab(self.tabs.currentIndex())
        self._set_actions_enabled(True)
        self.stack.setCurrentIndex(1)
        self.loaded.emit(p)

    def _render_tab(self, index: int) -> None:
        p = self.profile
        if p is None or index not in self._stale_tabs:
            return
        self._stale_tabs.discard(index)
        if index == TIMELINE:
            self._render_timeline()
        elif index == TASKS:
            self._render_tasks(p)
        elif index == WISHES:
            browser = self.browsers[WISHES]
            assert isinstance(browser, ThumbBrowser)
            pictures = {str(w.product.id): w.product.image for w in p.wish_list if w.product.image}
            browser.setHtml(html.wish_closet_html(p, browser.set_pictures(pictures)))
        else:
            page = {
                OVERVIEW: lambda: html.overview_html(p, date.today()),
                PURCHASES: lambda: html.purchases_html(p),
                APPOINTMENTS: lambda: html.appointments_html(p, datetime.now(UTC)),
                CONSENT: lambda: html.consent_html(p, theme.current()),
            }[index]()
            self.browsers[index].setHtml(page)

    def _timeline_link(self, url: QUrl) -> None:
        if url.scheme() == "replay":
            with contextlib.suppress(ValueError):  # a link we did not write
                self.replay_requested.emit(uuid.UUID(url.path()))

    def _render_timeline(self) -> None:
        if self.profile is None:
            return
        kinds = frozenset(k for k, box in self.kind_boxes.items() if box.isChecked())
        # timeline() reads "no kinds" as "every kind"; unticking them all means nothing.
        self.shown_timeline = timeline(self.profile, kinds) if kinds else []
        self.browsers[TIMELINE].setHtml(html.timeline_html(self.shown_timeline))

    def _render_tasks(self, p: ClientProfile) -> None:
        while (item := self.task_rows.takeAt(1)) is not None:  # the error line stays first
            if (widget := item.widget()) is not None:
                widget.deleteLater()
        self.task_error.hide()
        self.complete_buttons.clear()
        for task in p.tasks:
            self.task_rows.addWidget(self._task_row(task))
        if not p.tasks:
            self.task_rows.addWidget(named(QLabel("No tasks for this client."), "profileEmpty"))
        self.task_rows.addStretch(1)

    def _task_row(self, task: TaskView) -> QWidget:
        row = named(QFrame(), "taskRow")
        row.setProperty("done", task.status != "open")
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 10, 0, 10)
        text = QVBoxLayout()
        text.setSpacing(2)
        reason = named(QLabel(task.reason), "taskReason")
        reason.setWordWrap(True)
        overdue = task.status == "open" and task.due_on < date.today()
        row.setProperty("overdue", overdue)
        meta = [f"{'Overdue since' if overdue else 'Due'} {day_text(task.due_on)}"]
        meta.append(words(task.source))
        if task.assignee:
            meta.append(task.assignee)
        text.addWidget(reason)
        details = named(QLabel(" · ".join(meta)), "taskMeta")
        details.setWordWrap(True)  # wraps in a narrow pane rather than push Complete off it
        text.addWidget(details)
        line.addLayout(text, 1)
        if task.status == "open":
            button = named(QPushButton(icon("done", "success"), "Complete"), "completeButton")
            button.setAccessibleName(f"Complete task: {task.reason}")
            button.clicked.connect(partial(self._complete, task.id))
            self.complete_buttons[task.id] = button
            line.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        else:
            line.addWidget(named(QLabel(words(task.status)), "taskMeta"))
        return row

    # --- doing -----------------------------------------------------------------------------

    def _complete(self, task_id: uuid.UUID) -> None:
        if (button := self.complete_buttons.get(task_id)) is not None:
            button.setEnabled(False)
        client_id = self.client_id
        # No channel: a write must never be dropped as stale.
        self._runner.submit(
            lambda s: s.activity.complete_task(task_id),
            lambda _none: self._written(client_id),
            partial(self._complete_failed, task_id),
        )

    def _complete_failed(self, task_id: uuid.UUID, error: BaseException) -> None:
        if (button := self.complete_buttons.get(task_id)) is not None:
            button.setEnabled(True)
        self.task_error.setText(f"The task could not be completed: {error}")
        self.task_error.show()

    def _written(self, client_id: uuid.UUID | None) -> None:
        self.changed.emit(client_id)
        if client_id == self.client_id:  # still on screen: show the change
            self.reload()

    def _request(self, kind: str) -> None:
        # Between choosing a client and their profile arriving, the header still shows the
        # previous one: act only on the client on screen.
        if self.profile is not None and self.profile.id == self.client_id:
            self.action_requested.emit(kind, self.client_id)

    def _set_actions_enabled(self, enabled: bool) -> None:
        for action in self.actions_by_kind.values():
            action.setEnabled(enabled)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # A theme switch repolishes every widget; the rich text carries its own colours, so it
        # is drawn again, once, when the palette really changed.
        if (
            event.type() in (QEvent.Type.StyleChange, QEvent.Type.ApplicationPaletteChange)
            and theme.current() is not self._palette
        ):
            self._restyle()

    def _restyle(self) -> None:
        self._palette = theme.current()
        css = html.profile_css(self._palette)
        for browser in self.browsers.values():
            browser.document().setDefaultStyleSheet(css)
        if self.profile is not None:
            self.badges.setText(html.badges_html(self.profile, self._palette))
            self._stale_tabs = set(range(len(TABS)))
            self._render_tab(self.tabs.currentIndex())

    def focus_profile(self) -> None:
        self.tabs.tabBar().setFocus(Qt.FocusReason.OtherFocusReason)
