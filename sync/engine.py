"""The workstation's sync engine: handshake, push, pull (or snapshot), verify.

One sync, step by step:

1. hello: the server's clock and the newest op for this store. Nothing pending and nothing
   new ends the sync here, after one round trip.
2. push the outbox in batches of 500 mutations; each comes back applied, superseded (with
   the winning values, recorded as conflicts) or rejected (kept with its reason, never
   re-sent, never blocking the rest).
3. pull pages of ops after the cursor; each page and the cursor move in one transaction. A
   device new to the server, or too long offline, takes a snapshot instead, keeping its
   outbox.
4. verify: the last page carries the count and version sum of everything the store sees;
   a mismatch triggers a resync of the book (outbox untouched).

Every step is safe to interrupt: a crash, a cancel or a dropped connection leaves the book
consistent, and the next sync carries on where this one stopped.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection

from models import search_index
from models.database import Database
from sync import local
from sync.hlc import Stamp, wall_ms
from sync.kinds import KINDS
from sync.outbox import HLC_KEY, Capture
from sync.protocol import APPLIED, MAX_PUSH, MAX_SKEW_MS, REJECTED, SUPERSEDED

log = logging.getLogger(__name__)


# --- errors, each with the exit code `vitrine sync` returns ---------------------------------


class SyncError(Exception):
    exit_code = 1


class NotEnrolled(SyncError):
    exit_code = 4


class ServerUnreachable(SyncError):
    exit_code = 5


class ClockSkew(SyncError):
    exit_code = 6


class AuthRefused(SyncError):
    exit_code = 7


class ServerFailed(SyncError):
    """The server answered with an error that is not this workstation's to fix."""

    exit_code = 8


class SyncCancelled(SyncError):
    exit_code = 9


class VerifyFailed(SyncError):
    exit_code = 10


class IncarnationStale(SyncError):
    """Raised by a transport on HTTP 409: a restored book reused mutation ids."""


# --- the wire -----------------------------------------------------------------------------


class Transport(Protocol):
    def post(self, path: str, body: dict[str, Any], token: str | None) -> Any:
        """POST JSON, return the decoded answer; raise the SyncError subclasses above."""
        ...


class TokenStore(Protocol):
    def save(self, device_id: str, token: str) -> None: ...
    def load(self, device_id: str) -> str | None: ...
    def delete(self, device_id: str) -> None: ...


# --- progress -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    phase: str  # hello | push | pull | snapshot | verify | done
    items: int  # done so far in this phase
    total: int | None  # None when unknown
    bytes: int  # received and sent so far in this sync


@dataclass
class SyncReport:
    round_trips: int = 0
    pushed: int = 0
    applied: int = 0
    superseded: int = 0
    rejected: int = 0
    conflicts: int = 0
    pulled: int = 0
    snapshot_rows: int = 0
    resynced: bool = False
    bytes: int = 0
    seconds: float = 0.0
    up_to_date: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.up_to_date:
            return f"Up to date ({self.seconds * 1000:.0f} ms, 1 round trip)"
        parts = [f"sent {self.pushed}", f"received {self.pulled + self.snapshot_rows}"]
        if self.conflicts:
            parts.append(f"{self.conflicts} conflict(s)")
        if self.rejected:
            parts.append(f"{self.rejected} rejected")
        return f"Synced: {', '.join(parts)} in {self.seconds:.1f} s"


ProgressFn = Callable[[Progress], None]


def _uuid_text(raw: bytes) -> str:
    return str(uuid.UUID(bytes=bytes(raw)))


class SyncEngine:
    """Syncs one book. Not thread-safe: run one sync at a time, off the GUI thread."""

    def __init__(
        self,
        db: Database,
        transport: Transport,
        tokens: TokenStore,
        *,
        now_ms: Callable[[], int] = wall_ms,
        push_size: int = MAX_PUSH,
        crash_point: Callable[[str], None] | None = None,
    ) -> None:
        self.db = db
        self.transport = transport
        self.tokens = tokens
        self.now_ms = now_ms
        self.push_size = push_size
        # Called at named moments ("push.answered", "pull.in_transaction", ...): tests make
        # the engine die there and check that reopening the book loses nothing.
        self._crash_point = crash_point or (lambda _name: None)

    # --- state ------------------------------------------------------------------------

    def state(self) -> dict[str, str]:
        with self.db.engine.connect() as conn:
            return local.read_meta(conn)

    def _token(self, meta: dict[str, str]) -> str:
        device = meta.get("device_id")
        if not device:
            raise NotEnrolled("this workstation is not enrolled: run `vitrine sync enroll`")
        token = self.tokens.load(device)
        if not token:
            raise NotEnrolled(
                "this workstation's device token is missing from the keyring: enroll again"
            )
        return token

    def _post(self, path: str, body: dict[str, Any], token: str | None, report: SyncReport) -> Any:
        report.round_trips += 1
        answer = self.transport.post(path, body, token)
        sent = len(json.dumps(body).encode())
        report.bytes += sent + (len(answer.encode()) if isinstance(answer, str) else 0)
        return json.loads(answer) if isinstance(answer, str) else answer

    # --- enrollment ---------------------------------------------------------------------

    def enroll(self, server_url: str, code: str, device_name: str) -> str:
        """Trade an enrollment code for a device token (kept in the keyring). The book must
        not hold clients the server has never seen: they could never sync."""
        with self.db.engine.connect() as conn:
            meta = local.read_meta(conn)
            if meta.get("device_id"):
                raise SyncError(
                    f"this book is already enrolled (device {meta['device_id']}); "
                    "use a new book to enroll again"
                )
            unsynced = conn.exec_driver_sql(
                "SELECT count(*) FROM clients WHERE server_version IS NULL"
            ).scalar_one()
        if unsynced:
            raise SyncError(
                f"this book holds {unsynced} clients that never came from the server (a demo "
                "or stand-alone book): enroll with a new book (--db PATH)"
            )
        report = SyncReport()
        answer = self._post("/v1/enroll", {"code": code, "device_name": device_name}, None, report)
        device_id = str(answer["device_id"])
        self.tokens.save(device_id, str(answer["token"]))
        with self.db.engine.begin() as conn:
            local.write_meta(
                conn,
                server=server_url,
                device_id=device_id,
                store_id=str(answer["store_id"]),
                incarnation=secrets.token_hex(8),
                cursor=0,
            )
            conn.exec_driver_sql(
                "INSERT INTO local_meta(key, value) VALUES ('workstation_store', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (str(answer["store_id"]),),
            )
        return device_id

    # --- the sync -----------------------------------------------------------------------

    def sync(
        self, progress: ProgressFn | None = None, cancel: threading.Event | None = None
    ) -> SyncReport:
        started = time.perf_counter()
        report = SyncReport()
        note = progress or (lambda _p: None)

        def check_cancel() -> None:
            if cancel is not None and cancel.is_set():
                raise SyncCancelled("sync cancelled; everything received so far is kept")

        try:
            self._sync(report, note, check_cancel)
            self._record_result(None)
        except NotEnrolled:
            raise  # a local book: nothing to record
        except SyncError as exc:
            self._record_result(str(exc))
            raise
        finally:
            report.seconds = time.perf_counter() - started
        note(Progress("done", 0, None, report.bytes))
        return report

    def _sync(self, report: SyncReport, note: ProgressFn, check_cancel: Callable[[], None]) -> None:
        meta = self.state()
        token = self._token(meta)
        cursor = int(meta.get("cursor", "0"))
        note(Progress("hello", 0, None, 0))
        sent_at = self.now_ms()
        hello = self._post("/v1/hello", {"cursor": cursor}, token, report)
        received_at = self.now_ms()
        offset = int(hello["server_time_ms"]) - (sent_at + received_at) // 2
        with self.db.engine.begin() as conn:
            local.write_meta(conn, clock_offset_ms=offset)
        if abs(offset) > MAX_SKEW_MS:
            raise ClockSkew(
                f"this workstation's clock is {abs(offset) / 60000:.0f} min "
                f"{'behind' if offset > 0 else 'ahead of'} the server's: correct the clock, "
                "then sync (edits made meanwhile are kept)"
            )
        self._observe(str(hello["max_hlc"]))
        pending = self.pending_count()
        snapshot_open = "snapshot" in meta
        if (
            not pending
            and not snapshot_open
            and not hello["reset"]
            and int(hello["head"]) <= cursor
        ):
            report.up_to_date = True
            return
        check_cancel()
        self._push(token, report, note, check_cancel)
        if hello["reset"] or snapshot_open:
            self._snapshot(token, report, note, check_cancel, fresh=not snapshot_open)
        if not self._pull(token, report, note, check_cancel):
            report.notes.append("the book disagreed with the server; it was resynced")
            report.resynced = True
            self._snapshot(token, report, note, check_cancel, fresh=True)
            if not self._pull(token, report, note, check_cancel):
                raise VerifyFailed(
                    "the book still disagrees with the server after a resync; "
                    "your edits are safe in the outbox: contact support"
                )

    def _observe(self, stamp: str) -> None:
        """Move this book's clock past the newest stamp the server has accepted, so that an
        edit made after this sync beats everything it saw."""
        try:
            seen = Stamp.decode(stamp)
        except ValueError:
            return
        with self.db.engine.begin() as conn:
            device = local.read_meta(conn).get("device_id", "")
            row = conn.exec_driver_sql(
                "SELECT value FROM local_meta WHERE key = ?", (HLC_KEY,)
            ).first()
            mine = Stamp.decode(row[0]) if row else None
            if mine is None or (seen.wall_ms, seen.counter) > (mine.wall_ms, mine.counter):
                conn.exec_driver_sql(
                    "INSERT INTO local_meta(key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (HLC_KEY, Stamp(seen.wall_ms, seen.counter, device).encode()),
                )

    def pending_count(self) -> int:
        with self.db.engine.connect() as conn:
            return int(
                conn.exec_driver_sql(
                    "SELECT count(*) FROM sync_outbox WHERE status = 'pending'"
                ).scalar_one()
            )

    def _record_result(self, error: str | None) -> None:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        with self.db.engine.begin() as conn:
            if error is None:
                local.write_meta(conn, last_ok_at=stamp, last_error=None, last_attempt_at=stamp)
            else:
                local.write_meta(conn, last_error=error, last_attempt_at=stamp)

    # --- push ---------------------------------------------------------------------------

    def _push(
        self,
        token: str,
        report: SyncReport,
        note: ProgressFn,
        check_cancel: Callable[[], None],
    ) -> None:
        total = self.pending_count()
        done = 0
        while True:
            check_cancel()
            with self.db.engine.connect() as conn:
                rows = conn.exec_driver_sql(
                    "SELECT id, kind, row_id, op, hlc, fields FROM sync_outbox "
                    "WHERE status = 'pending' ORDER BY id LIMIT ?",
                    (self.push_size,),
                ).all()
                incarnation = local.read_meta(conn)["incarnation"]
            if not rows:
                return
            note(Progress("push", done, total, report.bytes))
            mutations = [
                {
                    "id": int(r[0]),
                    "kind": r[1],
                    "row_id": _uuid_text(r[2]),
                    "op": r[3],
                    "hlc": r[4],
                    "fields": json.loads(r[5]) if r[5] else None,
                }
                for r in rows
            ]
            try:
                answer = self._post(
                    "/v1/push", {"incarnation": incarnation, "mutations": mutations}, token, report
                )
            except IncarnationStale:
                # This book was restored from a copy: carry on under a new incarnation; the
                # server merges re-sent edits by their clocks, so nothing applies twice.
                with self.db.engine.begin() as conn:
                    local.write_meta(conn, incarnation=secrets.token_hex(8))
                report.notes.append("this book was restored from a copy: new incarnation")
                continue
            self._crash_point("push.answered")
            self._apply_results(answer["results"], mutations, report)
            self._crash_point("push.applied")
            done += len(rows)
            report.pushed += len(rows)

    def _apply_results(
        self, results: list[dict[str, Any]], sent: list[dict[str, Any]], report: SyncReport
    ) -> None:
        by_id = {m["id"]: m for m in sent}
        now = datetime.now(UTC)
        erased: set[uuid.UUID] = set()
        with self.db.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            stats = local.ApplyStats()
            for result in results:
                mid = int(result["id"])
                status = result.get("status")
                mutation = by_id.get(mid)
                if mutation is None:
                    continue
                for c in result.get("conflicts") or ():
                    report.conflicts += 1
                    self._record_conflict(conn, mutation, mid, c, now)
                if status == REJECTED:
                    report.rejected += 1
                    conn.exec_driver_sql(
                        "UPDATE sync_outbox SET status = 'rejected', reason = ? WHERE id = ?",
                        (str(result.get("reason") or "rejected"), mid),
                    )
                else:
                    report.applied += status == APPLIED
                    report.superseded += status == SUPERSEDED
                    conn.exec_driver_sql("DELETE FROM sync_outbox WHERE id = ?", (mid,))
                if status == SUPERSEDED and not result.get("conflicts"):
                    report.notes.append(f"{mutation['kind']}: {result.get('reason')}")
                row = result.get("row")
                if result.get("erased"):
                    erased.add(uuid.UUID(str(result["erased"])))
                elif row:
                    self._adopt(conn, row, stats)
            for client in erased:
                local.remove_client(conn, client, erase=True)
            if stats.touched_clients:
                local.refresh_index(conn, stats.touched_clients)
        if erased:
            self._scrub()

    def _record_conflict(
        self,
        conn: Connection,
        mutation: dict[str, Any],
        mid: int,
        c: dict[str, Any],
        now: datetime,
    ) -> None:
        kind = KINDS[mutation["kind"]]
        row_id = uuid.UUID(mutation["row_id"])
        client = None
        if kind.client_column == "id":
            client = row_id.bytes
        else:
            got = conn.exec_driver_sql(
                "SELECT client_id FROM sync_outbox WHERE id = ?", (mid,)
            ).first()
            client = got[0] if got else None
            if client is None and kind.client_column:
                value = (mutation.get("fields") or {}).get(kind.client_column)
                if not value:
                    row = conn.exec_driver_sql(
                        f"SELECT {kind.client_column} FROM {kind.name} WHERE id = ?",
                        (row_id.bytes,),
                    ).first()
                    client = row[0] if row else None
                else:
                    client = uuid.UUID(value).bytes
        won_at = datetime.fromtimestamp(int(c.get("won_at_ms") or 0) / 1000, UTC)
        conn.exec_driver_sql(
            "INSERT INTO sync_conflicts (kind, row_id, client_id, field, mine, winning, winner,"
            " won_at, mutation_id, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                kind.name,
                row_id.bytes,
                client,
                str(c["field"]),
                json.dumps(c.get("mine"), ensure_ascii=False),
                json.dumps(c.get("winning"), ensure_ascii=False),
                str(c.get("winner") or "another workstation")[:200],
                won_at.strftime("%Y-%m-%d %H:%M:%S.%f"),
                mid,
                now.strftime("%Y-%m-%d %H:%M:%S.%f"),
            ),
        )

    def _adopt(self, conn: Connection, row: dict[str, Any], stats: local.ApplyStats) -> None:
        """Take the server's row as canonical (or drop ours if the server has none)."""
        if row.get("gone"):
            local.remove_row(conn, str(row["kind"]), str(row["id"]))
            return
        local.apply_puts(
            conn, [(str(row["kind"]), str(row["id"]), int(row["version"]), row["data"])], stats
        )

    # --- pull ---------------------------------------------------------------------------

    def _pull(
        self,
        token: str,
        report: SyncReport,
        note: ProgressFn,
        check_cancel: Callable[[], None],
    ) -> bool:
        """Pull to the head; returns whether the book verified against the server."""
        while True:
            check_cancel()
            cursor = int(self.state().get("cursor", "0"))
            note(Progress("pull", report.pulled, None, report.bytes))
            page = self._post("/v1/pull", {"cursor": cursor}, token, report)
            if page.get("reset"):
                self._snapshot(token, report, note, check_cancel, fresh=True)
                continue
            self._crash_point("pull.answered")
            self._apply_page(page["ops"], int(page["cursor"]), report)
            self._crash_point("pull.applied")
            self._observe(str(page["max_hlc"]))
            if not page["more"]:
                note(Progress("verify", 0, None, report.bytes))
                with self.db.engine.connect() as conn:
                    mine = local.verify_sums(conn)
                expected = page.get("verify")
                if expected and mine != expected:
                    log.warning("verify mismatch: book %s, server %s", mine, expected)
                    return False
                return True

    def _apply_page(self, ops: list[list[Any]], cursor: int, report: SyncReport) -> None:
        erased: list[uuid.UUID] = []
        with self.db.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            stats = local.ApplyStats()
            puts: list[tuple[str, str, int, Any]] = []

            def flush() -> None:
                if puts:
                    local.apply_puts(conn, puts, stats)
                    puts.clear()

            for _op_id, action, kind, row_id, version, data in ops:
                if action == "put":
                    puts.append((kind, row_id, version, data))
                    continue
                flush()
                client = uuid.UUID(row_id)
                if action == "erase":
                    conn.exec_driver_sql("PRAGMA secure_delete = ON")
                    erased.append(client)
                local.remove_client(conn, client, erase=action == "erase")
            flush()
            if stats.touched_clients:
                local.refresh_index(conn, stats.touched_clients)
            local.write_meta(conn, cursor=cursor)
            self._crash_point("pull.in_transaction")
        report.pulled += len(ops)
        if erased:
            self._scrub()

    def _scrub(self) -> None:
        """After an erasure: squeeze the erased client's bytes out of the index and the WAL."""
        with self.db.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA secure_delete = ON")
            conn.exec_driver_sql(
                f"INSERT INTO {search_index.FTS_TABLE}({search_index.FTS_TABLE}) "
                "VALUES ('optimize')"
            )
        with self.db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    # --- snapshot -----------------------------------------------------------------------

    def _snapshot(
        self,
        token: str,
        report: SyncReport,
        note: ProgressFn,
        check_cancel: Callable[[], None],
        *,
        fresh: bool,
    ) -> None:
        if fresh:
            with self.db.engine.begin() as conn:
                local.mark_unconfirmed(conn)
                search_index.invalidate(conn)
                local.write_meta(
                    conn, snapshot=json.dumps({"phase": "global", "after": None, "hw": None})
                )
        while True:
            check_cancel()
            state = json.loads(self.state()["snapshot"])
            note(Progress("snapshot", report.snapshot_rows, None, report.bytes))
            page = self._post("/v1/snapshot", state, token, report)
            with self.db.engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
                stats = local.ApplyStats()
                local.apply_puts(conn, [tuple(r) for r in page["rows"]], stats, reindex=False)
                if page["phase"] == "done":
                    local.drop_unconfirmed(conn)
                    search_index.ensure(conn)
                    local.write_meta(conn, snapshot=None, cursor=int(page["hw"]))
                else:
                    local.write_meta(
                        conn,
                        snapshot=json.dumps(
                            {"phase": page["phase"], "after": page["after"], "hw": page["hw"]}
                        ),
                    )
            report.snapshot_rows += len(page["rows"])
            self._crash_point("snapshot.page")
            if page["phase"] == "done":
                return


# --- the book's clock and outbox ----------------------------------------------------------


def install_capture(db: Database, now_ms: Callable[[], int] = wall_ms) -> Capture:
    """Record every edit of this book in its outbox from the moment it is enrolled."""
    capture = Capture(now_ms)
    capture.install(db.session_factory)
    return capture
