"""The workstation's side of sync, against its own SQLite book (no network here).

* the server copy: pulled rows are written with plain executemany upserts (no ORM, no
  outbox), each page and the cursor after it in one transaction;
* pending local edits stay on top: after a page is applied, fields of rows with pending
  outbox mutations are written again, so a pull never hides an edit not yet pushed;
* verification: count and version sum of every row the server has confirmed;
* resync: rows are marked unconfirmed (version negated), a snapshot re-confirms them, and
  whatever is still unconfirmed at the end is gone from the server and goes here too. The
  outbox is never touched by a resync.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
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
    upsert: str
    dedupe: list[tuple[str, tuple[str, ...]]]


def _kind_sql(kind: Kind) -> _KindSql:
    assert kind.table is not None
    columns = [c.name for c in kind.table.columns if c.name != "server_version"]
    all_cols = [*columns, "server_version"]
    placeholders = ", ".join("?" * len(all_cols))
    if kind.append_only:
        update = "server_version = excluded.server_version"
    else:
        update = ", ".join(f"{c} = excluded.{c}" for c in all_cols if c != "id")
    upsert = (
        f"INSERT INTO {kind.name} ({', '.join(all_cols)}) VALUES ({placeholders}) "
        f"ON CONFLICT(id) DO UPDATE SET {update}"
    )
    dedupe = [
        (
            f"DELETE FROM {kind.name} WHERE "
            + " AND ".join(f"{c} = ?" for c in cols)
            + " AND id <> ?",
            cols,
        )
        for cols in kind.natural_keys
    ]
    return _KindSql(kind, columns, upsert, dedupe)


_SQL = {name: _kind_sql(kind) for name, kind in KINDS.items()}
# The tables a client's search document or figures are made of: pulled rows of these kinds
# re-index their client, exactly as local edits do.
_FEEDS_INDEX = frozenset(
    str(mapper.class_.__tablename__)
    for mapper in Base.registry.mappers
    if mapper.class_.__name__ in search_index.FEEDS
)


@dataclass
class ApplyStats:
    rows: int = 0
    removed_clients: int = 0
    erased_clients: list[uuid.UUID] = field(default_factory=list)
    touched_clients: set[uuid.UUID] = field(default_factory=set)


def _local_value(kind: Kind, name: str, row: dict[str, Any]) -> Any:
    col = kind.columns.get(name)
    value = row.get(name)
    return col.to_sqlite(value) if col is not None else value


def apply_puts(
    conn: Connection,
    puts: Sequence[tuple[str, str, int, Any]],
    stats: ApplyStats,
    *,
    reindex: bool = True,
) -> None:
    """Write server rows (kind, id, version, data) into the book, then re-apply pending
    local fields on top of them."""
    by_kind: dict[str, list[tuple[str, int, dict[str, Any]]]] = {}
    for kind_name, row_id, version, data in puts:
        if kind_name not in _SQL:
            continue  # a kind this version does not know (a newer server): skip it
        row = json.loads(data) if isinstance(data, str) else dict(data)
        by_kind.setdefault(kind_name, []).append((row_id, version, row))
    raw = conn.connection.driver_connection
    assert raw is not None
    cur = raw.cursor()
    try:
        for kind_name in sorted(by_kind, key=lambda k: KINDS[k].order):
            sql = _SQL[kind_name]
            kind = sql.kind
            params = []
            for row_id, version, row in by_kind[kind_name]:
                row["id"] = row_id
                if kind.derive is not None:
                    row = kind.derive(row)
                params.append((*(_local_value(kind, c, row) for c in sql.columns), version))
                if reindex and kind_name in _FEEDS_INDEX:
                    cid = row_id if kind.client_column == "id" else row.get("client_id")
                    if cid:
                        stats.touched_clients.add(uuid.UUID(cid))
            for statement, cols in sql.dedupe:
                index = [sql.columns.index(c) for c in cols] + [sql.columns.index("id")]
                keys = [tuple(p[i] for i in index) for p in params]
                keys = [k for k in keys if all(v is not None for v in k)]
                if keys:
                    cur.executemany(statement, keys)
            cur.executemany(sql.upsert, params)
            stats.rows += len(params)
    finally:
        cur.close()
    overlay_pending(conn, [(k, r) for k, r, _v, _d in puts])


def overlay_pending(conn: Connection, rows: Iterable[tuple[str, str]]) -> None:
    """Write the fields of pending local edits back over these freshly pulled rows."""
    wanted: dict[str, set[bytes]] = {}
    for kind_name, row_id in rows:
        kind = KINDS.get(kind_name)
        if kind is not None and not kind.append_only:
            wanted.setdefault(kind_name, set()).add(uuid.UUID(row_id).bytes)
    if not wanted:
        return
    has_pending = conn.exec_driver_sql(
        "SELECT 1 FROM sync_outbox WHERE status = 'pending' AND op = 'upsert' LIMIT 1"
    ).first()
    if has_pending is None:
        return
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
