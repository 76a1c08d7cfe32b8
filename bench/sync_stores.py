"""Many stores at once: 50 stores x 2 workstations sync concurrently against one PostgreSQL
server, each making edits between syncs; then proof that nothing was lost.

    python bench/sync_stores.py --database-url postgresql://u:p@host/db [--stores 50]

The server is `vitrine server` (uvicorn, --server-workers processes). Workstations run as
threads spread over a few processes, each on its own SQLite book. Every round a workstation
creates a client (with an email and a tag), edits the city of a random client of its store
(its twin edits the same clients, so conflicts happen), adds a note, then syncs.

Figures: mutations/s and sync requests/s over the concurrent phase, sync latency p50/p95.
Proof: every mutation made is in the server's mutation log exactly once and none was
rejected or left pending; after a final sync every workstation's book equals, row for row,
the server's records for its store.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import shutil
import statistics
import sys
import threading
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from syncbench import (
    BookSpec,
    Device,
    book_rows,
    cached_book,
    env_note,
    open_server,
    percentile,
    server_process,
    server_rows,
    server_url,
    workdir,
)

from app.activity import ActivityService
from app.clients import Actor, ClientService
from models.dto import ClientInput
from sync.server.db import mutation_log, records
from sync.server.importer import import_book

_OPENING = threading.Lock()


def _device_loop(
    name: str,
    path: Path,
    base: str,
    token: tuple[str, str],
    rounds: int,
    seed: int,
    start: threading.Barrier,
    out: list[dict[str, Any]],
) -> None:
    stats: dict[str, Any] = {
        "name": name,
        "created": 0,
        "pushed": 0,
        "applied": 0,
        "superseded": 0,
        "rejected": 0,
        "conflicts": 0,
        "trips": 0,
        "syncs": [],
        "new_clients": [],
        "error": None,
    }
    device = Device(name, path, base)
    device.tokens.save(*token)
    try:
        with _OPENING:  # opening a book runs Alembic, whose context is process-global
            device.open()
        rng = random.Random(seed)
        store = device.store_id
        actor = Actor(None, store)
    except Exception:
        stats["error"] = traceback.format_exc()
    start.wait()  # every thread reaches the start line, even one that failed to open
    try:
        if stats["error"]:
            return
        for r in range(rounds):
            assert device.db is not None
            with device.db.engine.connect() as conn:
                ids = [
                    bytes(x[0])
                    for x in conn.exec_driver_sql("SELECT id FROM clients WHERE deleted_at IS NULL")
                ]
            with device.db.session() as s:
                service = ClientService(s, actor)
                cid = service.create_client(
                    ClientInput(
                        given_name=f"New{r}",
                        family_name=f"{name}-{r}",
                        emails=[f"{name.lower()}.{r}@example.com"],
                        tags=["bench"],
                    )
                )
                stats["new_clients"].append(str(cid))
                target = uuid.UUID(bytes=rng.choice(ids))
                data = service.edit_input(target)
                data.city = f"{name}-{r}"
                service.update_client(target, data)
                ActivityService(s, actor).add_note(target, f"Seen by {name} in round {r}")
            engine = device.engine
            stats["created"] += engine.pending_count()
            started = time.perf_counter()
            report = engine.sync()
            stats["syncs"].append(time.perf_counter() - started)
            for key in ("pushed", "applied", "superseded", "rejected", "conflicts"):
                stats[key] += getattr(report, key)
            stats["trips"] += report.round_trips
        stats["pending"] = device.engine.pending_count()
    except Exception:  # reported by the parent
        stats["error"] = traceback.format_exc()
    finally:
        device.close()
        out.append(stats)


def _group(
    devices: list[tuple[str, str, str, str]],
    base: str,
    rounds: int,
    ready: Any,
    go: Any,
    results: Any,
) -> None:
    """One process: its workstations as threads, started together when the parent says go."""
    out: list[dict[str, Any]] = []
    start = threading.Barrier(len(devices) + 1)
    threads = [
        threading.Thread(
            target=_device_loop,
            args=(name, Path(path), base, (device_id, token), rounds, i, start, out),
        )
        for i, (name, path, device_id, token) in enumerate(devices)
    ]
    for t in threads:
        t.start()
    ready.set()
    go.wait()
    start.wait()
    for t in threads:
        t.join()
    results.put(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL URL (tables dropped)")
    parser.add_argument("--stores", type=int, default=50)
    parser.add_argument("--clients", type=int, default=10_000, help="spread over the stores")
    parser.add_argument("--rounds", type=int, default=20, help="edit-then-sync rounds per device")
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--server-workers", type=int, default=2)
    args = parser.parse_args()

    work = workdir("stores")
    url = server_url(args.database_url, work)
    server = open_server(url)
    imported = import_book(server, cached_book(BookSpec(stores=args.stores, clients=args.clients)))
    codes = [c for _i, c, _n in server.stores()]
    print(f"Server: PostgreSQL, {args.server_workers} uvicorn workers — {env_note()}")
    print(f"Book: {imported.rows:,} records over {len(codes)} stores")
    ctx = mp.get_context("spawn")
    failures = 0
    with server_process(url, workers=args.server_workers) as base:
        # Enroll and take the first snapshot, one device at a time (not measured).
        devices: list[Device] = []
        started = time.perf_counter()
        for code in codes:
            for twin in ("a", "b"):
                device = Device(f"{code}{twin}", work / f"{code}{twin}.db", base)
                device.enroll(server, code)
                device.engine.sync()
                devices.append(device)
        print(
            f"Enrolled and snapshotted {len(devices)} workstations in "
            f"{time.perf_counter() - started:.0f} s"
        )
        specs = []
        for device in devices:
            device_id = device.engine.state()["device_id"]
            specs.append((device.name, str(device.path), device_id, device.tokens.load(device_id)))
            device.close()
        # Tokens travel to the child processes, which load them into their own Device.
        groups = [specs[i :: args.processes] for i in range(args.processes)]
        results = ctx.Queue()
        go = ctx.Event()
        readies = []
        procs = []
        for group in groups:
            ready = ctx.Event()
            p = ctx.Process(target=_group, args=(group, base, args.rounds, ready, go, results))
            p.start()
            procs.append(p)
            readies.append(ready)
        for ready in readies:
            ready.wait()
        started = time.perf_counter()
        go.set()
        stats: list[dict[str, Any]] = []
        for _ in procs:
            stats += results.get()
        wall = time.perf_counter() - started
        for p in procs:
            p.join()

        errors = [s for s in stats if s["error"]]
        for s in errors[:3]:
            print(f"{s['name']} failed:\n{s['error']}")
        failures += bool(errors)

        # Settle: one more sync each, now that nobody edits, then compare with the server.
        mismatched = []
        rows_checked = 0
        for device in devices:
            device.open()
            device.engine.sync()
            assert device.db is not None
            mine = book_rows(device.db)
            truth = server_rows(server, device.store_id)
            rows_checked += len(truth)
            if mine != truth:
                mismatched.append((device.name, len(mine), len(truth)))
            device.close()
        with server.engine.connect() as conn:
            logged = conn.execute(select(func.count()).select_from(mutation_log)).scalar_one()
            new_ids = [uuid.UUID(c) for s in stats for c in s["new_clients"]]
            found = 0
            for i in range(0, len(new_ids), 1000):
                found += conn.execute(
                    select(func.count())
                    .select_from(records)
                    .where(records.c.kind == "clients", records.c.id.in_(new_ids[i : i + 1000]))
                ).scalar_one()
    server.engine.dispose()
    shutil.rmtree(work, ignore_errors=True)

    created = sum(s["created"] for s in stats)
    pushed = sum(s["pushed"] for s in stats)
    rejected = sum(s["rejected"] for s in stats)
    pending = sum(s.get("pending", 0) for s in stats)
    trips = sum(s["trips"] for s in stats)
    syncs = [t * 1000 for s in stats for t in s["syncs"]]
    accounted = (
        created == pushed == logged
        and rejected == 0
        and pending == 0
        and sum(s["applied"] + s["superseded"] for s in stats) == pushed
        and found == len(new_ids)
    )
    failures += not accounted
    failures += bool(mismatched)
    print(f"{len(stats)} workstations x {args.rounds} rounds in {wall:.1f} s:")
    print(
        f"  mutations: {created:,} made, {pushed:,} pushed, {logged:,} in the server's log, "
        f"{rejected} rejected, {pending} left pending, "
        f"{sum(s['conflicts'] for s in stats):,} conflicts resolved"
    )
    print(
        f"  throughput: {pushed / wall:,.0f} mutations/s, {trips / wall:,.0f} requests/s, "
        f"{len(syncs) / wall:,.1f} syncs/s"
    )
    print(
        f"  sync latency under load: p50 {statistics.median(syncs):.0f} ms, "
        f"p95 {percentile(syncs, 95):.0f} ms, max {max(syncs):.0f} ms"
    )
    print(f"  new clients on the server: {found:,} of {len(new_ids):,}")
    print(f"  every mutation accounted for: {accounted}")
    print(
        f"  books equal to the server after a final sync: {len(devices) - len(mismatched)} of "
        f"{len(devices)} ({rows_checked:,} rows compared)"
    )
    for name, mine_n, truth_n in mismatched[:5]:
        print(f"    {name}: book {mine_n:,} rows, server {truth_n:,}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
