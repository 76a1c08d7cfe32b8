"""The shell under test: a real seeded book, the real database thread, an offscreen window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from app.context import AppContext, open_context
from app.demo.book import seed_book
from app.tasks import DbRunner
from models.database import open_database
from ui.main_window import MainWindow


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    path = tmp_path / "book.db"
    db = open_database(path)
    # The demo's "today" must be the store's today, whatever the hour in UTC.
    seed_book(db, 300, images=False, anchor=datetime.now(ZoneInfo("Europe/Paris")).date())
    db.close()
    context = open_context(path)
    yield context
    context.db.close()


@pytest.fixture
def runner(ctx: AppContext) -> Iterator[DbRunner]:
    db_runner = DbRunner(ctx)
    yield db_runner
    db_runner.shutdown()


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, runner: DbRunner, tmp_path: Path) -> Iterator[MainWindow]:
    # A settings file per test: nothing leaks into the user's real preferences.
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    main_window = MainWindow(ctx, runner, settings)
    qtbot.addWidget(main_window)
    main_window.show()
    qtbot.waitExposed(main_window)
    yield main_window
    runner.shutdown()  # first, so no late result lands on a closing window
    main_window.close()
