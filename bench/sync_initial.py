"""Initial sync of a large store: a new workstation fetches 100,000 clients and 400,000 child
rows from a real server process over loopback HTTP.

    python bench/sync_initial.py                                   # embedded SQLite server
    python bench/sync_initial.py --database-url postgresql://u:p@host/db   # PostgreSQL (emptied!)

The book (4 child rows per client: emails, phones, tags, notes, purchases) is built once into
bench/.cache and loaded into the server with the importer (`vitrine server import-book`).
The workstation's apply rate (rows / time spent outside HTTP waits) is set against a raw
sqlite3 executemany of the very same rows into a fresh book of the same schema.
Goals: the whole sync <= 60 s; the client's apply rate within 2x of raw.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from syncbench import (
    BookSpec,
    Device,
    cached_book,
    env_note,
    open_server,
    server_process,
    server_url,
    workdir,
)

from models import search_index
from models.database import open_database
from sync import local
from sync.kinds import KINDS
from sync.server.importer import import_book
from sync.transport import HttpTransport

GOAL_SECONDS = 60.0
GOAL_RATIO = 2.0


class Timer:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def wrap(self, fn):  # type: ignore[no-untyped-def]
        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1

        return timed


def raw_copy(source: Path, target: Path) -> tuple[int, float]:
    """Insert every synced row of `source` into a fresh book at `target` with plain
    executemany in one transaction (rows read beforehand); returns rows and seconds."""
    open_database(target).close()
    src = sqlite3.connect(source)
    data = {}
    for kind in sorted(KINDS.values(), key=lambda k: k.order):
        assert kind.table is not None
        cols = [c.name for c in kind.table.columns]
        data[kind.name] = (
            cols,
            src.execute(f"SELECT {', '.join(cols)} FROM {kind.name}").fetchall(),
        )
    src.close()
    dst = sqlite3.connect(target, isolation_level=None)
    for pragma in (
        "journal_mode=WAL",
        "synchronous=FULL",
        "foreign_keys=ON",
        "secure_delete=ON",
        "cache_size=-65536",
        "temp_store=MEMORY",
    ):
        dst.execute(f"PRAGMA {pragma}")
    rows = 0
    started = time.perf_counter()
    dst.execute("BEGIN")
    for name, (cols, values) in data.items():
        dst.executemany(
            f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            values,
        )
        rows += len(values)
    dst.execute("COMMIT")
    seconds = time.perf_counter() - started
    dst.close()
    return rows, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (its sync tables are dropped)")
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    args = parser.parse_args()

    book = cached_book(BookSpec(stores=1, clients=args.clients))
    work = workdir("initial")
    url = server_url(args.database_url, work)
    server = open_server(url)
    imported = import_book(server, book)
    server.engine.dispose()
    print(f"Server: {url.split('://')[0]} — {env_note()}")
    print(
        f"Import: {imported.rows:,} records in {imported.seconds:.1f} s "
        f"({imported.rows / imported.seconds:,.0f} rows/s)"
    )

    http, apply, index = Timer(), Timer(), Timer()
    HttpTransport.post = http.wrap(HttpTransport.post)  # type: ignore[method-assign]
    local.apply_puts = apply.wrap(local.apply_puts)
    search_index.ensure = index.wrap(search_index.ensure)

    failures = 0
    with server_process(url) as base:
        server = open_server(url)
        device = Device("bench", work / "ws.db", base)
        device.enroll(server, "S000")
        http.seconds = apply.seconds = index.seconds = 0.0
        http.calls = 0
        started = time.perf_counter()
        report = device.engine.sync()
        total = time.perf_counter() - started
        assert device.db is not None
        with device.db.engine.connect() as conn:
            counts = {
                k: conn.exec_driver_sql(f"SELECT count(*) FROM {k}").scalar_one()
                for k in (
                    "clients",
                    "client_emails",
                    "client_phones",
                    "client_tags",
                    "notes",
                    "purchases",
                )
            }
        again = device.engine.sync()
        device.close()
        server.engine.dispose()
    rows = report.snapshot_rows + report.pulled
    children = sum(counts.values()) - counts["clients"]
    client_side = total - http.seconds
    print(
        f"Synced {rows:,} rows ({counts['clients']:,} clients, {children:,} child rows) in "
        f"{report.round_trips} round trips, {report.bytes / 1e6:.0f} MB; next sync up to date: "
        f"{again.up_to_date}"
    )
    raw_rows, raw_seconds = raw_copy(work / "ws.db", work / "raw.db")
    raw_rate = raw_rows / raw_seconds
    print(f"{'':<34}{'seconds':>9}{'rows/s':>11}{'vs raw':>8}  goal")
    ok = total <= GOAL_SECONDS
    failures += not ok
    print(
        f"{'initial sync, end to end':<34}{total:>9.1f}{rows / total:>11,.0f}"
        f"{raw_rate / (rows / total):>8.1f}  {'ok' if ok else 'MISSED'} (<= {GOAL_SECONDS:.0f} s)"
    )
    print(f"{'  waiting on HTTP (server+wire)':<34}{http.seconds:>9.1f}")
    print(
        f"{'  client side (all but HTTP)':<34}{client_side:>9.1f}{rows / client_side:>11,.0f}"
        f"{raw_rate / (rows / client_side):>8.1f}"
    )
    ratio = raw_rate / (rows / apply.seconds)
    ok = ratio <= GOAL_RATIO
    failures += not ok
    print(
        f"{'  of which apply_puts':<34}{apply.seconds:>9.1f}{rows / apply.seconds:>11,.0f}"
        f"{ratio:>8.1f}  {'ok' if ok else 'MISSED'} (<= {GOAL_RATIO:.0f}x raw)"
    )
    print(f"{'  of which search index build':<34}{index.seconds:>9.1f}")
    print(f"{'raw sqlite3 executemany':<34}{raw_seconds:>9.1f}{raw_rate:>11,.0f}{1.0:>8.1f}")
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
