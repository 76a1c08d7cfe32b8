"""Sync after a busy day: 10,000 local edits on one workstation and 10,000 changes from
another one of the same store, exchanged in one sync, against a real server process.

    python bench/sync_changes.py [--database-url postgresql://...] [--edits 10000]

Edits go through the app's services (the outbox records them as the desktop would): half are
field edits of clients (city), half new notes. Workstation B edits and pushes first; then
workstation A's sync pushes its edits and pulls B's (and the echo of its own). 5% of the
client edits touch the same clients on both sides, so conflicts are resolved too.
There is no raw equivalent of a merge, so the figure stands against its goal alone: <= 20 s
(with the rows per second it moved). At the end A, B and the server must hold the same rows.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
import uuid

from syncbench import (
    BookSpec,
    Device,
    book_rows,
    cached_book,
    env_note,
    open_server,
    server_process,
    server_rows,
    server_url,
    workdir,
)

from app.activity import ActivityService
from app.clients import Actor, ClientService
from sync.server.importer import import_book

GOAL_SECONDS = 20.0
PER_SESSION = 100


def edit(device: Device, clients: list[uuid.UUID], notes: list[uuid.UUID], tag: str) -> float:
    """City edits of `clients` and one new note on each of `notes`, 100 to a transaction."""
    assert device.db is not None
    actor = Actor(None, device.store_id)
    started = time.perf_counter()
    for start in range(0, len(clients), PER_SESSION):
        with device.db.session() as s:
            service = ClientService(s, actor)
            for cid in clients[start : start + PER_SESSION]:
                data = service.edit_input(cid)
                data.city = f"{tag}-city"
                service.update_client(cid, data)
    for start in range(0, len(notes), PER_SESSION):
        with device.db.session() as s:
            activity = ActivityService(s, actor)
            for cid in notes[start : start + PER_SESSION]:
                activity.add_note(cid, f"Note from {tag}")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (its sync tables are dropped)")
    parser.add_argument("--edits", type=int, default=10_000, help="per workstation")
    parser.add_argument("--clients", type=int, default=40_000, help="size of the store's book")
    args = parser.parse_args()

    work = workdir("changes")
    url = server_url(args.database_url, work)
    server = open_server(url)
    import_book(server, cached_book(BookSpec(stores=1, clients=args.clients)))
    half = args.edits // 2
    overlap = half // 10
    with server_process(url) as base:
        a = Device("A", work / "a.db", base)
        b = Device("B", work / "b.db", base)
        for device in (a, b):
            device.enroll(server, "S000")
            device.engine.sync()
        assert a.db is not None
        with a.db.engine.connect() as conn:
            ids = [
                uuid.UUID(bytes=r[0])
                for r in conn.exec_driver_sql(
                    "SELECT id FROM clients ORDER BY id LIMIT ?", (4 * half,)
                )
            ]
        # A edits clients [0, half) and notes [2h, 3h); B edits [half - overlap, 2h - overlap)
        # and notes [3h, 4h).
        a_seconds = edit(a, ids[:half], ids[2 * half : 3 * half], "A")
        b_seconds = edit(b, ids[half - overlap : 2 * half - overlap], ids[3 * half :], "B")
        a_pending, b_pending = a.engine.pending_count(), b.engine.pending_count()
        started = time.perf_counter()
        b_report = b.engine.sync()
        b_push = time.perf_counter() - started
        started = time.perf_counter()
        report = a.engine.sync()
        total = time.perf_counter() - started
        b.engine.sync()
        assert a.db is not None and b.db is not None
        with a.db.engine.connect() as conn:
            fields = conn.exec_driver_sql(
                "SELECT field, count(*) FROM sync_conflicts GROUP BY 1 ORDER BY 2 DESC"
            ).all()
        mine, theirs = book_rows(a.db), book_rows(b.db)
        truth = server_rows(server, a.store_id)
        a.close()
        b.close()
    server.engine.dispose()
    shutil.rmtree(work, ignore_errors=True)

    same = mine == theirs == truth
    ok = total <= GOAL_SECONDS
    print(f"Server: {url.split('://')[0]}, book of {args.clients:,} clients — {env_note()}")
    print(
        f"Edits through the services: A {a_pending:,} mutations in {a_seconds:.1f} s, "
        f"B {b_pending:,} in {b_seconds:.1f} s"
    )
    print(f"B's sync (push {b_report.pushed:,}): {b_push:.1f} s")
    print(
        f"A's sync: pushed {report.pushed:,} (applied {report.applied:,}, superseded "
        f"{report.superseded:,}, conflicts {report.conflicts:,}), pulled {report.pulled:,} ops, "
        f"{report.round_trips} round trips, {report.bytes / 1e6:.1f} MB"
    )
    print(
        f"{'exchange sync (A)':<28}{total:>8.1f} s  {'ok' if ok else 'MISSED'} "
        f"(<= {GOAL_SECONDS:.0f} s)"
        f"  — {(report.pushed + report.pulled) / total:,.0f} rows/s moved"
    )
    print(f"Conflicts recorded on A, by field: {dict(fields)}")
    print(f"A, B and the server agree on all {len(truth):,} rows: {same}")
    return 0 if ok and same else 1


if __name__ == "__main__":
    sys.exit(main())
