"""What syncs, and how each column travels.

Every synced table is a *kind*. The registry is read from the models' metadata, so a column
added to the book (by a migration) travels without touching this file. Values travel as JSON:

    uuid        "0190a3c5-e1f0-7c3d-8a9b-2c4d6e8f0a1b"
    timestamp   "2026-11-23 14:05:09.123456"   (UTC; SQLite's own text form)
    date        "2026-11-23"
    bytes       base64 text
    enum, text  their string; integers and booleans as JSON numbers and booleans

Scope decides who may see a row: a *client* row belongs to one client (its home store plus
stores granted to it); a *store* row (a task with no client) to the store that wrote it; a
*global* row (stores, associates, the catalog) to everyone.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum as PyEnum
from typing import Any

from sqlalchemy import Boolean, Date, Enum, Integer, LargeBinary, String, Table, Text

import models  # noqa: F401  (registers every table on the metadata)
from models.base import Base
from models.text import sort_key as make_sort_key
from models.types import UTCDateTime, UUIDType

# Tables that exist on one workstation only (derived figures, bookkeeping, the outbox).
# Studio sessions stay with the workstation that holds their video files.
LOCAL_TABLES = frozenset(
    {
        "local_meta",
        "client_stats",
        "sync_outbox",
        "sync_conflicts",
        "studio_sessions",
        "studio_markers",
    }
)
# Columns kept by each book for itself: derived on every write, never sent.
DERIVED = {"clients": ("sort_key",), "important_dates": ("month_day",)}
LOCAL_COLUMNS = ("server_version",)
# Kinds only the server's administrators write.
ADMIN_ONLY = frozenset({"stores"})
# Kinds whose tombstone is final: a deleted client stays deleted, whatever edits were in
# flight. Set-like rows (a tag, a size) are tombstoned and revived by the desktop, so for them
# the tombstone is just another field.
FINAL_TOMBSTONE = frozenset({"clients", "appointments", "tasks", "wish_list_items", "closet_items"})

_DT_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$")


class BadValue(ValueError):
    """A value that does not fit its column; the message says which and why."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # uuid | datetime | date | bytes | bool | int | str
    nullable: bool
    length: int | None = None
    choices: frozenset[str] | None = None
    references: str | None = None  # the kind a uuid column points at

    def encode(self, value: Any) -> Any:
        """Python (ORM) value -> wire value."""
        if value is None:
            return None
        if self.type == "uuid":
            return str(value)
        if self.type == "datetime":
            return format_datetime(value)
        if self.type == "date":
            return value.isoformat()
        if self.type == "bytes":
            return base64.b64encode(bytes(value)).decode("ascii")
        if self.type == "bool":
            return bool(value)
        if isinstance(value, PyEnum):
            return str(value.value)
        return value

    def to_sqlite(self, value: Any) -> Any:
        """Wire value (already validated) -> the value SQLite stores."""
        if value is None:
            return None
        convert = self.sqlite_converter()
        return value if convert is None else convert(value)

    def sqlite_converter(self) -> Callable[[Any], Any] | None:
        """`to_sqlite` for bulk writers: None when SQLite takes the wire value as it comes
        (text, integers, timestamps and dates), else a function of a value that is not None."""
        if self.type == "uuid":
            return _uuid_bytes
        if self.type == "bytes":
            return base64.b64decode
        if self.type == "bool":
            return _bool_int
        return None

    def from_sqlite(self, value: Any) -> Any:
        """SQLite's stored value -> wire value (bulk reads without the ORM)."""
        if value is None:
            return None
        if self.type == "uuid":
            return str(uuid.UUID(bytes=bytes(value)))
        if self.type == "bytes":
            return base64.b64encode(bytes(value)).decode("ascii")
        if self.type == "bool":
            return bool(value)
        if self.type == "datetime" and not isinstance(value, str):
            return format_datetime(value)
        if self.type == "date" and not isinstance(value, str):
            return value.isoformat()
        return value

    def check(self, value: Any) -> Any:
        """Validate a wire value; returns it (normalised) or raises with a clear reason."""
        if value is None:
            if not self.nullable:
                raise BadValue(f"{self.name} is required")
            return None
        kind = self.type
        if kind == "uuid":
            try:
                return str(uuid.UUID(str(value))) if isinstance(value, str) else _bad(self, value)
            except ValueError:
                _bad(self, value)
        if kind == "datetime":
            if isinstance(value, str) and _DT_RE.match(value):
                try:
                    datetime.strptime(value, "%Y-%m-%d %H:%M:%S.%f")
                    return value
                except ValueError:
                    pass
            _bad(self, value)
        if kind == "date":
            if isinstance(value, str) and len(value) == 10:
                try:
                    return date.fromisoformat(value).isoformat()
                except ValueError:
                    pass
            _bad(self, value)
        if kind == "bytes":
            if isinstance(value, str):
                try:
                    base64.b64decode(value, validate=True)
                    return value
                except (binascii.Error, ValueError):
                    pass
            _bad(self, value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            _bad(self, value)
        if kind == "int":
            if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
                return value
            _bad(self, value)
        if not isinstance(value, str):
            _bad(self, value)
        if "\x00" in value:
            raise BadValue(f"{self.name} may not contain NUL characters")
        if self.choices is not None and value not in self.choices:
            raise BadValue(f"{self.name} must be one of {', '.join(sorted(self.choices))}")
        if self.length is not None and len(value) > self.length:
            raise BadValue(f"{self.name} is longer than {self.length} characters")
        return value


def _uuid_bytes(value: str) -> bytes:
    return bytes.fromhex(value.replace("-", ""))


def _bool_int(value: Any) -> int:
    return 1 if value else 0


def _bad(column: Column, value: Any) -> Any:
    raise BadValue(f"{column.name}: {str(value)[:40]!r} is not a valid {column.type}")


def format_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous across stores")
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass(frozen=True)
class Kind:
    name: str
    append_only: bool
    columns: dict[str, Column]
    # "client": rows of one client; "global": everyone's; tasks may be either (no client).
    scope: str
    # How to find the client a row belongs to: a column naming it, or a parent kind's column.
    client_column: str | None
    parent: tuple[str, str] | None = None  # (column, parent kind) for purchase_lines
    natural_keys: tuple[tuple[str, ...], ...] = ()
    derive: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    order: int = 0
    table: Table | None = field(default=None, compare=False, repr=False)

    @property
    def wire_columns(self) -> list[str]:
        return list(self.columns)

    def encode_row(self, obj: Any) -> dict[str, Any]:
        return {name: col.encode(getattr(obj, name)) for name, col in self.columns.items()}

    def natural_key(self, row: dict[str, Any]) -> str | None:
        """The row's natural key as text ("tag|<client>|vip"), or None if it has none."""
        for cols in self.natural_keys:
            values = [row.get(c) for c in cols]
            if any(v is None for v in values):
                continue
            return "|".join(str(v) for v in values)
        return None


def _column_type(col: Any) -> str:
    t = col.type
    if isinstance(t, UUIDType):
        return "uuid"
    if isinstance(t, UTCDateTime):
        return "datetime"
    if isinstance(t, Date):
        return "date"
    if isinstance(t, LargeBinary):
        return "bytes"
    if isinstance(t, Boolean):
        return "bool"
    if isinstance(t, Integer):
        return "int"
    if isinstance(t, String | Text | Enum):
        return "str"
    impl = getattr(t, "impl", None)
    if isinstance(impl, String):
        return "str"
    raise TypeError(f"{col.table.name}.{col.name}: no wire form for {t!r}")


def _derive_client(row: dict[str, Any]) -> dict[str, Any]:
    row["sort_key"] = make_sort_key(row.get("family_name") or "", row.get("given_name") or "")
    return row


def _derive_date(row: dict[str, Any]) -> dict[str, Any]:
    row["month_day"] = int(row["month"]) * 100 + int(row["day"])
    return row


_DERIVERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "clients": _derive_client,
    "important_dates": _derive_date,
}


def _build() -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}
    for order, table in enumerate(Base.metadata.sorted_tables):
        if table.name in LOCAL_TABLES:
            continue
        skip = set(DERIVED.get(table.name, ())) | set(LOCAL_COLUMNS)
        columns: dict[str, Column] = {}
        for col in table.columns:
            if col.name in skip:
                continue
            ctype = _column_type(col)
            length = getattr(col.type, "length", None)
            choices = None
            enum_type = col.type if isinstance(col.type, Enum) else None
            if enum_type is not None:
                choices = frozenset(enum_type.enums)
            refs = [fk.column.table.name for fk in col.foreign_keys]
            columns[col.name] = Column(
                col.name,
                ctype,
                bool(col.nullable) and not col.primary_key,
                length if ctype == "str" else None,
                choices,
                refs[0] if refs else None,
            )
        append_only = "updated_at" not in table.columns
        natural: list[tuple[str, ...]] = []
        for index in table.indexes:
            if index.unique:
                natural.append(tuple(c.name for c in index.columns))
        for constraint in table.constraints:
            names = tuple(c.name for c in getattr(constraint, "columns", ()))
            if type(constraint).__name__ == "UniqueConstraint" and names != ("id",):
                natural.append(names)
        if table.name == "clients":
            client_column, scope, parent = "id", "client", None
        elif "client_id" in table.columns:
            client_column, scope, parent = "client_id", "client", None
        elif table.name == "purchase_lines":
            client_column, scope, parent = None, "client", ("purchase_id", "purchases")
        else:
            client_column, scope, parent = None, "global", None
        kinds[table.name] = Kind(
            name=table.name,
            append_only=append_only,
            columns=columns,
            scope=scope,
            client_column=client_column,
            parent=parent,
            natural_keys=tuple(natural),
            derive=_DERIVERS.get(table.name),
            order=order,
            table=table,
        )
    return kinds


KINDS: dict[str, Kind] = _build()
