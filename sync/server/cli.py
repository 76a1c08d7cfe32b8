"""`vitrine server ...`: run the central server and administer it (stores, enrollment codes,
grants, erasure). Administration works on the database directly, never over the network."""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sync.server.asgi import URL_ENV, database_url, open_server
from sync.server.service import ServiceError


def add_parser(verbs: Any) -> None:
    server = verbs.add_parser("server", help="run or administer the central sync server")
    server.add_argument(
        "--database-url",
        default=None,
        help=f"SQLAlchemy URL, e.g. postgresql://user@host/vitrine (default: ${URL_ENV}, "
        "else an embedded SQLite file)",
    )
    actions = server.add_subparsers(dest="server_verb", metavar="ACTION")
    serve = actions.add_parser("serve", help="serve the sync API (the default action)")
    for p in (server, serve):
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8765)
        p.add_argument("--workers", type=int, default=1, help="server processes")
    store = actions.add_parser("store", help="stores")
    store_actions = store.add_subparsers(dest="store_verb", metavar="ACTION", required=True)
    add = store_actions.add_parser("add", help="register a store")
    add.add_argument("code")
    add.add_argument("--name", required=True)
    add.add_argument("--city", default="")
    add.add_argument("--country", default="", help="ISO 3166 alpha-2, e.g. FR")
    add.add_argument("--timezone", default="UTC", help="IANA name, e.g. Europe/Paris")
    add.add_argument("--currency", default="EUR")
    store_actions.add_parser("list", help="list stores")
    enroll = actions.add_parser("enroll", help="make a one-time enrollment code for a store")
    enroll.add_argument("--store", required=True, help="store code")
    enroll.add_argument("--valid-days", type=int, default=2)
    for name, helptext in (
        ("grant", "let a store see a client"),
        ("revoke", "stop a store seeing a client"),
    ):
        p = actions.add_parser(name, help=helptext)
        p.add_argument("client_id", type=uuid.UUID)
        p.add_argument("--store", required=True, help="store code")
    erase = actions.add_parser("erase", help="GDPR erasure of a client, on every store")
    erase.add_argument("client_id", type=uuid.UUID)
    compact = actions.add_parser("compact", help="forget ops older than N days")
    compact.add_argument("--keep-days", type=int, default=90)
    revoke_device = actions.add_parser("revoke-device", help="refuse a device's token")
    revoke_device.add_argument("device_id", type=uuid.UUID)
    import_book = actions.add_parser(
        "import-book", help="bulk-load a local book (e.g. from `vitrine seed`) into the server"
    )
    import_book.add_argument("path", type=Path, help="the book's SQLite file")


def run(args: argparse.Namespace) -> int:
    verb = args.server_verb or "serve"
    url = database_url(args.database_url)
    try:
        if verb == "serve":
            return _serve(url, args.host, args.port, args.workers)
        server = open_server(url)
        if verb == "store" and args.store_verb == "add":
            store_id = server.add_store(
                args.code,
                args.name,
                city=args.city,
                country=args.country,
                timezone=args.timezone,
                currency=args.currency,
            )
            print(f"store {args.code} added: {store_id}")
        elif verb == "store":
            for store_id, code, name in server.stores():
                print(f"{code:<8} {name}  ({store_id})")
        elif verb == "enroll":
            code = server.create_enrollment(args.store, timedelta(days=args.valid_days))
            print(code)
        elif verb == "grant":
            server.grant(args.client_id, args.store)
            print(f"client {args.client_id} is now shared with {args.store}")
        elif verb == "revoke":
            server.revoke(args.client_id, args.store)
            print(f"client {args.client_id} is no longer shared with {args.store}")
        elif verb == "erase":
            done = server.erase(args.client_id)
            print(f"client {args.client_id} {'erased' if done else 'was already erased'}")
        elif verb == "compact":
            gone = server.compact(timedelta(days=args.keep_days))
            print(f"{gone} ops older than {args.keep_days} days forgotten")
        elif verb == "import-book":
            from sync.server.importer import import_book

            report = import_book(server, args.path)
            print(report.summary())
        elif verb == "revoke-device":
            server.revoke_device(args.device_id)
            print(f"device {args.device_id} revoked")
    except ServiceError as exc:
        print(f"vitrine server: {exc}", file=sys.stderr)
        return 2
    return 0


def _serve(url: str, host: str, port: int, workers: int) -> int:
    import uvicorn

    open_server(url).engine.dispose()  # migrate once, before the workers start
    os.environ[URL_ENV] = url
    print(f"Vitrine sync server on http://{host}:{port} ({url.split('://')[0]})", file=sys.stderr)
    uvicorn.run(
        "sync.server.asgi:create",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )
    return 0
