"""ASGI entry point for process managers: `uvicorn --factory sync.server.asgi:create`.

The database comes from VITRINE_DATABASE_URL (default: the embedded SQLite file)."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI
from platformdirs import user_data_dir

from sync.server.app import create_app
from sync.server.db import make_engine, migrate
from sync.server.service import SyncServer

URL_ENV = "VITRINE_DATABASE_URL"


def default_url() -> str:
    return f"sqlite:///{Path(user_data_dir('vitrine', appauthor=False)) / 'server.db'}"


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get(URL_ENV) or default_url()


def open_server(url: str | None = None) -> SyncServer:
    engine = make_engine(database_url(url))
    migrate(engine)
    return SyncServer(engine)


def create() -> FastAPI:
    return create_app(open_server())
