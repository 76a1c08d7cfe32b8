"""Add to wish list: find a product as you type, pick it, add a size and a note, save.

Thumbnails are decoded on a small thread pool and cached as pixmaps on the GUI thread, so a
scroll through sixty products never waits on the disk; a missing image shows a quiet tile.
"""

from __future__ import annotations

import uuid
import weakref
from pathlib import Path

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QImage, QImageReader, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from app.catalog import CatalogItem
from app.tasks import DbRunner
from app.validation import FieldError
from ui import theme
from ui.dialogs.activity import ClientDialog
from ui.dialogs.base import Operation
from ui.dialogs.fields import grid
from ui.widgets import named

SEARCH_DELAY_MS = 150
THUMB = 56  # on screen; decoded at twice that for high-density displays
ROW_HEIGHT = THUMB + 20
ITEM_ROLE = Qt.ItemDataRole.UserRole
AnyIndex = QModelIndex | QPersistentModelIndex


class _Decode(QRunnable):
    def __init__(self, cache: ThumbnailCache, key: str, path: Path) -> None:
        super().__init__()
        # Weak: the pool frees this runnable on its own thread, which must never be where the
        # cache (a QObject) loses its last reference.
        self._cache, self._key, self._path = weakref.ref(cache), key, path

    def run(self) -> None:  # on a pool thread: QImage only, never a QPixmap or a widget
        reader = QImageReader(str(self._path))
        size = reader.size()
        if size.isValid():
            reader.setScaledSize(
                size.scaled(THUMB * 2, THUMB * 2, Qt.AspectRatioMode.KeepAspectRatio)
            )
        image = reader.read()
        cache = self._cache()
        if cache is not None:
            cache.decoded.emit(self._key, image)


class ThumbnailCache(QObject):
    """Relative image path -> pixmap, loaded on first request; `ready` says when one arrives."""

    ready = Signal(str)
    decoded = Signal(str, QImage)  # emitted on a pool thread, delivered on the GUI thread

    def __init__(self, media_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._media_dir = media_dir
        self._pixmaps: dict[str, QPixmap] = {}
        self._pending: set[str] = set()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self.placeholder = placeholder_tile()
        self.decoded.connect(self._store, Qt.ConnectionType.QueuedConnection)

    def pixmap(self, image: str | None) -> QPixmap:
        if not image:
            return self.placeholder
        cached = self._pixmaps.get(image)
        if cached is not None:
            return cached
        if image not in self._pending:
            self._pending.add(image)
            self._pool.start(_Decode(self, image, self._media_dir / image))
        return self.placeholder

    def shutdown(self) -> None:
        self._pool.clear()
        self._pool.waitForDone()

    def _store(self, key: str, image: QImage) -> None:
        self._pending.discard(key)
        self._pixmaps[key] = self.placeholder if image.isNull() else QPixmap.fromImage(image)
        self.ready.emit(key)


def placeholder_tile() -> QPixmap:
    """A quiet tile in the current theme; the dialog is modal, so the theme holds while open."""
    tile = QPixmap(THUMB * 2, THUMB * 2)
    tile.fill(theme.colour("tile"))
    painter = QPainter(tile)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(theme.colour("tile_mark"))
    painter.drawEllipse(QRectF(THUMB * 0.7, THUMB * 0.7, THUMB * 0.6, THUMB * 0.6))
    painter.end()
    return tile


class CatalogModel(QAbstractListModel):
    def __init__(self, thumbnails: ThumbnailCache) -> None:
        super().__init__()
        self.items: list[CatalogItem] = []
        self._thumbnails = thumbnails
        thumbnails.ready.connect(self._thumbnail_ready)

    def set_items(self, items: list[CatalogItem]) -> None:
        self.beginResetModel()
        self.items = items
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{item.product.brand} {item.product.name}"
        if role == Qt.ItemDataRole.ToolTipRole:
            p = item.product
            return f"{p.brand} — {p.name}\n{p.sku} · {p.colour or p.category}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnails.pixmap(item.product.image)
        if role == ITEM_ROLE:
            return item
        return None

    def _thumbnail_ready(self, image: str) -> None:
        for n, item in enumerate(self.items):
            if item.product.image == image:
                index = self.index(n)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


def stock_text(quantity: int) -> str:
    return f"{quantity} in this store" if quantity > 0 else "Not in this store"


class ProductDelegate(QStyledItemDelegate):
    """Thumbnail, brand over name, price over what this store holds."""

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return QSize(320, ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        item = index.data(ITEM_ROLE)
        if not isinstance(item, CatalogItem):
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        # Only the row's hover and selection background: text and thumbnail are drawn below.
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, opt.widget)

        rect = opt.rect.adjusted(12, 10, -14, -10)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        thumb = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(thumb, QPixmap):
            painter.drawPixmap(QRect(rect.left(), rect.top(), THUMB, THUMB), thumb)
        text_left = rect.left() + THUMB + 16
        price_width = 150
        half = THUMB // 2
        product = item.product
        small = QFont(opt.font)
        small.setPointSizeF(max(opt.font.pointSizeF() - 1.5, 7))
        small.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
        strong = QFont(opt.font)
        strong.setWeight(QFont.Weight.DemiBold)

        text_width = rect.right() - price_width - text_left
        left_top = QRect(text_left, rect.top(), text_width, half)
        left_bottom = QRect(text_left, rect.top() + half, text_width, half)
        right_top = QRect(rect.right() - price_width, rect.top(), price_width, half)
        right_bottom = QRect(rect.right() - price_width, rect.top() + half, price_width, half)
        bottom, top = Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignTop
        right = Qt.AlignmentFlag.AlignRight

        painter.setFont(small)
        painter.setPen(theme.colour("muted"))
        painter.drawText(left_top.adjusted(0, 0, 0, -3), bottom, product.brand.upper())
        painter.setFont(strong)
        painter.setPen(theme.colour("ink"))
        name = painter.fontMetrics().elidedText(
            product.name, Qt.TextElideMode.ElideRight, left_bottom.width()
        )
        painter.drawText(left_bottom.adjusted(0, 2, 0, 0), top, name)
        painter.drawText(right_top.adjusted(0, 0, 0, -3), bottom | right, product.price.format())
        painter.setFont(small)
        painter.setPen(theme.colour("gold_text" if item.in_stock_here > 0 else "muted"))
        painter.drawText(
            right_bottom.adjusted(0, 3, 0, 0), top | right, stock_text(item.in_stock_here)
        )
        painter.restore()


class AddToWishListDialog(ClientDialog):
    """`saved` carries the wish-list item's id."""

    ICON = "wish"

    def __init__(
        self,
        runner: DbRunner,
        client_id: uuid.UUID,
        client_name: str,
        media_dir: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, client_id, client_name, "Add to wish list", parent)
        self.chosen: CatalogItem | None = None
        self._client_sizes: dict[str, str] = {}
        self._auto_size = ""
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self._search_now)

        self.search = named(QLineEdit(), "catalogSearch")
        self.search.setPlaceholderText("Search the catalogue: brand, name, SKU, colour")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Type to search  (↓ moves to the results)")
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.search.installEventFilter(self)
        self.summary = named(QLabel(""), "fieldHint")
        self.thumbnails = ThumbnailCache(media_dir, self)
        self.model = CatalogModel(self.thumbnails)
        self.results = named(QListView(), "catalogResults")
        self.results.setModel(self.model)
        self.results.setItemDelegate(ProductDelegate(self.results))
        self.results.setUniformItemSizes(True)
        self.results.setMinimumHeight(ROW_HEIGHT * 4)
        self.results.setToolTip("Enter or double-click chooses a product")
        self.results.installEventFilter(self)
        self.results.doubleClicked.connect(self._choose)
        self.results.selectionModel().currentChanged.connect(self._current_changed)
        self.chosen_label = named(QLabel("No product chosen yet"), "chosenProduct")
        self.size_edit = QLineEdit()
        self.size_edit.setMaxLength(20)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Gift for an anniversary, wants it engraved…")

        self.body.addWidget(self.field("query", "Find a product", self.search))
        self.body.addWidget(self.summary)
        self.body.addWidget(self.field("product_id", "Results", self.results), 1)
        self.body.addWidget(self.chosen_label)
        self.body.addLayout(
            grid(
                self.field("size", "Size (optional)", self.size_edit),
                self.field("note", "Note (optional)", self.note),
                stretch=(1, 3),
            )
        )
        self.set_tab_order(self.search, self.results, self.size_edit, self.note)
        self.resize(720, 720)
        self.search.setFocus()

        self.load("sizes", lambda s: s.clients.edit_input(client_id).sizes, self._got_sizes)
        self._search_now()

    # --- searching ------------------------------------------------------------------------

    def _search_now(self) -> None:
        self._debounce.stop()
        query = self.search.text().strip()
        self.load("catalog", lambda s: s.catalog.search(query), self._show_results, query)

    def _show_results(self, query: str, items: list[CatalogItem]) -> None:
        self.model.set_items(items)
        if not items:
            self.summary.setText(f"No product matches “{query}”")
        elif query:
            self.summary.setText(f"{len(items)} products match “{query}”")
        else:
            self.summary.setText(f"{len(items)} products, by brand")

    def _got_sizes(self, sizes: dict[str, str]) -> None:
        self._client_sizes = sizes

    # --- choosing -------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key = event.key()
        if watched is self.search and key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # Enter here must not save: it means "take me to what I found".
            self._enter_results()
            return True
        if watched is self.results and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._choose(self.results.currentIndex())
            return True
        if (
            watched is self.results
            and key == Qt.Key.Key_Up
            and self.results.currentIndex().row() <= 0
        ):
            self.search.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return super().eventFilter(watched, event)

    def _enter_results(self) -> None:
        if self.model.rowCount() == 0:
            return
        if not self.results.currentIndex().isValid():
            self.results.setCurrentIndex(self.model.index(0))
        self.results.setFocus(Qt.FocusReason.OtherFocusReason)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # Selecting is choosing: Save right after a click or an arrow key does the right thing.
        if current.isValid():
            self._set_chosen(current.data(ITEM_ROLE))

    def _choose(self, index: QModelIndex) -> None:
        if index.isValid():
            self._set_chosen(index.data(ITEM_ROLE))
            self.size_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _set_chosen(self, item: CatalogItem) -> None:
        self.chosen = item
        p = item.product
        self.chosen_label.setText(f"Chosen: {p.brand} — {p.name} · {p.price.format()}")
        category = item.size_category
        self.size_edit.setEnabled(category is not None)
        self.size_edit.setPlaceholderText(
            f"{category.replace('_', ' ').capitalize()} size" if category else "One size"
        )
        # The size the book holds for this kind of piece is the best first guess, but never
        # over something the associate typed.
        if self.size_edit.text() in ("", self._auto_size):
            self._auto_size = self._client_sizes.get(category, "") if category else ""
            self.size_edit.setText(self._auto_size)

    # --- saving ---------------------------------------------------------------------------

    def operation(self) -> Operation | None:
        if self.chosen is None:
            self.show_errors([FieldError("product_id", "Choose a product first")])
            return None
        client_id, product_id = self.client_id, self.chosen.product.id
        size, note = self.size_edit.text().strip() or None, self.note.text().strip() or None
        return lambda s: s.activity.add_wish(client_id, product_id, size, note)

    def done(self, result: int) -> None:
        self._debounce.stop()
        self.thumbnails.shutdown()
        super().done(result)
