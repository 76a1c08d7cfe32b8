"""The workstation's side of sync, against its own SQLite book (no network here).

* the server copy: pulled rows are written with plain executemany inserts, or upserts when
  some are in the book already (no ORM, no outbox), each page and the cursor after it in one
  transaction;
* pending local edits stay on top: after a page is applied, fields of rows with pending
  outbox mutations are written again, so a pull never hides an edit not yet pushed;
* verification: count and version sum of every row the server has confirmed;
* resync: rows are marked unconfirmed (version negated), a snapshot re-confirms them, and
  whatever is still unconfirmed at the end is gone from the server and goes here too. The
  outbox is never touched by a resync.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from models import search_index
from models.base import Base
from sync.kinds import KINDS, Kind

_META_PREFIX = "sync_"


def read_meta(conn: Connection) -> dict[str, str]:
    rows = conn.exec_driver_sql(
        "SELECT key, value FROM local_meta WHERE key LIKE 'sync\\_%' ESCAPE '\\'"
    ).all()
    return {k.removeprefix(_META_PREFIX): v for k, v in rows}


def write_meta(conn: Connection, **values: str | int | None) -> None:
    for key, value in values.items():
        if value is None:
            conn.exec_driver_sql("DELETE FROM local_meta WHERE key = ?", (_META_PREFIX + key,))
        else:
            conn.exec_driver_sql(
                "INSERT INTO local_meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (_META_PREFIX + key, str(value)),
            )


@dataclass
class _KindSql:
    kind: Kind
    columns: list[str]  # local column order for the upsert (wire + derived + server_version)
    insert: str  # the same columns, for rows not in the book yet
    upsert: str
    # Natural-key dedupe: a DELETE and the positions in `columns` of its key columns and id.
    dedupe: list[tuple[str, list[int]]]
    id_index: int
    # Positions in `columns` whose wire value SQLite does not take as it comes (uuids, bytes,
    # booleans), with their converter; every other value passes through untouched.
    convert: list[tuple[int, Callable[[Any], Any]]]
    feeds_index: bool  # pulled rows of this kind re-index their client


def _kind_sql(kind: Kind) -> _KindSql:
    assert kind.table is not None
    columns = [c.name for c in kind.table.columns if c.name != "server_version"]
    all_cols = [*columns, "server_version"]
    placeholders = ", ".join("?" * len(all_cols))
    if kind.append_only:
        update = "server_version = excluded.server_version"
    else:
        update = ", ".join(f"{c} = excluded.{c}" for c in all_cols if c != "id")
    insert = f"INSERT INTO {kind.name} ({', '.join(all_cols)}) VALUES ({placeholders})"
    upsert = f"{insert} ON CONFLICT(id) DO UPDATE SET {update}"
    dedupe = [
        (
            f"DELETE FROM {kind.name} WHERE "
            + " AND ".join(f"{c} = ?" for c in cols)
            + " AND id <> ?",
            [columns.index(c) for c in (*cols, "id")],
        )
        for cols in kind.natural_keys
    ]
    convert = []
    for i, name in enumerate(columns):
        col = kind.columns.get(name)
        converter = col.sqlite_converter() if col is not None else None
        if converter is not None:
            convert.append((i, converter))
    return _KindSql(
        kind,
        columns,
        insert,
        upsert,
        dedupe,
        columns.index("id"),
        convert,
        kind.name in _FEEDS_INDEX,
    )


# The tables a client's search document or figures are made of: pulled rows of these kinds
# re-index their client, exactly as local edits do.
_FEEDS_INDEX = frozenset(
    str(mapper.class_.__tablename__)
    for mapper in Base.registry.mappers
    if mapper.class_.__name__ in search_index.FEEDS
)
_SQL = {name: _kind_sql(kind) for name, kind in KINDS.items()}


@dataclass
class ApplyStats:
    rows: int = 0
    removed_clients: int = 0
    erased_clients: list[uuid.UUID] = field(default_factory=list)
    touched_clients: set[uuid.UUID] = field(default_factory=set)


def apply_puts(
    conn: Connection,
    puts: Sequence[tuple[str, str, int, Any]],
    stats: ApplyStats,
    *,
    reindex: bool = True,
) -> None:
    """Write server rows (kind, id, version, data) into the book, then re-apply pending
    local fields on top of them. `data` is the row as JSON text or as a decoded object."""
    by_kind: dict[str, list[tuple[str, int, dict[str, Any]]]] = {}
    for kind_name, row_id, version, data in puts:
        if kind_name not in _SQL:
            continue  # a kind this version does not know (a newer server): skip it
        row = json.loads(data) if isinstance(data, str) else data
        by_kind.setdefault(kind_name, []).append((row_id, version, row))
    raw = conn.connection.driver_connection
    assert raw is not None
    cur = raw.cursor()
    try:
        for kind_name in sorted(by_kind, key=lambda k: KINDS[k].order):
            sql = _SQL[kind_name]
            params = _params(sql, by_kind[kind_name])
            if reindex and sql.feeds_index:
                _touch(sql, by_kind[kind_name], stats)
            for statement, index in sql.dedupe:
                keys = [tuple(p[i] for i in index) for p in params]
                keys = [k for k in keys if None not in k]
                if keys:
                    cur.executemany(statement, keys)
            _write(cur, sql, params)
            stats.rows += len(params)
    finally:
        cur.close()
    overlay_pending(conn, ((k, r) for k, r, _v, _d in puts))


def _write(cur: sqlite3.Cursor, sql: _KindSql, params: list[list[Any]]) -> None:
    """Insert the rows, or upsert them if some are in the book already. A plain INSERT costs
    SQLite a third less than the upsert, and rows of a snapshot are new: try it first. A row
    already here stops it with nothing of that row written; the upsert then writes them all
    (again, for those just inserted: the same values), which is what it would have done."""
    try:
        cur.executemany(sql.insert, params)
    except sqlite3.IntegrityError:
        cur.executemany(sql.upsert, params)


def _params(sql: _KindSql, rows: list[tuple[str, int, dict[str, Any]]]) -> list[list[Any]]:
    """The upsert's parameters, one list per row: wire values in local column order (missing
    ones None), derived columns, then the server version."""
    columns, id_index, convert = sql.columns, sql.id_index, sql.convert
    derive = sql.kind.derive
    out = []
    for row_id, version, row in rows:
        if derive is not None:
            row = derive(dict(row))
        get = row.get
        values = [get(c) for c in columns]
        values[id_index] = row_id
        for i, converter in convert:
            value = values[i]
            if value is not None:
                values[i] = converter(value)
        values.append(version)
        out.append(values)
    return out


def _touch(sql: _KindSql, rows: list[tuple[str, int, dict[str, Any]]], stats: ApplyStats) -> None:
    """Note the clients these rows belong to, for the search index."""
    by_id = sql.kind.client_column == "id"
    for row_id, _version, row in rows:
        cid = row_id if by_id else row.get("client_id")
        if cid:
            stats.touched_clients.add(uuid.UUID(cid))


def overlay_pending(conn: Connection, rows: Iterable[tuple[str, str]]) -> None:
    """Write the fields of pending local edits back over these freshly pulled rows."""
    has_pending = conn.exec_driver_sql(
        "SELECT 1 FROM sync_outbox WHERE status = 'pending' AND op = 'upsert' LIMIT 1"
    ).first()
    if has_pending is None:
        return  # the common case: nothing to look up row by row
    wanted: dict[str, set[bytes]] = {}
    for kind_name, row_id in rows:
        kind = KINDS.get(kind_name)
        if kind is not None and not kind.append_only:
            wanted.setdefault(kind_name, set()).add(uuid.UUID(row_id).bytes)
    for kind_name, ids in wanted.items():
        id_list = sorted(ids)
        for start in range(0, len(id_list), 500):
            chunk = id_list[start : start + 500]
            pending = conn.exec_driver_sql(
                "SELECT row_id, fields FROM sync_outbox WHERE status = 'pending' AND "
                f"op = 'upsert' AND kind = ? AND row_id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY id",
                (kind_name, *chunk),
            ).all()
            for row_id, fields_json in pending:
                write_fields(conn, KINDS[kind_name], bytes(row_id), json.loads(fields_json))


def write_fields(conn: Connection, kind: Kind, row_id: bytes, fields: dict[str, Any]) -> None:
    """Set some wire fields of one local row (and whatever is derived from them)."""
    names = [n for n in fields if n in kind.columns and n != "id"]
    if not names:
        return
    conn.exec_driver_sql(
        f"UPDATE {kind.name} SET {', '.join(f'{n} = ?' for n in names)} WHERE id = ?",
        (*(kind.columns[n].to_sqlite(fields[n]) for n in names), row_id),
    )
    if kind.name == "clients" and {"given_name", "family_name"} & set(names):
        got = conn.exec_driver_sql(
            "SELECT given_name, family_name FROM clients WHERE id = ?", (row_id,)
        ).first()
        if got is not None:
            assert kind.derive is not None
            derived = kind.derive({"given_name": got[0], "family_name": got[1]})
            conn.exec_driver_sql(
                "UPDATE clients SET sort_key = ? WHERE id = ?", (derived["sort_key"], row_id)
            )
    if kind.name == "important_dates" and {"month", "day"} & set(names):
        conn.exec_driver_sql(
            "UPDATE important_dates SET month_day = month * 100 + day WHERE id = ?", (row_id,)
        )


def remove_row(conn: Connection, kind_name: str, row_id: str) -> None:
    kind = KINDS.get(kind_name)
    if kind is not None:
        conn.exec_driver_sql(f"DELETE FROM {kind.name} WHERE id = ?", (uuid.UUID(row_id).bytes,))


def remove_client(conn: Connection, client_id: uuid.UUID, *, erase: bool) -> None:
    """A client this store may no longer see (or that was erased) leaves the book. An
    erasure also takes the client's pending edits, rejected edits and conflicts."""
    raw = client_id.bytes
    # Children first: rows that point at the client's purchase lines, then the rest.
    conn.exec_driver_sql("DELETE FROM closet_items WHERE client_id = ?", (raw,))
    conn.exec_driver_sql("DELETE FROM clients WHERE id = ?", (raw,))
    if erase:
        conn.exec_driver_sql("DELETE FROM sync_outbox WHERE client_id = ?", (raw,))
        conn.exec_driver_sql("DELETE FROM sync_conflicts WHERE client_id = ?", (raw,))


def verify_sums(conn: Connection) -> dict[str, int]:
    """Count and version sum of every row the server has confirmed, across the book."""
    count = total = 0
    for kind in KINDS.values():
        c, s = conn.exec_driver_sql(
            f"SELECT count(*), coalesce(sum(server_version), 0) FROM {kind.name} "
            "WHERE server_version > 0"
        ).one()
        count += int(c)
        total += int(s)
    return {"count": count, "sum": total}


def mark_unconfirmed(conn: Connection) -> None:
    """Start of a resync: every server row is unconfirmed until the snapshot sends it."""
    for kind in KINDS.values():
        conn.exec_driver_sql(
            f"UPDATE {kind.name} SET server_version = -server_version WHERE server_version > 0"
        )


def drop_unconfirmed(conn: Connection) -> int:
    """End of a resync: rows the server no longer has, unless an edit to them is pending."""
    gone = 0
    for kind in sorted(KINDS.values(), key=lambda k: -k.order):
        cur = conn.exec_driver_sql(
            f"DELETE FROM {kind.name} WHERE server_version < 0 AND id NOT IN "
            "(SELECT row_id FROM sync_outbox WHERE status = 'pending' AND kind = ?)",
            (kind.name,),
        )
        gone += cur.rowcount
        conn.exec_driver_sql(
            f"UPDATE {kind.name} SET server_version = -server_version WHERE server_version < 0"
        )
    return gone


def refresh_index(conn: Connection, clients: Iterable[uuid.UUID]) -> None:
    search_index.refresh_clients(conn, clients)
