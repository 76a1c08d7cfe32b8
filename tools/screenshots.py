"""Screenshots of every page and the main dialogs, on a fresh demo book, for the README.

    xvfb-run -a -s "-screen 0 1440x900x24" python tools/screenshots.py [--out docs/screenshots]

Seeds a deterministic demo book in a temporary folder, drives the real window the way an
associate would (search, open a profile, switch tabs, open dialogs, sign), and saves PNGs.
The Sync page is shot on a second, enrolled book against the sync server run in-process
(the test harness's), after two workstations edited the same client.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.context import open_context
from app.demo.book import seed_book
from app.sync import SyncController
from app.tasks import DbRunner
from camera.video import zoom_for_hfov
from models.database import open_database
from ui.application import apply_look
from ui.dialogs import AddToWishListDialog, ClientFormDialog, RecordConsentDialog
from ui.main_window import CLIENTS, STUDIO, SYNC, TODAY, MainWindow

ANCHOR = date(2026, 11, 23)
SIZE = (1440, 900)


def wait_until(done: Callable[[], bool], timeout_s: float = 20.0) -> None:
    end = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there in time")
        QApplication.processEvents()
        time.sleep(0.01)


def settle(ms: int = 400) -> None:
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def save(widget: QWidget, out: Path, name: str) -> None:
    settle()
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path}")


def sign(pad: QWidget) -> None:
    """A flourish of a signature, drawn with the mouse like a person would."""
    w, h = pad.width(), pad.height()
    # A looping cursive line that settles towards the right, not a zig-zag.
    points = [
        (
            0.12 + 0.74 * t + 0.05 * math.sin(6 * math.pi * t),
            0.55 - 0.22 * math.cos(6 * math.pi * t) * (1 - 0.6 * t),
        )
        for t in (i / 80 for i in range(81))
    ]
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(int(w * 0.12), int(h * 0.33)))
    for x, y in points:
        QTest.mouseMove(pad, QPoint(int(w * x), int(h * y)))
    x, y = points[-1]
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(int(w * x), int(h * y)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--clients", type=int, default=3000)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    app = QApplication(sys.argv[:1])
    apply_look(app)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "book.db"
        db = open_database(path)
        seed_book(db, args.clients, anchor=ANCHOR)
        db.close()
        ctx = open_context(path)
        runner = DbRunner(ctx)
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(ctx, runner, settings)
        window.resize(*SIZE)
        window.show()
        try:
            shoot(window, runner, ctx.db.media_dir, args.out)
        finally:
            runner.shutdown()
            window.close()
            ctx.db.close()
        shoot_sync(Path(tmp), args.out)
    return 0


def shoot_sync(tmp: Path, out: Path) -> None:
    """Two workstations of one boutique; B's edit of Zoé's city loses to A's later one, and B
    created a client for another store, which the server refuses."""
    import uuid

    from tests.sync.harness import ServerWorld, Workstation

    world = ServerWorld(f"sqlite:///{tmp / 'server.db'}")
    world.server.add_store("PAR1", "Paris Saint-Honoré", country="FR", timezone="Europe/Paris")
    world.server.add_store(
        "LON1", "London Mayfair", country="GB", timezone="Europe/London", currency="GBP"
    )
    a = Workstation("Front desk", tmp / "a.db", world)
    b = Workstation("Salon", tmp / "b.db", world)
    for ws in (a, b):
        ws.open()
        ws.enroll("PAR1")
        ws.sync()
    zoe = a.create_client("Zoé", "Martin", city="Paris", tier="vip")
    amal = a.create_client("Amal", "Haddad", city="Paris")
    for given, family in (("Inès", "Roux"), ("Marc", "Petit"), ("Sofia", "Conti")):
        a.create_client(given, family)
    a.sync()
    b.sync()
    b.edit_client(zoe, city="Nice")
    b.edit_client(amal, preferred_name="Mimi")
    time.sleep(0.02)
    a.edit_client(zoe, city="Lyon")
    a.edit_client(amal, preferred_name="Amalia")
    a.sync()
    london = uuid.UUID(bytes=b.scalar("SELECT id FROM stores WHERE code = 'LON1'"))
    b.create_client("Hugo", "Laurent", home_store_id=london)
    a.close()
    b.close()

    ctx = open_context(tmp / "b.db")
    runner = DbRunner(ctx)
    sync = SyncController(ctx.db, lambda _url: world.transport(), b.tokens)
    settings = QSettings(str(tmp / "settings-sync.ini"), QSettings.Format.IniFormat)
    window = MainWindow(ctx, runner, settings, sync=sync)
    window.resize(*SIZE)
    window.show()
    try:
        window.show_page(SYNC)
        page = window.sync_page
        wait_until(lambda: page.sync_button.isEnabled())
        sync.sync_now()
        wait_until(lambda: not sync.running and page.rejected.table.rowCount() > 0)
        page.conflicts.table.selectRow(0)
        save(window, out, "sync")
        window.theme.choose("dark")
        save(window, out, "sync-dark")
        window.theme.choose("light")
    finally:
        runner.shutdown()
        window.close()
        ctx.db.close()
        world.close()


def shoot(window: MainWindow, runner: DbRunner, media: Path, out: Path) -> None:
    window.show_page(TODAY)
    today = window.today_page
    wait_until(lambda: today.view is not None)
    save(window, out, "today")

    page = window.clients_page
    window.focus_search()
    QTest.keyClicks(window.search, "zoe")
    wait_until(lambda: "zo" in page.summary.text().lower())
    wait_until(lambda: page.model.hit(0) is not None)
    hit = page.model.hit(0)
    assert hit is not None
    window.open_client(hit.id)
    wait_until(lambda: page.profile is not None and page.profile.id == hit.id)
    save(window, out, "clients-profile")

    view = page.profile_view
    for index in range(view.tabs.count()):
        name = view.tabs.tabText(index).lower().replace(" & ", "-").replace(" ", "-")
        if name in ("timeline", "wish-list", "purchases", "consent"):
            view.tabs.setCurrentIndex(index)
            save(window, out, f"profile-{name}")
    view.tabs.setCurrentIndex(0)

    window.show_page(CLIENTS)
    window.search.clear()
    wait_until(lambda: page.model.rowCount() > 0)
    save(window, out, "clients-list")

    form = ClientFormDialog(runner, None, window)
    form.show()
    wait_until(lambda: form.save_button.isEnabled())
    form.given_name.setText("Zoé")
    form.emails.set_values(["zoe.martin@", "zoe@example.com"])
    form.submit()
    wait_until(lambda: not form.busy)
    save(form, out, "new-client-errors")
    form.close()

    consent = RecordConsentDialog(runner, hit.id, hit.display_name, window)
    consent.show()
    settle()
    sign(consent.pad)
    save(consent, out, "consent-signature")
    consent.close()

    picker = AddToWishListDialog(runner, hit.id, hit.display_name, media, window)
    picker.show()
    QTest.keyClicks(picker.search, "watch")
    wait_until(lambda: picker.model.rowCount() > 0)
    settle(1200)  # thumbnails decode on a pool
    save(picker, out, "wish-list-picker")
    picker.close()

    shoot_studio(window, hit.id, out)

    window.theme.choose("dark")
    window.show_page(TODAY)
    wait_until(lambda: today.view is not None)
    save(window, out, "today-dark")
    window.open_client(hit.id)
    wait_until(lambda: page.profile is not None and page.profile.id == hit.id)
    save(window, out, "clients-profile-dark")
    window.theme.choose("light")


def shoot_studio(window: MainWindow, client_id: uuid.UUID, out: Path) -> None:
    """Frame three products with presets, record a short session with a preset recall and a
    note, then replay it from the client's timeline."""
    page, link = window.studio_page, window.camera
    with window.ctx.unit_of_work() as s:
        s.activity.record_consent(
            client_id, "video", "session_recording", "granted", "verbal", "Agreed on the call"
        )
    window.clients_page.show_client(client_id)
    wait_until(lambda: page.client is not None and page.record_button.isEnabled())
    window.show_page(STUDIO)
    wait_until(lambda: window.video is not None and window.video.latest() is not None)
    sim, video = window._demo_camera, window.video
    assert sim is not None and video is not None
    profile = sim.profile
    for slot, (sku, name) in enumerate(page.products[:3]):
        pan, tilt, hfov = video.product_framing(sku)
        link.move_to_degrees(pan, tilt)
        link.zoom_to(zoom_for_hfov(hfov, profile.hfov_wide_deg, profile.hfov_tele_deg))
        wait_until(lambda: not sim.state().moving)
        settle(700)
        page.save_preset(slot, name, sku)
        wait_until(lambda slot=slot: slot in page._presets)
    link.home()
    wait_until(lambda: not sim.state().moving)
    page.record_button.click()
    wait_until(lambda: window.recorder.recording)
    settle(1500)
    link.recall(1)
    wait_until(lambda: page.last_marker.text().startswith("Marked"))
    wait_until(lambda: not sim.state().moving)
    page.note_field.setText("Asked about the matching earrings")
    page.note_field.returnPressed.emit()
    settle(1500)
    save(window, out, "studio")
    done: list[object] = []
    window.recorder.finished.connect(done.append)
    page.record_button.click()
    wait_until(lambda: bool(done), 60)
    with window.ctx.unit_of_work() as s:
        session_id = s.clients.profile(client_id).studio_sessions[0].id
    window.open_replay(session_id)
    wait_until(lambda: window.replay is not None and window.replay.chapters.count() > 0)
    replay = window.replay
    assert replay is not None
    settle(2500)  # chapter pictures decode on a worker
    replay.chapters.setCurrentRow(1)
    replay.chapters.itemClicked.emit(replay.chapters.item(1))
    settle(1500)
    replay.toggle()
    settle(300)
    save(replay, out, "replay")
    replay.done(0)


if __name__ == "__main__":
    sys.exit(main())
