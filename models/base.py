"""Declarative base and the two row families the sync protocol knows.

* Mutable rows (`Entity`): merged field by field; `updated_at` moves on every change and
  `deleted_at` is a tombstone, so a delete reaches every replica.
* Append-only rows (`AppendOnly`): never updated (a trigger refuses it); corrections are new
  rows. They merge by id alone, so replaying them is harmless.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import Enum, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models.ids import uuid7
from models.types import UTCDateTime, UUIDType, utcnow

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def str_enum(enum: type[StrEnum], name: str) -> Enum:
    """Store an enum by value, checked by the database, portable to PostgreSQL."""
    return Enum(
        enum,
        name=name,
        values_callable=lambda members: [m.value for m in members],
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(m.value) for m in enum),
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        uuid.UUID: UUIDType(),
        datetime: UTCDateTime(),
    }


class Entity(Base):
    __abstract__ = True
    append_only: ClassVar[bool] = False

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    # The server's version of this row as last pulled (local only, never sent; None until
    # the row has been through the server). Verification sums it per book.
    server_version: Mapped[int | None] = mapped_column(default=None)


class AppendOnly(Base):
    __abstract__ = True
    append_only: ClassVar[bool] = True

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    server_version: Mapped[int | None] = mapped_column(default=None)
