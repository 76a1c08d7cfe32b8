"""Real processes: a server process, three workstation processes killed with SIGKILL at
random moments and restarted, then everyone syncs to quiet and nothing is lost."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from models.database import open_database
from sync.credentials import KeyringTokens
from sync.engine import SyncEngine
from sync.server.asgi import open_server
from sync.transport import HttpTransport
from tests.sync.harness import book_view, server_view

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    env["XDG_DATA_HOME"] = str(tmp_path / "keyring")
    env["PYTHONPATH"] = str(ROOT)
    return env


def _vitrine(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_workstations_killed_at_random_lose_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _env(tmp_path)
    for key in ("PYTHON_KEYRING_BACKEND", "XDG_DATA_HOME"):
        monkeypatch.setenv(key, env[key])
    url = f"sqlite:///{tmp_path / 'server.db'}"
    admin = open_server(url)
    admin.add_store("PAR1", "Paris", country="FR", timezone="Europe/Paris")
    admin.add_store("LON1", "London", country="GB", timezone="Europe/London")
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "server",
            "--database-url",
            url,
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        books = {}
        for name, store in (("a", "PAR1"), ("b", "PAR1"), ("c", "LON1")):
            code = admin.create_enrollment(store)
            book = tmp_path / f"{name}.db"
            done = _vitrine(
                env,
                "sync",
                "enroll",
                "--db",
                str(book),
                "--server",
                base,
                "--code",
                code,
                "--name",
                name,
            )
            assert done.returncode == 0, done.stderr
            assert _vitrine(env, "sync", "--db", str(book)).returncode == 0
            books[name] = book
        rng = random.Random(20261123)
        for round_no in range(4):
            workers = {
                name: subprocess.Popen(
                    [
                        sys.executable,
                        str(ROOT / "tests" / "sync" / "worker.py"),
                        str(book),
                        str(tmp_path / f"{name}.journal"),
                        str(round_no * 10 + i),
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
                for i, (name, book) in enumerate(books.items())
            }
            for name, proc in workers.items():
                # Killed at a random moment of its work, not while still importing: on a
                # loaded machine a worker can take seconds to open its journal.
                journal = tmp_path / f"{name}.journal"
                started = time.monotonic()
                while not journal.exists() and time.monotonic() - started < 60:
                    assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                    time.sleep(0.05)
                time.sleep(rng.uniform(0.5, 2.0))
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                proc.send_signal(signal.SIGKILL)
                proc.wait()
        # Everyone syncs to quiet, with the real CLI.
        for _round in range(2):
            for name, book in books.items():
                done = _vitrine(env, "sync", "--db", str(book))
                assert done.returncode == 0, f"{name}: {done.stderr}"
        for name, book in books.items():
            db = open_database(book)
            try:
                engine = SyncEngine(db, HttpTransport(base), KeyringTokens())
                store = uuid.UUID(engine.state()["store_id"])
                assert engine.pending_count() == 0
                mine = book_view(db)
                theirs = server_view(_World(admin), store)
                assert set(mine) == set(theirs), name
                for key, (version, data) in mine.items():
                    assert (version, data) == theirs[key], f"{name}: {key}"
                # Every edit committed before a kill reached the server.
                journal = (tmp_path / f"{name}.journal").read_text().split("\n")
                written = {line.split()[0] for line in journal if line.strip()}
                assert written, "the workers made no edits"
                present = {rid for (kind, rid) in theirs if kind == "clients"}
                assert written <= present, f"{name} lost {written - present}"
            finally:
                db.close()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


class _World:
    def __init__(self, server: object) -> None:
        self.engine = server.engine  # type: ignore[attr-defined]
