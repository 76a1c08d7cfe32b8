"""The full-text index over the client book, kept in step by the data layer.

One FTS5 document per live client, with five weighted columns:

    name     given, family and preferred names
    contact  e-mail addresses and national phone digits (612345678)
    intl     international phone digits (33612345678)
    tags     tags and preferred brands
    notes    note bodies (superseded versions left out)

Documents are folded by models.text.fold (the SQL function `fold`, registered on every
connection) and the tokenizer folds again, so "Zoe" finds "Zoé" and "orsted" finds "Ørsted",
letters the tokenizer alone cannot strip; prefix indexes of 1-3 letters make
type-ahead prefixes a single index seek. Every ORM flush that touches a client, or anything the
document or the client's figures are made of, re-indexes exactly those clients in the same
transaction: the index can never disagree with a committed book.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from models.money import INDICATIVE_EUR, eur_cents_factor

FTS_TABLE = "client_fts"
# Bump when the table layout or what goes into a document changes: books rebuild on open.
INDEX_VERSION = "4"
_META_KEY = "search_index_version"
_UNINDEX_TRIGGER = "client_stats_unindex"

CREATE_FTS = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "name, contact, intl, tags, notes, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3')"
)

# Column weights for bm25(): a name match outranks contact details, a tag, then a note.
BM25_WEIGHTS = (10.0, 5.0, 5.0, 3.0, 1.0)

_LIVE = "deleted_at IS NULL"

_DOCUMENT_SELECT = f"""
SELECT c.id AS id,
  fold(c.given_name || ' ' || c.family_name || ' ' || coalesce(c.preferred_name, '')) AS name,
  fold(coalesce((SELECT group_concat(e.address, ' ') FROM client_emails e
                 WHERE e.client_id = c.id AND e.{_LIVE}), '')
       || ' ' ||
       coalesce((SELECT group_concat(p.national_digits, ' ')
                 FROM client_phones p WHERE p.client_id = c.id AND p.{_LIVE}), '')) AS contact,
  coalesce((SELECT group_concat(substr(p.e164, 2), ' ')
            FROM client_phones p WHERE p.client_id = c.id AND p.{_LIVE}), '') AS intl,
  fold(coalesce((SELECT group_concat(t.tag, ' ') FROM client_tags t
                 WHERE t.client_id = c.id AND t.{_LIVE}), '')
       || ' ' ||
       coalesce((SELECT group_concat(b.value, ' ') FROM client_preferences b
                 WHERE b.client_id = c.id AND b.kind = 'brand' AND b.{_LIVE}), '')) AS tags,
  fold(coalesce((SELECT group_concat(n.body, ' ') FROM notes n
            WHERE n.client_id = c.id
              AND NOT EXISTS (SELECT 1 FROM notes m WHERE m.supersedes_id = n.id)), '')) AS notes
FROM clients c
"""

_EUR_FACTORS = " ".join(
    f"WHEN '{code}' THEN {eur_cents_factor(code)!r}" for code in sorted(INDICATIVE_EUR)
)
_STATS_VALUES = f"""
  (SELECT max(i.occurred_at) FROM interactions i WHERE i.client_id = c.id),
  (SELECT max(p.purchased_at) FROM purchases p WHERE p.client_id = c.id),
  (SELECT count(*) FROM purchases p WHERE p.client_id = c.id),
  coalesce((SELECT sum(p.total_minor) FROM purchases p JOIN stores hs ON hs.id = c.home_store_id
            WHERE p.client_id = c.id AND p.currency = hs.currency), 0),
  coalesce((SELECT CAST(round(sum(p.total_minor * CASE p.currency {_EUR_FACTORS} END)) AS INTEGER)
            FROM purchases p WHERE p.client_id = c.id), 0)
"""

# Document and figures of the clients whose ids are in the temporary table _touched.
_TOUCHED = "SELECT id FROM temp._touched"


def _chunks(ids: Sequence[bytes], size: int = 500) -> Iterable[Sequence[bytes]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def refresh_clients(conn: Connection, client_ids: Iterable[uuid.UUID]) -> None:
    """Re-index and re-figure these clients (live, tombstoned or erased alike)."""
    raw = sorted({cid.bytes for cid in client_ids})
    if not raw:
        return
    run = conn.exec_driver_sql
    run("CREATE TEMP TABLE IF NOT EXISTS _touched (id BLOB PRIMARY KEY)")
    run("DELETE FROM temp._touched")
    for chunk in _chunks(raw):
        run(
            "INSERT OR IGNORE INTO temp._touched(id) VALUES " + ",".join(["(?)"] * len(chunk)),
            tuple(chunk),
        )
    run(
        f"DELETE FROM {FTS_TABLE} WHERE rowid IN (SELECT search_rowid FROM client_stats "
        f"WHERE client_id IN ({_TOUCHED}) AND search_rowid IS NOT NULL)"
    )
    # Erased clients: their stats row went with them (ON DELETE CASCADE); nothing else to do.
    run(f"""
        INSERT INTO client_stats (client_id, search_rowid, last_contact_at, last_purchase_at,
                                  purchase_count, lifetime_spend_minor, spend_value)
        SELECT c.id, NULL, {_STATS_VALUES} FROM clients c WHERE c.id IN ({_TOUCHED})
        ON CONFLICT (client_id) DO UPDATE SET
          search_rowid = NULL,
          last_contact_at = excluded.last_contact_at,
          last_purchase_at = excluded.last_purchase_at,
          purchase_count = excluded.purchase_count,
          lifetime_spend_minor = excluded.lifetime_spend_minor,
          spend_value = excluded.spend_value
    """)
    # Fresh rowids above every existing one: the most recently touched clients sort first.
    # Above every rowid the index has ever handed out that is still there, whoever holds it.
    top = run(f"SELECT rowid FROM {FTS_TABLE} ORDER BY rowid DESC LIMIT 1").first()
    base = top[0] if top else 0
    docs = run(_DOCUMENT_SELECT + f"WHERE c.id IN ({_TOUCHED}) AND c.{_LIVE} ORDER BY c.id").all()
    rows = [(base + n, *doc[1:]) for n, doc in enumerate(docs, start=1)]
    if rows:
        run(
            f"INSERT INTO {FTS_TABLE}(rowid, name, contact, intl, tags, notes) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
        run(
            "UPDATE client_stats SET search_rowid = ? WHERE client_id = ?",
            [(base + n, doc[0]) for n, doc in enumerate(docs, start=1)],
        )


def rebuild(conn: Connection) -> int:
    """Rebuild the whole index and every client's figures; returns the number indexed.

    Used after bulk loads and migrations. Clients are numbered by last activity so that broad
    type-ahead shows recently active clients first, exactly as incremental updates would.
    """
    run = conn.exec_driver_sql
    run(f"DROP TRIGGER IF EXISTS {_UNINDEX_TRIGGER}")  # emptied wholesale just below
    run(f"DELETE FROM {FTS_TABLE}")
    run("DELETE FROM client_stats")
    run(f"""
        INSERT INTO client_stats (client_id, search_rowid, last_contact_at, last_purchase_at,
                                  purchase_count, lifetime_spend_minor, spend_value)
        SELECT c.id, NULL, {_STATS_VALUES} FROM clients c
    """)
    run("""
        UPDATE client_stats SET search_rowid = ranked.n
        FROM (SELECT s.client_id AS cid,
                     row_number() OVER (ORDER BY max(coalesce(s.last_contact_at, ''),
                                                     coalesce(s.last_purchase_at, '')),
                                        s.client_id) AS n
              FROM client_stats s JOIN clients c ON c.id = s.client_id
              WHERE c.deleted_at IS NULL) AS ranked
        WHERE client_stats.client_id = ranked.cid
    """)
    run(f"""
        INSERT INTO {FTS_TABLE}(rowid, name, contact, intl, tags, notes)
        SELECT s.search_rowid, d.name, d.contact, d.intl, d.tags, d.notes
        FROM ({_DOCUMENT_SELECT} WHERE c.{_LIVE}) AS d
        JOIN client_stats s ON s.client_id = d.id
        ORDER BY s.search_rowid
    """)
    count = run("SELECT count(*) FROM client_stats WHERE search_rowid IS NOT NULL").scalar_one()
    run(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
    # However a client's figures go from now on (an erasure's cascade, a raw DELETE), its
    # document goes too: an erased client's words must not outlive it in the index.
    run(
        f"CREATE TRIGGER {_UNINDEX_TRIGGER} AFTER DELETE ON client_stats "
        "WHEN OLD.search_rowid IS NOT NULL BEGIN "
        f"DELETE FROM {FTS_TABLE} WHERE rowid = OLD.search_rowid; END"
    )
    return int(count)


def ensure(conn: Connection) -> bool:
    """Create or rebuild the index if it is missing or of another layout. True if rebuilt."""
    run = conn.exec_driver_sql
    row = run("SELECT value FROM local_meta WHERE key = ?", (_META_KEY,)).first()
    if row is not None and row[0] == INDEX_VERSION:
        return False
    run(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    run(CREATE_FTS)
    rebuild(conn)
    run(
        "INSERT INTO local_meta(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (_META_KEY, INDEX_VERSION),
    )
    return True


def invalidate(conn: Connection) -> None:
    """For bulk writers that bypass the ORM: until `ensure` runs again, the index is known to
    be behind, so a load cut short (a full disk, a crash) is re-indexed at the next open."""
    conn.exec_driver_sql("DELETE FROM local_meta WHERE key = ?", (_META_KEY,))


# --- keeping the index in step with ORM writes ----------------------------------------------

# Which mapped classes feed a client's document or figures: attribute naming the client.
FEEDS: dict[str, str] = {
    "Client": "id",
    "ClientEmail": "client_id",
    "ClientPhone": "client_id",
    "ClientTag": "client_id",
    "ClientPreference": "client_id",
    "Note": "client_id",
    "Interaction": "client_id",
    "Purchase": "client_id",
}


def touched_clients(session: Session) -> set[uuid.UUID]:
    """Clients whose document or figures this flush may change: the client a row belongs to
    now, and the one it belonged to before if it moved (a merge, a correction)."""
    touched: set[uuid.UUID] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        attr = FEEDS.get(type(obj).__name__)
        if attr is None:
            continue
        value = getattr(obj, attr, None)
        if value is not None:
            touched.add(value)
        for previous in inspect(obj).attrs[attr].history.deleted or ():
            if previous is not None:
                touched.add(previous)
    return touched


def _after_flush(session: Session, _ctx: Any) -> None:
    touched = touched_clients(session)
    if touched:
        refresh_clients(session.connection(), touched)


def install(factory: sessionmaker[Session]) -> None:
    """Keep the index in step with this factory's flushes. Call once per factory: SQLAlchemy's
    `event.contains` can answer True for a new factory that reuses a collected one's id, so it
    is no guard against installing twice."""
    event.listen(factory, "after_flush", _after_flush)
