"""`vitrine sync ...`: enroll this workstation, sync once (for cron or a systemd timer), or
show the sync state. Exit codes: 0 synced, 4 not enrolled, 5 server unreachable, 6 clock
off, 7 refused by the server, 8 server failure, 9 cancelled, 10 verification failed,
11 no keyring."""

from __future__ import annotations

import argparse
import json
import socket
import sys
from typing import Any

from models.database import Database
from sync.credentials import KeyringTokens
from sync.engine import Progress, SyncEngine, SyncError
from sync.status import sync_status
from sync.transport import HttpTransport


def add_parser(verbs: Any, db_option: Any) -> None:
    sync = verbs.add_parser("sync", help="sync this book with the central server")
    db_option(sync)
    sync.add_argument("--quiet", action="store_true", help="print nothing on success")
    actions = sync.add_subparsers(dest="sync_verb", metavar="ACTION")
    enroll = actions.add_parser("enroll", help="enroll this book with a one-time code")
    db_option(enroll)
    enroll.add_argument("--server", required=True, help="e.g. https://sync.example.com")
    enroll.add_argument("--code", required=True)
    enroll.add_argument("--name", default=socket.gethostname(), help="this workstation's name")
    status = actions.add_parser("status", help="last sync, pending edits, conflicts")
    db_option(status)
    status.add_argument("--json", action="store_true")


def run(args: argparse.Namespace, db: Database) -> int:
    verb = args.sync_verb or "now"
    tokens = KeyringTokens()
    try:
        if verb == "status":
            status = sync_status(db)
            if args.json:
                print(json.dumps(status.as_json(), indent=2))
            else:
                print(status.describe())
            return 0
        if verb == "enroll":
            engine = SyncEngine(db, HttpTransport(args.server), tokens)
            device = engine.enroll(args.server, args.code, args.name)
            print(f"enrolled as device {device}; run `vitrine sync` to fetch the book")
            return 0
        server = engine_server(db)
        engine = SyncEngine(db, HttpTransport(server), tokens)
        quiet = args.quiet or not sys.stderr.isatty()

        def progress(p: Progress) -> None:
            if not quiet:
                total = f"/{p.total}" if p.total is not None else ""
                print(
                    f"\r{p.phase:<9} {p.items}{total}  {p.bytes / 1e6:.1f} MB",
                    end="",
                    file=sys.stderr,
                )

        report = engine.sync(progress)
        if not quiet:
            print(file=sys.stderr)
        if not args.quiet:
            print(report.summary())
            for note in report.notes:
                print(f"  {note}")
        return 0
    except SyncError as exc:
        print(f"vitrine sync: {exc}", file=sys.stderr)
        return exc.exit_code


def engine_server(db: Database) -> str:
    with db.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT value FROM local_meta WHERE key = 'sync_server'").first()
    if row is None:
        from sync.engine import NotEnrolled

        raise NotEnrolled("this workstation is not enrolled: run `vitrine sync enroll`")
    return str(row[0])
