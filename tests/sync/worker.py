"""A workstation process for the kill -9 test: edits and syncs in a loop until killed.

After each committed edit it appends the client's token to a journal (fsynced), so the test
knows which edits were committed before the process died."""

from __future__ import annotations

import contextlib
import os
import random
import sys
import uuid
from pathlib import Path

from app.activity import ActivityService
from app.clients import Actor, ClientService
from models.database import open_database
from models.dto import ClientInput
from sync.credentials import KeyringTokens
from sync.engine import SyncEngine, SyncError, install_capture
from sync.transport import HttpTransport


def main(book: str, journal: str, seed: int) -> None:
    rng = random.Random(seed)
    db = open_database(book)
    install_capture(db)
    engine = SyncEngine(db, HttpTransport(engine_server(db)), KeyringTokens())
    store = uuid.UUID(engine.state()["store_id"])
    actor = Actor(None, store)
    mine: list[uuid.UUID] = []
    with open(journal, "a", encoding="utf-8") as log:
        while True:
            token = uuid.uuid4().hex[:12]
            with db.session() as s:
                clients = ClientService(s, actor)
                if mine and rng.random() < 0.4:
                    target = rng.choice(mine)
                    data = clients.edit_input(target)
                    data.city = rng.choice(["Paris", "Lyon", "Nice"])
                    clients.update_client(target, data)
                    ActivityService(s, actor).add_note(target, f"note {token}")
                else:
                    target = clients.create_client(
                        ClientInput(given_name=f"Kill{token}", family_name="Test")
                    )
                    mine.append(target)
            log.write(f"{target} {token}\n")
            log.flush()
            os.fsync(log.fileno())
            if rng.random() < 0.3:
                with contextlib.suppress(SyncError):
                    engine.sync()


def engine_server(db: object) -> str:
    from sync.cli import engine_server as find

    return find(db)  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
    Path(sys.argv[2]).touch()
