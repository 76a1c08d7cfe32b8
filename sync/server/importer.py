"""Bulk-load a local book (a SQLite file, e.g. from `vitrine seed`) into the central server.

Every synced row of the book becomes a `records` row exactly as a push would have written it
(`SyncServer._put_record`): the row as JSON in column order, a "server" clock stamp on every
field of mutable kinds, a fresh version, its natural key and kind order, and the client or
store it belongs to. Each store of the book becomes a server store with the same id, and each
client gets its `client_scope` (home store) row.

No ops are logged: the import moves `sync_state.horizon` up to the new version instead, so
every device takes a snapshot at its next sync. Rows the server already holds (same kind and
id: the catalog of a second book, or a repeated import) are skipped, as are the rows of erased
clients. Everything happens in one transaction that holds the push lock.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.exc import IntegrityError

from sync.hlc import Stamp
from sync.kinds import _DT_RE, KINDS, BadValue, Column, Kind
from sync.server.db import client_scope, erased, records, server_stores, sync_state, transaction
from sync.server.service import ServiceError, SyncServer, dumps

BATCH = 5000


@dataclass
class ImportReport:
    rows: int = 0
    skipped: int = 0
    clients: int = 0
    stores: int = 0
    version: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"imported {self.rows:,} rows ({self.clients:,} clients, {self.stores} new stores; "
            f"{self.skipped:,} already on the server) in {self.seconds:.1f} s; "
            f"server version {self.version}"
        )


def _validator(col: Column) -> Callable[[Any], Any]:
    """SQLite value -> checked wire value; the common types take a fast path that accepts
    and refuses exactly what `Column.check` does."""
    if col.type == "uuid":

        def uuid_value(value: Any) -> Any:
            if isinstance(value, bytes) and len(value) == 16:
                return str(uuid.UUID(bytes=value))
            return col.check(col.from_sqlite(value))

        return uuid_value
    if col.type == "datetime":

        def datetime_value(value: Any) -> Any:
            if isinstance(value, str) and _DT_RE.match(value):
                try:
                    datetime.fromisoformat(value)
                    return value
                except ValueError:
                    pass
            return col.check(col.from_sqlite(value))

        return datetime_value
    return lambda value: col.check(col.from_sqlite(value))


def _book_rows(book: sqlite3.Connection, kind: Kind) -> Iterator[dict[str, Any]]:
    """The book's rows of one kind as checked wire values, in the kind's column order."""
    cols = list(kind.columns.values())
    checks = [(c.name, _validator(c)) for c in cols]
    names = ", ".join(c.name for c in cols)
    cur = book.execute(f"SELECT {names} FROM {kind.name} ORDER BY id")
    while True:
        chunk = cur.fetchmany(BATCH)
        if not chunk:
            return
        for values in chunk:
            try:
                yield {name: check(v) for (name, check), v in zip(checks, values, strict=True)}
            except BadValue as exc:
                raise ServiceError(f"{kind.name}: {exc}") from exc


def import_book(
    server: SyncServer,
    path: Path,
    progress: Callable[[str, int], None] | None = None,
) -> ImportReport:
    """Load the book at `path` into the server's records; returns what was done."""
    if not path.exists():
        raise ServiceError(f"no book at {path}")
    started = time.perf_counter()
    report = ImportReport()
    book = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with transaction(server.engine) as conn:
            try:
                _import(server, conn, book, report, progress)
            except IntegrityError as exc:
                raise ServiceError(
                    "the book clashes with rows already on the server (a natural key such as a "
                    f"store code or purchase reference is taken by another id): {exc.orig}"
                ) from exc
    finally:
        book.close()
    if server.engine.dialect.name == "postgresql":
        # Planner statistics for what was just loaded: until autovacuum gets to the new rows
        # (a minute or more later), PostgreSQL plans a snapshot page's record fetch as a scan
        # of every record (250 ms a page for 500,000 records instead of 7 ms).
        with transaction(server.engine) as conn:
            conn.execute(sql_text("ANALYZE records, client_scope, server_stores"))
    report.seconds = time.perf_counter() - started
    return report


def _import(
    server: SyncServer,
    conn: Connection,
    book: sqlite3.Connection,
    report: ImportReport,
    progress: Callable[[str, int], None] | None,
) -> None:
    now = server._now()
    # The push lock: no push interleaves its op ids with the versions handed out here.
    conn.execute(
        update(sync_state).where(sync_state.c.id == 1).values(version=sync_state.c.version)
    )
    version, max_hlc = conn.execute(
        select(sync_state.c.version, sync_state.c.max_hlc).where(sync_state.c.id == 1)
    ).one()
    version = int(version)
    hlc = Stamp(server.now_ms(), 0, "server").encode()

    existing: set[tuple[str, str]] = {
        (str(k), str(uuid.UUID(str(i))))
        for k, i in conn.execute(select(records.c.kind, records.c.id))
    }
    gone = {str(uuid.UUID(str(c))) for (c,) in conn.execute(select(erased.c.client_id))}
    known_stores = {str(uuid.UUID(str(s))) for (s,) in conn.execute(select(server_stores.c.id))}

    # Stores of the book become server stores with the same id.
    store_rows = list(_book_rows(book, KINDS["stores"]))
    new_stores = [
        {
            "id": uuid.UUID(r["id"]),
            "code": r["code"],
            "name": r["name"],
            "created_at": now,
        }
        for r in store_rows
        if r["id"] not in known_stores
    ]
    if new_stores:
        conn.execute(insert(server_stores), new_stores)
    report.stores = len(new_stores)

    # A store-level task (no client) belongs to its assignee's store, else the book's own.
    associate_store = {
        str(uuid.UUID(bytes=bytes(a))): str(uuid.UUID(bytes=bytes(s)))
        for a, s in book.execute("SELECT id, store_id FROM associates")
    }
    own = book.execute("SELECT value FROM local_meta WHERE key = 'workstation_store'").fetchone()
    book_store = own[0] if own else (store_rows[0]["id"] if store_rows else None)
    purchase_client: dict[str, str] = {}

    batch: list[dict[str, Any]] = []

    def flush() -> None:
        if batch:
            conn.execute(insert(records), batch)
            batch.clear()

    for kind in sorted(KINDS.values(), key=lambda k: k.order):
        count = 0
        clocks_for: dict[frozenset[str], str] = {}
        for row in _book_rows(book, kind):
            client: str | None = None
            store: str | None = None
            if kind.client_column is not None:
                client = row.get(kind.client_column)
            elif kind.parent is not None:
                client = purchase_client.get(row[kind.parent[0]])
                if client is None:
                    continue  # a line of a purchase that was not imported
            if kind.name == "purchases":
                purchase_client[row["id"]] = row["client_id"]
            if client is not None and client in gone:
                continue
            if kind.scope == "client" and client is None:
                store = associate_store.get(row.get("assignee_id") or "", book_store)
                if store is None:
                    continue
            if (kind.name, row["id"]) in existing:
                report.skipped += 1
                continue
            version += 1
            clocks = None
            if not kind.append_only:
                shape = frozenset(row)
                clocks = clocks_for.get(shape)
                if clocks is None:
                    clocks = clocks_for[shape] = dumps(dict.fromkeys(row, hlc))
            batch.append(
                {
                    "kind": kind.name,
                    "id": uuid.UUID(row["id"]),
                    "kind_order": kind.order,
                    "client_id": uuid.UUID(client) if client is not None else None,
                    "store_id": uuid.UUID(store) if store is not None else None,
                    "data": dumps(row),
                    "clocks": clocks,
                    "natural_key": kind.natural_key(row),
                    "version": version,
                    "deleted": row.get("deleted_at") is not None,
                }
            )
            if kind.name == "clients":
                report.clients += 1
            count += 1
            if len(batch) >= BATCH:
                flush()
        flush()
        if count:
            report.counts[kind.name] = count
            report.rows += count
            if progress is not None:
                progress(kind.name, count)
        if kind.name == "clients":
            _scope_clients(conn, book, existing, gone)

    conn.execute(
        update(sync_state)
        .where(sync_state.c.id == 1)
        .values(version=version, horizon=version, max_hlc=max(str(max_hlc), hlc))
    )
    report.version = version


def _scope_clients(
    conn: Connection, book: sqlite3.Connection, existing: set[tuple[str, str]], gone: set[str]
) -> None:
    """Each imported client's home store, so pulls and snapshots find it."""
    batch: list[dict[str, Any]] = []
    for cid, home in book.execute("SELECT id, home_store_id FROM clients"):
        text = str(uuid.UUID(bytes=bytes(cid)))
        if text in gone or ("clients", text) in existing:
            continue
        batch.append({"client_id": uuid.UUID(text), "home_store_id": uuid.UUID(bytes=bytes(home))})
        if len(batch) >= BATCH:
            conn.execute(insert(client_scope), batch)
            batch.clear()
    if batch:
        conn.execute(insert(client_scope), batch)
