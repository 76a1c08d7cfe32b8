"""The Sync page and the status bar, on a real enrolled book against an in-process server."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.context import open_context
from app.sync import SyncController, SyncMode
from app.tasks import DbRunner
from tests.app.test_sync_controller import Gate
from tests.sync.harness import ServerWorld, Workstation
from ui.main_window import SYNC, MainWindow
from ui.pages.sync import SyncPage, SyncTable

TIMEOUT_MS = 15_000


@pytest.fixture
def world(tmp_path: Path) -> Iterator[ServerWorld]:
    w = ServerWorld(f"sqlite:///{tmp_path / 'server.db'}")
    w.server.add_store("PAR1", "Paris", country="FR", timezone="Europe/Paris")
    w.server.add_store("LON1", "London", country="GB", timezone="Europe/London", currency="GBP")
    yield w
    w.close()


@pytest.fixture
def stations(world: ServerWorld, tmp_path: Path) -> Iterator[tuple[Workstation, Workstation]]:
    a = Workstation("A", tmp_path / "a.db", world)
    b = Workstation("B", tmp_path / "b.db", world)
    for ws in (a, b):
        ws.open()
        ws.enroll("PAR1")
        ws.sync()
    yield a, b
    for ws in (a, b):
        ws.close()


OpenWindow = Callable[..., MainWindow]


@pytest.fixture
def open_window(qtbot: QtBot, world: ServerWorld, tmp_path: Path) -> Iterator[OpenWindow]:
    """B's book in the real window, syncing through `transport` (the server by default)."""
    opened: list[tuple[MainWindow, DbRunner, Any]] = []

    def make(ws: Workstation, transport: Any = None) -> MainWindow:
        ws.close()  # the window opens the book the way the app does
        ctx = open_context(ws.path)
        runner = DbRunner(ctx)
        link = transport if transport is not None else world.transport()
        controller = SyncController(ctx.db, lambda _url: link, ws.tokens)
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(ctx, runner, settings, sync=controller)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        opened.append((window, runner, ctx))
        return window

    yield make
    for window, runner, ctx in opened:
        runner.shutdown()
        window.close()
        ctx.db.close()


def cells(table: SyncTable, row: int) -> list[str]:
    return [table.item(row, c).text() for c in range(table.columnCount())]


def click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isEnabled(), f"{button.text()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_sync_page_shows_a_conflict_and_a_rejection_and_keep_mine_wins_it_back(
    qtbot: QtBot, stations: tuple[Workstation, Workstation], open_window: OpenWindow
) -> None:
    a, b = stations
    zoe = a.create_client("Zoé", "Martin", city="Paris")
    a.sync()
    b.sync()
    b.edit_client(zoe, city="Nice")
    time.sleep(0.01)
    a.edit_client(zoe, city="Lyon")  # the later edit wins
    a.create_client("Inès", "Roux")
    a.create_client("Marc", "Petit")
    a.sync()
    london = uuid.UUID(bytes=b.scalar("SELECT id FROM stores WHERE code = 'LON1'"))
    b.create_client("Hugo", "Laurent", home_store_id=london)  # refused: not B's store

    window = open_window(b)
    window.show_page(SYNC)
    page = window.sync_page
    assert isinstance(page, SyncPage) and window.stack.currentWidget() is page
    qtbot.waitUntil(lambda: window.client_count.text() == "2 clients", timeout=TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: window.sync_state.text() == "Synced just now · 2 edits waiting", timeout=TIMEOUT_MS
    )
    assert page.figures["Pending edits"].text() == "2"

    with qtbot.waitSignal(window.sync.finished, timeout=TIMEOUT_MS):
        click(qtbot, page.sync_button)
    qtbot.waitUntil(lambda: page.conflicts.table.rowCount() == 1, timeout=TIMEOUT_MS)
    assert cells(page.conflicts.table, 0)[:4] == ["Zoé Martin", "City", "Nice", "Lyon"]
    assert cells(page.conflicts.table, 0)[4].startswith("A")
    assert page.rejected.table.rowCount() == 1
    assert cells(page.rejected.table, 0)[:3] == [
        "Hugo Laurent",
        "New client",
        "A workstation creates clients for its own store only",
    ]
    assert page.figures["Conflicts"].text() == "1" and page.figures["Rejected"].text() == "1"
    assert window.sync_state.text() == "Synced just now · 1 conflict"
    # A's two new clients arrived, the refused one left: the list and the count were told.
    qtbot.waitUntil(lambda: window.client_count.text() == "3 clients", timeout=TIMEOUT_MS)

    assert not page.keep_mine_button.isEnabled(), "nothing chosen yet"
    page.conflicts.table.selectRow(0)
    click(qtbot, page.keep_mine_button)
    qtbot.waitUntil(lambda: page.conflicts.table.rowCount() == 0, timeout=TIMEOUT_MS)
    assert page.figures["Pending edits"].text() == "1"
    assert page.conflicts.empty.isVisibleTo(page)

    page.rejected.table.selectRow(0)
    click(qtbot, page.dismiss_button)
    qtbot.waitUntil(lambda: page.rejected.table.rowCount() == 0, timeout=TIMEOUT_MS)

    with qtbot.waitSignal(window.sync.finished, timeout=TIMEOUT_MS):
        click(qtbot, page.sync_button)
    qtbot.waitUntil(lambda: page.figures["Pending edits"].text() == "0", timeout=TIMEOUT_MS)
    assert page.phase.text().startswith("Synced: sent 1")
    a.sync()
    assert a.scalar("SELECT city FROM clients WHERE id = ?", zoe.bytes) == "Nice"


def test_progress_shows_while_syncing_and_cancel_stops_it(
    qtbot: QtBot,
    stations: tuple[Workstation, Workstation],
    world: ServerWorld,
    open_window: OpenWindow,
) -> None:
    a, b = stations
    a.create_client("Zoé", "Martin")
    a.sync()
    b.create_client("Léa", "Moreau")
    gate = Gate(world.transport())
    gate.hold = "/v1/push"
    window = open_window(b, gate)
    window.show_page(SYNC)
    page = window.sync_page
    qtbot.waitUntil(lambda: window.sync.state.mode == SyncMode.IDLE, timeout=TIMEOUT_MS)
    assert not page.cancel_button.isEnabled()

    click(qtbot, page.sync_button)
    assert gate.held.wait(10)
    qtbot.waitUntil(lambda: "sending" in page.phase.text(), timeout=TIMEOUT_MS)
    assert page.phase.text().startswith("Syncing… sending 0/1 (")
    assert page.phase.text().endswith(" B)"), "bytes so far"
    assert window.sync_state.text() == page.phase.text()
    assert (page.progress_bar.minimum(), page.progress_bar.maximum()) == (0, 1)
    assert not page.sync_button.isEnabled() and page.cancel_button.isEnabled()

    with qtbot.waitSignal(window.sync.failed, timeout=TIMEOUT_MS):
        click(qtbot, page.cancel_button)
        gate.release.set()
    gate.hold = None
    qtbot.waitUntil(lambda: page.sync_button.isEnabled(), timeout=TIMEOUT_MS)
    assert page.phase.text() == "Cancelled; what arrived is kept"
    assert page.progress_bar.maximum() == 1
    assert window.sync_state.text().startswith("Synced")
    # Cancelled before the pull: A's client has not arrived; the next sync brings it.
    assert window.client_count.text() == "1 client"
    with qtbot.waitSignal(window.sync.finished, timeout=TIMEOUT_MS):
        click(qtbot, page.sync_button)
    qtbot.waitUntil(lambda: window.client_count.text() == "2 clients", timeout=TIMEOUT_MS)


def test_an_unreachable_server_reads_offline_with_a_retry_armed(
    qtbot: QtBot,
    stations: tuple[Workstation, Workstation],
    world: ServerWorld,
    open_window: OpenWindow,
) -> None:
    _a, b = stations
    b.create_client("Léa", "Moreau")
    gate = Gate(world.transport())
    gate.online = False
    window = open_window(b, gate)
    window.show_page(SYNC)
    page = window.sync_page
    qtbot.waitUntil(lambda: page.sync_button.isEnabled(), timeout=TIMEOUT_MS)

    with qtbot.waitSignal(window.sync.failed, timeout=TIMEOUT_MS):
        click(qtbot, page.sync_button)
    assert window.sync_state.text() == "Offline — 1 edit waiting"
    assert window.sync_state.property("alert") is True
    assert window.sync.retry_timer.isActive()
    assert "Trying again at" in page.message.text()
    assert "cannot be reached" in page.message.text()
    assert page.cancel_button.isEnabled(), "a waiting retry can be called off"
    click(qtbot, page.cancel_button)
    assert not window.sync.retry_timer.isActive()


def test_a_local_book_says_it_is_not_enrolled(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: window.sync_state.text() == "Not enrolled — local book", timeout=TIMEOUT_MS
    )
    window.show_page(SYNC)
    page = window.sync_page
    assert not page.sync_button.isEnabled()
    assert "vitrine sync enroll" in page.message.text()
    assert not window.sync.schedule_timer.isActive()
    qtbot.mouseClick(window.sync_state, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is page
