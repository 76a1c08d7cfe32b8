"""The operation dialogs, driven like an associate would, against a real book and DB thread."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar, cast

import pytest
from PySide6.QtCore import QDate, QPoint, Qt, QTime
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.context import AppContext, Services
from app.tasks import DbRunner
from models.dto import ClientHit, ClientProfile
from ui.dialogs import (
    AddToWishListDialog,
    BookAppointmentDialog,
    ClientFormDialog,
    LogInteractionDialog,
    NewTaskDialog,
    QuickNoteDialog,
    RecordConsentDialog,
)
from ui.dialogs.activity import ClientDialog
from ui.dialogs.base import OperationDialog
from ui.dialogs.catalog_picker import ThumbnailCache
from ui.dialogs.fields import select_data
from ui.signature_pad import SignaturePad

TIMEOUT_MS = 5_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
T = TypeVar("T")
D = TypeVar("D", bound=QWidget)
C = TypeVar("C", bound=ClientDialog)


@dataclass
class Desk:
    """A workstation: the book, its database thread, and a seeded client with an e-mail."""

    qtbot: QtBot
    ctx: AppContext
    runner: DbRunner
    client: ClientHit

    def read(self, fn: Callable[[Services], T]) -> T:
        """Read the book from the test, in a unit of work of its own."""
        return cast(T, self.ctx.run(fn))

    def profile(self) -> ClientProfile:
        return self.read(lambda s: s.clients.profile(self.client.id))

    def show(self, dialog: D) -> D:
        self.qtbot.addWidget(dialog)
        dialog.show()
        self.qtbot.waitExposed(dialog)
        return dialog

    def open(self, kind: Callable[[DbRunner, uuid.UUID, str], C]) -> C:
        return self.show(kind(self.runner, self.client.id, self.client.display_name))

    def client_form(self, edit: bool = False) -> ClientFormDialog:
        dialog = self.show(ClientFormDialog(self.runner, self.client.id if edit else None))
        self.qtbot.waitUntil(dialog.save_button.isEnabled, timeout=TIMEOUT_MS)
        return dialog

    def click(self, widget: QWidget) -> None:
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)

    def error(self, dialog: OperationDialog, field: str) -> QLabel:
        """The inline error under `field`, once it shows."""
        label = dialog.error_label_for(field)
        assert label is not None, field
        self.qtbot.waitUntil(label.isVisible, timeout=TIMEOUT_MS)
        return label


@pytest.fixture
def desk(qtbot: QtBot, ctx: AppContext, runner: DbRunner) -> Desk:
    hits = cast(list[ClientHit], ctx.run(lambda s: s.clients.search("", limit=50)))
    return Desk(qtbot, ctx, runner, next(h for h in hits if h.email))


# --- new and edit client -------------------------------------------------------------------


def test_new_client_shows_a_bad_email_under_its_row_and_saves_once_fixed(desk: Desk) -> None:
    dialog = desk.client_form()
    desk.qtbot.keyClicks(dialog.given_name, "Ottilie")
    desk.qtbot.keyClicks(dialog.family_name, "Vantongerloo")
    desk.qtbot.keyClicks(dialog.emails.rows[0].edit, "ottilie@example.com")
    desk.click(dialog.emails.add_button)
    bad = dialog.emails.rows[1].edit
    desk.qtbot.keyClicks(bad, "ottilie-at-home")

    desk.click(dialog.save_button)

    error = dialog.emails.rows[1].error
    desk.qtbot.waitUntil(error.isVisible, timeout=TIMEOUT_MS)
    assert "'ottilie-at-home' is not an e-mail address" in error.text()
    assert bad.property("error") is True
    assert dialog.focusWidget() is bad, "focus goes to the first refused field"
    assert dialog.emails.rows[0].error.isHidden(), "the good address is not blamed"
    assert dialog.save_button.isEnabled()
    assert desk.read(lambda s: s.clients.search("Vantongerloo")) == [], "nothing was written"

    bad.clear()
    desk.qtbot.keyClicks(bad, "o.vantongerloo@example.org")
    with desk.qtbot.waitSignal(dialog.saved, timeout=TIMEOUT_MS) as saved:
        desk.click(dialog.save_button)

    profile = desk.read(lambda s: s.clients.profile(saved.args[0]))
    assert (profile.given_name, profile.family_name) == ("Ottilie", "Vantongerloo")
    assert profile.emails == ["ottilie@example.com", "o.vantongerloo@example.org"]
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_missing_names_are_reported_next_to_both_fields(desk: Desk) -> None:
    dialog = desk.client_form()

    desk.qtbot.keyClick(dialog.given_name, Qt.Key.Key_Return)  # Save is the default button

    assert desk.error(dialog, "given_name").text() == "Given name is required"
    assert desk.error(dialog, "family_name").text() == "Family name is required"
    assert dialog.focusWidget() is dialog.given_name


def test_an_impossible_date_is_reported_under_its_own_row(desk: Desk) -> None:
    dialog = desk.client_form()
    dialog.given_name.setText("Ines")
    dialog.family_name.setText("Okonkwo-Laurent")
    desk.click(dialog.dates.add_button)
    desk.click(dialog.dates.add_button)
    good, bad = dialog.dates.rows
    good.day.setValue(14)
    good.month.setCurrentIndex(6)
    bad.day.setValue(31)
    bad.month.setCurrentIndex(1)  # February

    desk.click(dialog.save_button)

    desk.qtbot.waitUntil(bad.error.isVisible, timeout=TIMEOUT_MS)
    assert "is not a date" in bad.error.text()
    assert good.error.isHidden()
    assert dialog.focusWidget() is bad.kind
    assert desk.read(lambda s: s.clients.search("Okonkwo-Laurent")) == []


def test_tab_walks_the_form_then_save_then_cancel(desk: Desk) -> None:
    dialog = desk.open(NewTaskDialog)
    dialog.activateWindow()
    desk.qtbot.waitUntil(dialog.isActiveWindow, timeout=TIMEOUT_MS)
    dialog.due_on.setFocus()
    assert dialog.save_button.isDefault(), "Enter saves"
    for expected in (dialog.reason, dialog.save_button, dialog.cancel_button):
        desk.qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is expected
    assert "Ctrl+Return" in dialog.save_button.toolTip()
    assert "Esc" in dialog.cancel_button.toolTip()


def duplicate_of_the_client(desk: Desk) -> ClientFormDialog:
    dialog = desk.client_form()
    desk.qtbot.keyClicks(dialog.given_name, "Seraphine")  # QTest types ASCII only
    desk.qtbot.keyClicks(dialog.family_name, "Nouvelle")
    desk.qtbot.keyClicks(dialog.emails.rows[0].edit, cast(str, desk.client.email).upper())
    desk.click(dialog.save_button)
    desk.qtbot.waitUntil(dialog.duplicates.isVisible, timeout=TIMEOUT_MS)
    return dialog


def test_same_email_warns_and_open_existing_hands_over_that_client(desk: Desk) -> None:
    before = desk.read(lambda s: s.clients.count())
    dialog = duplicate_of_the_client(desk)
    name = desk.client.display_name

    shown = " ".join(label.text() for label in dialog.duplicates.findChildren(QLabel))
    assert "Possible duplicate" in shown and name in shown and "same e-mail" in shown
    assert desk.read(lambda s: s.clients.count()) == before, "nothing created yet"
    assert dialog.focusWidget() is dialog.duplicates.open_buttons[0]
    button = next(b for b in dialog.duplicates.open_buttons if name in b.accessibleName())

    with desk.qtbot.waitSignal(dialog.open_existing, timeout=TIMEOUT_MS) as chosen:
        desk.click(button)

    assert chosen.args == [desk.client.id]
    assert not dialog.isVisible()
    assert desk.read(lambda s: s.clients.count()) == before


def test_create_anyway_creates_the_client_after_the_warning(desk: Desk) -> None:
    before = desk.read(lambda s: s.clients.count())
    dialog = duplicate_of_the_client(desk)

    with desk.qtbot.waitSignal(dialog.saved, timeout=TIMEOUT_MS) as saved:
        desk.click(dialog.duplicates.create_button)

    assert desk.read(lambda s: s.clients.count()) == before + 1
    created = desk.read(lambda s: s.clients.profile(saved.args[0]))
    assert created.emails == [cast(str, desk.client.email).lower()]


def test_edit_client_starts_from_the_stored_profile_and_saves_changes(desk: Desk) -> None:
    stored = desk.read(lambda s: s.clients.edit_input(desk.client.id))
    dialog = desk.client_form(edit=True)

    assert (dialog.given_name.text(), dialog.family_name.text()) == (
        stored.given_name,
        stored.family_name,
    )
    assert [row.edit.text() for row in dialog.emails.filled()] == stored.emails
    assert dialog.home_store.currentData() == stored.home_store_id
    assert dialog.primary_owner.currentData() == stored.primary_owner_id
    assert dialog.tier.currentData() == stored.tier
    assert len(dialog.dates.rows) == len(stored.important_dates)
    assert desk.client.display_name in dialog.windowTitle()

    dialog.preferred_name.setText("Zizi")
    dialog.tags.setText(", ".join([*stored.tags, "private-salon"]))
    dialog.sizes["shoes"].setText("39,5")
    with desk.qtbot.waitSignal(dialog.saved, timeout=TIMEOUT_MS) as saved:
        desk.click(dialog.save_button)

    assert saved.args == [desk.client.id]
    profile = desk.profile()
    assert profile.preferred_name == "Zizi"
    assert "private-salon" in profile.tags
    assert profile.sizes["shoes"] == "39.5"
    assert profile.emails == stored.emails, "untouched fields stay as they were"


# --- activity -------------------------------------------------------------------------------


def test_quick_note_saves_with_ctrl_enter_after_refusing_an_empty_one(desk: Desk) -> None:
    dialog = desk.open(QuickNoteDialog)
    assert desk.client.display_name in dialog.windowTitle()
    dialog.activateWindow()
    desk.qtbot.waitUntil(dialog.isActiveWindow, timeout=TIMEOUT_MS)
    ctrl = Qt.KeyboardModifier.ControlModifier

    desk.qtbot.keyClick(dialog.note, Qt.Key.Key_Return, ctrl)
    assert desk.error(dialog, "body").text() == "Note is empty"

    text = "Loved the new Tank; call back when the gold one arrives."
    desk.qtbot.keyClicks(dialog.note, text)
    with desk.qtbot.waitSignal(dialog.saved, timeout=TIMEOUT_MS) as saved:
        desk.qtbot.keyClick(dialog.note, Qt.Key.Key_Return, ctrl)

    assert {n.id: n.body for n in desk.profile().notes}[saved.args[0]] == text


def test_escape_cancels_without_saving(desk: Desk) -> None:
    before = len(desk.profile().notes)
    dialog = desk.open(QuickNoteDialog)
    desk.qtbot.keyClicks(dialog.note, "never mind")

    desk.qtbot.keyClick(dialog.note, Qt.Key.Key_Escape)

    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert len(desk.profile().notes) == before


def test_log_interaction(desk: Desk) -> None:
    dialog = desk.open(LogInteractionDialog)
    assert select_data(dialog.channel, "whatsapp")
    assert select_data(dialog.direction, "inbound")
    desk.qtbot.keyClicks(dialog.summary, "Asked whether the bag comes in navy.")

    with desk.qtbot.waitSignal(dialog.saved, timeout=TIMEOUT_MS) as saved:
        desk.click(dialog.save_button)

    logged = next(i for i in desk.profile().interactions if i.id == saved.args[0])
    assert (logged.channel, logged.direction) == ("whatsapp", "inbound")
    assert logged.summary == "Asked whether the bag comes in navy."
    assert abs(datetime.now().astimezone() - logged.occurred_at) < timedelta(minutes=5)


def test_new_task_is_due_tomorrow_and_buttons_wait_for_the_save(desk: Desk) -> None:
    dialog = desk.open(NewTaskDialog)
    desk.qtbot.keyClicks(dialog.reason, "Send the lookbook for the spring collection")
    gate = threading.Event()
    desk.runner.submit(lambda _s: gate.wait(TIMEOUT_MS / 1000), lambda _r: None)  # DB is busy

    desk.click(dialog.save_button)
    assert not dialog.save_button.isEnabled() and not dialog.cancel_button.isEnabled()
    dialog.reject()
    assert dialog.isVisible(), "a save in flight is not abandoned"
    with desk.qtbot.waitSignal(dialog.saved, timeout=TIMEOUT_MS) as saved:
        gate.set()

    task = next(t for t in desk.profile().tasks if t.id == saved.args[0])
    assert task.reason == "Send the lookbook for the spring collection"
    assert task.due_on == date.today() + timedelta(days=1)


def test_book_appointment_in_local_time(desk: Desk) -> None:
    dialog = desk.open(BookAppointmentDialog)
    day = date.today() + timedelta(days=3)
    assert select_data(dialog.kind, "video")
    dialog.day.setDate(QDate(day.year, day.month, day.day))
    dialog.start.setTime(QTime(15, 30))
    assert select_data(dialog.duration, 45)
    desk.qtbot.keyClicks(dialog.purpose, "Watch preview from the studio")

    with desk.qtbot.waitSignal(dialog.saved, timeout=TIMEOUT_MS) as saved:
        desk.click(dialog.save_button)

    visit = next(a for a in desk.profile().appointments if a.id == saved.args[0])
    assert (visit.kind, visit.purpose) == ("video", "Watch preview from the studio")
    assert visit.starts_at == datetime.combine(day, time(15, 30)).astimezone()
    assert visit.ends_at - visit.starts_at == timedelta(minutes=45)


# --- consent and the signature pad ---------------------------------------------------------


def sign(qtbot: QtBot, pad: SignaturePad) -> None:
    left = Qt.MouseButton.LeftButton
    qtbot.mousePress(pad, left, pos=QPoint(40, 70))
    for x in range(52, 320, 14):
        qtbot.mouseMove(pad, QPoint(x, 70 + (x // 14 % 4) * 9))
    qtbot.mouseRelease(pad, left, pos=QPoint(320, 80))


def test_record_consent_with_a_drawn_signature(desk: Desk) -> None:
    dialog = desk.open(RecordConsentDialog)
    assert select_data(dialog.channel, "sms")
    assert select_data(dialog.purpose, "marketing")
    assert dialog.proof_kind.currentData() == "signature"
    assert dialog.pad.isVisible()

    desk.click(dialog.save_button)  # unsigned: refused, under the pad
    assert "signature needs the signed image" in desk.error(dialog, "proof_image").text()
    assert dialog.pad.property("error") is True

    sign(desk.qtbot, dialog.pad)
    assert not dialog.pad.is_empty()
    with desk.qtbot.waitSignal(dialog.saved, timeout=TIMEOUT_MS) as saved:
        desk.click(dialog.save_button)

    event = desk.profile().consent_history[0]
    assert event.id == saved.args[0]
    assert (event.channel, event.purpose, event.action) == ("sms", "marketing", "granted")
    assert event.proof_kind == "signature"
    assert event.has_proof_image
    image = desk.read(lambda s: s.activity.consent_proof_image(event.id))
    assert image is not None and image.startswith(PNG_MAGIC)


def test_verbal_consent_hides_the_pad_and_needs_the_words(desk: Desk) -> None:
    dialog = desk.open(RecordConsentDialog)
    assert select_data(dialog.proof_kind, "verbal")
    assert not dialog.pad.isVisible()

    desk.click(dialog.save_button)

    assert "in their words" in desk.error(dialog, "proof_text").text()
    assert dialog.focusWidget() is dialog.proof_text


def test_signature_pad_draws_ink_exports_png_and_clears_from_the_keyboard(qtbot: QtBot) -> None:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(400, 160)
    pad.show()
    qtbot.waitExposed(pad)
    assert pad.is_empty() and not pad.clear_button.isEnabled()
    assert pad.accessibleName() == "Signature pad"

    sign(qtbot, pad)

    image = QImage.fromData(pad.png_bytes())
    assert not image.isNull()
    dark = [
        (x, y)
        for x in range(0, image.width(), 4)
        for y in range(0, image.height(), 4)
        if QColor(image.pixel(x, y)).lightness() < 128
    ]
    assert len(dark) > 10, "the stroke is in the picture"
    assert pad.clear_button.isEnabled()

    qtbot.keyClick(pad, Qt.Key.Key_Delete)
    assert pad.is_empty()


# --- wish list from the catalogue ------------------------------------------------------------


def wish_list_dialog(desk: Desk) -> AddToWishListDialog:
    client, media = desk.client, desk.ctx.db.media_dir
    return desk.show(AddToWishListDialog(desk.runner, client.id, client.display_name, media))


def test_add_to_wish_list_from_the_catalog_picker(desk: Desk) -> None:
    wanted = desk.read(lambda s: s.catalog.search("", limit=1))[0].product
    query = wanted.name.split()[0]
    dialog = wish_list_dialog(desk)
    desk.qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=TIMEOUT_MS)

    desk.qtbot.keyClicks(dialog.search, query)
    desk.qtbot.waitUntil(lambda: f"“{query}”" in dialog.summary.text(), timeout=TIMEOUT_MS)
    found = [item.product.id for item in dialog.model.items]
    assert wanted.id in found

    desk.qtbot.keyClick(dialog.search, Qt.Key.Key_Down)  # into the results, not Save
    assert dialog.focusWidget() is dialog.results
    dialog.results.setCurrentIndex(dialog.model.index(found.index(wanted.id)))
    desk.qtbot.keyClick(dialog.results, Qt.Key.Key_Return)
    assert dialog.chosen is not None and dialog.chosen.product.id == wanted.id
    assert dialog.focusWidget() is dialog.size_edit
    assert wanted.name in dialog.chosen_label.text()

    dialog.size_edit.setText("M")
    desk.qtbot.keyClicks(dialog.note, "For her birthday in June")
    with desk.qtbot.waitSignal(dialog.saved, timeout=TIMEOUT_MS) as saved:
        desk.qtbot.keyClick(dialog.note, Qt.Key.Key_Return)  # Save is the default button

    wish = next(w for w in desk.profile().wish_list if w.id == saved.args[0])
    assert (wish.product.id, wish.note) == (wanted.id, "For her birthday in June")


def test_saving_without_a_product_says_so_under_the_results(desk: Desk) -> None:
    dialog = wish_list_dialog(desk)
    desk.click(dialog.save_button)
    assert desk.error(dialog, "product_id").text() == "Choose a product first"


def test_thumbnails_load_off_the_gui_thread_and_missing_ones_stay_placeholders(
    qtbot: QtBot, tmp_path: Path
) -> None:
    picture = QImage(300, 200, QImage.Format.Format_RGB32)
    picture.fill(QColor("#123456"))
    (tmp_path / "products").mkdir()
    assert picture.save(str(tmp_path / "products" / "bag.png"))
    cache = ThumbnailCache(tmp_path)

    first = cache.pixmap("products/bag.png")
    assert first.cacheKey() == cache.placeholder.cacheKey(), "nothing blocks while it decodes"
    with qtbot.waitSignals([cache.ready, cache.ready], timeout=TIMEOUT_MS):
        cache.pixmap("products/missing.jpg")

    loaded = cache.pixmap("products/bag.png")
    assert loaded.cacheKey() != cache.placeholder.cacheKey()
    assert QColor(loaded.toImage().pixel(5, 5)) == QColor("#123456")
    assert cache.pixmap("products/missing.jpg").cacheKey() == cache.placeholder.cacheKey()
    cache.shutdown()
