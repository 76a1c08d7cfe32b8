"""Sync scenarios, one promise each, against the real server app and real SQLite books."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from sync.engine import AuthRefused, ClockSkew
from sync.hlc import wall_ms
from sync.protocol import SCHEMA_HEADER
from sync.server.service import Unauthorized
from tests.sync.harness import ServerWorld, Workstation, book_view, server_view


@pytest.fixture
def world(tmp_path: Path) -> ServerWorld:
    w = ServerWorld(f"sqlite:///{tmp_path / 'server.db'}")
    w.server.add_store("PAR1", "Paris", country="FR", timezone="Europe/Paris")
    w.server.add_store("LON1", "London", country="GB", timezone="Europe/London")
    return w


def station(world: ServerWorld, tmp_path: Path, name: str, store: str, **kw: object) -> Workstation:
    ws = Workstation(name, tmp_path / f"{name}.db", world, **kw)  # type: ignore[arg-type]
    ws.open()
    ws.enroll(store)
    ws.sync()
    return ws


def test_a_store_never_reads_or_writes_a_client_it_was_not_granted(
    world: ServerWorld, tmp_path: Path
) -> None:
    paris = station(world, tmp_path, "paris", "PAR1")
    london = station(world, tmp_path, "london", "LON1")
    secret = paris.create_client("Secret", "Client", emails=["secret@example.com"])
    paris.sync()
    london.sync()
    assert london.scalar("SELECT count(*) FROM clients") == 0
    # A forged push from London: an edit, a note and an erasure of the Paris client.
    token = london.tokens.load(london.engine.state()["device_id"])
    forged = [
        {
            "id": 900,
            "kind": "clients",
            "row_id": str(secret),
            "op": "upsert",
            "hlc": "9999999999999999-0000-x",
            "fields": {"city": "Stolen"},
        },
        {
            "id": 901,
            "kind": "notes",
            "row_id": str(uuid.uuid4()),
            "op": "insert",
            "hlc": "0000000000000001-0000-x",
            "fields": {
                "client_id": str(secret),
                "body": "planted",
                "created_at": "2026-11-23 10:00:00.000000",
            },
        },
        {
            "id": 902,
            "kind": "clients",
            "row_id": str(secret),
            "op": "erase",
            "hlc": "0000000000000001-0000-x",
        },
    ]
    answer = world.http.post(
        "/v1/push",
        json={"incarnation": "forged-incarnation", "mutations": forged},
        headers={SCHEMA_HEADER: "1", "Authorization": f"Bearer {token}"},
    ).json()
    assert [r["status"] for r in answer["results"]] == ["rejected"] * 3
    assert all(r.get("row", {}).get("gone", True) for r in answer["results"])
    london.sync()
    paris.sync()
    assert paris.scalar("SELECT city FROM clients WHERE id = ?", secret.bytes) is None
    assert paris.scalar("SELECT count(*) FROM notes") == 0
    assert london.scalar("SELECT count(*) FROM clients") == 0
    # Granted, London sees it; revoked, it leaves London's book again.
    world.server.grant(secret, "LON1")
    london.sync()
    assert london.scalar("SELECT given_name FROM clients WHERE id = ?", secret.bytes) == "Secret"
    world.server.revoke(secret, "LON1")
    london.sync()
    assert london.scalar("SELECT count(*) FROM clients") == 0
    assert london.scalar("SELECT count(*) FROM client_emails") == 0


def test_erasure_leaves_no_byte_of_the_client_on_any_device(
    world: ServerWorld, tmp_path: Path
) -> None:
    paris = station(world, tmp_path, "paris", "PAR1")
    paris2 = station(world, tmp_path, "paris2", "PAR1")
    london = station(world, tmp_path, "london", "LON1")
    canary = "Qzxcanary" + uuid.uuid4().hex[:8]
    keep = paris.create_client("Kept", "Client")
    cid = paris.create_client(
        canary,
        "Erased",
        emails=[f"{canary.lower()}@example.com"],
        city=canary,
        tags=[canary.lower()[:30]],
    )
    paris.activity(lambda a: a.add_note(cid, f"prefers {canary} cut"))
    paris.sync()
    world.server.grant(cid, "LON1")
    for ws in (paris2, london):
        ws.sync()
        assert ws.scalar("SELECT count(*) FROM clients WHERE id = ?", cid.bytes) == 1
    # paris2 edits the client offline while head office erases it.
    paris2.edit_client(cid, city="Somewhere " + canary)
    world.server.erase(cid)
    for ws in (paris, paris2, london):
        ws.sync()
    for ws in (paris, paris2, london):
        assert ws.scalar("SELECT count(*) FROM clients WHERE id = ?", cid.bytes) == 0
        assert ws.scalar("SELECT count(*) FROM sync_outbox WHERE client_id = ?", cid.bytes) == 0
        for path in (ws.path, ws.path.with_name(ws.path.name + "-wal")):
            if path.exists():
                assert canary.encode() not in path.read_bytes(), f"{path.name} keeps the client"
                assert canary.lower().encode() not in path.read_bytes()
    assert paris.scalar("SELECT count(*) FROM clients WHERE id = ?", keep.bytes) == 1
    # The server keeps only the bare id; a stale push cannot bring the client back.
    server_file = tmp_path / "server.db"
    raw = sqlite3.connect(server_file)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    assert canary.encode() not in server_file.read_bytes()
    assert ("clients", str(cid)) not in server_view(world, paris.store_id)


def test_no_change_sync_is_one_round_trip(world: ServerWorld, tmp_path: Path) -> None:
    ws = station(world, tmp_path, "a", "PAR1")
    report = ws.sync()
    assert report.up_to_date and report.round_trips == 1
    ws.create_client("New", "Edit")
    report = ws.sync()
    assert not report.up_to_date and report.pushed == 1


def test_a_clock_far_off_stops_sync_and_keeps_the_edits(world: ServerWorld, tmp_path: Path) -> None:
    skew = {"ms": 0}
    ws = station(world, tmp_path, "a", "PAR1", now_ms=lambda: wall_ms() + skew["ms"])
    skew["ms"] = 7 * 60 * 1000
    ws.create_client("Offline", "Edit")
    with pytest.raises(ClockSkew) as caught:
        ws.sync()
    assert caught.value.exit_code == 6
    assert "ahead" in str(caught.value)
    assert ws.engine.pending_count() == 1
    skew["ms"] = 0
    ws.sync()
    assert ws.engine.pending_count() == 0


def test_a_restored_backup_starts_a_new_incarnation_and_loses_nothing(
    world: ServerWorld, tmp_path: Path
) -> None:
    ws = station(world, tmp_path, "a", "PAR1")
    first = ws.create_client("Before", "Backup")  # mutation 1, in the backup
    ws.close()
    shutil.copy(ws.path, tmp_path / "backup.db")
    ws.open()
    later = ws.create_client("After", "Backup")  # mutation 2, not in the backup
    ws.sync()  # both reach the server
    ws.close()
    shutil.copy(tmp_path / "backup.db", ws.path)  # the disk dies; last night's copy returns
    for suffix in ("-wal", "-shm"):
        ws.path.with_name(ws.path.name + suffix).unlink(missing_ok=True)
    ws.open()
    again = ws.create_client("After", "Restore")  # mutation 2 again, other content
    report = ws.sync()
    assert any("incarnation" in n for n in report.notes)
    assert ws.engine.pending_count() == 0
    view = server_view(world, ws.store_id)
    for cid, name in ((first, "Before"), (later, "After"), (again, "After")):
        assert view[("clients", str(cid))][1]["given_name"] == name
    assert book_view(ws.db) == view  # type: ignore[arg-type]


def test_a_device_too_long_offline_resets_and_keeps_its_outbox(
    world: ServerWorld, tmp_path: Path
) -> None:
    a = station(world, tmp_path, "a", "PAR1")
    b = station(world, tmp_path, "b", "PAR1")
    cid = a.create_client("Shared", "Client")
    a.sync()
    b.sync()
    b.edit_client(cid, city="Offline edit")  # b goes offline with a pending edit
    for n in range(3):
        a.edit_client(cid, title=f"T{n}")
        a.sync()
    assert world.server.compact(timedelta(seconds=-1)) > 0  # every op forgotten
    report = b.sync()
    assert report.snapshot_rows > 0
    assert b.engine.pending_count() == 0
    view = server_view(world, b.store_id)
    assert view[("clients", str(cid))][1]["city"] == "Offline edit"
    assert view[("clients", str(cid))][1]["title"] == "T2"
    assert book_view(b.db) == view  # type: ignore[arg-type]


def test_a_revoked_device_and_an_old_wire_schema_are_refused(
    world: ServerWorld, tmp_path: Path
) -> None:
    ws = station(world, tmp_path, "a", "PAR1")
    answer = world.http.post("/v1/hello", json={"cursor": 0}, headers={SCHEMA_HEADER: "0"})
    assert answer.status_code == 401  # no token
    token = ws.tokens.load(ws.engine.state()["device_id"])
    old = world.http.post(
        "/v1/hello",
        json={"cursor": 0},
        headers={SCHEMA_HEADER: "-5", "Authorization": f"Bearer {token}"},
    )
    assert old.status_code == 426 and "update Vitrine" in old.json()["detail"]
    world.server.revoke_device(uuid.UUID(ws.engine.state()["device_id"]))
    with pytest.raises(AuthRefused):
        ws.sync()
    with pytest.raises(Unauthorized):
        world.server.enroll("0000-0000", "thief")


def test_a_book_enrolled_while_open_records_its_next_edit(
    world: ServerWorld, tmp_path: Path
) -> None:
    """`vitrine sync enroll` may run while the app has the book open: the app's next edit
    must still reach the outbox, and the server, without a restart."""
    ws = Workstation("paris", tmp_path / "paris.db", world)
    ws.open()
    assert ws.db is not None
    ws.engine.enroll("http://testserver", world.server.create_enrollment("PAR1"), "paris")
    ws.sync()
    cid = ws.create_client("Enrolled", "Meanwhile")  # the same open Database, no reopen
    assert ws.scalar("SELECT count(*) FROM sync_outbox WHERE status = 'pending'") > 0
    report = ws.sync()
    assert report.pushed >= 1
    assert ("clients", str(cid)) in server_view(world, ws.store_id)
