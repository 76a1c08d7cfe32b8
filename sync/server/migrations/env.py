"""Alembic environment of the central server: run through sync.server.db.migrate()."""

from __future__ import annotations

from alembic import context

from sync.server.db import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through sync.server.db.migrate(), not the alembic CLI")

context.configure(connection=connection, target_metadata=metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
