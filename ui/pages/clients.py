"""Clients: type-ahead search over the book, and the selected client's profile beside it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from html import escape

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.context import Services
from app.tasks import DbRunner
from models.dto import ClientHit, ClientProfile
from ui.format import day_text, phone_text, tier_label
from ui.pages.profile_html import PROFILE_CSS, profile_html
from ui.widgets import named

SEARCH_DELAY_MS = 150
RESULT_LIMIT = 100
AnyIndex = QModelIndex | QPersistentModelIndex

EMPTY_PROFILE = (
    '<p style="color: #857d72; margin-top: 40px" align="center">'
    "Select a client to see their profile.</p>"
)


class ClientHitsModel(QAbstractTableModel):
    """The current result list; cells are formatted once, so painting never waits on anything."""

    COLUMNS = (
        "Name",
        "Tier",
        "E-mail",
        "Phone",
        "Home store",
        "Owner",
        "Last contact",
        "Lifetime spend",
    )
    SPEND = COLUMNS.index("Lifetime spend")

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[ClientHit] = []
        self._cells: list[tuple[str, ...]] = []

    def set_hits(self, hits: list[ClientHit]) -> None:
        self.beginResetModel()
        self.hits = hits
        self._cells = [
            (
                h.display_name,
                tier_label(h.tier),
                h.email or "",
                phone_text(h.phone),
                h.home_store,
                h.owner or "",
                day_text(h.last_contact_at) if h.last_contact_at else "",
                h.lifetime_spend.format(),
            )
            for h in hits
        ]
        self.endResetModel()

    def row_of(self, client_id: uuid.UUID) -> int | None:
        return next((n for n, h in enumerate(self.hits) if h.id == client_id), None)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cells)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.UserRole:
            return self.hits[index.row()].id
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight
                if index.column() == self.SPEND
                else Qt.AlignmentFlag.AlignLeft
            )
            return horizontal | Qt.AlignmentFlag.AlignVCenter
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if section == self.SPEND else Qt.AlignmentFlag.AlignLeft
            )
            return horizontal | Qt.AlignmentFlag.AlignVCenter
        return None


def search_clients(query: str, services: Services) -> list[ClientHit]:
    return services.clients.search(query, limit=RESULT_LIMIT)


def load_profile(client_id: uuid.UUID, services: Services) -> ClientProfile:
    return services.clients.profile(client_id)


class ClientsPage(QWidget):
    """Owns no search field: the shell's global search feeds it through `set_query`."""

    def __init__(self, runner: DbRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clientsPage")
        self._runner = runner
        self.query = ""
        self.profile: ClientProfile | None = None
        self._reselecting = False

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self._search_now)

        self.model = ClientHitsModel()
        self.table = named(QTableView(), "clientTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(36)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for section, width in enumerate((170, 84, 236, 156, 170, 130, 104, 120)):
            header.resizeSection(section, width)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        self.profile_view = named(QTextBrowser(), "profileView")
        self.profile_view.setOpenLinks(False)
        self.profile_view.document().setDefaultStyleSheet(PROFILE_CSS)
        self.profile_view.document().setDocumentMargin(28)
        self.profile_view.setHtml(EMPTY_PROFILE)

        self.heading = named(QLabel("Clients"), "pageTitle")
        self.summary = named(QLabel(""), "pageSubtitle")
        title_row = QHBoxLayout()
        title_row.addWidget(self.heading)
        title_row.addStretch(1)
        title_row.addWidget(self.summary, 0, Qt.AlignmentFlag.AlignBottom)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.profile_view)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 3)
        self.profile_view.setMinimumWidth(380)
        self.splitter.setChildrenCollapsible(False)

        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 28)
        column.setSpacing(16)
        column.addLayout(title_row)
        column.addWidget(self.splitter, 1)

        self._search_now()  # an empty query lists the book A-Z

    def set_query(self, text: str) -> None:
        self.query = text.strip()
        self._debounce.start()

    def show_client(self, client_id: uuid.UUID) -> None:
        row = self.model.row_of(client_id)
        if row is not None:
            self.table.selectRow(row)  # loading follows from the selection change
        else:
            self.table.clearSelection()
            self._load_profile(client_id)

    def focus_results(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.selectionModel().hasSelection() and self.model.rowCount() > 0:
            self.table.selectRow(0)

    def _search_now(self) -> None:
        self._debounce.stop()
        query = self.query
        done: Callable[[list[ClientHit]], None] = partial(self._show_hits, query)
        self._runner.submit(partial(search_clients, query), done, channel="clients.search")

    def _show_hits(self, query: str, hits: list[ClientHit]) -> None:
        self.model.set_hits(hits)
        shown = f"first {len(hits)}" if len(hits) >= RESULT_LIMIT else str(len(hits))
        if not query:
            self.summary.setText(f"{shown} clients, by name")
        elif hits:
            plural = "client matches" if len(hits) == 1 else "clients match"
            self.summary.setText(f"{shown} {plural} “{query}”")
        else:
            self.summary.setText(f"No client matches “{query}”")
        if self.profile is not None and (row := self.model.row_of(self.profile.id)) is not None:
            # Keep the open profile's row highlighted without reloading it.
            self._reselecting = True
            self.table.selectRow(row)
            self._reselecting = False

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._reselecting:
            self._load_profile(self.model.hits[current.row()].id)

    def _load_profile(self, client_id: uuid.UUID) -> None:
        self._runner.submit(
            partial(load_profile, client_id),
            self._show_profile,
            self._profile_failed,
            channel="clients.profile",
        )

    def _show_profile(self, profile: ClientProfile) -> None:
        self.profile = profile
        self.profile_view.setHtml(profile_html(profile))

    def _profile_failed(self, error: BaseException) -> None:
        self.profile = None
        self.profile_view.setHtml(
            f'<p style="color: #8a4b3c">This client could not be opened: {escape(str(error))}</p>'
        )
