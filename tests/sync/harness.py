"""A real sync world for tests: the server app (on SQLite or PostgreSQL) served in-process
over HTTP by Starlette's test client, and workstations each on their own SQLite book, editing
through the same services the desktop uses."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.activity import ActivityService
from app.clients import Actor, ClientService
from models.database import Database, open_database
from models.dto import ClientInput
from sync.engine import SyncEngine, SyncReport, install_capture
from sync.hlc import wall_ms
from sync.kinds import KINDS
from sync.server.app import create_app
from sync.server.db import make_engine, metadata, migrate
from sync.server.service import SyncServer
from sync.transport import HttpTransport


class MemoryTokens:
    """Stands in for the OS keyring inside one test process."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}

    def save(self, device_id: str, token: str) -> None:
        self.tokens[device_id] = token

    def load(self, device_id: str) -> str | None:
        return self.tokens.get(device_id)

    def delete(self, device_id: str) -> None:
        self.tokens.pop(device_id, None)


def reset_database(url: str) -> None:
    """Empty a PostgreSQL test database (SQLite files are fresh per test anyway)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(text(f"DROP TABLE IF EXISTS {table.name} CASCADE"))
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


class ServerWorld:
    def __init__(self, url: str, now_ms: Callable[[], int] = wall_ms) -> None:
        self.url = url
        self.engine = make_engine(url)
        migrate(self.engine)
        self.server = SyncServer(self.engine, now_ms)
        self.app = create_app(self.server)
        self.http = TestClient(self.app, raise_server_exceptions=True)

    def transport(self) -> HttpTransport:
        return HttpTransport("http://testserver", client=self.http)

    def close(self) -> None:
        self.http.close()
        self.engine.dispose()


@dataclass
class Workstation:
    name: str
    path: Path
    world: ServerWorld
    tokens: MemoryTokens = field(default_factory=MemoryTokens)
    transport: Any = None
    now_ms: Callable[[], int] = wall_ms
    db: Database | None = None

    def open(self) -> None:
        self.db = open_database(self.path)
        install_capture(self.db, self.now_ms)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def reopen(self) -> None:
        self.close()
        self.open()

    @property
    def engine(self) -> SyncEngine:
        assert self.db is not None
        return SyncEngine(
            self.db, self.transport or self.world.transport(), self.tokens, now_ms=self.now_ms
        )

    def enroll(self, store_code: str) -> None:
        code = self.world.server.create_enrollment(store_code)
        assert self.db is not None
        self.engine.enroll("http://testserver", code, self.name)
        self.reopen()  # capture starts once the book is enrolled

    def sync(self) -> SyncReport:
        return self.engine.sync()

    @property
    def store_id(self) -> uuid.UUID:
        return uuid.UUID(self.engine.state()["store_id"])

    def actor(self) -> Actor:
        return Actor(None, self.store_id)

    def clients(self, fn: Callable[[ClientService], Any]) -> Any:
        assert self.db is not None
        with self.db.session() as s:
            return fn(ClientService(s, self.actor()))

    def activity(self, fn: Callable[[ActivityService], Any]) -> Any:
        assert self.db is not None
        with self.db.session() as s:
            return fn(ActivityService(s, self.actor()))

    def create_client(self, given: str, family: str, **extra: Any) -> uuid.UUID:
        data = ClientInput(given_name=given, family_name=family, **extra)
        return self.clients(lambda c: c.create_client(data))  # type: ignore[no-any-return]

    def edit_client(self, client_id: uuid.UUID, **changes: Any) -> None:
        def run(c: ClientService) -> None:
            data = c.edit_input(client_id)
            for k, v in changes.items():
                setattr(data, k, v)
            c.update_client(client_id, data)

        self.clients(run)

    def scalar(self, sql: str, *params: Any) -> Any:
        assert self.db is not None
        with self.db.engine.connect() as conn:
            return conn.exec_driver_sql(sql, params).scalar()

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        assert self.db is not None
        with self.db.engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(sql, params)]


def server_view(world: ServerWorld, store_id: uuid.UUID) -> dict[tuple[str, str], Any]:
    """What the server says a store may see: (kind, id) -> (version, row as wire JSON)."""
    pg = world.engine.dialect.name == "postgresql"
    with world.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT kind, id, version, data FROM records WHERE "
                "(client_id IS NULL AND (store_id IS NULL OR store_id = :s)) OR client_id IN "
                "(SELECT client_id FROM client_scope WHERE home_store_id = :s "
                " UNION SELECT client_id FROM grants WHERE store_id = :s)"
            ),
            {"s": store_id if pg else store_id.bytes},
        ).all()
    out = {}
    for kind, row_id, version, data in rows:
        rid = row_id if isinstance(row_id, uuid.UUID) else uuid.UUID(bytes=bytes(row_id))
        out[(kind, str(rid))] = (int(version), json.loads(data))
    return out


def book_view(db: Database) -> dict[tuple[str, str], Any]:
    """Every synced row of a book: (kind, id) -> (server_version, row as wire JSON)."""
    out = {}
    with db.engine.connect() as conn:
        for kind in KINDS.values():
            cols = list(kind.columns)
            for row in conn.exec_driver_sql(
                f"SELECT {', '.join(cols)}, server_version FROM {kind.name}"
            ):
                data = {c: kind.columns[c].from_sqlite(v) for c, v in zip(cols, row, strict=False)}
                out[(kind.name, data["id"])] = (row[-1], data)
    return out
