from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from app.demo.book import seed_book
from models.database import open_database
from sync.kinds import KINDS
from sync.server.db import client_scope, records, server_stores, sync_state
from sync.server.importer import import_book
from sync.server.service import ServiceError
from tests.sync.harness import ServerWorld, Workstation


def _seeded(path: Path, clients: int) -> Path:
    db = open_database(path)
    seed_book(db, clients, images=False)
    db.close()
    return path


def _rows_of_store(path: Path, store: bytes) -> dict[str, set[tuple[Any, ...]]]:
    """Every synced row a store sees in a book, as wire values."""
    conn = sqlite3.connect(path)
    out: dict[str, set[tuple[Any, ...]]] = {}
    clients = {
        r[0] for r in conn.execute("SELECT id FROM clients WHERE home_store_id = ?", (store,))
    }
    purchases = {
        r[0] for r in conn.execute("SELECT id, client_id FROM purchases") if r[1] in clients
    }
    for kind in KINDS.values():
        cols = list(kind.columns.values())
        names = [c.name for c in cols]
        got: set[tuple[Any, ...]] = set()
        for values in conn.execute(f"SELECT {', '.join(names)} FROM {kind.name}"):
            row = dict(zip(names, values, strict=True))
            if kind.client_column == "id" and row["id"] not in clients:
                continue
            owner = row.get(kind.client_column or "")
            if kind.client_column != "id" and owner is not None and owner not in clients:
                continue
            if kind.parent is not None and row[kind.parent[0]] not in purchases:
                continue
            got.add(tuple(c.from_sqlite(v) for c, v in zip(cols, values, strict=True)))
        out[kind.name] = got
    conn.close()
    return out


def test_imported_book_reaches_a_workstation(tmp_path: Path) -> None:
    source = _seeded(tmp_path / "source.db", 60)
    world = ServerWorld(f"sqlite:///{tmp_path / 'server.db'}")
    report = import_book(world.server, source)
    assert report.clients == 60 and report.stores == 8

    with world.engine.connect() as conn:
        version, horizon = conn.execute(select(sync_state.c.version, sync_state.c.horizon)).one()
        assert version == horizon == report.version == report.rows
        recs = conn.execute(select(records)).all()
        assert len(recs) == report.rows
        assert sorted(r.version for r in recs) == list(range(1, report.rows + 1))
        assert conn.execute(select(client_scope)).all().__len__() == 60
        stores = conn.execute(select(server_stores.c.id, server_stores.c.code)).all()
    for rec in recs:
        kind = KINDS[rec.kind]
        data = json.loads(rec.data)
        assert list(data) == list(kind.columns)  # the order a push writes
        assert rec.kind_order == kind.order
        assert rec.natural_key == kind.natural_key(data)
        assert rec.deleted == (data.get("deleted_at") is not None)
        if kind.append_only:
            assert rec.clocks is None
        else:
            clocks = json.loads(rec.clocks)
            assert set(clocks) == set(data)
            assert all(c.endswith("-0000-server") for c in clocks.values())
        if kind.scope == "client" and rec.client_id is None:
            assert rec.store_id is not None  # a store's own task

    # The busiest store of the book, seen from one of its workstations.
    book = sqlite3.connect(source)
    store = book.execute(
        "SELECT home_store_id FROM clients GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    book.close()
    code = next(c for i, c in stores if uuid.UUID(str(i)).bytes == store)
    ws = Workstation("A", tmp_path / "a.db", world)
    ws.open()
    ws.enroll(code)
    first = ws.sync()
    assert first.snapshot_rows > 0 and not first.resynced
    assert ws.sync().up_to_date

    expected = _rows_of_store(source, store)
    got = _rows_of_store(ws.path, store)
    for name in KINDS:
        assert got[name] == expected[name], name
    assert sum(len(v) for v in got.values()) > 100

    # An edit on top of imported rows merges like any other.
    cid = uuid.UUID(bytes=next(iter(r for r in ws.rows("SELECT id FROM clients")))[0])
    ws.edit_client(cid, city="Lyon")
    assert ws.sync().applied == 1
    ws.close()

    # Importing again changes nothing.
    again = import_book(world.server, source)
    assert again.rows == 0 and again.skipped == report.rows
    world.close()


def test_missing_book_is_refused(tmp_path: Path) -> None:
    world = ServerWorld(f"sqlite:///{tmp_path / 'server.db'}")
    with pytest.raises(ServiceError):
        import_book(world.server, tmp_path / "nope.db")
    world.close()


def test_postgresql_has_planner_statistics_right_after_an_import(
    tmp_path: Path, pg_url: str
) -> None:
    # Without them, the first snapshots after an import scan every record for each page
    # until autovacuum gets round to the new rows.
    source = _seeded(tmp_path / "source.db", 20)
    world = ServerWorld(pg_url)
    try:
        report = import_book(world.server, source)
        with world.engine.connect() as conn:
            analysed = {
                table: int(rows)
                for table, rows in conn.execute(
                    text(
                        "SELECT relname, reltuples FROM pg_class WHERE relname IN "
                        "('records', 'client_scope')"
                    )
                )
            }
            columns = conn.execute(
                text("SELECT count(*) FROM pg_stats WHERE tablename = 'records'")
            ).scalar_one()
        assert analysed == {"records": report.rows, "client_scope": report.clients}
        assert columns > 0
    finally:
        world.close()
