"""The outbox: every local edit to a synced row, recorded in the edit's own transaction.

An ORM flush that inserts or changes synced rows also inserts one outbox row per row
changed, stamped by the device's hybrid logical clock, before the transaction commits. The
edit and its outbox entry are therefore one: a crash keeps both or neither.

Bulk writers that bypass the ORM (the demo loader, the sync engine applying pulled pages)
write no outbox rows, by design.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from models import Purchase, SyncOutbox
from models.local import LocalMeta
from sync.hlc import HybridClock, wall_ms
from sync.kinds import KINDS, Kind

HLC_KEY = "sync_hlc"
DEVICE_KEY = "sync_device_id"


def _client_of(kind: Kind, obj: Any, session: Session) -> uuid.UUID | None:
    if kind.client_column is not None:
        value = getattr(obj, kind.client_column)
        return value if isinstance(value, uuid.UUID) else None
    if kind.parent is not None:
        column, _parent = kind.parent
        parent_id = getattr(obj, column)
        purchase = getattr(obj, "purchase", None)
        if purchase is not None and purchase.id == parent_id:
            return purchase.client_id  # type: ignore[no-any-return]
        with session.no_autoflush:
            client: uuid.UUID | None = session.scalar(
                select(Purchase.client_id).where(Purchase.id == parent_id)
            )
        return client
    return None


class Capture:
    """Turns ORM flushes into outbox rows for one book, once it is enrolled.

    Installed on every book: a book that is not enrolled records nothing, and one enrolled
    (by `vitrine sync enroll`) while the app has it open records from its next edit on.

    The clock's last stamp lives in the book (local_meta), read and written in each edit's
    transaction: a sync (perhaps in another process) that saw newer stamps moves it forward,
    and the next edit is stamped after them."""

    def __init__(self, now_ms: Callable[[], int] = wall_ms) -> None:
        self._now_ms = now_ms
        self.clock: HybridClock | None = None

    def install(self, factory: sessionmaker[Session]) -> None:
        """Listen to this factory's flushes. Call once per factory: SQLAlchemy's
        `event.contains` can answer True for a new factory that reuses a collected one's id."""
        event.listen(factory, "after_flush", self._after_flush)

    def mutations(self, session: Session) -> list[dict[str, Any]]:
        """The outbox rows this flush calls for, in an order the server can apply."""
        found: list[tuple[int, str, dict[str, Any]]] = []
        now = datetime.now(UTC)
        for obj in session.new:
            kind = KINDS.get(type(obj).__tablename__)
            if kind is None:
                continue
            fields = kind.encode_row(obj)
            op = "insert" if kind.append_only else "upsert"
            found.append((kind.order, str(obj.id), self._row(kind, obj, op, fields, session)))
        for obj in session.dirty:
            kind = KINDS.get(type(obj).__tablename__)
            if kind is None or kind.append_only or not session.is_modified(obj):
                continue
            state = inspect(obj)
            changed = {
                name: col.encode(getattr(obj, name))
                for name, col in kind.columns.items()
                if state.attrs[name].history.has_changes()
            }
            if not changed:
                continue
            changed["updated_at"] = kind.columns["updated_at"].encode(obj.updated_at)
            found.append(
                (kind.order, str(obj.id), self._row(kind, obj, "upsert", changed, session))
            )
        for obj in session.deleted:
            kind = KINDS.get(type(obj).__tablename__)
            if kind is None or kind.append_only:
                continue  # an append-only row removed here (an erasure) is not an edit
            tomb = {"deleted_at": kind.columns["deleted_at"].encode(now)}
            tomb["updated_at"] = tomb["deleted_at"]
            found.append((kind.order, str(obj.id), self._row(kind, obj, "upsert", tomb, session)))
        found.sort(key=lambda item: (item[0], item[1]))
        return [row for _order, _id, row in found]

    def _row(
        self, kind: Kind, obj: Any, op: str, fields: dict[str, Any], session: Session
    ) -> dict[str, Any]:
        return {
            "kind": kind.name,
            "row_id": obj.id,
            "client_id": _client_of(kind, obj, session),
            "op": op,
            "hlc": self._clock().tick(),
            "fields": json.dumps(fields, separators=(",", ":"), ensure_ascii=False),
            "status": "pending",
            "created_at": datetime.now(UTC),
        }

    def _clock(self) -> HybridClock:
        assert self.clock is not None, "set from the book's device id before any row is made"
        return self.clock

    def _after_flush(self, session: Session, _ctx: Any) -> None:
        if not any(
            type(obj).__tablename__ in KINDS
            for obj in (*session.new, *session.dirty, *session.deleted)
        ):
            return
        conn = session.connection()
        wanted = select(LocalMeta.key, LocalMeta.value).where(
            LocalMeta.key.in_((HLC_KEY, DEVICE_KEY))
        )
        meta = {key: value for key, value in conn.execute(wanted)}
        device = meta.get(DEVICE_KEY)
        if not device:
            return  # a book that is not enrolled (yet): nothing to sync, nothing to record
        if self.clock is None or self.clock.device != device:
            self.clock = HybridClock(device, now=self._now_ms)
        if meta.get(HLC_KEY):
            self.clock.observe(meta[HLC_KEY])
        rows = self.mutations(session)
        if not rows:
            return
        conn.execute(insert(SyncOutbox), rows)
        conn.execute(
            insert(LocalMeta)
            .prefix_with("OR REPLACE")
            .values(key=HLC_KEY, value=self._clock().last())
        )
