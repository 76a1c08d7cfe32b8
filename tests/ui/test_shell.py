"""The desktop shell against a real demo book: search, profile, Today, shortcuts, the runner."""

from __future__ import annotations

import threading
import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget
from pytestqt.qtbot import QtBot

from app.context import Services
from app.tasks import DbRunner
from models.text import fold
from ui.main_window import CLIENTS, MainWindow
from ui.pages.today import CLIENT_ID_ROLE

TIMEOUT_MS = 5_000


def client_ids(listing: QListWidget) -> list[uuid.UUID]:
    ids = (listing.item(n).data(CLIENT_ID_ROLE) for n in range(listing.count()))
    return [i for i in ids if isinstance(i, uuid.UUID)]


def test_typing_in_global_search_lists_matching_clients(qtbot: QtBot, window: MainWindow) -> None:
    page = window.clients_page
    qtbot.keyClicks(window.search, "zoe")

    qtbot.waitUntil(lambda: "zoe" in page.summary.text(), timeout=TIMEOUT_MS)
    assert window.stack.currentIndex() == CLIENTS
    model = page.model
    assert model.rowCount() > 0, "the demo book has at least one Zoé"
    # Rows arrive lazily from the database thread; asking for them starts the fetch.
    for row in range(model.rowCount()):
        model.index(row, 0).data()
    qtbot.waitUntil(
        lambda: all(model.hit(row) is not None for row in range(model.rowCount())),
        timeout=TIMEOUT_MS,
    )
    names = [model.hit(row).display_name for row in range(model.rowCount())]
    assert all("zoe" in fold(name) for name in names), names
    shown = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert shown == names


def test_selecting_a_row_renders_that_clients_profile(qtbot: QtBot, window: MainWindow) -> None:
    page = window.clients_page
    qtbot.keyClicks(window.search, "zoe")
    qtbot.waitUntil(lambda: "zoe" in page.summary.text(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: page.model.hit(0) is not None, timeout=TIMEOUT_MS)
    first = page.model.hit(0)
    assert first is not None

    page.table.selectRow(0)

    qtbot.waitUntil(
        lambda: page.profile is not None and page.profile.id == first.id, timeout=TIMEOUT_MS
    )
    header = page.profile_view
    assert header.name.text() == first.display_name
    assert header.figures["Lifetime spend"].text() == first.lifetime_spend.format()


def test_empty_query_lists_the_book_by_name(qtbot: QtBot, window: MainWindow) -> None:
    page = window.clients_page
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert "by name" in page.summary.text()


def test_today_lists_tasks_and_appointments(qtbot: QtBot, window: MainWindow) -> None:
    today = window.today_page
    qtbot.waitUntil(lambda: today.view is not None, timeout=TIMEOUT_MS)
    assert today.view is not None

    assert client_ids(today.tasks.list), "the demo seeds tasks due for the workstation"
    assert client_ids(today.appointments.list), "and visits booked for today"
    assert today.tasks.count.text() == str(len(today.view.tasks_due))


def test_activating_a_today_row_opens_that_client(qtbot: QtBot, window: MainWindow) -> None:
    today = window.today_page
    qtbot.waitUntil(lambda: today.view is not None, timeout=TIMEOUT_MS)
    item = today.appointments.list.item(0)
    wanted = item.data(CLIENT_ID_ROLE)

    today.appointments.list.itemActivated.emit(item)

    assert window.stack.currentIndex() == CLIENTS
    page = window.clients_page
    qtbot.waitUntil(
        lambda: page.profile is not None and page.profile.id == wanted, timeout=TIMEOUT_MS
    )


def test_ctrl_k_focuses_the_global_search(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT_MS)
    window.clients_page.table.setFocus()
    assert not window.search.hasFocus()

    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)

    qtbot.waitUntil(window.search.hasFocus, timeout=TIMEOUT_MS)


def test_menus_show_their_shortcuts(window: MainWindow) -> None:
    shortcuts = {
        action.text().replace("&", ""): action.shortcut().toString()
        for menu_action in window.menuBar().actions()
        for action in menu_action.menu().actions()
    }
    assert shortcuts["Quit"] == "Ctrl+Q"
    assert shortcuts["Today"] == "Ctrl+1"
    assert shortcuts["Clients"] == "Ctrl+2"
    assert shortcuts["Find a client…"] == "Ctrl+K"


# --- the database runner (app/tasks.py) ----------------------------------------------------


def test_runner_works_off_the_gui_thread_and_answers_on_it(qtbot: QtBot, runner: DbRunner) -> None:
    gui_thread = threading.get_ident()
    seen: dict[str, object] = {}

    def where(services: Services) -> int:
        seen["worker"] = threading.get_ident()
        return len(services.clients.search("", limit=5))

    def done(result: object) -> None:
        seen["callback"] = threading.get_ident()
        seen["result"] = result

    runner.submit(where, done)
    qtbot.waitUntil(lambda: "result" in seen, timeout=TIMEOUT_MS)
    assert seen["worker"] != gui_thread
    assert seen["callback"] == gui_thread
    assert seen["result"] == 5


def test_runner_reports_failures_to_on_error(qtbot: QtBot, runner: DbRunner) -> None:
    errors: list[BaseException] = []

    def broken(_services: Services) -> None:
        raise LookupError("no such client")

    runner.submit(broken, lambda _result: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=TIMEOUT_MS)
    assert isinstance(errors[0], LookupError)


def test_runner_drops_stale_results_on_a_channel(qtbot: QtBot, runner: DbRunner) -> None:
    gate = threading.Event()
    delivered: list[str] = []

    def slow(_services: Services) -> str:
        gate.wait(TIMEOUT_MS / 1000)
        return "old"

    runner.submit(slow, delivered.append, channel="search")
    runner.submit(lambda _services: "middle", delivered.append, channel="search")
    runner.submit(lambda _services: "new", delivered.append, channel="search")
    gate.set()

    qtbot.waitUntil(lambda: "new" in delivered, timeout=TIMEOUT_MS)
    qtbot.wait(50)
    assert delivered == ["new"]


def test_status_bar_counts_the_clients_in_the_book(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.client_count.text() == "300 clients", timeout=5000)
