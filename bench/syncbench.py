"""What the sync benchmarks share: a real server process on loopback, synthetic books, and
workstations that sync over HTTP. Not a benchmark itself."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.database import Database, open_database  # noqa: E402
from models.text import sort_key  # noqa: E402
from sync.engine import SyncEngine, install_capture  # noqa: E402
from sync.kinds import KINDS  # noqa: E402
from sync.server.asgi import open_server  # noqa: E402
from sync.server.db import client_scope, grants, metadata, records  # noqa: E402
from sync.server.service import SyncServer  # noqa: E402
from sync.transport import HttpTransport  # noqa: E402

CACHE = ROOT / "bench" / ".cache"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


class MemoryTokens:
    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}

    def save(self, device_id: str, token: str) -> None:
        self.tokens[device_id] = token

    def load(self, device_id: str) -> str | None:
        return self.tokens.get(device_id)

    def delete(self, device_id: str) -> None:
        self.tokens.pop(device_id, None)


# --- the server ----------------------------------------------------------------------------


def reset_postgres(url: str) -> None:
    server = open_server(url)
    with server.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(text(f"DROP TABLE IF EXISTS {table.name} CASCADE"))
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    server.engine.dispose()


def server_url(database_url: str | None, workdir: Path) -> str:
    """The database the benchmark uses: PostgreSQL (emptied first) or a fresh SQLite file."""
    if database_url:
        reset_postgres(database_url)
        return database_url
    path = workdir / "server.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server_process(url: str, workers: int = 1) -> Iterator[str]:
    """`vitrine server` in its own process (uvicorn), on a free loopback port."""
    port = free_port()
    cmd = [sys.executable, str(ROOT / "main.py"), "server", "--database-url", url]
    cmd += ["serve", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the sync server did not start")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def workdir(name: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=f"vitrine-{name}-"))
    return path


# --- synthetic books -------------------------------------------------------------------------


def _u(n: int, salt: int) -> bytes:
    # Time-ordered like uuid7 (ids cluster the way real ones do), deterministic.
    return uuid.UUID(int=(0x0190 << 112) | (salt << 96) | (7 << 76) | n).bytes


def _ts(base: datetime, seconds: int) -> str:
    return (base + timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass
class BookSpec:
    stores: int = 1
    clients: int = 100_000  # spread evenly over the stores
    seed: int = 1


def _store_codes(n: int) -> list[str]:
    return [f"S{i:03d}" for i in range(n)]


def make_book(path: Path, spec: BookSpec) -> dict[str, int]:
    """A book with 4 child rows per client on average: an email each, a phone for 4 in 5,
    a tag each, a note for 7 in 10, a purchase for 1 in 2. Written with raw executemany."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    base = datetime(2024, 1, 1, tzinfo=UTC)
    stores = [_u(i, 1) for i in range(spec.stores)]
    counts: dict[str, int] = {}
    with conn:
        conn.executemany(
            "INSERT INTO stores (id, code, name, city, country, timezone, currency, created_at,"
            " updated_at) VALUES (?, ?, ?, 'Paris', 'FR', 'Europe/Paris', 'EUR', ?, ?)",
            [
                (sid, code, f"Store {code}", _ts(base, 0), _ts(base, 0))
                for sid, code in zip(stores, _store_codes(spec.stores), strict=True)
            ],
        )
        associates = [(_u(i, 2), stores[i % spec.stores]) for i in range(2 * spec.stores)]
        conn.executemany(
            "INSERT INTO associates (id, store_id, display_name, role, active, created_at,"
            " updated_at) VALUES (?, ?, ?, 'associate', 1, ?, ?)",
            [
                (a, s, f"Associate {i}", _ts(base, 0), _ts(base, 0))
                for i, (a, s) in enumerate(associates)
            ],
        )
        counts["stores"], counts["associates"] = len(stores), len(associates)
        rows: dict[str, list[tuple[Any, ...]]] = {
            k: []
            for k in (
                "clients",
                "client_emails",
                "client_phones",
                "client_tags",
                "notes",
                "purchases",
            )
        }
        tiers = ("client", "prospect", "vip", "vvip")
        for i in range(spec.clients):
            cid = _u(i, 3)
            store = stores[i % spec.stores]
            owner = associates[i % len(associates)][0] if spec.stores == 1 else None
            given, family = f"Given{i % 997}", f"Family{i}"
            at = _ts(base, i)
            rows["clients"].append(
                (
                    cid,
                    given,
                    family,
                    "fr",
                    store,
                    owner,
                    tiers[i % 4],
                    f"City{i % 50}",
                    sort_key(family, given),
                    at,
                    at,
                )
            )
            rows["client_emails"].append(
                (_u(i, 4), cid, f"c{i}@example.com", "personal", 0, at, at)
            )
            if i % 5:
                rows["client_phones"].append(
                    (_u(i, 5), cid, f"+3361{i:07d}", f"061{i:07d}", "mobile", 0, at, at)
                )
            rows["client_tags"].append(
                (_u(i, 6), cid, ("vip", "watches", "press", "bridal")[i % 4], at, at)
            )
            if i % 10 < 7:
                rows["notes"].append(
                    (_u(i, 7), cid, f"Note for client {i}: prefers emerald cuts", at)
                )
            if i % 2 == 0:
                rows["purchases"].append(
                    (_u(i, 8), cid, store, "store", at, "EUR", 1000 * (i % 300 + 1), f"R{i}", at)
                )
        sql = {
            "clients": "INSERT INTO clients (id, given_name, family_name, language, home_store_id,"
            " primary_owner_id, tier, city, sort_key, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "client_emails": "INSERT INTO client_emails (id, client_id, address, label, position,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            "client_phones": "INSERT INTO client_phones (id, client_id, e164, national_digits,"
            " label, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            "client_tags": "INSERT INTO client_tags (id, client_id, tag, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            "notes": "INSERT INTO notes (id, client_id, body, created_at) VALUES (?, ?, ?, ?)",
            "purchases": "INSERT INTO purchases (id, client_id, store_id, channel, purchased_at,"
            " currency, total_minor, external_ref, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        }
        for name, values in rows.items():
            conn.executemany(sql[name], values)
            counts[name] = len(values)
    conn.close()
    return counts


def cached_book(spec: BookSpec) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"syncbook-{spec.stores}s-{spec.clients}c.db"
    if not path.exists():
        print(f"Building a {spec.clients:,}-client book in {spec.stores} store(s) ...", flush=True)
        started = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        make_book(tmp, spec)
        tmp.rename(path)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    return path


# --- workstations ----------------------------------------------------------------------------


@dataclass
class Device:
    name: str
    path: Path
    base: str
    tokens: MemoryTokens = field(default_factory=MemoryTokens)
    db: Database | None = None
    http: httpx.Client | None = None

    def open(self) -> None:
        self.db = open_database(self.path)
        install_capture(self.db)
        if self.http is None:
            self.http = httpx.Client(timeout=600)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
        if self.http is not None:
            self.http.close()
            self.http = None

    @property
    def engine(self) -> SyncEngine:
        assert self.db is not None and self.http is not None
        return SyncEngine(self.db, HttpTransport(self.base, client=self.http), self.tokens)

    def enroll(self, server: SyncServer, store_code: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        self.open()
        self.engine.enroll(self.base, server.create_enrollment(store_code), self.name)
        assert self.db is not None
        self.db.close()  # capture starts once the book is enrolled
        self.db = open_database(self.path)
        install_capture(self.db)

    @property
    def store_id(self) -> uuid.UUID:
        return uuid.UUID(self.engine.state()["store_id"])


def book_rows(db: Database) -> dict[tuple[str, str], str]:
    """(kind, id) -> the row as canonical JSON of wire values, for every synced row."""
    out: dict[tuple[str, str], str] = {}
    raw = sqlite3.connect(db.path)
    try:
        for kind in KINDS.values():
            cols = list(kind.columns.values())
            names = ", ".join(c.name for c in cols)
            for values in raw.execute(f"SELECT {names} FROM {kind.name}"):
                row = {c.name: c.from_sqlite(v) for c, v in zip(cols, values, strict=True)}
                out[(kind.name, row["id"])] = json.dumps(row, sort_keys=True, ensure_ascii=False)
    finally:
        raw.close()
    return out


def server_rows(server: SyncServer, store: uuid.UUID) -> dict[tuple[str, str], str]:
    """The same for every record a store sees on the server."""
    out: dict[tuple[str, str], str] = {}
    with server.engine.connect() as conn:
        scope = (
            select(client_scope.c.client_id.label("cid"))
            .where(client_scope.c.home_store_id == store)
            .union(select(grants.c.client_id).where(grants.c.store_id == store))
            .subquery()
        )
        owned = select(records.c.kind, records.c.id, records.c.data).join(
            scope, records.c.client_id == scope.c.cid
        )
        loose = select(records.c.kind, records.c.id, records.c.data).where(
            records.c.client_id.is_(None),
            (records.c.store_id.is_(None)) | (records.c.store_id == store),
        )
        for query in (owned, loose):
            for kind, rid, data in conn.execute(query):
                row = json.loads(data)
                out[(kind, str(uuid.UUID(str(rid))))] = json.dumps(
                    row, sort_keys=True, ensure_ascii=False
                )
    return out


def env_note() -> str:
    return (
        f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
