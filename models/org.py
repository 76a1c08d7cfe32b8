"""Stores and the associates who work in them."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Entity, str_enum
from models.enums import Role
from models.types import CurrencyCode


class Store(Entity):
    __tablename__ = "stores"

    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    timezone: Mapped[str] = mapped_column(String(64))  # IANA name
    currency: Mapped[str] = mapped_column(CurrencyCode())


class Associate(Entity):
    __tablename__ = "associates"

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), default=Role.ASSOCIATE)
    active: Mapped[bool] = mapped_column(default=True)
