"""What the central server does, independent of HTTP: enroll, push, pull, snapshot, erase.

Every push runs in one transaction that first takes the `sync_state` row lock, so pushes are
serialised and op ids are handed out and committed in order: a reader paging by op id can
never skip a change that commits later with a smaller id.

Merge rules (see SYNC.md):
* mutable rows merge field by field; the later hybrid-clock stamp wins, the loser is written
  to the conflict log and returned to the device that pushed it;
* append-only rows are inserted once by id; a replay is a no-op;
* a delete of a row whose tombstone is final (a client, a task...) wins over any concurrent
  edit, and later edits to it come back "superseded";
* an erased client's rows are gone and its bare id blocks every later write to it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    union,
    update,
)

from models.types import UUIDType
from sync.hlc import ZERO, Stamp, clamp, is_stamp, wall_ms
from sync.kinds import ADMIN_ONLY, FINAL_TOMBSTONE, KINDS, BadValue, Kind
from sync.protocol import (
    APPLIED,
    FUTURE_CLAMP_MS,
    MAX_PULL,
    REJECTED,
    SNAPSHOT_CLIENTS,
    SUPERSEDED,
)
from sync.server.db import (
    client_scope,
    conflicts,
    devices,
    enrollment_codes,
    erased,
    grants,
    mutation_log,
    ops,
    records,
    server_stores,
    sync_state,
    transaction,
)

_JSON = {"separators": (",", ":"), "ensure_ascii": False}


def dumps(value: Any) -> str:
    return json.dumps(value, **_JSON)  # type: ignore[arg-type]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ServiceError(Exception):
    status = 400


class Unauthorized(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class IncarnationConflict(ServiceError):
    """A mutation id this device already used came back with other content: the device's
    book was restored from a backup. It must start a new incarnation and push again."""

    status = 409


@dataclass(frozen=True)
class Device:
    id: uuid.UUID
    store_id: uuid.UUID
    name: str


@dataclass
class _Writer:
    """Hands out op ids inside one locked push transaction and logs ops in bulk."""

    conn: Connection
    version: int
    max_hlc: str
    now: datetime
    pending: list[dict[str, Any]] = field(default_factory=list)

    def next_id(self) -> int:
        self.version += 1
        return self.version

    def emit(
        self,
        buckets: Iterable[uuid.UUID],
        action: str,
        kind: str,
        row_id: uuid.UUID,
        client_id: uuid.UUID | None,
        version: int,
        data: str | None,
        op_id: int | None = None,
    ) -> None:
        op_id = op_id if op_id is not None else self.next_id()
        for bucket in buckets:
            self.pending.append(
                {
                    "bucket": bucket,
                    "op_id": op_id,
                    "action": action,
                    "kind": kind,
                    "row_id": row_id,
                    "client_id": client_id,
                    "version": version,
                    "data": data,
                    "at": self.now,
                }
            )
        if len(self.pending) >= 2000:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.conn.execute(insert(ops), self.pending)
            self.pending = []

    def finish(self) -> None:
        self.flush()
        self.conn.execute(
            update(sync_state)
            .where(sync_state.c.id == 1)
            .values(version=self.version, max_hlc=self.max_hlc)
        )


def _lock(conn: Connection, now: datetime) -> _Writer:
    """Take the push lock (one row every writer updates) and return an op id writer."""
    conn.execute(
        update(sync_state).where(sync_state.c.id == 1).values(version=sync_state.c.version)
    )
    version, max_hlc = conn.execute(
        select(sync_state.c.version, sync_state.c.max_hlc).where(sync_state.c.id == 1)
    ).one()
    return _Writer(conn, int(version), str(max_hlc), now)


class SyncServer:
    def __init__(self, engine: Engine, now_ms: Callable[[], int] = wall_ms) -> None:
        self.engine = engine
        self.now_ms = now_ms

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.now_ms() / 1000, UTC)

    # --- administration -----------------------------------------------------------------

    def add_store(
        self,
        code: str,
        name: str,
        *,
        city: str = "",
        country: str = "",
        timezone: str = "UTC",
        currency: str = "EUR",
        store_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """Register a store; its record reaches every workstation at their next sync."""
        kind = KINDS["stores"]
        store_id = store_id or uuid.uuid4()
        now = self._now()
        stamp = kind.columns["created_at"].encode(now)
        row = {
            "id": str(store_id),
            "created_at": stamp,
            "updated_at": stamp,
            "deleted_at": None,
            "code": code,
            "name": name,
            "city": city,
            "country": country,
            "timezone": timezone,
            "currency": currency,
        }
        try:
            row = {n: col.check(row.get(n)) for n, col in kind.columns.items()}
        except BadValue as exc:
            raise ServiceError(str(exc)) from exc
        with transaction(self.engine) as conn:
            if conn.execute(select(server_stores.c.id).where(server_stores.c.code == code)).first():
                raise ServiceError(f"a store with code {code} already exists")
            conn.execute(
                insert(server_stores).values(id=store_id, code=code, name=name, created_at=now)
            )
            writer = _lock(conn, now)
            # The new store's bucket starts empty; its devices begin with a snapshot.
            hlc = Stamp(self.now_ms(), 0, "server").encode()
            self._put_record(writer, kind, store_id, None, None, row, dict.fromkeys(row, hlc))
            writer.finish()
        return store_id

    def store_id(self, code: str) -> uuid.UUID:
        with transaction(self.engine) as conn:
            found = conn.execute(
                select(server_stores.c.id).where(server_stores.c.code == code)
            ).scalar()
        if found is None:
            raise NotFound(f"no store with code {code}")
        return uuid.UUID(str(found))

    def stores(self) -> list[tuple[uuid.UUID, str, str]]:
        with transaction(self.engine) as conn:
            rows = conn.execute(
                select(server_stores.c.id, server_stores.c.code, server_stores.c.name).order_by(
                    server_stores.c.code
                )
            ).all()
        return [(r[0], r[1], r[2]) for r in rows]

    def create_enrollment(self, store_code: str, valid_for: timedelta = timedelta(days=2)) -> str:
        """A one-time code a workstation of this store enrolls with."""
        store = self.store_id(store_code)
        code = "-".join(secrets.token_hex(2).upper() for _ in range(4))
        now = self._now()
        with transaction(self.engine) as conn:
            conn.execute(
                insert(enrollment_codes).values(
                    code_hash=_hash(code.replace("-", "").upper()),
                    store_id=store,
                    created_at=now,
                    expires_at=now + valid_for,
                )
            )
        return code

    def enroll(self, code: str, device_name: str) -> tuple[Device, str]:
        """Trade a one-time code for a device and its secret token."""
        key = _hash(code.replace("-", "").strip().upper())
        now = self._now()
        token = secrets.token_urlsafe(32)
        with transaction(self.engine) as conn:
            row = conn.execute(
                select(enrollment_codes).where(enrollment_codes.c.code_hash == key)
            ).first()
            expires = row.expires_at if row else None
            if expires is not None and expires.tzinfo is None:
                expires = expires.replace(tzinfo=UTC)
            if row is None or row.used_at is not None or expires is None or expires < now:
                raise Unauthorized("this enrollment code is unknown, used or expired")
            device = Device(uuid.uuid4(), uuid.UUID(str(row.store_id)), device_name[:120])
            conn.execute(
                insert(devices).values(
                    id=device.id,
                    store_id=device.store_id,
                    name=device.name,
                    token_hash=_hash(token),
                    enrolled_at=now,
                )
            )
            conn.execute(
                update(enrollment_codes)
                .where(enrollment_codes.c.code_hash == key)
                .values(used_at=now, device_id=device.id)
            )
        return device, token

    def revoke_device(self, device_id: uuid.UUID) -> None:
        with transaction(self.engine) as conn:
            conn.execute(
                update(devices).where(devices.c.id == device_id).values(revoked_at=self._now())
            )

    def authenticate(self, token: str) -> Device:
        with transaction(self.engine) as conn:
            row = conn.execute(
                select(devices.c.id, devices.c.store_id, devices.c.name).where(
                    devices.c.token_hash == _hash(token), devices.c.revoked_at.is_(None)
                )
            ).first()
        if row is None:
            raise Unauthorized("unknown or revoked device token")
        return Device(uuid.UUID(str(row[0])), uuid.UUID(str(row[1])), row[2])

    def grant(self, client_id: uuid.UUID, store_code: str) -> None:
        """Let another store see (and edit) one client."""
        store = self.store_id(store_code)
        now = self._now()
        with transaction(self.engine) as conn:
            writer = _lock(conn, now)
            home = self._home(conn, client_id)
            if home is None:
                raise NotFound(f"no client with id {client_id}")
            exists = conn.execute(
                select(grants.c.store_id).where(
                    grants.c.store_id == store, grants.c.client_id == client_id
                )
            ).first()
            if exists is None:
                conn.execute(
                    insert(grants).values(store_id=store, client_id=client_id, granted_at=now)
                )
                if store != home:
                    self._put_client(writer, client_id, store)
            writer.finish()

    def revoke(self, client_id: uuid.UUID, store_code: str) -> None:
        store = self.store_id(store_code)
        with transaction(self.engine) as conn:
            writer = _lock(conn, self._now())
            gone = conn.execute(
                delete(grants).where(grants.c.store_id == store, grants.c.client_id == client_id)
            ).rowcount
            if gone and self._home(conn, client_id) != store:
                writer.emit([store], "remove", "clients", client_id, client_id, 0, None)
            writer.finish()

    def erase(self, client_id: uuid.UUID) -> bool:
        """GDPR erasure: every row, child, log entry and conflict of the client goes; the bare
        id stays to refuse resurrection; every store that had the client is told to erase."""
        with transaction(self.engine) as conn:
            writer = _lock(conn, self._now())
            done = self._erase(conn, writer, client_id)
            writer.finish()
        return done

    def _erase(self, conn: Connection, writer: _Writer, client_id: uuid.UUID) -> bool:
        if conn.execute(select(erased.c.client_id).where(erased.c.client_id == client_id)).first():
            return False
        had = {
            uuid.UUID(str(b))
            for (b,) in conn.execute(
                select(ops.c.bucket).where(ops.c.client_id == client_id).distinct()
            )
        }
        had |= set(self._buckets_of_client(conn, client_id))
        for table, column in (
            (records, records.c.client_id),
            (ops, ops.c.client_id),
            (conflicts, conflicts.c.client_id),
            (mutation_log, mutation_log.c.client_id),
            (grants, grants.c.client_id),
            (client_scope, client_scope.c.client_id),
        ):
            conn.execute(delete(table).where(column == client_id))
        conn.execute(insert(erased).values(client_id=client_id, erased_at=writer.now))
        writer.emit(sorted(had), "erase", "clients", client_id, client_id, 0, None)
        return True

    def compact(self, keep: timedelta) -> int:
        """Forget ops older than `keep` (tombstones stay in the records). A device whose
        cursor is older than what is left takes a snapshot and keeps its own edits."""
        cutoff = self._now() - keep
        with transaction(self.engine) as conn:
            _lock(conn, self._now())
            top = conn.execute(select(func.max(ops.c.op_id)).where(ops.c.at < cutoff)).scalar()
            if top is None:
                return 0
            gone = conn.execute(delete(ops).where(ops.c.op_id <= top)).rowcount
            conn.execute(
                update(sync_state)
                .where(sync_state.c.id == 1)
                .values(horizon=func.greatest(sync_state.c.horizon, top))
                if self.engine.dialect.name == "postgresql"
                else update(sync_state)
                .where(sync_state.c.id == 1)
                .values(horizon=func.max(sync_state.c.horizon, top))
            )
        return int(gone)

    # --- scope ---------------------------------------------------------------------------

    def _home(self, conn: Connection, client_id: uuid.UUID) -> uuid.UUID | None:
        home = conn.execute(
            select(client_scope.c.home_store_id).where(client_scope.c.client_id == client_id)
        ).scalar()
        return uuid.UUID(str(home)) if home is not None else None

    def _buckets_of_client(self, conn: Connection, client_id: uuid.UUID) -> list[uuid.UUID]:
        home = self._home(conn, client_id)
        out = [home] if home is not None else []
        for (store,) in conn.execute(
            select(grants.c.store_id).where(grants.c.client_id == client_id)
        ):
            store = uuid.UUID(str(store))
            if store not in out:
                out.append(store)
        return out

    def _all_buckets(self, conn: Connection) -> list[uuid.UUID]:
        return [uuid.UUID(str(s)) for (s,) in conn.execute(select(server_stores.c.id))]

    def _visible(self, conn: Connection, store: uuid.UUID, client_id: uuid.UUID) -> bool:
        return store in self._buckets_of_client(conn, client_id)

    def _put_client(self, writer: _Writer, client_id: uuid.UUID, bucket: uuid.UUID) -> None:
        """Send a store every row of a client it could not see before."""
        rows = writer.conn.execute(
            select(records.c.kind, records.c.id, records.c.version, records.c.data)
            .where(records.c.client_id == client_id)
            .order_by(records.c.kind_order, records.c.id)
        ).all()
        for kind, row_id, version, data in rows:
            writer.emit([bucket], "put", kind, uuid.UUID(str(row_id)), client_id, version, data)

    # --- push ----------------------------------------------------------------------------

    def push(
        self, device: Device, incarnation: str, mutations: Sequence[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Apply a device's mutations in order; one result per mutation."""
        now = self._now()
        limit = self.now_ms() + FUTURE_CLAMP_MS
        results: list[dict[str, Any]] = []
        with transaction(self.engine) as conn:
            writer = _lock(conn, now)
            ctx = _PushContext(self, conn, writer, device, limit)
            for m in mutations:
                digest = _hash(dumps([m.get(k) for k in ("kind", "row_id", "op", "hlc", "fields")]))
                mid = int(m["id"])
                seen = conn.execute(
                    select(mutation_log.c.digest, mutation_log.c.result).where(
                        mutation_log.c.device_id == device.id,
                        mutation_log.c.incarnation == incarnation,
                        mutation_log.c.mutation_id == mid,
                    )
                ).first()
                if seen is not None:
                    if seen[0] != digest:
                        raise IncarnationConflict(
                            f"mutation {mid} was already used with other content: this book "
                            "was restored from a copy; start a new incarnation"
                        )
                    result = json.loads(seen[1])
                    result.update(ctx.canonical_for(m, result))
                    results.append(result)
                    continue
                result, client_id = ctx.apply(m)
                result["id"] = mid
                stored = {k: v for k, v in result.items() if k not in ("row",)}
                conn.execute(
                    insert(mutation_log).values(
                        device_id=device.id,
                        incarnation=incarnation,
                        mutation_id=mid,
                        digest=digest,
                        client_id=client_id,
                        result=dumps(stored),
                    )
                )
                results.append(result)
            writer.max_hlc = max(writer.max_hlc, ctx.max_hlc)
            writer.finish()
            conn.execute(update(devices).where(devices.c.id == device.id).values(last_seen_at=now))
        return results

    def _put_record(
        self,
        writer: _Writer,
        kind: Kind,
        row_id: uuid.UUID,
        client_id: uuid.UUID | None,
        store_id: uuid.UUID | None,
        row: dict[str, Any],
        clocks: dict[str, str] | None,
        *,
        existing: bool = False,
    ) -> int:
        """Insert or replace one record and log a put to every store that sees it."""
        conn = writer.conn
        version = writer.next_id()
        data = dumps(row)
        values = {
            "kind_order": kind.order,
            "client_id": client_id,
            "store_id": store_id,
            "data": data,
            "clocks": dumps(clocks) if clocks is not None else None,
            "natural_key": kind.natural_key(row),
            "version": version,
            "deleted": row.get("deleted_at") is not None,
        }
        if existing:
            conn.execute(
                update(records)
                .where(records.c.kind == kind.name, records.c.id == row_id)
                .values(**values)
            )
        else:
            conn.execute(insert(records).values(kind=kind.name, id=row_id, **values))
        if client_id is not None:
            buckets = self._buckets_of_client(conn, client_id)
        elif store_id is not None:
            buckets = [store_id]
        else:
            buckets = self._all_buckets(conn)
        writer.emit(buckets, "put", kind.name, row_id, client_id, version, data, op_id=version)
        return version

    # --- pull ----------------------------------------------------------------------------

    def hello(self, device: Device, cursor: int) -> dict[str, Any]:
        """One cheap read: is there anything new for this device, and what time is it?"""
        with transaction(self.engine) as conn:
            head = conn.execute(
                select(ops.c.op_id)
                .where(ops.c.bucket == device.store_id)
                .order_by(ops.c.op_id.desc())
                .limit(1)
            ).scalar()
            horizon, max_hlc, version = conn.execute(
                select(sync_state.c.horizon, sync_state.c.max_hlc, sync_state.c.version).where(
                    sync_state.c.id == 1
                )
            ).one()
        head = int(head or 0)
        return {
            "server_time_ms": self.now_ms(),
            "store_id": str(device.store_id),
            "head": head,
            "version": int(version),
            "max_hlc": max_hlc,
            "reset": cursor < int(horizon) or (cursor == 0 and int(version) > 0),
        }

    def pull(self, device: Device, cursor: int, limit: int = MAX_PULL) -> str:
        """A page of ops after `cursor`, as JSON text (rows are passed through verbatim).

        The last page carries the store's record count and version sum, read in the same
        snapshot as the page, so the device can verify its whole book against it."""
        limit = max(1, min(limit, MAX_PULL))
        with transaction(self.engine, snapshot=True) as conn:
            horizon, max_hlc = conn.execute(
                select(sync_state.c.horizon, sync_state.c.max_hlc).where(sync_state.c.id == 1)
            ).one()
            if cursor < int(horizon):
                return dumps({"reset": True, "ops": [], "cursor": cursor, "more": False})
            rows = conn.execute(
                select(
                    ops.c.op_id, ops.c.action, ops.c.kind, ops.c.row_id, ops.c.version, ops.c.data
                )
                .where(ops.c.bucket == device.store_id, ops.c.op_id > cursor)
                .order_by(ops.c.op_id)
                .limit(limit + 1)
            ).all()
            more = len(rows) > limit
            rows = rows[:limit]
            verify = None if more else self._verify(conn, device.store_id)
        parts = [
            f'[{r[0]},"{r[1]}","{r[2]}","{uuid.UUID(str(r[3]))}",{r[4]},{r[5] or "null"}]'
            for r in rows
        ]
        last = rows[-1][0] if rows else cursor
        return (
            f'{{"reset":false,"cursor":{last},"more":{"true" if more else "false"},'
            f'"max_hlc":{dumps(max_hlc)},"verify":{dumps(verify)},"ops":[{",".join(parts)}]}}'
        )

    def _verify(self, conn: Connection, store: uuid.UUID) -> dict[str, int]:
        loose = conn.execute(
            select(func.count(), func.coalesce(func.sum(records.c.version), 0)).where(
                records.c.client_id.is_(None),
                or_(records.c.store_id.is_(None), records.c.store_id == store),
            )
        ).one()
        scope = (
            select(client_scope.c.client_id.label("cid"))
            .where(client_scope.c.home_store_id == store)
            .union(select(grants.c.client_id).where(grants.c.store_id == store))
            .subquery()
        )
        owned = conn.execute(
            select(func.count(), func.coalesce(func.sum(records.c.version), 0)).select_from(
                records.join(scope, records.c.client_id == scope.c.cid)
            )
        ).one()
        return {"count": int(loose[0] + owned[0]), "sum": int(loose[1] + owned[1])}

    def snapshot(self, device: Device, phase: str, after: str | None, hw: int | None) -> str:
        """The store's whole current book, in pages: global rows, store rows, then clients
        (each page a batch of clients with all their rows, parents before children). A page
        is JSON text; rows are passed through as stored, like `pull`'s.

        `hw` is the op id the snapshot started at; the device pulls ops after it next."""
        store = device.store_id
        with transaction(self.engine, snapshot=True) as conn:
            if hw is None:
                hw = int(
                    conn.execute(select(sync_state.c.version).where(sync_state.c.id == 1)).scalar()
                    or 0
                )
            cols = (records.c.kind, records.c.id, records.c.version, records.c.data)
            if phase in ("global", "store"):
                where: list[ColumnElement[bool]] = [records.c.client_id.is_(None)]
                where.append(
                    records.c.store_id.is_(None)
                    if phase == "global"
                    else records.c.store_id == store
                )
                if after:
                    try:
                        order, row_id = after.split("/", 1)
                        key = (int(order), uuid.UUID(row_id))
                    except ValueError as exc:
                        raise ServiceError(f"not a snapshot position: {after!r}") from exc
                    where.append(
                        tuple_(records.c.kind_order, records.c.id)
                        > tuple_(literal(key[0]), literal(key[1], UUIDType()))
                    )
                rows = conn.execute(
                    select(*cols, records.c.kind_order)
                    .where(and_(*where))
                    .order_by(records.c.kind_order, records.c.id)
                    .limit(MAX_PULL)
                ).all()
                if len(rows) == MAX_PULL:
                    nxt_phase, nxt_after = phase, f"{rows[-1][4]}/{uuid.UUID(str(rows[-1][1]))}"
                else:
                    nxt_phase, nxt_after = ("store" if phase == "global" else "clients"), None
            elif phase == "clients":
                try:
                    low = uuid.UUID(after) if after else uuid.UUID(int=0)
                except ValueError as exc:
                    raise ServiceError(f"not a snapshot position: {after!r}") from exc
                # Each branch reads its next page from its (store, client) index; deduplicating
                # the union of whole branches instead would hash every client after `low` on
                # every page (quadratic over the snapshot).
                home = (
                    select(client_scope.c.client_id.label("cid"))
                    .where(client_scope.c.home_store_id == store, client_scope.c.client_id > low)
                    .order_by(client_scope.c.client_id)
                    .limit(SNAPSHOT_CLIENTS)
                )
                shared = (
                    select(grants.c.client_id.label("cid"))
                    .where(grants.c.store_id == store, grants.c.client_id > low)
                    .order_by(grants.c.client_id)
                    .limit(SNAPSHOT_CLIENTS)
                )
                scope = union(home.subquery().select(), shared.subquery().select()).subquery()
                ids = [
                    uuid.UUID(str(c))
                    for (c,) in conn.execute(
                        select(scope.c.cid).order_by(scope.c.cid).limit(SNAPSHOT_CLIENTS)
                    )
                ]
                rows = (
                    conn.execute(
                        select(*cols)
                        .where(records.c.client_id.in_(ids))
                        .order_by(records.c.kind_order, records.c.id)
                    ).all()
                    if ids
                    else []
                )
                if len(ids) == SNAPSHOT_CLIENTS:
                    nxt_phase, nxt_after = "clients", str(ids[-1])
                else:
                    nxt_phase, nxt_after = "done", None
            else:
                raise ServiceError(f"unknown snapshot phase {phase!r}")
        parts = [f'["{r[0]}","{uuid.UUID(str(r[1]))}",{int(r[2])},{r[3]}]' for r in rows]
        return (
            f'{{"hw":{int(hw)},"phase":"{nxt_phase}","after":{dumps(nxt_after)},'
            f'"rows":[{",".join(parts)}]}}'
        )


def _decode_hlc_device(stamp: str) -> str:
    try:
        return Stamp.decode(stamp).device
    except ValueError:
        return ""


class _PushContext:
    """The state of one push transaction: applies mutations one by one."""

    def __init__(
        self,
        server: SyncServer,
        conn: Connection,
        writer: _Writer,
        device: Device,
        limit_ms: int,
    ) -> None:
        self.server = server
        self.conn = conn
        self.writer = writer
        self.device = device
        self.limit_ms = limit_ms
        self.max_hlc = ZERO

    def _record(self, kind: str, row_id: uuid.UUID) -> Any:
        return self.conn.execute(
            select(
                records.c.client_id,
                records.c.store_id,
                records.c.data,
                records.c.clocks,
                records.c.version,
                records.c.deleted,
            ).where(records.c.kind == kind, records.c.id == row_id)
        ).first()

    def canonical(self, kind: str, row_id: uuid.UUID) -> dict[str, Any]:
        rec = self._record(kind, row_id)
        if rec is None:
            return {"kind": kind, "id": str(row_id), "gone": True}
        if rec.client_id is not None and not self.server._visible(
            self.conn, self.device.store_id, uuid.UUID(str(rec.client_id))
        ):
            return {"kind": kind, "id": str(row_id), "gone": True}
        return {"kind": kind, "id": str(row_id), "version": int(rec.version), "data": rec.data}

    def canonical_for(self, m: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
        """On a replayed mutation, the row as it is now (if the device needs it)."""
        if result.get("status") == APPLIED and not result.get("conflicts"):
            return {}
        try:
            return {"row": self.canonical(str(m["kind"]), uuid.UUID(str(m["row_id"])))}
        except (KeyError, ValueError):
            return {}

    def apply(self, m: dict[str, Any]) -> tuple[dict[str, Any], uuid.UUID | None]:
        try:
            return self._apply(m)
        except BadValue as exc:
            return {"status": REJECTED, "reason": str(exc)}, None

    def _reject(
        self, reason: str, kind: str | None = None, row_id: uuid.UUID | None = None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"status": REJECTED, "reason": reason}
        if kind is not None and row_id is not None:
            out["row"] = self.canonical(kind, row_id)
        return out

    def _apply(self, m: dict[str, Any]) -> tuple[dict[str, Any], uuid.UUID | None]:
        kind_name = m.get("kind")
        kind = KINDS.get(kind_name) if isinstance(kind_name, str) else None
        if kind is None:
            return self._reject(f"unknown kind {kind_name!r}"), None
        try:
            row_id = uuid.UUID(str(m.get("row_id")))
        except ValueError:
            return self._reject("row_id is not a uuid"), None
        op = m.get("op")
        hlc = m.get("hlc")
        if not is_stamp(hlc):
            return self._reject("hlc is not a clock stamp", kind.name, row_id), None
        assert isinstance(hlc, str)
        hlc = clamp(hlc, self.limit_ms)
        self.max_hlc = max(self.max_hlc, hlc)
        fields = m.get("fields")
        if op == "erase":
            return self._erase(kind, row_id)
        if not isinstance(fields, dict) or not fields:
            return self._reject("fields must be a non-empty object", kind.name, row_id), None
        unknown = sorted(set(fields) - set(kind.columns))
        if unknown:
            return self._reject(f"unknown field(s): {', '.join(unknown)}", kind.name, row_id), None
        if fields.get("id", str(row_id)) != str(row_id):
            return self._reject("fields.id differs from row_id", kind.name, row_id), None
        clean = {name: kind.columns[name].check(value) for name, value in fields.items()}
        clean["id"] = str(row_id)
        if kind.name in ADMIN_ONLY:
            return self._reject(
                f"{kind.name} are edited by head office only", kind.name, row_id
            ), None
        expected = "insert" if kind.append_only else "upsert"
        if op != expected:
            return self._reject(
                f"{kind.name} take {expected!r}, not {op!r}", kind.name, row_id
            ), None

        rec = self._record(kind.name, row_id)
        # Which client (or store) the row belongs to: the record's, else the new row's.
        client_id: uuid.UUID | None
        store_id: uuid.UUID | None = None
        if rec is not None:
            client_id = uuid.UUID(str(rec.client_id)) if rec.client_id is not None else None
            store_id = uuid.UUID(str(rec.store_id)) if rec.store_id is not None else None
            if kind.client_column and kind.client_column != "id" and kind.client_column in clean:
                new_client = clean[kind.client_column]
                if (str(client_id) if client_id else None) != new_client:
                    return self._reject(
                        "a row cannot move to another client", kind.name, row_id
                    ), None
        else:
            found = self._client_of_new(kind, clean)
            if isinstance(found, dict):
                return found, None
            client_id = found
            if client_id is None and kind.scope == "client":
                store_id = self.device.store_id  # a task with no client: the store's own
        if client_id is not None:
            if self.conn.execute(
                select(erased.c.client_id).where(erased.c.client_id == client_id)
            ).first():
                return {
                    "status": SUPERSEDED,
                    "reason": "the client was erased",
                    "erased": str(client_id),
                    "row": {"kind": kind.name, "id": str(row_id), "gone": True},
                }, client_id
            is_new_client = kind.name == "clients" and rec is None
            if is_new_client:
                if clean.get("home_store_id") != str(self.device.store_id):
                    return self._reject(
                        "a workstation creates clients for its own store only", kind.name, row_id
                    ), None
            elif not self.server._visible(self.conn, self.device.store_id, client_id):
                return self._reject(
                    "this client is not shared with your store", kind.name, row_id
                ), None
        elif store_id is not None and store_id != self.device.store_id:
            return self._reject("this row belongs to another store", kind.name, row_id), None
        problem = self._check_references(kind, clean, client_id)
        if problem:
            return self._reject(problem, kind.name, row_id), client_id

        if kind.append_only:
            return self._insert_append_only(
                kind, row_id, rec, clean, client_id, store_id
            ), client_id
        return self._merge(kind, row_id, rec, clean, hlc, client_id, store_id), client_id

    def _client_of_new(
        self, kind: Kind, clean: dict[str, Any]
    ) -> uuid.UUID | dict[str, Any] | None:
        if kind.client_column == "id":
            return uuid.UUID(clean["id"])
        if kind.client_column is not None:
            value = clean.get(kind.client_column)
            return uuid.UUID(value) if value else None
        if kind.parent is not None:
            column, parent = kind.parent
            parent_id = clean.get(column)
            if not parent_id:
                return self._reject(f"{column} is required")
            prec = self._record(parent, uuid.UUID(parent_id))
            if prec is None or prec.client_id is None:
                return self._reject(f"{column} refers to an unknown {parent}")
            return uuid.UUID(str(prec.client_id))
        return None

    def _check_references(
        self, kind: Kind, clean: dict[str, Any], client_id: uuid.UUID | None
    ) -> str | None:
        for name, value in clean.items():
            col = kind.columns[name]
            if col.references is None or value is None or name == "id":
                continue
            target = self._record(col.references, uuid.UUID(value))
            if target is None:
                return f"{name} refers to an unknown {col.references}"
            if (
                target.client_id is not None
                and client_id is not None
                and uuid.UUID(str(target.client_id)) != client_id
            ):
                return f"{name} refers to another client's {col.references}"
        return None

    def _insert_append_only(
        self,
        kind: Kind,
        row_id: uuid.UUID,
        rec: Any,
        clean: dict[str, Any],
        client_id: uuid.UUID | None,
        store_id: uuid.UUID | None,
    ) -> dict[str, Any]:
        if rec is not None:
            return {"status": APPLIED}  # already here: a retry or another path
        missing = [n for n, c in kind.columns.items() if not c.nullable and clean.get(n) is None]
        if missing:
            return self._reject(f"missing field(s): {', '.join(missing)}", kind.name, row_id)
        row = {n: clean.get(n) for n in kind.columns}
        dup = self._natural_twin(kind, row, row_id)
        if dup is not None:
            return self._superseded(
                kind, row_id, f"the same {kind.name} row already exists as {dup}"
            )
        self.server._put_record(self.writer, kind, row_id, client_id, store_id, row, None)
        return {"status": APPLIED}

    def _superseded(self, kind: Kind, row_id: uuid.UUID, reason: str) -> dict[str, Any]:
        """Nothing applied: the device gets the reason and the row as the server has it."""
        return {"status": SUPERSEDED, "reason": reason, "row": self.canonical(kind.name, row_id)}

    def _owner_deleted(self, kind: Kind, client_id: uuid.UUID | None) -> bool:
        if client_id is None or kind.name == "clients":
            return False
        owner = self._record("clients", client_id)
        return owner is not None and bool(owner.deleted)

    def _natural_twin(self, kind: Kind, row: dict[str, Any], row_id: uuid.UUID) -> str | None:
        key = kind.natural_key(row)
        if key is None:
            return None
        twin = self.conn.execute(
            select(records.c.id).where(records.c.kind == kind.name, records.c.natural_key == key)
        ).scalar()
        if twin is None or uuid.UUID(str(twin)) == row_id:
            return None
        return str(uuid.UUID(str(twin)))

    def _merge(
        self,
        kind: Kind,
        row_id: uuid.UUID,
        rec: Any,
        clean: dict[str, Any],
        hlc: str,
        client_id: uuid.UUID | None,
        store_id: uuid.UUID | None,
    ) -> dict[str, Any]:
        if rec is None:
            missing = [
                n for n, c in kind.columns.items() if not c.nullable and clean.get(n) is None
            ]
            if missing:
                return self._reject(
                    f"an unknown row needs every field; missing {', '.join(missing)}",
                    kind.name,
                    row_id,
                )
            row = {n: clean.get(n) for n in kind.columns}
            dup = self._natural_twin(kind, row, row_id)
            if dup is not None:
                return self._superseded(
                    kind, row_id, f"the same {kind.name} row already exists as {dup}"
                )
            if self._owner_deleted(kind, client_id):
                return self._superseded(kind, row_id, "the client was deleted")
            clocks = dict.fromkeys(row, hlc)
            if kind.name == "clients":  # scope first: the put goes to the stores that see it
                self.conn.execute(
                    insert(client_scope).values(
                        client_id=row_id, home_store_id=uuid.UUID(row["home_store_id"])
                    )
                )
            self.server._put_record(self.writer, kind, row_id, client_id, store_id, row, clocks)
            return {"status": APPLIED}

        row = json.loads(rec.data)
        clocks = json.loads(rec.clocks or "{}")
        final = kind.name in FINAL_TOMBSTONE
        deleting = clean.get("deleted_at") is not None
        if rec.deleted and final:
            return self._superseded(
                kind, row_id, f"the {kind.name[:-1].replace('_', ' ')} was deleted"
            )
        if self._owner_deleted(kind, client_id):
            return self._superseded(kind, row_id, "the client was deleted")
        changed: list[str] = []
        lost: list[dict[str, Any]] = []
        for name, value in clean.items():
            if name == "id":
                continue
            current = row.get(name)
            stamp = clocks.get(name, ZERO)
            # A delete wins over a concurrent edit when the kind's tombstone is final.
            wins = hlc > stamp or (name == "deleted_at" and deleting and final)
            if wins:
                if current != value:
                    row[name] = value
                    changed.append(name)
                clocks[name] = max(hlc, stamp) if name == "deleted_at" and deleting else hlc
            elif current != value and name != "updated_at":
                lost.append(
                    {
                        "field": name,
                        "mine": value,
                        "winning": current,
                        "winner": self._who(stamp),
                        "won_at_ms": Stamp.decode(stamp).wall_ms if is_stamp(stamp) else 0,
                    }
                )
        if lost:
            now = self.writer.now
            self.conn.execute(
                insert(conflicts),
                [
                    {
                        "device_id": self.device.id,
                        "client_id": client_id,
                        "kind": kind.name,
                        "row_id": row_id,
                        "field": c["field"],
                        "mine": dumps(c["mine"]),
                        "winning": dumps(c["winning"]),
                        "winner_hlc": clocks.get(c["field"], ZERO),
                        "detected_at": now,
                    }
                    for c in lost
                ],
            )
        real_changes = [n for n in changed if n != "updated_at"]
        if real_changes:
            dup = self._natural_twin(kind, row, row_id)
            if dup is not None:
                return self._superseded(
                    kind, row_id, f"the same {kind.name} row already exists as {dup}"
                )
            old_home = None
            if kind.name == "clients" and "home_store_id" in real_changes:
                old_home = self.server._home(self.conn, row_id)
            self.server._put_record(
                self.writer, kind, row_id, client_id, store_id, row, clocks, existing=True
            )
            if old_home is not None:
                self._move_home(row_id, old_home, uuid.UUID(row["home_store_id"]))
        elif changed or clocks != json.loads(rec.clocks or "{}"):
            # Only clocks moved (an equal value re-stamped): keep them, no new version.
            self.conn.execute(
                update(records)
                .where(records.c.kind == kind.name, records.c.id == row_id)
                .values(clocks=dumps(clocks))
            )
        result: dict[str, Any] = {"status": APPLIED if (real_changes or not lost) else SUPERSEDED}
        if lost:
            result["conflicts"] = lost
            result["row"] = self.canonical(kind.name, row_id)
            if result["status"] == SUPERSEDED:
                result["reason"] = "a later edit from another workstation won"
        return result

    def _move_home(self, client_id: uuid.UUID, old: uuid.UUID, new: uuid.UUID) -> None:
        conn = self.conn
        granted = {
            uuid.UUID(str(s))
            for (s,) in conn.execute(
                select(grants.c.store_id).where(grants.c.client_id == client_id)
            )
        }
        conn.execute(
            update(client_scope)
            .where(client_scope.c.client_id == client_id)
            .values(home_store_id=new)
        )
        if new not in granted:
            self.server._put_client(self.writer, client_id, new)
        if old not in granted:
            self.writer.emit([old], "remove", "clients", client_id, client_id, 0, None)

    def _who(self, stamp: str) -> str:
        device = _decode_hlc_device(stamp)
        if device == "server":
            return "head office"
        try:
            row = self.conn.execute(
                select(devices.c.name, server_stores.c.code)
                .join(server_stores, server_stores.c.id == devices.c.store_id)
                .where(devices.c.id == uuid.UUID(device))
            ).first()
        except ValueError:
            row = None
        return f"{row[0]} ({row[1]})" if row else "another workstation"

    def _erase(self, kind: Kind, row_id: uuid.UUID) -> tuple[dict[str, Any], uuid.UUID | None]:
        if kind.name != "clients":
            return self._reject("only a client can be erased"), None
        if self.conn.execute(
            select(erased.c.client_id).where(erased.c.client_id == row_id)
        ).first():
            return {"status": APPLIED, "erased": str(row_id)}, row_id
        if not self.server._visible(self.conn, self.device.store_id, row_id):
            return self._reject("this client is not shared with your store"), None
        self.server._erase(self.conn, self.writer, row_id)
        return {"status": APPLIED, "erased": str(row_id)}, None
