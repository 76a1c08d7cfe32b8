"""Qt item models over the client book: ordered ids up front, rows fetched on demand.

A list can hold thousands of ids while only a screenful is ever painted, so the model keeps
the ids and a bounded cache of rows. `data()` never waits: a row it has not seen yet reads as
a quiet placeholder while its block is fetched on the database thread (Anki's browser table).
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from app.context import Services
from app.lists import LIST_LIMIT, TEXT_MATCHES, SortKey
from app.tasks import DbRunner
from models.dto import ClientHit
from models.search import SearchFilters, match_stages
from ui import theme
from ui.format import day_text, phone_text, tier_label

log = logging.getLogger(__name__)

AnyIndex = QModelIndex | QPersistentModelIndex
CLIENT_ID_ROLE = Qt.ItemDataRole.UserRole
PLACEHOLDER = "…"
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class Column:
    title: str
    sort: SortKey | None  # None: the service cannot order by it, so the header ignores clicks
    sample: str  # a typical long value: the column is made wide enough for it
    right: bool = False  # figures and dates line up on the right
    newest_first: bool = False  # first click sorts descending: top spenders, latest contact
    shown: bool = True  # the profile and the filters cover the others; the header menu adds them


COLUMNS = (
    Column("Name", SortKey.NAME, "Mohammed Al Mansoori"),
    Column("Tier", None, "Prospect"),
    Column("E-mail", None, "zoe.lefebvre1828@example.fr"),
    Column("Phone", None, "+33 6 12 34 56 78", shown=False),
    Column("Home store", None, "Milano Montenapoleone", shown=False),
    Column("Owner", None, "Camille Laurent", shown=False),
    Column("Last contact", SortKey.LAST_CONTACT, "28 Sep 2026", right=True, newest_first=True),
    Column("Last purchase", SortKey.LAST_PURCHASE, "28 Sep 2026", True, True, shown=False),
    Column("Lifetime spend", SortKey.LIFETIME_SPEND, "CN¥1,378,600.00", True, True),
)
NAME, TIER, EMAIL, PHONE, HOME_STORE, OWNER, LAST_CONTACT, LAST_PURCHASE, SPEND = range(
    len(COLUMNS)
)


def column_of(sort: SortKey) -> int | None:
    return next((n for n, c in enumerate(COLUMNS) if c.sort is sort), None)


@dataclass(frozen=True)
class _Row:
    hit: ClientHit
    cells: tuple[str, ...]  # formatted once: painting asks for each cell many times


def _format(hit: ClientHit) -> _Row:
    return _Row(
        hit,
        (
            hit.display_name,
            tier_label(hit.tier),
            hit.email or "",
            phone_text(hit.phone),
            hit.home_store,
            hit.owner or "",
            day_text(hit.last_contact_at),  # "—" for never: an empty cell looks unloaded
            day_text(hit.last_purchase_at),
            hit.lifetime_spend.format(),
        ),
    )


_ORDER_WORDS = {
    SortKey.NAME: ("by name", "by name, Z to A"),
    SortKey.LIFETIME_SPEND: ("by lifetime spend, lowest first", "by lifetime spend, highest first"),
    SortKey.LAST_PURCHASE: ("by last purchase, oldest first", "by last purchase, latest first"),
    SortKey.LAST_CONTACT: ("by last contact, longest ago first", "by last contact, latest first"),
}


@dataclass(frozen=True)
class Listing:
    """The ids a ClientTableModel shows, with the question that produced them."""

    query: str
    filters: SearchFilters
    sort: SortKey
    descending: bool
    ids: list[bytes]
    total: int | None  # everyone the filters let through, when the list stops at LIST_LIMIT


def load_listing(
    query: str,
    filters: SearchFilters,
    sort: SortKey,
    descending: bool,
    known_total: int | None,
    services: Services,
) -> Listing:
    ids = services.lists.ids(query, filters, sort, descending)
    total = known_total
    if total is None and len(ids) >= LIST_LIMIT:  # text matches stop well before the cap
        total = services.lists.count(filters)
    return Listing(query, filters, sort, descending, ids, total)


def filtered(filters: SearchFilters) -> bool:
    return filters != SearchFilters()


def summary_text(listing: Listing) -> str:
    n = len(listing.ids)
    key = SortKey.NAME if listing.sort is SortKey.RELEVANCE else listing.sort
    order = _ORDER_WORDS[key][listing.descending]
    where = " within the filters" if filtered(listing.filters) else ""
    if match_stages(listing.query):
        quoted = f"“{listing.query}”"
        if n == 0:
            return f"No client matches {quoted}{where}"
        if n >= TEXT_MATCHES:
            head = f"best {n:,} matches for {quoted}{where}"
        else:
            head = f"{n:,} {'client matches' if n == 1 else 'clients match'} {quoted}{where}"
        return head if listing.sort is SortKey.RELEVANCE else f"{head}, {order}"
    if n == 0:
        return "No client matches the filters" if where else "No clients in this book yet"
    noun = "client" if n == 1 else "clients"
    if listing.total is not None and listing.total > n:
        noun = "client" if listing.total == 1 else "clients"
        return f"first {n:,} of {listing.total:,} {noun}{where}, {order}"
    return f"{n:,} {noun}{where}, {order}"


def _fetch_rows(ids: tuple[bytes, ...], services: Services) -> list[ClientHit]:
    return services.lists.rows(ids)


class ClientTableModel(QAbstractTableModel):
    """Rows of an ordered id list; sorting is the service's job, asked for via `sort_requested`."""

    sort_requested = Signal()
    rows_arrived = Signal()

    BLOCK = 100  # rows fetched together: a screenful and the next one, in one indexed query
    CACHE_LIMIT = 20_000
    # A newer fetch on the channel drops an older one still queued, so the newer one carries
    # the older one's ids along, up to this many.
    CARRY_LIMIT = 1_000

    def __init__(self, runner: DbRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._channel = f"client-rows-{id(self):x}"
        self._ids: list[bytes] = []
        self._row_of: dict[bytes, int] = {}
        self._cache: OrderedDict[bytes, _Row] = OrderedDict()
        self._gone: set[bytes] = set()  # asked for, but no longer in the book
        self._wanted: set[int] = set()
        self._in_flight: dict[bytes, None] = {}  # a dict keeps the order they were asked in
        self.sort_key = SortKey.RELEVANCE
        self.descending = False
        self._fetch_timer = QTimer(self)
        self._fetch_timer.setSingleShot(True)
        self._fetch_timer.setInterval(0)  # after this paint: every row it asked for, at once
        self._fetch_timer.timeout.connect(self._fetch)

    # --- the list --------------------------------------------------------------------------

    def set_ids(self, ids: Sequence[bytes]) -> None:
        """Show a new list. Cached rows stay: refining a query mostly shows the same people."""
        self.beginResetModel()
        self._ids = list(ids)
        self._row_of = {cid: n for n, cid in enumerate(self._ids)}
        self._wanted.clear()
        self._in_flight.clear()
        self._runner.cancel(self._channel)
        self.endResetModel()

    def forget_rows(self) -> None:
        """Drop every cached row (after an edit): the visible ones are fetched again."""
        self._cache.clear()
        self._gone.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, SPEND))

    def client_id(self, row: int) -> uuid.UUID:
        return uuid.UUID(bytes=self._ids[row])

    def row_of(self, client_id: uuid.UUID) -> int | None:
        return self._row_of.get(client_id.bytes)

    def hit(self, row: int) -> ClientHit | None:
        """The row's client if it has arrived; never fetches."""
        entry = self._cache.get(self._ids[row])
        return entry.hit if entry else None

    # --- Qt's side -------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        cid = self._ids[row]
        if role == CLIENT_ID_ROLE:
            return uuid.UUID(bytes=cid)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if COLUMNS[column].right else _LEFT
        entry = self._cache.get(cid)
        if entry is None:
            return self._pending(row, column, cid, role)
        text = entry.cells[column]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == NAME:
                self._cache.move_to_end(cid)  # once per painted row: recently seen stays
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            # Long e-mails and names are elided in their column; the tip shows them whole.
            return text or None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{COLUMNS[column].title}: {text or 'none'}"
        if role == Qt.ItemDataRole.ForegroundRole:
            # The current theme's, asked at paint time, so a switch shows on the next repaint.
            if column == TIER and entry.hit.tier in ("vip", "vvip"):
                return theme.colour("gold_text")
            if text == "—":
                return theme.colour("faint")
        return None

    def _pending(self, row: int, column: int, cid: bytes, role: int) -> object:
        gone = cid in self._gone
        if role == Qt.ItemDataRole.DisplayRole:
            if not gone:
                self._want(row)
            if column != NAME:
                return ""
            return "No longer in the book" if gone else PLACEHOLDER
        if role == Qt.ItemDataRole.ForegroundRole:
            return theme.colour("faint")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return "Removed client" if gone else "Loading"
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        column = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column.right else _LEFT
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Sort by {column.title.lower()}" if column.sort else None
        if role == Qt.ItemDataRole.InitialSortOrderRole:
            return (
                Qt.SortOrder.DescendingOrder if column.newest_first else Qt.SortOrder.AscendingOrder
            )
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS) or COLUMNS[column].sort is None:
            return
        key = COLUMNS[column].sort
        assert key is not None
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self.sort_key, self.descending):
            return
        self.sort_key, self.descending = key, descending
        self.sort_requested.emit()

    def set_sort(self, key: SortKey, descending: bool = False) -> None:
        """Change the order without asking for a reload (the caller is about to reload)."""
        self.sort_key, self.descending = key, descending

    # --- fetching --------------------------------------------------------------------------

    def _want(self, row: int) -> None:
        self._wanted.add(row)
        if not self._fetch_timer.isActive():
            self._fetch_timer.start()

    def _fetch(self) -> None:
        blocks = sorted({row // self.BLOCK for row in self._wanted})
        self._wanted.clear()
        fresh: list[bytes] = []
        for block in blocks:
            for cid in self._ids[block * self.BLOCK : (block + 1) * self.BLOCK]:
                if cid not in self._cache and cid not in self._in_flight and cid not in self._gone:
                    fresh.append(cid)
        if not fresh:
            return
        carried = list(self._in_flight)[-self.CARRY_LIMIT :]
        request = tuple(dict.fromkeys(fresh + carried))
        self._in_flight = dict.fromkeys(request)
        self._runner.submit(
            partial(_fetch_rows, request),
            partial(self._arrived, request),
            self._fetch_failed,
            channel=self._channel,
        )

    def _arrived(self, asked: tuple[bytes, ...], hits: list[ClientHit]) -> None:
        self._in_flight.clear()
        for hit in hits:
            self._cache[hit.id.bytes] = _format(hit)
            self._cache.move_to_end(hit.id.bytes)
        self._gone.update(set(asked) - {h.id.bytes for h in hits})
        while len(self._cache) > self.CACHE_LIMIT:
            self._cache.popitem(last=False)
        rows = sorted(self._row_of[cid] for cid in asked if cid in self._row_of)
        for first, last in _runs(rows):
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.rows_arrived.emit()

    def _fetch_failed(self, error: BaseException) -> None:
        # No retry here: the next paint asks again, so a broken book does not spin the thread.
        self._in_flight.clear()
        log.warning("client rows could not be read: %s", error)


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) stretches, one dataChanged each."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs
