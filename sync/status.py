"""What the desktop shows about sync, and the associate's answers to conflicts."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from models.database import Database
from sync import local
from sync.hlc import HybridClock
from sync.kinds import KINDS
from sync.outbox import HLC_KEY


@dataclass(frozen=True)
class Conflict:
    id: int
    kind: str
    row_id: str
    client_id: str | None
    client_name: str | None
    field: str
    mine: Any
    winning: Any
    winner: str
    won_at: str
    detected_at: str


@dataclass(frozen=True)
class Rejected:
    mutation_id: int
    kind: str
    row_id: str
    client_id: str | None
    client_name: str | None
    reason: str
    fields: dict[str, Any]
    created_at: str


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    server: str | None
    device_id: str | None
    store_id: str | None
    last_ok_at: str | None
    last_attempt_at: str | None
    last_error: str | None
    clock_offset_ms: int | None
    pending: int
    conflicts: list[Conflict]
    rejected: list[Rejected]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        if not self.enrolled:
            return "Not enrolled: this is a local book (`vitrine sync enroll` joins a server)."
        lines = [
            f"Server:        {self.server}",
            f"Device:        {self.device_id}",
            f"Last sync:     {self.last_ok_at or 'never'}",
            f"Pending edits: {self.pending}",
            f"Conflicts:     {len(self.conflicts)}",
            f"Rejected:      {len(self.rejected)}",
        ]
        if self.last_error:
            lines.append(f"Last error:    {self.last_error}")
        for c in self.conflicts:
            lines.append(
                f"  conflict  {c.client_name or c.kind}: {c.field} mine={c.mine!r} "
                f"winning={c.winning!r} by {c.winner} at {c.won_at}"
            )
        for r in self.rejected:
            lines.append(f"  rejected  {r.client_name or r.kind}: {r.reason}")
        return "\n".join(lines)


def _names(conn: Any, ids: set[bytes]) -> dict[bytes, str]:
    if not ids:
        return {}
    ordered = sorted(ids)
    rows = conn.exec_driver_sql(
        "SELECT id, given_name || ' ' || family_name FROM clients WHERE id IN "
        f"({','.join('?' * len(ordered))})",
        tuple(ordered),
    ).all()
    return {bytes(r[0]): r[1] for r in rows}


def _uuid(raw: Any) -> str | None:
    return str(uuid.UUID(bytes=bytes(raw))) if raw is not None else None


def sync_status(db: Database, limit: int = 200) -> SyncStatus:
    with db.engine.connect() as conn:
        meta = local.read_meta(conn)
        pending = conn.exec_driver_sql(
            "SELECT count(*) FROM sync_outbox WHERE status = 'pending'"
        ).scalar_one()
        conflict_rows = conn.exec_driver_sql(
            "SELECT id, kind, row_id, client_id, field, mine, winning, winner, won_at, "
            "detected_at FROM sync_conflicts WHERE resolved_at IS NULL ORDER BY id DESC LIMIT ?",
            (limit,),
        ).all()
        rejected_rows = conn.exec_driver_sql(
            "SELECT id, kind, row_id, client_id, reason, fields, created_at FROM sync_outbox "
            "WHERE status = 'rejected' ORDER BY id DESC LIMIT ?",
            (limit,),
        ).all()
        names = _names(
            conn,
            {bytes(r[3]) for r in conflict_rows if r[3] is not None}
            | {bytes(r[3]) for r in rejected_rows if r[3] is not None},
        )
    conflicts = [
        Conflict(
            id=int(r[0]),
            kind=r[1],
            row_id=str(_uuid(r[2])),
            client_id=_uuid(r[3]),
            client_name=names.get(bytes(r[3])) if r[3] is not None else None,
            field=r[4],
            mine=json.loads(r[5]),
            winning=json.loads(r[6]),
            winner=r[7],
            won_at=str(r[8]),
            detected_at=str(r[9]),
        )
        for r in conflict_rows
    ]
    rejected = [
        Rejected(
            mutation_id=int(r[0]),
            kind=r[1],
            row_id=str(_uuid(r[2])),
            client_id=_uuid(r[3]),
            client_name=names.get(bytes(r[3])) if r[3] is not None else None,
            reason=r[4] or "",
            fields=json.loads(r[5]) if r[5] else {},
            created_at=str(r[6]),
        )
        for r in rejected_rows
    ]
    offset = meta.get("clock_offset_ms")
    return SyncStatus(
        enrolled=bool(meta.get("device_id")),
        server=meta.get("server"),
        device_id=meta.get("device_id"),
        store_id=meta.get("store_id"),
        last_ok_at=meta.get("last_ok_at"),
        last_attempt_at=meta.get("last_attempt_at"),
        last_error=meta.get("last_error"),
        clock_offset_ms=int(offset) if offset is not None else None,
        pending=int(pending),
        conflicts=conflicts,
        rejected=rejected,
    )


def keep_mine(db: Database, conflict_id: int) -> None:
    """Write the associate's losing value again, as a new edit stamped after the winner."""
    now = datetime.now(UTC)
    with db.engine.begin() as conn:
        row = conn.exec_driver_sql(
            "SELECT kind, row_id, client_id, field, mine FROM sync_conflicts "
            "WHERE id = ? AND resolved_at IS NULL",
            (conflict_id,),
        ).first()
        if row is None:
            raise LookupError(f"no open conflict {conflict_id}")
        kind = KINDS[row[0]]
        meta = local.read_meta(conn)
        last = conn.exec_driver_sql(
            "SELECT value FROM local_meta WHERE key = ?", (HLC_KEY,)
        ).scalar()
        clock = HybridClock(meta.get("device_id", "local"), last)
        stamp = clock.tick()
        fields = {row[3]: json.loads(row[4])}
        if "updated_at" in kind.columns:
            fields["updated_at"] = now.strftime("%Y-%m-%d %H:%M:%S.%f")
        exists = conn.exec_driver_sql(
            f"SELECT 1 FROM {kind.name} WHERE id = ?", (bytes(row[1]),)
        ).first()
        if exists is None:
            raise LookupError("the row this conflict was about no longer exists")
        local.write_fields(conn, kind, bytes(row[1]), fields)
        conn.exec_driver_sql(
            "INSERT INTO sync_outbox (kind, row_id, client_id, op, hlc, fields, status, "
            "created_at) VALUES (?, ?, ?, 'upsert', ?, ?, 'pending', ?)",
            (
                kind.name,
                bytes(row[1]),
                row[2],
                stamp,
                json.dumps(fields, ensure_ascii=False),
                now.strftime("%Y-%m-%d %H:%M:%S.%f"),
            ),
        )
        local.write_meta(conn, hlc=clock.last())
        conn.exec_driver_sql(
            "UPDATE sync_conflicts SET resolved_at = ? WHERE id = ?",
            (now.strftime("%Y-%m-%d %H:%M:%S.%f"), conflict_id),
        )


def keep_winner(db: Database, conflict_id: int) -> None:
    """Accept the winning value: the conflict leaves the list."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE sync_conflicts SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL",
            (now, conflict_id),
        )


def dismiss_rejected(db: Database, mutation_id: int) -> None:
    """The associate has read a rejected edit and lets it go."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "DELETE FROM sync_outbox WHERE id = ? AND status = 'rejected'", (mutation_id,)
        )
