"""Vitrine's composition root: parse the command line, then open the app or run one verb.

vitrine                                   open the app (demo book on first run)
vitrine seed --clients N [--db PATH]      generate a demo book
vitrine search QUERY [--db PATH] [--json] type-ahead search, ranked
vitrine client show ID [--json]           a client's whole profile
vitrine doctor [--db PATH] [--json]       schema version, counts, integrity
vitrine sync [enroll|status] [--db PATH]  sync with the central server (exit codes: sync/cli.py)
vitrine server [ACTION]                   run or administer the central server
vitrine camera --camera URL ACTION        drive a PTZ camera: status, move, stop, zoom, home, preset
vitrine camera-sim [--profile P] [...]    run a simulated VISCA PTZ camera, print its URL
vitrine record --camera URL|sim --seconds N --out PATH [--client ID]   record a session
vitrine replay-info PATH [--json]         a recording's duration, chapters, dropped frames
"""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

from app import record_cli as session_record_cli
from app.clients import NotFoundError
from app.context import AppContext, EmptyBookError, open_context
from app.validation import ValidationError
from camera import cli as camera_cli
from camera import record_cli as replay_cli
from camera.sim import cli as camera_sim_cli
from models.database import DatabaseError, default_db_path, open_database
from models.dto import ClientHit, ClientProfile, to_jsonable
from models.search import SearchFilters
from sync import cli as sync_cli
from sync.server import cli as server_cli

FIRST_RUN_CLIENTS = 2_000
log = logging.getLogger("vitrine")


def _db_option(parser: argparse.ArgumentParser, top: bool = False) -> None:
    # Accepted before or after the verb; the verb's copy must not reset the global one.
    parser.add_argument(
        "--db",
        type=Path,
        default=None if top else argparse.SUPPRESS,
        help=f"the book's SQLite file (default: {default_db_path()})",
    )


def _count(low: int, high: int) -> Callable[[str], int]:
    """An integer option that must lie in [low, high], refused by argparse otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:,} and {high:,}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vitrine", description="Vitrine: the client book and showroom studio."
    )
    _db_option(parser, top=True)
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")

    seed = verbs.add_parser("seed", help="generate a deterministic demo book")
    _db_option(seed)
    seed.add_argument(
        "--clients", type=_count(0, 10_000_000), default=FIRST_RUN_CLIENTS, help="how many clients"
    )
    seed.add_argument("--seed", type=int, default=7, help="random seed (same seed, same book)")
    seed.add_argument(
        "--anchor",
        type=date.fromisoformat,
        default=None,
        help="the demo's 'today', YYYY-MM-DD (default: today)",
    )
    seed.add_argument("--no-images", action="store_true", help="skip rendering product images")

    search = verbs.add_parser("search", help="search clients by name, e-mail, phone, tag, note")
    _db_option(search)
    search.add_argument("query", help="what to look for ('' lists clients by name)")
    search.add_argument("--json", action="store_true", help="print JSON")
    search.add_argument("--limit", type=_count(1, 10_000), default=20)
    search.add_argument("--tier", action="append", default=[], help="prospect|client|vip|vvip")
    search.add_argument("--owner", type=uuid.UUID, help="owner associate id")
    search.add_argument("--store", type=uuid.UUID, help="home store id")
    search.add_argument("--birthday-within", type=_count(0, 366), metavar="DAYS")
    search.add_argument("--not-contacted", type=_count(0, 36_500), metavar="DAYS")
    search.add_argument("--wish-in-stock", action="store_true")

    client = verbs.add_parser("client", help="client commands")
    client_verbs = client.add_subparsers(dest="client_verb", metavar="ACTION", required=True)
    show = client_verbs.add_parser("show", help="show a client's profile")
    _db_option(show)
    show.add_argument("id", type=uuid.UUID)
    show.add_argument("--json", action="store_true")

    sync_cli.add_parser(verbs, _db_option)
    server_cli.add_parser(verbs)
    camera_cli.add_parser(verbs)
    session_record_cli.add_parser(verbs, _db_option)
    camera_sim_cli.add_parser(verbs)
    replay_cli.add_parser(verbs)

    doctor = verbs.add_parser("doctor", help="check a book's schema, counts and integrity")
    _db_option(doctor)
    doctor.add_argument("--json", action="store_true")
    return parser


def _db_path(args: argparse.Namespace) -> Path:
    return Path(args.db) if args.db is not None else default_db_path()


def _print_json(value: Any) -> None:
    print(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2))


def cmd_seed(args: argparse.Namespace) -> int:
    from app.demo.book import BookNotEmptyError, seed_book

    path = _db_path(args)
    db = open_database(path)
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        rate = done / max(time.perf_counter() - started, 1e-9)
        print(f"\r  {done:,}/{total:,} clients ({rate:,.0f}/s)", end="", file=sys.stderr)

    try:
        report = seed_book(
            db,
            args.clients,
            seed=args.seed,
            anchor=args.anchor,
            images=not args.no_images,
            progress=progress,
        )
    except BookNotEmptyError as exc:
        print(f"vitrine: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(file=sys.stderr)
    print(
        f"Seeded {report.clients:,} clients ({report.rows:,} rows, {report.products} products, "
        f"{report.associates} associates in {report.stores} stores) into {path} "
        f"in {report.seconds:.1f} s (search index {report.index_seconds:.1f} s)."
    )
    return 0


def _filters(args: argparse.Namespace) -> SearchFilters:
    return SearchFilters(
        tiers=tuple(args.tier),
        owner_id=args.owner,
        store_id=args.store,
        birthday_within_days=args.birthday_within,
        not_contacted_days=args.not_contacted,
        wish_in_stock=args.wish_in_stock,
    )


def _print_hits(hits: list[ClientHit]) -> None:
    if not hits:
        print("No clients match.")
        return
    for n, h in enumerate(hits, start=1):
        print(
            f"{n:>3}. {h.display_name:<28} {h.tier:<8} {h.email or '-':<40} "
            f"{h.phone or '-':<16} {h.home_store:<26} {h.id}"
        )


def cmd_search(args: argparse.Namespace, ctx: AppContext) -> int:
    started = time.perf_counter()
    with ctx.unit_of_work() as s:
        hits = s.clients.search(args.query, _filters(args), limit=args.limit)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if args.json:
        _print_json({"query": args.query, "count": len(hits), "results": hits})
    else:
        _print_hits(hits)
        print(f"({len(hits)} shown, {elapsed_ms:.1f} ms)", file=sys.stderr)
    return 0


def _print_profile(p: ClientProfile) -> None:
    def when(value: Any) -> str:
        return value.strftime("%Y-%m-%d") if value else "never"

    print(f"{p.display_name}  [{p.tier}]  {p.id}")
    print(
        f"  Home store: {p.home_store}   Owner: {p.primary_owner or '-'}"
        + (f" / {p.secondary_owner}" if p.secondary_owner else "")
    )
    print(f"  E-mail: {', '.join(p.emails) or '-'}   Phone: {', '.join(p.phones) or '-'}")
    if p.address:
        print(f"  Address: {', '.join(p.address)}")
    print(
        f"  Lifetime spend: {p.lifetime_spend.format()} over {p.purchase_count} purchases;"
        f" last purchase {when(p.last_purchase_at)}, last contact {when(p.last_contact_at)}"
    )
    if p.tags:
        print(f"  Tags: {', '.join(p.tags)}")
    if p.sizes:
        print("  Sizes: " + ", ".join(f"{k} {v}" for k, v in p.sizes.items()))
    for kind, values in p.preferences.items():
        print(f"  {kind.title()}: {', '.join(values)}")
    for d in p.important_dates:
        year = f" ({d.year})" if d.year else ""
        print(f"  {d.label or d.kind.title()}: {d.day:02d}/{d.month:02d}{year}, next {d.next_on}")
    if p.consent:
        print(
            "  Consent: "
            + ", ".join(
                f"{c.channel}/{c.purpose}={'yes' if c.granted else 'no'}" for c in p.consent
            )
        )
    sections: list[tuple[str, list[str]]] = [
        ("Notes", [f"{when(n.created_at)}  {n.body}" for n in p.notes[:5]]),
        (
            "Interactions",
            [
                f"{when(i.occurred_at)}  {i.channel}/{i.direction}  {i.summary}"
                for i in p.interactions[:5]
            ],
        ),
        (
            "Purchases",
            [
                f"{when(x.purchased_at)}  {x.total.format():>14}  "
                + "; ".join(ln.description for ln in x.lines)
                for x in p.purchases[:5]
            ],
        ),
        (
            "Wish list",
            [
                f"{w.product.brand} {w.product.name} ({w.product.sku}) — {w.in_stock_home} in stock"
                for w in p.wish_list
            ],
        ),
        ("Tasks", [f"{t.due_on}  [{t.status}] {t.reason}" for t in p.tasks[:5]]),
        (
            "Appointments",
            [
                f"{when(a.starts_at)}  {a.kind} [{a.status}] {a.purpose or ''}"
                for a in p.appointments[:5]
            ],
        ),
    ]
    for title, lines in sections:
        if lines:
            print(f"  {title}:")
            for line in lines:
                print(f"    {line}")


def cmd_client_show(args: argparse.Namespace, ctx: AppContext) -> int:
    with ctx.unit_of_work() as s:
        profile = s.clients.profile(args.id)
    if args.json:
        _print_json(profile)
    else:
        _print_profile(profile)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from app.doctor import examine

    path = _db_path(args)
    if not path.exists():
        print(f"vitrine: there is no book at {path}", file=sys.stderr)
        return 1
    db = open_database(path)
    try:
        report = examine(db)
    finally:
        db.close()
    if args.json:
        _print_json(report)
    else:
        print(f"Book: {report.path} ({report.size_bytes / 1e6:,.1f} MB, {report.journal_mode})")
        print(f"Schema: {report.schema_revision} (this version: {report.schema_head})")
        print(f"Integrity: {report.integrity}")
        print(f"Search index: {report.search_index_rows:,} clients")
        for table, count in report.counts.items():
            print(f"  {table:<18} {count:>12,}")
        for problem in report.problems:
            print(f"PROBLEM: {problem}")
    return 1 if report.problems else 0


def cmd_sync(args: argparse.Namespace) -> int:
    path = _db_path(args)
    if args.sync_verb != "enroll" and not path.exists():
        print(f"vitrine: there is no book at {path}", file=sys.stderr)
        return 4
    db = open_database(path)
    try:
        return sync_cli.run(args, db)
    finally:
        db.close()


def ensure_first_run_book(path: Path) -> None:
    """The app opens on a demo book when there is no book yet."""
    if path.exists() and path.stat().st_size > 0:
        return
    from app.demo.book import seed_book

    print(f"Creating a demo book of {FIRST_RUN_CLIENTS:,} clients at {path} ...", file=sys.stderr)
    db = open_database(path)
    try:
        seed_book(db, FIRST_RUN_CLIENTS)
    finally:
        db.close()


def run_gui(args: argparse.Namespace) -> int:
    path = _db_path(args)
    ensure_first_run_book(path)
    ctx = open_context(path)
    from ui.application import run

    return run(ctx)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        if args.verb is None:
            return run_gui(args)
        if args.verb == "seed":
            return cmd_seed(args)
        if args.verb == "doctor":
            return cmd_doctor(args)
        if args.verb == "server":
            return server_cli.run(args)
        if args.verb == "camera":
            return camera_cli.run(args)
        if args.verb == "record":
            book = args.db or (default_db_path() if args.client else None)
            return session_record_cli.run(args, book)
        if args.verb == "camera-sim":
            return camera_sim_cli.run(args)
        if args.verb == "replay-info":
            return replay_cli.run(args)
        if args.verb == "sync":
            return cmd_sync(args)
        path = _db_path(args)
        if not path.exists():
            print(
                f"vitrine: there is no book at {path} (create one with `vitrine seed`)",
                file=sys.stderr,
            )
            return 1
        ctx = open_context(path)
        try:
            if args.verb == "search":
                return cmd_search(args, ctx)
            return cmd_client_show(args, ctx)
        finally:
            ctx.db.close()
    except (DatabaseError, EmptyBookError, ValidationError) as exc:
        print(f"vitrine: {exc}", file=sys.stderr)
        return 2
    except NotFoundError as exc:
        print(f"vitrine: {exc}", file=sys.stderr)
        return 1
    except (sqlite3.OperationalError, OperationalError) as exc:
        # A full disk, a locked or read-only file: what was committed before stays committed.
        reason = str(getattr(exc, "orig", exc))
        print(
            f"vitrine: the book could not be written ({reason}); nothing after the last "
            "completed step was saved",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
