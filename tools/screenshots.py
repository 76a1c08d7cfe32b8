"""Screenshots of every page and the main dialogs, on a fresh demo book, for the README.

    xvfb-run -a -s "-screen 0 1440x900x24" python tools/screenshots.py [--out docs/screenshots]

Seeds a deterministic demo book in a temporary folder, drives the real window the way an
associate would (search, open a profile, switch tabs, open dialogs, sign), and saves PNGs.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.context import open_context
from app.demo.book import seed_book
from app.tasks import DbRunner
from models.database import open_database
from ui.application import apply_look
from ui.dialogs import AddToWishListDialog, ClientFormDialog, RecordConsentDialog
from ui.main_window import CLIENTS, TODAY, MainWindow

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
    return 0


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

    window.theme.choose("dark")
    window.show_page(TODAY)
    wait_until(lambda: today.view is not None)
    save(window, out, "today-dark")
    window.open_client(hit.id)
    wait_until(lambda: page.profile is not None and page.profile.id == hit.id)
    save(window, out, "clients-profile-dark")
    window.theme.choose("light")


if __name__ == "__main__":
    sys.exit(main())
