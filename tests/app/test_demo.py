from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import cv2
import phonenumbers
import pytest

from app.demo.book import BookNotEmptyError, seed_book
from app.doctor import examine
from models.database import open_database

ANCHOR = date(2026, 11, 23)
TABLES = (
    "clients",
    "client_emails",
    "client_phones",
    "important_dates",
    "notes",
    "interactions",
    "purchases",
    "purchase_lines",
    "wish_list_items",
    "consent_events",
    "tasks",
    "appointments",
    "stock_levels",
    "products",
)


def dump(path: Path) -> str:
    db = open_database(path)
    digest = hashlib.sha256()
    with db.engine.connect() as conn:
        for table in TABLES:
            for row in conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id"):
                digest.update(repr(tuple(row)).encode())
    db.close()
    return digest.hexdigest()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "book.db"
    db = open_database(path)
    report = seed_book(db, 1500, seed=11, anchor=ANCHOR)
    db.close()
    assert report.clients == 1500 and report.products >= 300
    return path


def test_same_seed_same_book(demo: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.db"
    db = open_database(again)
    seed_book(db, 1500, seed=11, anchor=ANCHOR, images=False)
    db.close()
    assert dump(again) == dump(demo)


def test_demo_book_is_healthy_and_realistic(demo: Path) -> None:
    db = open_database(demo)
    try:
        report = examine(db)
        assert report.problems == []
        assert report.integrity == "ok"
        counts = report.counts
        assert counts["clients"] == 1500
        assert counts["purchases"] > counts["clients"]  # three years of history
        for table in (
            "notes",
            "interactions",
            "wish_list_items",
            "consent_events",
            "tasks",
            "appointments",
            "important_dates",
            "closet_items",
        ):
            assert counts[table] > 0, table
        with db.engine.connect() as conn:
            phones = [r[0] for r in conn.exec_driver_sql("SELECT e164 FROM client_phones")]
            locales = {r[0] for r in conn.exec_driver_sql("SELECT DISTINCT language FROM clients")}
            # A 29 February with a known year must be in a leap year.
            impossible_leap_days = conn.exec_driver_sql(
                "SELECT count(*) FROM important_dates WHERE month_day = 229 "
                "AND year IS NOT NULL AND (year % 4 != 0 OR (year % 100 = 0 AND year % 400 != 0))"
            ).scalar()
            spans = conn.exec_driver_sql(
                "SELECT min(purchased_at), max(purchased_at) FROM purchases"
            ).one()
        invalid = [p for p in phones if not phonenumbers.is_valid_number(phonenumbers.parse(p))]
        assert invalid == []
        assert len(locales) >= 8
        assert spans[0] < "2024-01-01" and spans[1] > "2026-10-01"
        assert impossible_leap_days == 0
    finally:
        db.close()


def test_every_product_has_a_readable_image(demo: Path) -> None:
    db = open_database(demo)
    try:
        with db.engine.connect() as conn:
            paths = [r[0] for r in conn.exec_driver_sql("SELECT path FROM product_images")]
        assert len(paths) >= 300
        for rel in paths[:: len(paths) // 10]:
            image = cv2.imread(str(db.media_dir / rel))
            assert image is not None and image.shape[0] >= 400 and image.std() > 10
    finally:
        db.close()


def test_the_workstation_has_a_today_worth_opening(demo: Path) -> None:
    from app.context import AppContext, open_context
    from app.today import TodayService

    ctx: AppContext = open_context(demo)
    try:
        with ctx.db.session() as s:
            from datetime import UTC, datetime

            view = TodayService(s, ctx.actor, lambda: datetime(2026, 11, 23, 8, tzinfo=UTC)).today()
        assert len(view.tasks_due) >= 4
        assert len(view.appointments) >= 3
        assert view.upcoming_dates
        assert len(view.back_in_stock) >= 2
    finally:
        ctx.db.close()


def test_seeding_a_book_that_has_data_is_refused(demo: Path) -> None:
    db = open_database(demo)
    try:
        with pytest.raises(BookNotEmptyError, match="already holds 1500 clients"):
            seed_book(db, 10)
    finally:
        db.close()


def test_every_seeded_date_is_a_real_date_even_around_a_leap_day(tmp_path: Path) -> None:
    from models.dates import is_valid_month_day

    db = open_database(tmp_path / "leap.db")
    try:
        seed_book(db, 400, seed=3, anchor=date(2028, 2, 24), images=False)
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT month, day, year FROM important_dates").all()
    finally:
        db.close()
    assert (2, 29) in {(m, d) for m, d, _y in rows}
    assert [r for r in rows if not is_valid_month_day(*r)] == []
