from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.clients import ClientService
from models import Base
from models.database import (
    DatabaseError,
    DatabaseTooNewError,
    head_revision,
    include_name,
    make_engine,
    migrate,
    open_database,
)


def test_connections_use_wal_full_sync_and_foreign_keys(db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_build_exactly_the_model_schema(db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diffs = compare_metadata(context, Base.metadata)
    assert diffs == []


def test_a_book_from_a_newer_version_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    book = open_database(path)
    book.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(DatabaseTooNewError, match="newer version of Vitrine"):
        open_database(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not path.with_name("future.db-wal").exists()


def test_a_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    with pytest.raises(DatabaseError, match="not a Vitrine book"):
        open_database(path)


def test_a_corrupt_file_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DatabaseError, match="cannot be read"):
        open_database(path)


def test_upgrading_from_the_first_revision_keeps_every_row(tmp_path: Path, book) -> None:  # type: ignore[no-untyped-def]
    """A book written at revision 0001 (before search existed) upgrades with nothing lost
    and becomes searchable."""
    path = tmp_path / "old.db"
    engine = make_engine(path)
    migrate(engine, "0001")
    store, person, client, note = (bytes([n]) * 16 for n in (1, 2, 3, 4))
    stamp = "2024-05-01 10:00:00.000000"
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO stores (id, code, name, city, country, timezone, currency, created_at,"
            " updated_at) VALUES (?, 'LON1', 'London', 'London', 'GB', 'Europe/London', 'GBP',"
            " ?, ?)",
            (store, stamp, stamp),
        )
        conn.exec_driver_sql(
            "INSERT INTO associates (id, store_id, display_name, role, active, created_at,"
            " updated_at) VALUES (?, ?, 'Ada', 'associate', 1, ?, ?)",
            (person, store, stamp, stamp),
        )
        conn.exec_driver_sql(
            "INSERT INTO clients (id, given_name, family_name, language, home_store_id, tier,"
            " sort_key, created_at, updated_at) VALUES (?, 'Zoé', 'Ørsted', 'da', ?, 'vip',"
            " 'orsted zoe', ?, ?)",
            (client, store, stamp, stamp),
        )
        conn.exec_driver_sql(
            "INSERT INTO notes (id, client_id, author_id, body, created_at) VALUES"
            " (?, ?, ?, 'Loves emerald cuts', ?)",
            (note, client, person, stamp),
        )
        conn.exec_driver_sql(
            "INSERT INTO interactions (id, client_id, associate_id, store_id, channel,"
            " direction, summary, occurred_at, created_at) VALUES (?, ?, ?, ?, 'phone',"
            " 'outbound', 'Called', ?, ?)",
            (bytes([5]) * 16, client, person, store, stamp, stamp),
        )
        before = {
            t: conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY id").fetchall()
            for t in ("stores", "associates", "clients", "notes", "interactions")
        }
    engine.dispose()

    upgraded = open_database(path)
    try:
        with upgraded.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == (
                head_revision()
            )
            for table, rows in before.items():
                after = conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id").fetchall()
                # Later revisions only add columns (at the end): the old ones are untouched.
                assert [tuple(r)[: len(rows[0])] for r in after] == rows
            stats = conn.exec_driver_sql(
                "SELECT last_contact_at FROM client_stats WHERE client_id = ?", (client,)
            ).scalar()
            assert stats == stamp
        with upgraded.session() as s:
            svc = ClientService(s, book.actor)
            assert [h.display_name for h in svc.search("zoe orsted")] == ["Zoé Ørsted"]
            assert [h.display_name for h in svc.search("emerald")] == ["Zoé Ørsted"]
    finally:
        upgraded.close()


def test_append_only_rows_refuse_updates(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create()
    with book.db.session() as s:
        note_id = book.activity(s).add_note(cid, "First impression")
    with pytest.raises(IntegrityError, match="append-only"), book.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE notes SET body = 'rewritten' WHERE id = :id"), {"id": note_id.bytes}
        )
    with book.db.session() as s:
        assert book.clients(s).profile(cid).notes[0].body == "First impression"
