"""Shared fixtures: every test gets its own real SQLite book in a temporary folder."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.activity import ActivityService
from app.clients import Actor, ClientService
from app.today import TodayService
from models import Associate, Store
from models.database import Database, open_database
from models.dto import ClientInput

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


class FixedClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "book.db")
    yield database
    database.close()


@dataclass
class Book:
    """A small book with one store and two associates, and services bound to a session."""

    db: Database
    store_id: uuid.UUID
    associate_id: uuid.UUID
    other_associate_id: uuid.UUID
    clock: FixedClock

    @property
    def actor(self) -> Actor:
        return Actor(self.associate_id, self.store_id)

    def clients(self, session) -> ClientService:  # type: ignore[no-untyped-def]
        return ClientService(session, self.actor, self.clock)

    def activity(self, session) -> ActivityService:  # type: ignore[no-untyped-def]
        return ActivityService(session, self.actor, self.clock)

    def today(self, session) -> TodayService:  # type: ignore[no-untyped-def]
        return TodayService(session, self.actor, self.clock)

    def create(self, **fields: object) -> uuid.UUID:
        data = ClientInput(**{"given_name": "Anna", "family_name": "Weber", **fields})  # type: ignore[arg-type]
        with self.db.session() as s:
            return self.clients(s).create_client(data)


@pytest.fixture
def book(db: Database) -> Book:
    with db.session() as s:
        store = Store(
            code="PAR1",
            name="Paris Saint-Honoré",
            city="Paris",
            country="FR",
            timezone="Europe/Paris",
            currency="EUR",
        )
        s.add(store)
        s.flush()
        camille = Associate(store_id=store.id, display_name="Camille Roux")
        louis = Associate(store_id=store.id, display_name="Louis Faure")
        s.add_all([camille, louis])
        s.flush()
        ids = (store.id, camille.id, louis.id)
    return Book(db, *ids, clock=FixedClock())
