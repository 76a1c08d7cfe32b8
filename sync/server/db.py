"""The central server's database: PostgreSQL in production, SQLite as the embedded default.

The server is a sync hub, not a second copy of the desktop's schema: every synced row is one
`records` row holding the row as JSON plus a clock per field. New desktop columns therefore
need no server migration. Beside it:

    ops         the change log, one row per store that may see a change: (bucket, op_id)
    sync_state  the one counter every push increments, which serialises pushes so op ids
                commit in order and a reader can never skip one
    client_scope, grants   which stores see which client
    erased      bare ids of erased clients, so nothing can bring them back
    mutation_log  what each device's mutations came to, so a replayed request changes nothing
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from models.types import UUIDType

MIGRATIONS = Path(__file__).with_name("migrations")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    }
)

Stamp = DateTime(timezone=True)

sync_state = Table(
    "sync_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", BigInteger, nullable=False),
    # Every op id at or below this one may have been compacted away: a device whose cursor is
    # older must take a fresh snapshot.
    Column("horizon", BigInteger, nullable=False),
    Column("max_hlc", String(80), nullable=False),
)

server_stores = Table(
    "server_stores",
    metadata,
    Column("id", UUIDType(), primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("name", String(120), nullable=False),
    Column("created_at", Stamp, nullable=False),
)

devices = Table(
    "devices",
    metadata,
    Column("id", UUIDType(), primary_key=True),
    Column("store_id", UUIDType(), nullable=False, index=True),
    Column("name", String(120), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("enrolled_at", Stamp, nullable=False),
    Column("last_seen_at", Stamp),
    Column("revoked_at", Stamp),
)

enrollment_codes = Table(
    "enrollment_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("store_id", UUIDType(), nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("expires_at", Stamp, nullable=False),
    Column("used_at", Stamp),
    Column("device_id", UUIDType()),
)

records = Table(
    "records",
    metadata,
    Column("kind", String(40), primary_key=True),
    Column("id", UUIDType(), primary_key=True),
    Column("kind_order", Integer, nullable=False),
    Column("client_id", UUIDType(), index=True),  # the client a client row belongs to
    Column("store_id", UUIDType()),  # the store a store row (a task with no client) belongs to
    Column("data", Text, nullable=False),  # JSON: column -> wire value
    Column("clocks", Text),  # JSON: column -> hybrid clock stamp (mutable kinds only)
    Column("natural_key", String(400)),
    Column("version", BigInteger, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Index("uq_records_kind_natural_key", "kind", "natural_key", unique=True),
    Index("ix_records_kind_order_id", "kind_order", "id"),
)

client_scope = Table(
    "client_scope",
    metadata,
    Column("client_id", UUIDType(), primary_key=True),
    Column("home_store_id", UUIDType(), nullable=False),
    Index("ix_client_scope_home", "home_store_id", "client_id"),
)

grants = Table(
    "grants",
    metadata,
    Column("store_id", UUIDType(), primary_key=True),
    Column("client_id", UUIDType(), primary_key=True),
    Column("granted_at", Stamp, nullable=False),
    Index("ix_grants_client_id", "client_id"),
)

ops = Table(
    "ops",
    metadata,
    Column("bucket", UUIDType(), primary_key=True),
    Column("op_id", BigInteger, primary_key=True, autoincrement=False),
    Column("action", String(8), nullable=False),  # put | remove | erase
    Column("kind", String(40), nullable=False),
    Column("row_id", UUIDType(), nullable=False),
    Column("client_id", UUIDType(), index=True),
    Column("version", BigInteger, nullable=False),
    Column("data", Text),  # the whole row as JSON for a put
    Column("at", Stamp, nullable=False),  # when it was logged: compaction keeps recent ops
)

erased = Table(
    "erased",
    metadata,
    Column("client_id", UUIDType(), primary_key=True),
    Column("erased_at", Stamp, nullable=False),
)

mutation_log = Table(
    "mutation_log",
    metadata,
    Column("device_id", UUIDType(), primary_key=True),
    Column("incarnation", String(40), primary_key=True),
    Column("mutation_id", BigInteger, primary_key=True, autoincrement=False),
    Column("digest", String(64), nullable=False),
    Column("client_id", UUIDType(), index=True),
    Column("result", Text, nullable=False),  # JSON: status, reason, conflicts (no row data)
)

conflicts = Table(
    "conflicts",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("device_id", UUIDType(), nullable=False),
    Column("client_id", UUIDType(), index=True),
    Column("kind", String(40), nullable=False),
    Column("row_id", UUIDType(), nullable=False),
    Column("field", String(64), nullable=False),
    Column("mine", Text, nullable=False),
    Column("winning", Text, nullable=False),
    Column("winner_hlc", String(80), nullable=False),
    Column("detected_at", Stamp, nullable=False),
)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Transactions are begun by hand (BEGIN IMMEDIATE below): two writers then queue on the
    # lock instead of one failing to upgrade a read lock.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA secure_delete=ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def normalise_url(url: str) -> str:
    """Accept `postgresql://` URLs and use psycopg 3 for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, poolclass=NullPool)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        exists = conn.execute(text("SELECT count(*) FROM sync_state")).scalar_one()
        if not exists:
            conn.execute(
                sync_state.insert().values(id=1, version=0, horizon=0, max_hlc="0" * 16 + "-0000-")
            )


@contextmanager
def transaction(engine: Engine, *, snapshot: bool = False) -> Iterator[Connection]:
    """One transaction; `snapshot` gives reads that all see the same committed state."""
    with engine.connect() as conn:
        if snapshot and engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn
