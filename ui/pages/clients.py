"""Clients: the filtered list of the book, and the selected client's profile beside it."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.tasks import DbRunner
from models.dto import ClientProfile
from ui.item_models import ClientTableModel
from ui.pages.client_list import ClientList
from ui.pages.profile_view import ProfileView
from ui.widgets import named

PROFILE_MIN_WIDTH = 420
PROFILE_WIDTH = 450  # what the profile gets at first; the list takes the rest


class ClientsPage(QWidget):
    """Owns no search field: the shell's global search feeds it through `search`."""

    action_requested = Signal(str, object)  # kind ("note", "edit", …), uuid.UUID of the client

    def __init__(
        self,
        ctx: AppContext | DbRunner,
        runner: DbRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("clientsPage")
        # The shell once passed only the runner; without the context there are no pictures.
        if isinstance(ctx, DbRunner):
            runner, media_dir = ctx, None
        else:
            media_dir = ctx.db.media_dir
        if runner is None:
            raise TypeError("ClientsPage needs the database runner")
        self._sized = False
        self._search_bound = False

        self.list = ClientList(runner)
        self.profile_view = ProfileView(runner, media_dir)
        self.profile_view.setMinimumWidth(PROFILE_MIN_WIDTH)
        self.addActions(list(self.profile_view.actions_by_kind.values()))

        self.heading = named(QLabel("Clients"), "pageTitle")
        self.summary = named(QLabel(""), "pageSubtitle")
        self.summary.setAccessibleName("What the list shows")
        title_row = QHBoxLayout()
        title_row.addWidget(self.heading)
        title_row.addStretch(1)
        title_row.addWidget(self.summary, 0, Qt.AlignmentFlag.AlignBottom)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.profile_view)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)  # a wider window widens the list, not the profile
        self.splitter.setChildrenCollapsible(False)

        column = QVBoxLayout(self)
        column.setContentsMargins(24, 18, 24, 20)
        column.setSpacing(14)
        column.addLayout(title_row)
        column.addWidget(self.splitter, 1)

        self.list.summary_changed.connect(self.summary.setText)
        self.list.current_changed.connect(self.profile_view.load)
        self.list.activated.connect(self._open_from_list)
        self.profile_view.action_requested.connect(self.action_requested)
        self.profile_view.changed.connect(lambda _id: self.list.refresh())

    # --- what the shell calls --------------------------------------------------------------

    def search(self, text: str) -> None:
        self.list.set_query(text)

    set_query = search

    def open_client(self, client_id: uuid.UUID) -> None:
        """Show this client's profile, highlighting their row if the list has them."""
        self.list.select_client(client_id, quiet=True)
        self.profile_view.load(client_id)

    show_client = open_client

    def focus_results(self) -> None:
        self.list.focus_table()

    def bind_search(self, edit: QLineEdit) -> None:
        """Down in the shell's search field moves into the list."""
        self._search_bound = True
        self.list.bind_search(edit)

    def current_client_id(self) -> uuid.UUID | None:
        """The client the actions apply to: the one whose profile is open."""
        return self.profile_view.client_id

    def refresh(self) -> None:
        """After a dialog wrote something: the list's figures and the profile may differ."""
        self.list.refresh()
        self.profile_view.reload()

    # --- for the shell's tests and benchmarks ----------------------------------------------

    @property
    def table(self) -> QTableView:
        return self.list.table

    @property
    def model(self) -> ClientTableModel:
        return self.list.model

    @property
    def profile(self) -> ClientProfile | None:
        return self.profile_view.profile

    # --- inside ----------------------------------------------------------------------------

    def _open_from_list(self, client_id: uuid.UUID) -> None:
        if self.profile_view.client_id != client_id:
            self.profile_view.load(client_id)
        self.profile_view.focus_profile()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._sized:
            # Sizes only mean something once the page has its real width.
            self._sized = True
            total = sum(self.splitter.sizes())
            self.splitter.setSizes([max(total - PROFILE_WIDTH, 0), PROFILE_WIDTH])
        if not self._search_bound:
            # Until the shell calls bind_search, find its search field by the name it styles.
            edit = self.window().findChild(QLineEdit, "globalSearch")
            if edit is not None:
                self.bind_search(edit)
