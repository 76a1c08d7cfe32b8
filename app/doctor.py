"""Health report of a book: schema version, counts, integrity, search index coverage."""

from __future__ import annotations

from sqlalchemy import text

from models.database import Database, head_revision
from models.dto import DoctorReport

COUNTED = (
    "stores",
    "associates",
    "clients",
    "client_emails",
    "client_phones",
    "important_dates",
    "notes",
    "interactions",
    "products",
    "stock_levels",
    "purchases",
    "purchase_lines",
    "wish_list_items",
    "closet_items",
    "tasks",
    "appointments",
    "consent_events",
)


def examine(db: Database) -> DoctorReport:
    problems: list[str] = []
    with db.engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        counts = {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in COUNTED
        }
        integrity = "; ".join(
            str(r[0]) for r in conn.execute(text("PRAGMA integrity_check")).fetchall()
        )
        fk = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
        journal = str(conn.execute(text("PRAGMA journal_mode")).scalar())
        indexed = int(conn.execute(text("SELECT count(*) FROM client_fts")).scalar_one())
        live = int(
            conn.execute(text("SELECT count(*) FROM clients WHERE deleted_at IS NULL")).scalar_one()
        )
        pages = int(conn.execute(text("PRAGMA page_count")).scalar_one())
        page_size = int(conn.execute(text("PRAGMA page_size")).scalar_one())
    head = head_revision()
    if revision != head:
        problems.append(f"schema is at {revision}, this version expects {head}")
    if integrity != "ok":
        problems.append(f"integrity check: {integrity}")
    if fk:
        problems.append(f"{len(fk)} rows point at missing rows (foreign_key_check)")
    if indexed != live:
        problems.append(f"search index holds {indexed} clients, the book {live}")
    if journal.lower() != "wal":
        problems.append(f"journal mode is {journal}, expected wal")
    return DoctorReport(
        path=str(db.path),
        schema_revision=revision,
        schema_head=head,
        counts=counts,
        integrity=integrity,
        journal_mode=journal,
        search_index_rows=indexed,
        size_bytes=pages * page_size,
        problems=problems,
    )
