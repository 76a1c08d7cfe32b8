"""Type-ahead and profile latency over a large book, against raw sqlite3 on the same file.

    python bench/search.py --db BOOK            # measure an existing book
    python bench/search.py --clients 1000000    # build (or reuse) bench/.cache/book-1000000.db

For every query the service path (a unit of work, ClientService.search, DTOs) is timed, then
the very same SQL statements are run through a bare sqlite3 connection and their rows fetched:
the ratio is what the service layers cost on top of SQLite itself. Goals: type-ahead p95
<= 20 ms and <= 2x raw; opening a full profile p95 <= 30 ms.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.clients import Actor, ClientService, hits_sql
from app.demo.book import seed_book
from models import search as search_queries
from models.database import Database, open_database
from models.text import words

GOAL_SEARCH_P95_MS = 20.0
GOAL_RATIO = 2.0
GOAL_PROFILE_P95_MS = 30.0
LIMIT = 20


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def build_queries(
    raw: sqlite3.Connection, rng: random.Random, per_kind: int
) -> dict[str, list[str]]:
    """Prefixes of real names in the book, and real full names, chosen at random."""
    total = raw.execute("SELECT max(rowid) FROM clients").fetchone()[0] or 0
    picks = []
    while len(picks) < per_kind * 3 and total:
        row = raw.execute(
            "SELECT given_name, family_name FROM clients WHERE rowid = ?",
            (rng.randrange(1, total + 1),),
        ).fetchone()
        if row:
            picks.append(row)
    queries: dict[str, list[str]] = {f"{n}-letter prefix": [] for n in range(1, 5)}
    queries["full name"] = []
    for given, family in picks:
        token = rng.choice(words(f"{given} {family}"))
        for n in range(1, 5):
            if len(token) >= n and len(queries[f"{n}-letter prefix"]) < per_kind:
                queries[f"{n}-letter prefix"].append(token[:n])
        if len(queries["full name"]) < per_kind:
            queries["full name"].append(f"{given} {family}")
    return queries


def raw_search(conn: sqlite3.Connection) -> Callable[[str], list[tuple[Any, ...]]]:
    def execute(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return conn.execute(sql, tuple(params)).fetchall()

    def run(query: str) -> list[tuple[Any, ...]]:
        plan = search_queries.plan(query, search_queries.SearchFilters())
        ids = search_queries.run_plan(execute, plan, LIMIT)
        return execute(hits_sql(len(ids)), ids) if ids else []

    return run


_RAW_PROFILE = (
    "SELECT * FROM clients WHERE id = ?",
    "SELECT * FROM client_emails WHERE client_id = ?",
    "SELECT * FROM client_phones WHERE client_id = ?",
    "SELECT * FROM client_tags WHERE client_id = ?",
    "SELECT * FROM client_sizes WHERE client_id = ?",
    "SELECT * FROM client_preferences WHERE client_id = ?",
    "SELECT * FROM important_dates WHERE client_id = ?",
    "SELECT * FROM client_stats WHERE client_id = ?",
    "SELECT * FROM notes WHERE client_id = ? ORDER BY created_at DESC LIMIT 50",
    "SELECT * FROM interactions WHERE client_id = ? ORDER BY occurred_at DESC LIMIT 50",
    "SELECT * FROM purchases WHERE client_id = ? ORDER BY purchased_at DESC LIMIT 50",
    "SELECT l.* FROM purchase_lines l JOIN purchases p ON p.id = l.purchase_id "
    "WHERE p.client_id = ?",
    "SELECT * FROM wish_list_items w JOIN products p ON p.id = w.product_id WHERE w.client_id = ?",
    "SELECT * FROM closet_items WHERE client_id = ?",
    "SELECT * FROM tasks WHERE client_id = ?",
    "SELECT * FROM appointments WHERE client_id = ?",
    "SELECT * FROM consent_events WHERE client_id = ?",
)


def raw_profile(conn: sqlite3.Connection, cid: bytes) -> int:
    return sum(len(conn.execute(sql, (cid,)).fetchall()) for sql in _RAW_PROFILE)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def ensure_book(args: argparse.Namespace) -> Path:
    if args.db is not None:
        if not Path(args.db).exists():
            sys.exit(f"no book at {args.db}")
        return Path(args.db)
    path = Path(__file__).resolve().parent / ".cache" / f"book-{args.clients}.db"
    if not path.exists():
        print(f"Building a {args.clients:,}-client book at {path} ...", flush=True)
        db = open_database(path)
        report = seed_book(db, args.clients, images=False)
        db.close()
        print(f"  built in {report.seconds:.0f} s", flush=True)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing book to measure")
    parser.add_argument("--clients", type=int, default=1_000_000, help="size to build if no --db")
    parser.add_argument("--queries", type=int, default=60, help="queries per kind")
    parser.add_argument("--profiles", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    path = ensure_book(args)
    db: Database = open_database(path)  # migrates, and rebuilds the index if its layout changed
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA cache_size=-65536")
    raw.execute("PRAGMA mmap_size=268435456")
    rng = random.Random(args.seed)
    clients = raw.execute("SELECT count(*) FROM clients").fetchone()[0]
    store = uuid.UUID(bytes=raw.execute("SELECT id FROM stores LIMIT 1").fetchone()[0])
    actor = Actor(None, store)
    queries = build_queries(raw, rng, args.queries)
    run_raw = raw_search(raw)

    def ours(query: str) -> None:
        with db.session() as s:
            ClientService(s, actor).search(query, limit=LIMIT)

    print(f"Book: {path} — {clients:,} clients, SQLite {sqlite3.sqlite_version}")
    print(
        f"{'type-ahead':<18}{'n':>4}{'p50 ms':>9}{'p95 ms':>9}{'raw p50':>9}{'raw p95':>9}"
        f"{'ratio':>7}  goal"
    )
    failures = 0
    all_ours: list[float] = []
    all_raw: list[float] = []
    for kind, qs in queries.items():
        for q in qs:  # warm the page cache the way a day of use does
            ours(q)
            run_raw(q)
        t_ours, t_raw = [], []
        for q in qs:
            # Interleave so both paths see the same machine load.
            t_ours.append(timed(lambda q=q: ours(q)))
            t_raw.append(timed(lambda q=q: run_raw(q)))
        all_ours += t_ours
        all_raw += t_raw
        p95, r95 = percentile(t_ours, 95), percentile(t_raw, 95)
        ratio = p95 / r95 if r95 else float("inf")
        ok = p95 <= GOAL_SEARCH_P95_MS and ratio <= GOAL_RATIO
        failures += not ok
        print(
            f"{kind:<18}{len(qs):>4}{statistics.median(t_ours):>9.2f}{p95:>9.2f}"
            f"{statistics.median(t_raw):>9.2f}{r95:>9.2f}{ratio:>7.2f}  "
            f"{'ok' if ok else 'MISSED'}"
        )
    p95, r95 = percentile(all_ours, 95), percentile(all_raw, 95)
    print(
        f"{'all type-ahead':<18}{len(all_ours):>4}{statistics.median(all_ours):>9.2f}"
        f"{p95:>9.2f}{statistics.median(all_raw):>9.2f}{r95:>9.2f}{p95 / r95:>7.2f}"
    )

    ids = [
        r[0]
        for r in raw.execute(
            "SELECT id FROM clients WHERE deleted_at IS NULL ORDER BY random() LIMIT ?",
            (args.profiles,),
        )
    ]
    ids += [
        r[0]
        for r in raw.execute(  # the heaviest profiles too: the best clients
            "SELECT client_id FROM client_stats ORDER BY purchase_count DESC LIMIT 20"
        )
    ]

    def profile(cid: bytes) -> None:
        with db.session() as s:
            ClientService(s, actor).profile(uuid.UUID(bytes=cid))

    for cid in ids[:20]:
        profile(cid)
        raw_profile(raw, cid)
    t_prof = [timed(lambda c=c: profile(c)) for c in ids]
    t_rawp = [timed(lambda c=c: raw_profile(raw, c)) for c in ids]
    p95, r95 = percentile(t_prof, 95), percentile(t_rawp, 95)
    ok = p95 <= GOAL_PROFILE_P95_MS
    failures += not ok
    print(
        f"{'open profile':<18}{len(ids):>4}{statistics.median(t_prof):>9.2f}{p95:>9.2f}"
        f"{statistics.median(t_rawp):>9.2f}{r95:>9.2f}{p95 / r95:>7.2f}  "
        f"{'ok' if ok else 'MISSED'}"
    )
    print(
        f"Goals: type-ahead p95 <= {GOAL_SEARCH_P95_MS:.0f} ms and <= {GOAL_RATIO:.0f}x raw; "
        f"profile p95 <= {GOAL_PROFILE_P95_MS:.0f} ms. "
        f"Raw profile = the same rows read with plain SELECTs, no DTOs."
    )
    raw.close()
    db.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
