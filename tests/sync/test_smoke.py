from __future__ import annotations

from pathlib import Path

from tests.sync.harness import ServerWorld, Workstation


def test_two_stores_round_trip(tmp_path: Path) -> None:
    world = ServerWorld(f"sqlite:///{tmp_path / 'server.db'}")
    world.server.add_store("PAR1", "Paris", country="FR", timezone="Europe/Paris")
    world.server.add_store("LON1", "London", country="GB", timezone="Europe/London", currency="GBP")
    a = Workstation("A", tmp_path / "a.db", world)
    b = Workstation("B", tmp_path / "b.db", world)
    c = Workstation("C", tmp_path / "c.db", world)
    for ws, store in ((a, "PAR1"), (b, "PAR1"), (c, "LON1")):
        ws.open()
        ws.enroll(store)
        ws.sync()
    cid = a.create_client("Zoé", "Ørsted", emails=["zoe@example.com"], tags=["vip"])
    a.activity(lambda s: s.add_note(cid, "Loves emerald cuts"))
    print(a.sync())
    print(b.sync())
    assert b.scalar("SELECT given_name FROM clients WHERE id = ?", cid.bytes) == "Zoé"
    assert b.scalar("SELECT count(*) FROM notes") == 1
    c.sync()
    assert c.scalar("SELECT count(*) FROM clients") == 0
    # concurrent edits of one field
    a.edit_client(cid, city="Lyon")
    b.edit_client(cid, city="Nice")
    a.sync()
    rep = b.sync()
    print(rep)
    a.sync()
    assert a.scalar("SELECT city FROM clients WHERE id = ?", cid.bytes) == b.scalar(
        "SELECT city FROM clients WHERE id = ?", cid.bytes
    )
    print(b.rows("SELECT field, mine, winning, winner FROM sync_conflicts"))
    # no-change
    rep = a.sync()
    assert rep.up_to_date and rep.round_trips == 1
    world.server.grant(cid, "LON1")
    c.sync()
    assert c.scalar("SELECT count(*) FROM clients") == 1
    world.server.erase(cid)
    for ws in (a, b, c):
        ws.sync()
        assert ws.scalar("SELECT count(*) FROM clients") == 0
