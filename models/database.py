"""Opening the local book: one SQLite file, durable settings, migrations, version guard."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from platformdirs import user_data_path
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from models import search_index
from models.text import fold

MIGRATIONS = Path(__file__).with_name("migrations")


class DatabaseError(Exception):
    """A book that cannot be opened; the message is meant for the person at the workstation."""


class DatabaseTooNewError(DatabaseError):
    pass


def default_db_path() -> Path:
    return user_data_path("Vitrine", appauthor=False) / "book.db"


def media_dir_for(db_path: Path) -> Path:
    """Images and recordings live next to the book they belong to."""
    return db_path.with_name(db_path.stem + "-media")


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """What schema comparison looks at: not the full-text index, which search_index owns."""
    return not (type_ == "table" and name is not None and name.startswith(search_index.FTS_TABLE))


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def read_revision(path: Path) -> str | None:
    """The schema revision of a book, read without changing a byte of it (no WAL switch)."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            if tables:
                raise DatabaseError(
                    f"{path} is an SQLite file but not a Vitrine book; it was left untouched."
                )
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if row is None else str(row[0])
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} cannot be read as a Vitrine book: {exc}") from exc
    finally:
        conn.close()


def _sql_fold(value: str | None) -> str | None:
    return None if value is None else fold(value)


def _set_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    dbapi_conn.create_function("fold", 1, _sql_fold, deterministic=True)
    cur = dbapi_conn.cursor()
    # WAL + FULL: a committed edit survives a power cut, readers never block the writer.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    # Deleted rows are overwritten, not just unlinked: an erased client leaves no bytes behind.
    cur.execute("PRAGMA secure_delete=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MiB
    cur.execute("PRAGMA mmap_size=268435456")
    cur.close()


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _set_pragmas)
    return engine


def migrate(engine: Engine, revision: str = "head") -> None:
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


@dataclass(frozen=True)
class Database:
    path: Path
    engine: Engine
    session_factory: sessionmaker[Session]

    @property
    def media_dir(self) -> Path:
        return media_dir_for(self.path)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls everything back on any error."""
        with self.session_factory() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_database(path: Path | str | None = None, *, upgrade: bool = True) -> Database:
    """Open (creating if needed) the book at `path`, migrating it to this version's schema.

    A book written by a newer Vitrine is refused before anything touches the file.
    """
    db_path = Path(path) if path is not None else default_db_path()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if db_path.exists() and db_path.stat().st_size > 0:
        current = read_revision(db_path)
        if current is not None and current not in known_revisions():
            raise DatabaseTooNewError(
                f"{db_path} was written by a newer version of Vitrine (schema {current}); "
                f"this version understands up to {head_revision()}. Update Vitrine to open it. "
                "The file was not modified."
            )
    engine = make_engine(db_path)
    if upgrade:
        migrate(engine)
        with engine.begin() as conn:
            search_index.ensure(conn)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    search_index.install(factory)
    return Database(db_path, engine, factory)
