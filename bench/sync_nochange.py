"""No-change sync: a workstation that is up to date asks the server whether anything is new.

    python bench/sync_nochange.py [--database-url postgresql://...] [--runs 200]

One sync is one round trip (hello) plus the book's own bookkeeping. Baseline: a raw HTTP GET
of /v1/health on the same keep-alive connection to the same server process.
Goal: p95 <= 50 ms.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time

import httpx
from syncbench import (
    BookSpec,
    Device,
    cached_book,
    env_note,
    open_server,
    percentile,
    server_process,
    server_url,
    workdir,
)

from sync.server.importer import import_book

GOAL_P95_MS = 50.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (its sync tables are dropped)")
    parser.add_argument("--clients", type=int, default=10_000, help="size of the store's book")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    work = workdir("nochange")
    url = server_url(args.database_url, work)
    server = open_server(url)
    import_book(server, cached_book(BookSpec(stores=1, clients=args.clients)))
    with server_process(url) as base:
        device = Device("bench", work / "ws.db", base)
        device.enroll(server, "S000")
        device.engine.sync()
        assert device.http is not None
        raw = httpx.Client()
        for _ in range(20):  # warm both paths
            assert device.engine.sync().up_to_date
            raw.get(base + "/v1/health").raise_for_status()
        ours: list[float] = []
        baseline: list[float] = []
        trips = set()
        for _ in range(args.runs):  # interleaved: both see the same machine load
            engine = device.engine
            started = time.perf_counter()
            report = engine.sync()
            ours.append((time.perf_counter() - started) * 1000)
            assert report.up_to_date
            trips.add(report.round_trips)
            started = time.perf_counter()
            raw.get(base + "/v1/health").raise_for_status()
            baseline.append((time.perf_counter() - started) * 1000)
        raw.close()
        device.close()
    server.engine.dispose()
    shutil.rmtree(work, ignore_errors=True)

    p50, p95 = statistics.median(ours), percentile(ours, 95)
    b50, b95 = statistics.median(baseline), percentile(baseline, 95)
    ok = p95 <= GOAL_P95_MS
    print(f"Server: {url.split('://')[0]}, book of {args.clients:,} clients — {env_note()}")
    print(f"{'':<28}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'ratio p50':>11}{'ratio p95':>11}  goal")
    print(
        f"{'no-change sync':<28}{len(ours):>5}{p50:>9.2f}{p95:>9.2f}{p50 / b50:>11.1f}"
        f"{p95 / b95:>11.1f}  {'ok' if ok else 'MISSED'} (p95 <= {GOAL_P95_MS:.0f} ms)"
    )
    print(
        f"{'raw GET /v1/health':<28}{len(baseline):>5}{b50:>9.2f}{b95:>9.2f}"
        f"{1.0:>11.1f}{1.0:>11.1f}"
    )
    print(f"Round trips per sync: {sorted(trips)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
