"""From a profile's action to the dialog, the save, and the views showing the change."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.context import AppContext
from ui.dialogs import ClientFormDialog, QuickNoteDialog
from ui.main_window import MainWindow

TIMEOUT_MS = 10_000


def test_a_note_asked_from_the_profile_lands_in_its_timeline(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    page = window.clients_page
    with ctx.unit_of_work() as s:
        client = s.clients.search("", limit=1)[0]
    window.open_client(client.id)
    qtbot.waitUntil(
        lambda: page.profile is not None and page.profile.id == client.id, timeout=TIMEOUT_MS
    )

    page.action_requested.emit("note", client.id)

    dialog = window.actions_router.current
    assert isinstance(dialog, QuickNoteDialog)
    assert client.display_name in dialog.windowTitle()
    dialog.note.setPlainText("Loved the emerald cut; call when the 1.5 ct arrives")
    dialog.submit()
    qtbot.waitUntil(
        lambda: (
            page.profile is not None
            and any(n.body.startswith("Loved the emerald cut") for n in page.profile.notes)
        ),
        timeout=TIMEOUT_MS,
    )
    assert window.actions_router.current is None  # closed after saving


def test_new_client_from_the_file_menu_opens_the_new_profile(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    window.new_client_action.trigger()
    dialog = window.actions_router.current
    assert isinstance(dialog, ClientFormDialog)
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=TIMEOUT_MS)
    dialog.given_name.setText("Ottilie")
    dialog.family_name.setText("Vandersteen")
    dialog.submit()

    page = window.clients_page
    qtbot.waitUntil(
        lambda: page.profile is not None and page.profile.display_name == "Ottilie Vandersteen",
        timeout=TIMEOUT_MS,
    )
    qtbot.waitUntil(lambda: window.client_count.text() == "301 clients", timeout=TIMEOUT_MS)
    with ctx.unit_of_work() as s:
        assert [h.display_name for h in s.clients.search("vandersteen")] == ["Ottilie Vandersteen"]
