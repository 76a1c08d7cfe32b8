"""The command-line verbs, run as a person runs them: a real process on a real book."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def vitrine(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}: {result.stderr}")
    return result


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "book.db"
    out = vitrine("seed", "--clients", "800", "--db", str(path), "--no-images")
    assert "Seeded 800 clients" in out.stdout
    return path


def test_search_json_returns_ranked_accent_insensitive_matches(seeded: Path) -> None:
    out = vitrine("search", "zoe", "--db", str(seeded), "--json")
    data = json.loads(out.stdout)
    assert data["query"] == "zoe" and data["count"] == len(data["results"]) > 0
    first = data["results"][0]
    assert set(first) >= {"id", "display_name", "tier", "email", "phone", "home_store"}
    assert all(
        "zo" in r["display_name"].lower().replace("é", "e") or r["email"] for r in data["results"]
    )
    exact = [r for r in data["results"] if r["display_name"].split()[0] in ("Zoé", "Zoe")]
    assert data["results"][: len(exact)] == exact  # whole-word name matches come first


def test_db_may_come_before_the_verb(seeded: Path) -> None:
    out = vitrine("--db", str(seeded), "search", "a", "--limit", "3", "--json")
    assert json.loads(out.stdout)["count"] == 3


def test_client_show_prints_the_profile(seeded: Path) -> None:
    hit = json.loads(vitrine("search", "", "--db", str(seeded), "--json", "--tier", "vvip").stdout)[
        "results"
    ][0]
    text = vitrine("client", "show", hit["id"], "--db", str(seeded)).stdout
    assert hit["display_name"] in text and "Lifetime spend" in text
    profile = json.loads(vitrine("client", "show", hit["id"], "--db", str(seeded), "--json").stdout)
    assert profile["id"] == hit["id"] and profile["tier"] == "vvip"
    assert profile["purchases"] and profile["purchases"][0]["lines"]


def test_doctor_reports_a_healthy_book(seeded: Path) -> None:
    report = json.loads(vitrine("doctor", "--db", str(seeded), "--json").stdout)
    assert report["integrity"] == "ok" and report["problems"] == []
    assert report["counts"]["clients"] == 800 == report["search_index_rows"]
    assert report["schema_revision"] == report["schema_head"]


def test_errors_are_clear_and_exit_non_zero(seeded: Path, tmp_path: Path) -> None:
    missing = vitrine("search", "x", "--db", str(tmp_path / "none.db"), check=False)
    assert missing.returncode == 1 and "no book at" in missing.stderr
    assert not (tmp_path / "none.db").exists()
    unknown = vitrine(
        "client", "show", "01890000-0000-7000-8000-000000000000", "--db", str(seeded), check=False
    )
    assert unknown.returncode == 1 and "no client with id" in unknown.stderr
    again = vitrine("seed", "--clients", "5", "--db", str(seeded), check=False)
    assert again.returncode == 1 and "already holds 800 clients" in again.stderr
    bad = vitrine("client", "show", "not-a-uuid", "--db", str(seeded), check=False)
    assert bad.returncode == 2 and "invalid UUID" in bad.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("seed", "--clients", "-5"),
        ("search", "x", "--not-contacted", "800000"),
        ("search", "x", "--limit", "-1"),
        ("search", "x", "--birthday-within", "many"),
    ],
)
def test_out_of_range_options_are_refused_before_any_work(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    result = vitrine(*args, "--db", str(tmp_path / "b.db"), check=False)
    assert result.returncode == 2 and "usage:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "b.db").exists()


def test_a_full_disk_mid_seed_is_a_clear_error_and_keeps_what_was_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real SQLITE_FULL: every connection may grow the file to a few megabytes only."""
    from sqlalchemy import Engine, event

    import main as cli
    from app.demo import book as demo

    def cap(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.execute("PRAGMA max_page_count = 2500")  # 10 MB of 4 KiB pages

    path = tmp_path / "full.db"
    event.listen(Engine, "connect", cap)
    try:
        original = demo.BATCH
        demo.BATCH = 500  # several committed batches before the disk "fills"
        code = cli.main(["seed", "--clients", "20000", "--db", str(path), "--no-images"])
    finally:
        demo.BATCH = original
        event.remove(Engine, "connect", cap)
    err = capsys.readouterr().err
    assert code == 3
    assert "could not be written" in err and "full" in err
    assert "Traceback" not in err
    # Opening the book again finds it consistent, its index rebuilt over what was kept.
    report = json.loads(vitrine("doctor", "--db", str(path), "--json").stdout)
    assert report["integrity"] == "ok" and report["problems"] == []
    assert 0 < report["counts"]["clients"] < 20000
    assert report["search_index_rows"] == report["counts"]["clients"]


def test_record_refuses_without_consent_then_stores_the_session(
    seeded: Path, tmp_path: Path
) -> None:
    from sqlalchemy import select

    from app.context import open_context
    from models import Client

    ctx = open_context(seeded)
    try:
        with ctx.unit_of_work() as s:
            cid = s.session.scalars(select(Client.id).order_by(Client.id.desc()).limit(1)).one()
    finally:
        ctx.db.close()
    out = tmp_path / "session.mp4"
    args = ("record", "--camera", "sim", "--seconds", "2", "--width", "640", "--height", "360")
    refused = vitrine(*args, "--out", str(out), "--client", str(cid), "--db", str(seeded),
                      check=False)  # fmt: skip
    assert refused.returncode == 3, refused.stderr
    assert "not agreed" in refused.stderr and not out.exists()
    ctx = open_context(seeded)
    try:
        with ctx.unit_of_work() as s:
            s.activity.record_consent(cid, "video", "session_recording", "granted", "verbal", "Yes")
    finally:
        ctx.db.close()
    done = vitrine(*args, "--out", str(out), "--client", str(cid), "--db", str(seeded))
    assert "stored as session" in done.stdout
    info = json.loads(vitrine("replay-info", str(out), "--json").stdout)
    assert 1.5 <= info["duration"] <= 2.5
    shown = json.loads(vitrine("client", "show", str(cid), "--json", "--db", str(seeded)).stdout)
    assert len(shown["studio_sessions"]) == 1
    assert shown["studio_sessions"][0]["status"] == "finished"
