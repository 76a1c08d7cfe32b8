"""The client list: filters, the lazily filled table, and the line saying what is shown."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import partial

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.clients import Actor
from app.context import Services
from app.lists import SortKey
from app.reference import AssociateView, StoreView
from app.tasks import DbRunner
from models.search import SearchFilters
from ui.item_models import (
    COLUMNS,
    EMAIL,
    NAME,
    ClientTableModel,
    Listing,
    column_of,
    filtered,
    load_listing,
    summary_text,
)
from ui.pages.profile_view import FlowLayout
from ui.widgets import named

SEARCH_DELAY_MS = 150
# Matches vitrine.qss: cell padding 10 + 20 (room for the sort arrow on right-aligned columns)
# and the style's text margins; header padding 13 + 20; plus a little air.
CELL_PADDING = 42
HEADER_PADDING = 38
BIRTHDAY_DAYS = 14

TIER_CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("All tiers", ()),
    ("VIP and VVIP", ("vip", "vvip")),
    ("VVIP", ("vvip",)),
    ("VIP", ("vip",)),
    ("Client", ("client",)),
    ("Prospect", ("prospect",)),
)
SILENT_DAYS = (30, 60, 90, 180, 365)
SORT_CHOICES: tuple[tuple[str, SortKey, bool], ...] = (
    ("Best match first", SortKey.RELEVANCE, False),
    ("By name", SortKey.NAME, False),
    ("By lifetime spend", SortKey.LIFETIME_SPEND, True),
    ("By last purchase", SortKey.LAST_PURCHASE, True),
    ("By last contact", SortKey.LAST_CONTACT, True),
)


def _chip(text: str, accessible: str) -> QPushButton:
    chip = named(QPushButton(text), "filterChip")
    chip.setCheckable(True)
    chip.setAccessibleName(accessible)
    chip.setCursor(Qt.CursorShape.PointingHandCursor)
    return chip


def _combo(label: str, items: Sequence[str], widest: int) -> QComboBox:
    combo = named(QComboBox(), "filterCombo")
    combo.setAccessibleName(label)
    combo.addItems(list(items))
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    combo.setMaximumWidth(widest)  # a long name must not push the rest off the bar
    return combo


def _labelled(
    mnemonic: str, label: str, items: Sequence[str], widest: int
) -> tuple[QWidget, QComboBox]:
    """A caption and its combo kept together when the filter bar wraps."""
    combo = _combo(label, items, widest)
    caption = named(QLabel(mnemonic), "filterLabel")
    caption.setBuddy(combo)  # Alt+<letter> reaches the combo
    host = QWidget()
    row = QHBoxLayout(host)
    row.setContentsMargins(0, 0, 6, 0)
    row.setSpacing(6)
    row.addWidget(caption)
    row.addWidget(combo)
    return host, combo


class ClientList(QWidget):
    current_changed = Signal(object)  # uuid.UUID of the highlighted row's client
    activated = Signal(object)  # uuid.UUID: Enter or a double-click
    summary_changed = Signal(str)
    listed = Signal()  # a new list is on screen

    def __init__(self, runner: DbRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._query = ""
        self._quiet = False  # selecting a row ourselves, not the user: do not reopen it
        self._totals: dict[SearchFilters, int] = {}  # counting a million rows is not free
        self._actor: Actor | None = None
        self._associates: list[AssociateView] = []
        self._owner_ids: list[uuid.UUID | None] = [None]
        self._store_ids: list[uuid.UUID | None] = [None]
        self._search_edit: QLineEdit | None = None
        self.summary = ""
        self.listing: Listing | None = None

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.reload)

        self.model = ClientTableModel(runner, self)
        self.model.sort_requested.connect(self._sorted_by_header)
        self.table = self._build_table()

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        column.addWidget(self._build_filters())
        column.addWidget(self.table, 1)

        runner.submit(self._reference, self._fill_reference, channel="client-list-reference")
        self.reload()

    # --- building --------------------------------------------------------------------------

    def _build_filters(self) -> QWidget:
        tier, self.tier = _labelled("&Tier", "Tier filter", [t for t, _ in TIER_CHOICES], 124)
        owner, self.owner = _labelled("&Owner", "Owner filter", ["Anyone"], 140)
        store, self.store = _labelled("&Store", "Home store filter", ["All stores"], 150)
        # Its items say what they are ("By name"), so no caption: the bar stays two rows.
        self.order = _combo("Sort order", [s[0] for s in SORT_CHOICES], 150)
        self.birthday = _chip(f"Birthday within {BIRTHDAY_DAYS} days", "Birthday soon")
        self.silent = _chip("Not contacted for", "Not contacted recently")
        self.silent_days = named(QComboBox(), "filterCombo")
        self.silent_days.addItems([f"{d} days" for d in SILENT_DAYS])
        self.silent_days.setCurrentIndex(SILENT_DAYS.index(90))
        self.silent_days.setAccessibleName("Days without contact")
        silent = QWidget()
        silent_row = QHBoxLayout(silent)
        silent_row.setContentsMargins(0, 0, 0, 0)
        silent_row.setSpacing(4)
        silent_row.addWidget(self.silent)
        silent_row.addWidget(self.silent_days)
        self.wish = _chip("Wish list in stock", "Wish-list item in stock")
        self.wish.setToolTip("A wish-list piece is in stock at the client's home store")
        self.clear_filters = named(QPushButton("Clear filters"), "linkButton")
        self.clear_filters.setAccessibleName("Clear all filters")
        self.clear_filters.setVisible(False)

        for combo in (self.tier, self.owner, self.silent_days):
            combo.currentIndexChanged.connect(self._filters_changed)
        self.store.currentIndexChanged.connect(self._store_changed)
        self.order.currentIndexChanged.connect(self._sort_chosen)
        for chip in (self.birthday, self.silent, self.wish):
            chip.toggled.connect(self._filters_changed)
        self.clear_filters.clicked.connect(self.reset_filters)

        bar = QWidget()
        flow = FlowLayout(bar, spacing=8)
        for widget in (tier, owner, store, self.order, self.birthday, silent, self.wish):
            flow.addWidget(widget)
        flow.addWidget(self.clear_filters)
        return bar

    def _build_table(self) -> QTableView:
        table = named(QTableView(), "clientTable")
        table.setAccessibleName("Clients")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setTabKeyNavigation(False)  # Tab leaves the table for the profile, as people expect
        table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform: no per-row sizing
        rows.setDefaultSectionSize(34)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(60)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(EMAIL, QHeaderView.ResizeMode.Stretch)  # elided, tooltip
        self._fit_columns(table)
        # No indicator until someone sorts: a typed query lists the best matches first.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        table.selectionModel().currentRowChanged.connect(self._row_changed)
        table.activated.connect(self._row_activated)
        return table

    @staticmethod
    def _fit_columns(table: QTableView) -> None:
        """Widths from the fonts in use: dates and amounts whole; E-mail takes the rest."""
        header = table.horizontalHeader()
        table.ensurePolished()
        header.ensurePolished()  # the stylesheet's header font, not the default one
        cell, title = QFontMetrics(table.font()), QFontMetrics(header.font())
        for section, column in enumerate(COLUMNS):
            width = max(
                cell.horizontalAdvance(column.sample) + CELL_PADDING,
                title.horizontalAdvance(column.title) + HEADER_PADDING,
            )
            header.resizeSection(section, width)
            header.setSectionHidden(section, not column.shown)

    # --- reference lists for the filters ---------------------------------------------------

    @staticmethod
    def _reference(services: Services) -> tuple[list[StoreView], list[AssociateView], Actor]:
        return services.reference.stores(), services.reference.associates(), services.clients.actor

    def _fill_reference(self, found: tuple[list[StoreView], list[AssociateView], Actor]) -> None:
        stores, self._associates, self._actor = found
        self.store.blockSignals(True)
        self._store_ids = [None, *(s.id for s in stores)]
        self.store.addItems([s.name for s in stores])
        self.store.blockSignals(False)
        self._fill_owners()

    def _fill_owners(self) -> None:
        """Owners from the chosen store, else the workstation's own colleagues."""
        keep = (
            self._owner_ids[self.owner.currentIndex()] if self.owner.currentIndex() >= 0 else None
        )
        store_id = self.store_filter() or (self._actor.store_id if self._actor else None)
        people = [a for a in self._associates if store_id is None or a.store_id == store_id]
        me = self._actor.associate_id if self._actor else None
        self.owner.blockSignals(True)
        self.owner.clear()
        self._owner_ids = [None]
        self.owner.addItem("Anyone")
        if me is not None:
            self._owner_ids.append(me)
            self.owner.addItem("Mine")
        for person in people:
            if person.id != me:
                self._owner_ids.append(person.id)
                self.owner.addItem(person.display_name)
        self.owner.setCurrentIndex(self._owner_ids.index(keep) if keep in self._owner_ids else 0)
        self.owner.blockSignals(False)

    # --- what is asked ---------------------------------------------------------------------

    def store_filter(self) -> uuid.UUID | None:
        index = self.store.currentIndex()
        return self._store_ids[index] if 0 <= index < len(self._store_ids) else None

    def filters(self) -> SearchFilters:
        owner = self.owner.currentIndex()
        return SearchFilters(
            tiers=TIER_CHOICES[max(self.tier.currentIndex(), 0)][1],
            owner_id=self._owner_ids[owner] if 0 <= owner < len(self._owner_ids) else None,
            store_id=self.store_filter(),
            birthday_within_days=BIRTHDAY_DAYS if self.birthday.isChecked() else None,
            not_contacted_days=(
                SILENT_DAYS[self.silent_days.currentIndex()] if self.silent.isChecked() else None
            ),
            wish_in_stock=self.wish.isChecked(),
        )

    def set_query(self, text: str) -> None:
        """Type-ahead: the list follows once typing pauses."""
        self._query = text.strip()
        self._debounce.start()

    def reset_filters(self) -> None:
        controls = (self.tier, self.owner, self.store, self.birthday, self.silent, self.wish)
        for widget in controls:
            widget.blockSignals(True)  # one reload at the end, not one per control
        self.tier.setCurrentIndex(0)
        self.store.setCurrentIndex(0)
        for chip in (self.birthday, self.silent, self.wish):
            chip.setChecked(False)
        self._fill_owners()
        self.owner.setCurrentIndex(0)
        for widget in controls:
            widget.blockSignals(False)
        self.reload()

    def reload(self) -> None:
        """Ask for the list again now; an older answer still on its way is dropped."""
        self._debounce.stop()
        filters = self.filters()
        self.clear_filters.setVisible(filtered(filters))
        job = partial(
            load_listing,
            self._query,
            filters,
            self.model.sort_key,
            self.model.descending,
            self._totals.get(filters),
        )
        self._runner.submit(job, self._show, self._failed, channel="client-list")

    def refresh(self) -> None:
        """After an edit: counts and rows may have changed."""
        self._totals.clear()
        self.model.forget_rows()
        self.reload()

    def _filters_changed(self) -> None:
        self.reload()

    def _store_changed(self) -> None:
        self._fill_owners()
        self.reload()

    def _sort_chosen(self, index: int) -> None:
        _text, key, descending = SORT_CHOICES[index]
        header = self.table.horizontalHeader()
        column = column_of(key)
        if column is None:  # best match: no column holds relevance
            header.blockSignals(True)
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            header.blockSignals(False)
            self.model.set_sort(key)
            self.reload()
            return
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        header.setSortIndicator(column, order)  # the view asks the model, which asks us

    def _sorted_by_header(self) -> None:
        if (column := column_of(self.model.sort_key)) is not None:
            self.table.horizontalHeader().showSection(column)  # say what the order is by
        index = next(n for n, c in enumerate(SORT_CHOICES) if c[1] is self.model.sort_key)
        self.order.blockSignals(True)
        self.order.setCurrentIndex(index)
        self.order.blockSignals(False)
        self.reload()

    # --- answers ---------------------------------------------------------------------------

    def _show(self, listing: Listing) -> None:
        if listing.total is not None:
            self._totals[listing.filters] = listing.total
        keep = self.current_client_id()
        self.listing = listing
        self.model.set_ids(listing.ids)
        if keep is not None:
            self.select_client(keep, quiet=True)
        self.summary = summary_text(listing)
        self.summary_changed.emit(self.summary)
        self.listed.emit()

    def _failed(self, error: BaseException) -> None:
        self.summary = f"The list could not be read: {error}"
        self.summary_changed.emit(self.summary)

    # --- selection and keys ----------------------------------------------------------------

    def current_client_id(self) -> uuid.UUID | None:
        selection = self.table.selectionModel()
        rows = selection.selectedRows()
        return self.model.client_id(rows[0].row()) if rows else None

    def select_client(self, client_id: uuid.UUID, *, quiet: bool = False) -> bool:
        """Highlight the client's row if listed; `quiet` leaves the profile to the caller."""
        row = self.model.row_of(client_id)
        self._quiet = quiet
        try:
            if row is None:
                self.table.clearSelection()
                return False
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, NAME))
            return True
        finally:
            self._quiet = False

    def focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.current_client_id() is None and self.model.rowCount() > 0:
            self.table.selectRow(0)

    def bind_search(self, edit: QLineEdit) -> None:
        """Down in the shell's search field moves into the list."""
        if self._search_edit is not None:
            self._search_edit.removeEventFilter(self)
        self._search_edit = edit
        edit.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self._search_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
        ):
            self.focus_table()
            return True
        return super().eventFilter(watched, event)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._quiet:
            self.current_changed.emit(self.model.client_id(current.row()))

    def _row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.activated.emit(self.model.client_id(index.row()))

    def _sort_indicator_changed(self, section: int, _order: Qt.SortOrder) -> None:
        if 0 <= section < len(COLUMNS) and COLUMNS[section].sort is None:
            # The model ignored it; put the arrow back where the list really is sorted.
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            column = column_of(self.model.sort_key)
            descending = self.model.descending
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(-1 if column is None else column, order)
            header.blockSignals(False)

    def _column_menu(self, position: QPoint) -> None:
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        for section, column in enumerate(COLUMNS):
            action = QAction(column.title, menu)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(section))
            action.setEnabled(section != NAME)
            action.toggled.connect(lambda shown, s=section: header.setSectionHidden(s, not shown))
            menu.addAction(action)
        menu.exec(header.mapToGlobal(position))
