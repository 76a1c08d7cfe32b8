"""The shell: navigation, the page stack, global search, menus and status. Pages own the rest."""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.camera_link import CameraLink
from app.context import AppContext, Services
from app.studio import StudioService
from app.studio_demo import start_demo_camera
from app.studio_session import StudioRecorder, showroom_products
from app.sync import SyncController
from app.tasks import DbRunner
from camera.presets import PresetBook
from camera.replay import RecordingInfo, ReplayError
from camera.replay import info as replay_info
from camera.video import ShowroomProduct, VideoSource, open_source
from ui.actions import ActionRouter
from ui.dialogs.replay import ReplayDialog
from ui.icons import NAV_SIZE, icon
from ui.pages.clients import ClientsPage
from ui.pages.studio import StudioPage
from ui.pages.sync import SyncPage
from ui.pages.today import TodayPage
from ui.sync_indicator import SyncIndicator
from ui.theme import add_theme_menu
from ui.widgets import named, shortcut_text

TODAY, CLIENTS, STUDIO, SYNC = range(4)
PAGE_ICONS = ("today", "clients", "studio", "sync")


class MainWindow(QMainWindow):
    def __init__(
        self,
        ctx: AppContext,
        runner: DbRunner,
        settings: QSettings,
        parent: QWidget | None = None,
        sync: SyncController | None = None,
        cameras: list[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Vitrine")
        self.setMinimumSize(1024, 640)
        self._settings = settings

        # Sync runs on its own thread; without one handed in, the book's own server and keyring.
        self.sync = sync if sync is not None else SyncController(ctx.db, parent=self)
        self.today_page = TodayPage(runner)
        self.sync_page = SyncPage(self.sync)
        self.clients_page = ClientsPage(ctx, runner)
        # The studio's camera: the workstation's cameras, or a simulated one (the embedded
        # default) so the page works with no camera plugged in.
        self._demo_camera = None
        self._closing = False
        self.ctx = ctx
        self._media_dir = ctx.db.media_dir
        if not cameras:
            self._demo_camera = start_demo_camera()
            cameras = [self._demo_camera.url]
        self.camera = CameraLink(PresetBook(ctx.db.media_dir / "camera" / "presets.json"), self)
        self.recorder = StudioRecorder(runner, ctx.actor, ctx.db.media_dir, self)
        self.studio_page = StudioPage(self.camera, cameras, self.recorder)
        self.camera.open(cameras[0])
        self.video: VideoSource | None = None
        if self._demo_camera is not None:
            self._start_showroom(runner, ctx.db.media_dir)
        self.recorder.recover_unfinished()
        self.recorder.delete_orphans()
        pages: list[tuple[str, QWidget]] = [
            ("Today", self.today_page),
            ("Clients", self.clients_page),
            ("Studio", self.studio_page),
            ("Sync", self.sync_page),
        ]
        self.stack = QStackedWidget()
        self.nav = named(QListWidget(), "nav")
        # Ctrl+1 to Ctrl+4 and the View menu reach every page; Tab goes straight to the work.
        self.nav.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.nav.setAccessibleName("Pages")
        self.nav.setIconSize(NAV_SIZE)
        for index, (title, page) in enumerate(pages):
            item = QListWidgetItem(icon(PAGE_ICONS[index], "ink_soft", "gold_text"), title)
            item.setToolTip(f"{title}  ({shortcut_text(f'Ctrl+{index + 1}')})")
            self.nav.addItem(item)
            self.stack.addWidget(page)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)

        self.search = named(QLineEdit(), "globalSearch")
        self.search.setPlaceholderText(
            f"Search clients by name, e-mail, phone, tag or note      {shortcut_text('Ctrl+K')}"
        )
        self.search.setAccessibleName("Search clients")
        self.search.setToolTip(f"Search the book  ({shortcut_text('Ctrl+K')}; ↓ moves to the list)")
        self.search.addAction(icon("search", "muted"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search_changed)
        self.search.returnPressed.connect(self.clients_page.focus_results)

        self.setCentralWidget(self._layout())
        self._build_menus()
        self._build_status_bar(ctx, runner)

        self.clients_page.bind_search(self.search)
        self.today_page.open_client.connect(self.open_client)
        self.actions_router = ActionRouter(
            runner, ctx.db.media_dir, self, self._client_name, self.open_client
        )
        self.clients_page.action_requested.connect(self.actions_router.request)
        self.studio_page.action_requested.connect(self.actions_router.request)
        self.clients_page.profile_view.loaded.connect(self.studio_page.set_client)
        self.clients_page.profile_view.replay_requested.connect(self.open_replay)
        self.replay: ReplayDialog | None = None
        # Whoever changed the book (a dialog here, or a sync bringing others' edits), the
        # views showing clients reload.
        for listener in (self.clients_page.refresh, self.today_page.refresh, self._count_clients):
            self.actions_router.on_change(listener)
            self.sync.data_changed.connect(listener)
        # A stored session shows in the client's timeline at once.
        self.recorder.finished.connect(lambda _result: self.clients_page.refresh())
        self.actions_router.on_change(self.sync.refresh_status)  # an edit joins the outbox
        runner.failed.connect(self._operation_failed)
        self._restore()

    def _layout(self) -> QWidget:
        sidebar = named(QFrame(), "sidebar")
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(0)
        brand = named(QLabel("VITRINE"), "brand")
        spaced = brand.font()
        spaced.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 135)  # a wordmark, not a word
        brand.setFont(spaced)
        side.addWidget(brand)
        side.addWidget(self.nav, 1)

        top = named(QFrame(), "topBar")
        top_row = QHBoxLayout(top)
        top_row.setContentsMargins(28, 14, 28, 14)
        top_row.addWidget(self.search)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(top)
        column.addWidget(self.stack, 1)

        root = QWidget()
        row = QHBoxLayout(root)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(sidebar)
        row.addWidget(content, 1)
        return root

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.new_client_action = QAction(icon("new-client"), "&New client…", self)
        self.new_client_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.new_client_action.setToolTip(
            f"Add a client to the book  ({shortcut_text('Ctrl+Shift+N')})"
        )
        self.new_client_action.triggered.connect(lambda: self.actions_router.request("new", None))
        file_menu.addAction(self.new_client_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        if quit_action.shortcut().isEmpty():  # not every platform defines a standard Quit key
            quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu("&View")
        for index in (TODAY, CLIENTS, STUDIO, SYNC):
            title = self.nav.item(index).text()
            action = QAction(icon(PAGE_ICONS[index]), f"&{title}", self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _=False, i=index: self.show_page(i))
            view_menu.addAction(action)
        view_menu.addSeparator()
        self.find_action = QAction(icon("search"), "&Find a client…", self)
        self.find_action.setShortcut(QKeySequence("Ctrl+K"))
        self.find_action.triggered.connect(self.focus_search)
        view_menu.addAction(self.find_action)
        view_menu.addSeparator()
        self.theme = add_theme_menu(view_menu, self._settings)  # applies the stored choice now

    def _build_status_bar(self, ctx: AppContext, runner: DbRunner) -> None:
        status = self.statusBar()
        status.setSizeGripEnabled(False)
        self.client_count = named(QLabel(""), "clientCount")
        status.addPermanentWidget(self.client_count)
        self._runner = runner
        self._count_clients()
        # The file name is enough at a glance; the folder is one hover away.
        book = named(QLabel(ctx.db.path.name), "bookPath")
        book.setToolTip(f"The client book on this workstation:\n{ctx.db.path}")
        status.addPermanentWidget(book)
        self.sync_state = SyncIndicator()
        self.sync_state.clicked.connect(lambda: self.show_page(SYNC))
        self.sync.state_changed.connect(self.sync_state.show_state)
        self.sync_state.show_state(self.sync.state)
        status.addPermanentWidget(self.sync_state)
        self.sync.start()

    def _count_clients(self) -> None:
        self._runner.submit(
            lambda s: s.clients.count(),
            lambda n: self.client_count.setText(f"{n:,} client{'' if n == 1 else 's'}"),
            channel="client-count",
        )

    def _client_name(self, client_id: uuid.UUID) -> str:
        profile = self.clients_page.profile
        return profile.display_name if profile is not None and profile.id == client_id else ""

    def show_page(self, index: int) -> None:
        self.nav.setCurrentRow(index)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _start_showroom(self, runner: DbRunner, media_dir: Path) -> None:
        """The demo's picture: the catalog's products on a virtual set, filmed by the
        simulated camera. The products come from the book, off the GUI thread."""
        sim = self._demo_camera
        assert sim is not None

        def products(services: Services) -> list[ShowroomProduct]:
            return showroom_products(services, media_dir)

        def start(found: list[ShowroomProduct]) -> None:
            if self._closing:
                return
            source = open_source("synthetic", ptz_state=sim.state, products=found)
            source.start()
            self.video = source
            self.recorder.set_source(source)
            self.studio_page.preview.set_source(source.latest, source.fps or 30)
            self.studio_page.set_products([(p.sku, p.name) for p in found])

        runner.submit(products, start)

    def open_replay(self, session_id: uuid.UUID) -> None:
        """The replay of a recorded session; its file is looked up off the GUI thread."""
        media_dir = self._media_dir

        def find(services: Services) -> tuple[Path, str, RecordingInfo | str]:
            view = StudioService(services.session, services.clients.actor).get(session_id)
            when = view.started_at.astimezone().strftime("%d %b %Y %H:%M")
            path = media_dir / view.video_path
            try:  # the file's facts are read here too, off the GUI thread
                facts: RecordingInfo | str = replay_info(path)
            except (ReplayError, OSError) as exc:
                facts = str(exc)
            return path, f"{view.client_name}, {when}", facts

        def show(found: tuple[Path, str, RecordingInfo | str]) -> None:
            path, title, facts = found
            if isinstance(facts, str):
                if not path.exists():
                    facts = f"the recording {path.name} is not on this workstation"
                self.statusBar().showMessage(f"This recording cannot be played: {facts}", 8000)
                return
            dialog = ReplayDialog(path, title, facts, self)
            self.replay = dialog
            dialog.finished.connect(lambda _code: dialog.deleteLater())
            dialog.open()

        self._runner.submit(find, show)

    def open_client(self, client_id: uuid.UUID) -> None:
        self.show_page(CLIENTS)
        self.clients_page.show_client(client_id)

    def _search_changed(self, text: str) -> None:
        self.show_page(CLIENTS)
        self.clients_page.set_query(text)

    def _operation_failed(self, message: str) -> None:
        self.statusBar().showMessage(f"Something went wrong: {message}", 10_000)

    def _restore(self) -> None:
        geometry = self._settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1360, 840)
        state = self._settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        page = self._settings.value("window/page", TODAY, type=int)
        if not isinstance(page, int) or not 0 <= page < self.stack.count():
            page = TODAY
        self.show_page(page)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closing = True
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/state", self.saveState())
        self._settings.setValue("window/page", self.nav.currentRow())
        self.sync.shutdown()  # a running sync stops at its next safe point
        self.recorder.shutdown()  # a recording in progress is finished, not cut
        self.camera.shutdown()  # a moving camera is stopped first
        if self.video is not None:
            self.video.stop()
        if self._demo_camera is not None:
            self._demo_camera.stop()
        super().closeEvent(event)
