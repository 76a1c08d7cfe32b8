"""Alembic environment: always run with a connection handed in by models.database."""

from __future__ import annotations

from alembic import context

from models.base import Base
from models.database import include_name

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through models.database.migrate(), not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite can only ALTER through table copies
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
