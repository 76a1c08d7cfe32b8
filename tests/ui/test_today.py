"""Today's task actions, driven through the real page against a real book."""

from __future__ import annotations

import uuid
from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.context import AppContext
from ui.main_window import MainWindow
from ui.pages.today import CLIENT_ID_ROLE, REF_ROLE

TIMEOUT_MS = 10_000


def due_task_ids(ctx: AppContext) -> set[uuid.UUID]:
    with ctx.unit_of_work() as s:
        return {t.id for t in s.today.today().tasks_due}


def task_in_profile(
    ctx: AppContext, client_id: uuid.UUID, task_id: uuid.UUID
) -> tuple[str, object]:
    with ctx.unit_of_work() as s:
        task = next(t for t in s.clients.profile(client_id).tasks if t.id == task_id)
        return task.status, task.due_on


def select_first_task(qtbot: QtBot, window: MainWindow) -> tuple[uuid.UUID, uuid.UUID]:
    today = window.today_page
    qtbot.waitUntil(
        lambda: today.view is not None and bool(today.view.tasks_due), timeout=TIMEOUT_MS
    )
    today.tasks.list.setCurrentRow(0)
    item = today.tasks.list.item(0)
    return item.data(REF_ROLE), item.data(CLIENT_ID_ROLE)


def test_completing_a_task_from_today(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    task_id, client_id = select_first_task(qtbot, window)
    assert task_id in due_task_ids(ctx)
    assert window.today_page.complete_button.isEnabled()

    qtbot.mouseClick(window.today_page.complete_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(
        lambda: task_id not in {t.id for t in window.today_page.view.tasks_due},  # type: ignore[union-attr]
        timeout=TIMEOUT_MS,
    )
    assert task_id not in due_task_ids(ctx)
    assert task_in_profile(ctx, client_id, task_id)[0] == "done"


def test_snoozing_a_task_by_keyboard_moves_it_to_tomorrow(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    task_id, client_id = select_first_task(qtbot, window)
    day = window.today_page.view.day  # type: ignore[union-attr]
    window.today_page.tasks.list.setFocus()

    qtbot.keyClick(
        window.today_page.tasks.list,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )

    qtbot.waitUntil(lambda: task_id not in due_task_ids(ctx), timeout=TIMEOUT_MS)
    assert task_in_profile(ctx, client_id, task_id) == ("open", day + timedelta(days=1))
