"""The Clients page against a real demo book: the lazy list, filters, sorting and the profile."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.context import AppContext, Services
from app.lists import SortKey
from app.tasks import DbRunner
from models.dto import ClientProfile
from models.money import eur_cents_factor
from models.search import SearchFilters
from models.text import fold
from ui.item_models import PLACEHOLDER, SPEND, ClientTableModel
from ui.main_window import CLIENTS, MainWindow
from ui.pages.clients import ClientsPage
from ui.pages.profile_view import TASKS, TIMELINE

TIMEOUT_MS = 5_000


def run(ctx: AppContext, fn: Callable[[Services], Any]) -> Any:
    """The test's own look at the book, in its own unit of work (not the page's thread)."""
    return ctx.run(fn)


def first_profile(ctx: AppContext, wanted: Callable[[ClientProfile], bool]) -> ClientProfile:
    for raw in run(ctx, lambda s: s.lists.ids("")):
        profile = run(ctx, lambda s, r=raw: s.clients.profile(uuid.UUID(bytes=r)))
        if wanted(profile):
            return profile
    raise AssertionError("the demo book has no such client")


def wait_for_list(qtbot: QtBot, page: ClientsPage, **expected: object) -> None:
    def matches() -> bool:
        listing = page.list.listing
        return listing is not None and all(
            getattr(listing, key) == value for key, value in expected.items()
        )

    qtbot.waitUntil(matches, timeout=TIMEOUT_MS)


def load_all_rows(qtbot: QtBot, model: ClientTableModel) -> None:
    for row in range(model.rowCount()):
        model.index(row, 0).data()  # asking is what starts the fetch
    qtbot.waitUntil(
        lambda: all(model.hit(row) is not None for row in range(model.rowCount())),
        timeout=TIMEOUT_MS,
    )


def open_profile(qtbot: QtBot, page: ClientsPage, client_id: uuid.UUID) -> None:
    page.open_client(client_id)
    qtbot.waitUntil(
        lambda: page.profile is not None and page.profile.id == client_id, timeout=TIMEOUT_MS
    )


def test_typing_narrows_the_list_to_matching_clients(qtbot: QtBot, window: MainWindow) -> None:
    page = window.clients_page
    qtbot.keyClicks(window.search, "zoe")

    wait_for_list(qtbot, page, query="zoe")
    load_all_rows(qtbot, page.model)
    names = [page.model.hit(row).display_name for row in range(page.model.rowCount())]
    assert names, "the demo book has at least one Zoé"
    assert all("zoe" in fold(name) for name in names), names
    assert "zoe" in page.summary.text()


def test_data_never_waits_placeholder_first_then_the_row(
    qtbot: QtBot, ctx: AppContext, runner: DbRunner
) -> None:
    ids = run(ctx, lambda s: s.lists.ids(""))
    expected = run(ctx, lambda s: s.lists.rows(ids[:1]))[0]
    model = ClientTableModel(runner)
    model.set_ids(ids)

    assert model.index(0, 0).data() == PLACEHOLDER
    assert model.hit(0) is None
    assert model.index(0, 0).data(Qt.ItemDataRole.UserRole) == expected.id  # ids need no fetch

    qtbot.waitUntil(lambda: model.index(0, 0).data() == expected.display_name, timeout=TIMEOUT_MS)
    assert model.index(0, SPEND).data() == expected.lifetime_spend.format()


def test_sorting_by_lifetime_spend_puts_the_biggest_spender_first(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    page = window.clients_page
    wait_for_list(qtbot, page)

    page.table.sortByColumn(SPEND, Qt.SortOrder.DescendingOrder)

    wait_for_list(qtbot, page, sort=SortKey.LIFETIME_SPEND, descending=True)
    expected = run(ctx, lambda s: s.lists.ids("", None, SortKey.LIFETIME_SPEND, True))
    assert page.model.client_id(0) == uuid.UUID(bytes=expected[0])
    load_all_rows(qtbot, page.model)
    # By value: ¥ and € amounts compare in indicative euros, not by their digits.
    spends = [
        hit.lifetime_spend.minor * eur_cents_factor(hit.lifetime_spend.currency)
        for hit in (page.model.hit(row) for row in range(page.model.rowCount()))
        if hit is not None
    ]
    assert spends[0] == max(spends)
    assert "highest first" in page.summary.text()
    assert page.list.order.currentText() == "By lifetime spend"


def test_a_tier_filter_lists_only_that_tier(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    page = window.clients_page
    wait_for_list(qtbot, page)

    page.list.tier.setCurrentIndex(page.list.tier.findText("VIP"))

    vip = SearchFilters(tiers=("vip",))
    wait_for_list(qtbot, page, filters=vip)
    assert page.model.rowCount() == run(ctx, lambda s: s.lists.count(vip)) > 0
    load_all_rows(qtbot, page.model)
    assert {page.model.hit(row).tier for row in range(page.model.rowCount())} == {"vip"}
    assert "within the filters" in page.summary.text()


def test_selecting_a_row_fills_the_profile_header(qtbot: QtBot, window: MainWindow) -> None:
    page = window.clients_page
    wait_for_list(qtbot, page)
    load_all_rows(qtbot, page.model)
    first = page.model.hit(0)

    page.table.selectRow(0)

    qtbot.waitUntil(
        lambda: page.profile is not None and page.profile.id == first.id, timeout=TIMEOUT_MS
    )
    view = page.profile_view
    assert view.name.text() == first.display_name
    assert view.figures["Lifetime spend"].text() == first.lifetime_spend.format()
    assert page.current_client_id() == first.id


def test_unticking_notes_hides_them_from_the_timeline(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    page = window.clients_page
    chatty = first_profile(ctx, lambda p: bool(p.notes) and bool(p.interactions))
    open_profile(qtbot, page, chatty.id)
    view = page.profile_view
    view.tabs.setCurrentIndex(TIMELINE)
    assert "note" in {e.kind for e in view.shown_timeline}

    view.kind_boxes["note"].setChecked(False)

    kinds = {e.kind for e in view.shown_timeline}
    assert "note" not in kinds
    assert "interaction" in kinds
    assert chatty.notes[0].body not in view.browsers[TIMELINE].toPlainText()


def test_completing_a_task_from_the_profile_marks_it_done(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    page = window.clients_page
    busy = first_profile(ctx, lambda p: any(t.status == "open" for t in p.tasks))
    task = next(t for t in busy.tasks if t.status == "open")
    open_profile(qtbot, page, busy.id)
    view = page.profile_view
    view.tabs.setCurrentIndex(TASKS)

    qtbot.mouseClick(view.complete_buttons[task.id], Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: task.id not in view.complete_buttons, timeout=TIMEOUT_MS)
    stored = run(ctx, lambda s: s.clients.profile(busy.id))
    assert next(t for t in stored.tasks if t.id == task.id).status == "done"


def test_action_buttons_and_shortcuts_ask_for_their_dialog(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    page = window.clients_page
    client = first_profile(ctx, lambda _p: True)
    open_profile(qtbot, page, client.id)
    view = page.profile_view

    for kind, action in view.actions_by_kind.items():
        with qtbot.waitSignal(page.action_requested, timeout=TIMEOUT_MS) as asked:
            action.trigger()
        assert asked.args == [kind, client.id]
    assert "Ctrl+Shift+W" in view.actions_by_kind["wish"].toolTip()

    window.show_page(CLIENTS)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT_MS)
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(page.action_requested, timeout=TIMEOUT_MS) as asked:
        qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert asked.args == ["note", client.id]


def test_open_client_shows_a_client_the_list_does_not_hold(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    page = window.clients_page
    qtbot.keyClicks(window.search, "zoe")
    wait_for_list(qtbot, page, query="zoe")
    outsider = first_profile(ctx, lambda p: "zoe" not in fold(p.display_name))
    assert page.model.row_of(outsider.id) is None

    open_profile(qtbot, page, outsider.id)

    assert page.profile_view.name.text() == outsider.display_name
    assert page.list.current_client_id() is None
    assert page.current_client_id() == outsider.id


def test_the_selection_survives_a_new_list_that_still_holds_it(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = window.clients_page
    qtbot.keyClicks(window.search, "zoe")
    wait_for_list(qtbot, page, query="zoe")
    load_all_rows(qtbot, page.model)
    last = page.model.rowCount() - 1
    chosen = page.model.hit(last)
    page.table.selectRow(last)

    window.search.clear()

    wait_for_list(qtbot, page, query="")
    assert page.list.current_client_id() == chosen.id


def test_down_from_the_search_moves_into_the_list(qtbot: QtBot, window: MainWindow) -> None:
    page = window.clients_page
    window.activateWindow()
    qtbot.keyClicks(window.search, "zoe")
    wait_for_list(qtbot, page, query="zoe")
    window.search.setFocus()
    qtbot.waitUntil(window.search.hasFocus, timeout=TIMEOUT_MS)

    qtbot.keyClick(window.search, Qt.Key.Key_Down)

    qtbot.waitUntil(page.table.hasFocus, timeout=TIMEOUT_MS)
    first = page.model.client_id(0)
    assert page.list.current_client_id() == first

    qtbot.keyClick(page.table, Qt.Key.Key_Return)

    qtbot.waitUntil(
        lambda: page.profile is not None and page.profile.id == first, timeout=TIMEOUT_MS
    )
    qtbot.waitUntil(page.profile_view.tabs.tabBar().hasFocus, timeout=TIMEOUT_MS)


def test_the_page_also_takes_the_context_for_product_pictures(
    qtbot: QtBot, ctx: AppContext, runner: DbRunner
) -> None:
    page = ClientsPage(ctx, runner)
    qtbot.addWidget(page)
    client = first_profile(ctx, lambda _p: True)

    open_profile(qtbot, page, client.id)

    assert page.profile_view.name.text() == client.display_name
