"""Snapshot pages on the server, and how a workstation writes pulled rows into its book."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from models.database import open_database
from sync import local
from sync.kinds import KINDS
from sync.protocol import SNAPSHOT_CLIENTS
from sync.server.db import client_scope, grants, records
from sync.server.service import Device, dumps
from tests.sync.harness import ServerWorld

STAMP = "2026-11-23 10:00:00.000000"


def _client_row(client_id: uuid.UUID, store: uuid.UUID, n: int) -> dict[str, Any]:
    return {
        "id": str(client_id),
        "given_name": "Given",
        "family_name": f"Family {n}",
        "language": "fr",
        "home_store_id": str(store),
        "tier": "client",
        "created_at": STAMP,
        "updated_at": STAMP,
        "deleted_at": None,
    }


def _snapshot_clients(world: ServerWorld, store: uuid.UUID) -> list[list[Any]]:
    """Every row of a store's snapshot phase `clients`, page by page, as the wire has it."""
    device = Device(uuid.uuid4(), store, "test")
    rows: list[list[Any]] = []
    state: dict[str, Any] = {"phase": "clients", "after": None, "hw": None}
    while True:
        page = json.loads(world.server.snapshot(device, state["phase"], state["after"], None))
        assert len({r[1] for r in page["rows"]}) <= SNAPSHOT_CLIENTS
        rows.extend(page["rows"])
        if page["phase"] == "done":
            return rows
        state = page


def _check_scope(url: str) -> None:
    world = ServerWorld(url)
    try:
        paris = world.server.add_store("PAR1", "Paris")
        london = world.server.add_store("LON1", "London")
        kind = KINDS["clients"]
        # Ids interleave the two stores' clients, so every page mixes home and granted ones.
        ids = [uuid.UUID(int=(0x0190 << 112) | (7 << 76) | n) for n in range(560)]
        home = {cid: (paris if n % 2 else london) for n, cid in enumerate(ids)}
        granted = [cid for n, cid in enumerate(ids) if n % 4 == 0]  # London's, to Paris
        granted += [ids[1], ids[301]]  # Paris's own: in both branches, sent once
        with world.engine.begin() as conn:
            conn.execute(
                insert(client_scope),
                [{"client_id": c, "home_store_id": s} for c, s in home.items()],
            )
            conn.execute(
                insert(grants),
                [
                    {"store_id": paris, "client_id": c, "granted_at": world.server._now()}
                    for c in granted
                ],
            )
            conn.execute(
                insert(records),
                [
                    {
                        "kind": "clients",
                        "id": c,
                        "kind_order": kind.order,
                        "client_id": c,
                        "store_id": None,
                        "data": dumps(_client_row(c, s, n)),
                        "clocks": None,
                        "natural_key": None,
                        "version": 1000 + n,
                        "deleted": False,
                    }
                    for n, (c, s) in enumerate(home.items())
                ],
            )
        rows = _snapshot_clients(world, paris)
        expected = sorted({c for c, s in home.items() if s == paris} | set(granted))
        assert [r[1] for r in rows] == [str(c) for c in expected]
        # Rows travel as stored: `data` is the row's JSON object, not text to decode again.
        for kind_name, row_id, version, data in rows:
            n = ids.index(uuid.UUID(row_id))
            assert (kind_name, version) == ("clients", 1000 + n)
            assert data == _client_row(uuid.UUID(row_id), home[uuid.UUID(row_id)], n)
        assert [r[1] for r in _snapshot_clients(world, london)] == [
            str(c) for c in ids if home[c] == london
        ]
    finally:
        world.close()


def test_snapshot_pages_send_home_and_granted_clients_once_in_order(tmp_path: Path) -> None:
    _check_scope(f"sqlite:///{tmp_path / 'server.db'}")


def test_snapshot_pages_on_postgresql(pg_url: str) -> None:
    _check_scope(pg_url)


def _wire(n: int, store: uuid.UUID) -> list[tuple[str, str, int, Any]]:
    client = uuid.UUID(int=(0x0190 << 112) | (3 << 76) | n)
    tag = uuid.UUID(int=(0x0190 << 112) | (6 << 76) | n)
    return [
        ("clients", str(client), 10 + n, _client_row(client, store, n)),
        (
            "client_tags",
            str(tag),
            20 + n,
            {
                "id": str(tag),
                "client_id": str(client),
                "tag": "vip",
                "created_at": STAMP,
                "updated_at": STAMP,
                "deleted_at": None,
            },
        ),
    ]


def _store_put(store: uuid.UUID) -> tuple[str, str, int, Any]:
    row = {c: None for c in KINDS["stores"].columns}
    row.update(
        id=str(store),
        code="PAR1",
        name="Paris",
        city="Paris",
        country="FR",
        timezone="Europe/Paris",
        currency="EUR",
        created_at=STAMP,
        updated_at=STAMP,
    )
    return ("stores", str(store), 1, row)


def _book_rows(path: Path) -> list[tuple[Any, ...]]:
    db = open_database(path)
    try:
        with db.engine.connect() as conn:
            return [
                tuple(r)
                for kind in ("stores", "clients", "client_tags")
                for r in conn.exec_driver_sql(f"SELECT * FROM {kind} ORDER BY id")
            ]
    finally:
        db.close()


def _apply(path: Path, *pages: list[tuple[str, str, int, Any]]) -> None:
    db = open_database(path)
    try:
        for puts in pages:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
                local.apply_puts(conn, puts, local.ApplyStats())
    finally:
        db.close()


def test_pulled_rows_new_known_repeated_or_as_json_text_end_the_same(tmp_path: Path) -> None:
    store = uuid.UUID(int=(0x0190 << 112) | (1 << 76))
    first = [_store_put(store), *(p for n in range(3) for p in _wire(n, store))]
    # A page with rows already in the book among new ones, and one row twice: the later wins.
    renamed = _client_row(uuid.UUID(first[3][1]), store, 1) | {"family_name": "Renamed"}
    second = [
        *(p for n in range(2, 6) for p in _wire(n, store)),
        ("clients", first[3][1], 99, renamed),
        ("clients", first[3][1], 100, renamed | {"city": "Lyon"}),
    ]
    _apply(tmp_path / "objects.db", first, second)
    # An older server sends each row's data as JSON text.
    as_text = [[(k, i, v, json.dumps(d)) for k, i, v, d in page] for page in (first, second)]
    _apply(tmp_path / "text.db", *as_text)
    # The same rows, one at a time (each a plain upsert of a row the book may hold).
    _apply(tmp_path / "single.db", *([put] for page in (first, second) for put in page))

    rows = _book_rows(tmp_path / "objects.db")
    assert rows == _book_rows(tmp_path / "text.db") == _book_rows(tmp_path / "single.db")
    db = open_database(tmp_path / "objects.db")
    try:
        with db.engine.connect() as conn:
            got = conn.exec_driver_sql(
                "SELECT family_name, city, sort_key, server_version FROM clients WHERE id = ?",
                (uuid.UUID(first[3][1]).bytes,),
            ).one()
            assert tuple(got) == ("Renamed", "Lyon", "renamed given", 100)
            assert conn.exec_driver_sql("SELECT count(*) FROM clients").scalar() == 6
            assert conn.exec_driver_sql("SELECT count(*) FROM client_tags").scalar() == 6
    finally:
        db.close()


def test_a_pulled_row_replaces_a_local_twin_by_natural_key(tmp_path: Path) -> None:
    store = uuid.UUID(int=(0x0190 << 112) | (1 << 76))
    page = [_store_put(store), *_wire(0, store)]
    other = str(uuid.uuid4())
    twin = ("client_tags", other, 5, dict(page[2][3]) | {"id": other})  # a tag made offline
    _apply(tmp_path / "book.db", page[:2], [twin])
    _apply(tmp_path / "book.db", [page[2]])
    db = open_database(tmp_path / "book.db")
    try:
        with db.engine.connect() as conn:
            ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM client_tags")]
        assert ids == [uuid.UUID(page[2][1]).bytes]
    finally:
        db.close()
