"""Column types shared by every entity: compact UUIDs, UTC-aware timestamps, money."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CHAR, DateTime, Dialect, LargeBinary
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator, TypeEngine


class UUIDType(TypeDecorator[uuid.UUID]):
    """16 raw bytes on SQLite (half the size of hex text in every index); uuid on PostgreSQL."""

    impl = LargeBinary(16)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID(as_uuid=True))
        return dialect.type_descriptor(LargeBinary(16))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, bytes | bytearray | memoryview) and len(value) == 16:
            value = uuid.UUID(bytes=bytes(value))
        elif not isinstance(value, uuid.UUID):
            value = uuid.UUID(str(value))
        return value if dialect.name == "postgresql" else value.bytes

    def process_result_value(self, value: Any, dialect: Dialect) -> uuid.UUID | None:
        if value is None:
            return None
        if isinstance(value, uuid.UUID):
            return value
        return uuid.UUID(bytes=bytes(value))


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are always timezone-aware UTC in Python; naive values are refused.

    SQLite has no time zone type, so the value is stored as UTC text and re-tagged on load.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetimes are ambiguous across stores: pass an aware datetime")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stamp: datetime = value
        if stamp.tzinfo is None:
            return stamp.replace(tzinfo=UTC)
        return stamp.astimezone(UTC)


class CurrencyCode(TypeDecorator[str]):
    """ISO 4217 alphabetic code."""

    impl = CHAR(3)
    cache_ok = True


def utcnow() -> datetime:
    return datetime.now(UTC)
