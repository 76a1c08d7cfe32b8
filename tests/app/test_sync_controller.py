"""The desktop's sync controller against a real in-process server and real workstation books."""

from __future__ import annotations

import threading
import time as clock
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from app.sync import (
    DEFAULT_WINDOW,
    SyncController,
    SyncMode,
    last_due,
    next_run,
    parse_window,
    retry_delay,
)
from models.database import open_database
from sync.engine import NotEnrolled, SyncCancelled
from sync.transport import HttpTransport
from tests.sync.harness import ServerWorld, Workstation

TIMEOUT_MS = 15_000
PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


# --- the schedule ---------------------------------------------------------------------------


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_next_run_is_tonight_before_the_window_and_tomorrow_after_it() -> None:
    evening = datetime(2026, 6, 10, 21, 0, tzinfo=PARIS)
    assert next_run(evening, DEFAULT_WINDOW, PARIS) == datetime(2026, 6, 11, 2, 0, tzinfo=PARIS)
    small_hours = datetime(2026, 6, 11, 1, 59, tzinfo=PARIS)
    assert next_run(small_hours, DEFAULT_WINDOW, PARIS) == datetime(2026, 6, 11, 2, 0, tzinfo=PARIS)
    exactly = datetime(2026, 6, 11, 2, 0, tzinfo=PARIS)
    assert next_run(exactly, DEFAULT_WINDOW, PARIS) == datetime(2026, 6, 12, 2, 0, tzinfo=PARIS)
    assert next_run(exactly, DEFAULT_WINDOW, PARIS).tzinfo == UTC


def test_next_run_when_the_clocks_skip_the_window() -> None:
    # 29 March 2026, Paris: 02:00 CET jumps to 03:00 CEST; 02:00-02:59 never happens.
    before = datetime(2026, 3, 28, 23, 0, tzinfo=PARIS)
    assert next_run(before, DEFAULT_WINDOW, PARIS) == utc(2026, 3, 29, 1, 0)  # 03:00 CEST
    assert next_run(before, time(2, 30), PARIS) == utc(2026, 3, 29, 1, 30)  # once, that night
    # The night after runs at 02:00 summer time again.
    after = utc(2026, 3, 29, 1, 0)
    assert next_run(after, DEFAULT_WINDOW, PARIS) == utc(2026, 3, 30, 0, 0)


def test_next_run_when_the_window_happens_twice_runs_once() -> None:
    # 25 October 2026, Paris: 03:00 CEST falls back to 02:00 CET; 02:30 occurs twice.
    window = time(2, 30)
    first = utc(2026, 10, 25, 0, 30)  # 02:30 CEST
    assert next_run(datetime(2026, 10, 24, 22, 0, tzinfo=PARIS), window, PARIS) == first
    # Just after the first 02:30, and again during the repeated hour: not the second 02:30.
    for now in (first + timedelta(minutes=1), utc(2026, 10, 25, 1, 15)):
        assert next_run(now, window, PARIS) == utc(2026, 10, 26, 1, 30)  # 02:30 CET tomorrow
    # New York falls back a week later, at 02:00 EDT -> 01:00 EST: 01:30 occurs twice.
    ny = next_run(datetime(2026, 10, 31, 23, 0, tzinfo=NEW_YORK), time(1, 30), NEW_YORK)
    assert ny == utc(2026, 11, 1, 5, 30)  # 01:30 EDT, the first one
    assert next_run(ny, time(1, 30), NEW_YORK) == utc(2026, 11, 2, 6, 30)


def test_last_due_and_window_text() -> None:
    now = datetime(2026, 6, 11, 9, 0, tzinfo=PARIS)
    assert last_due(now, DEFAULT_WINDOW, PARIS) == datetime(2026, 6, 11, 2, 0, tzinfo=PARIS)
    early = datetime(2026, 6, 11, 1, 0, tzinfo=PARIS)
    assert last_due(early, DEFAULT_WINDOW, PARIS) == datetime(2026, 6, 10, 2, 0, tzinfo=PARIS)
    assert parse_window("23:15") == time(23, 15)
    assert parse_window(" 7:05 ") == time(7, 5)
    for bad in (None, "", "25:00", "12:60", "noon", "12"):
        assert parse_window(bad) == DEFAULT_WINDOW
    with pytest.raises(ValueError):
        next_run(datetime(2026, 6, 11, 9, 0), DEFAULT_WINDOW, PARIS)


def test_retries_back_off_to_a_ceiling() -> None:
    assert [retry_delay(n) for n in range(6)] == [60, 120, 240, 480, 900, 900]
    assert retry_delay(1000) == 900


# --- a real world ---------------------------------------------------------------------------


class Gate:
    """Wraps the real transport; holds the chosen request until released, and can unplug."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.hold: str | None = None
        self.held = threading.Event()
        self.release = threading.Event()
        self.online = True
        self.dead = HttpTransport("http://127.0.0.1:9", timeout=2.0)  # nothing listens there

    def post(self, path: str, body: dict[str, Any], token: str | None) -> Any:
        if not self.online:
            return self.dead.post(path, body, token)
        if path == self.hold:
            self.held.set()
            self.release.wait(10)
        return self.inner.post(path, body, token)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[ServerWorld]:
    w = ServerWorld(f"sqlite:///{tmp_path / 'server.db'}")
    w.server.add_store("PAR1", "Paris", country="FR", timezone="Europe/Paris")
    w.server.add_store("LON1", "London", country="GB", timezone="Europe/London", currency="GBP")
    yield w
    w.close()


@pytest.fixture
def stations(world: ServerWorld, tmp_path: Path) -> Iterator[tuple[Workstation, Workstation]]:
    a = Workstation("A", tmp_path / "a.db", world)
    b = Workstation("B", tmp_path / "b.db", world)
    for ws in (a, b):
        ws.open()
        ws.enroll("PAR1")
        ws.sync()
    yield a, b
    for ws in (a, b):
        ws.close()


ControllerFor = Callable[..., SyncController]


@pytest.fixture
def controller_for(qtbot: QtBot, world: ServerWorld) -> Iterator[ControllerFor]:
    made: list[SyncController] = []

    def make(ws: Workstation, gate: Gate | None = None, **options: Any) -> SyncController:
        transport = gate if gate is not None else world.transport()
        assert ws.db is not None
        controller = SyncController(ws.db, lambda _url: transport, ws.tokens, **options)
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.shutdown()


def started(qtbot: QtBot, controller: SyncController) -> None:
    with qtbot.waitSignal(controller.status_changed, timeout=TIMEOUT_MS):
        controller.start()


def synced(qtbot: QtBot, controller: SyncController) -> Any:
    with qtbot.waitSignal(controller.finished, timeout=TIMEOUT_MS) as done:
        assert controller.sync_now()
    return done.args[0]


def test_sync_now_brings_changes_reports_progress_and_says_so(
    qtbot: QtBot, stations: tuple[Workstation, Workstation], controller_for: ControllerFor
) -> None:
    a, b = stations
    cid = a.create_client("Zoé", "Martin", city="Paris")
    a.sync()
    controller = controller_for(b)
    started(qtbot, controller)
    assert controller.state.mode == SyncMode.IDLE
    assert controller.schedule_timer.isActive()
    assert controller.state.next_run_at is not None
    previous_ok = controller.state.last_ok_at

    phases: list[str] = []
    controller.progress.connect(lambda p: phases.append(p.phase))
    on_gui: list[bool] = []
    controller.progress.connect(
        lambda _p: on_gui.append(threading.current_thread() is threading.main_thread())
    )
    changed: list[bool] = []
    controller.data_changed.connect(lambda: changed.append(True))
    clock.sleep(1.1)  # last_ok_at has a one-second resolution
    report = synced(qtbot, controller)

    assert report.pulled >= 1
    assert "hello" in phases and "pull" in phases
    assert on_gui and all(on_gui), "signals reach the GUI thread only"
    assert changed, "a sync that received changes tells the views"
    state = controller.state
    assert state.mode == SyncMode.IDLE and state.error is None and not controller.running
    assert state.last_ok_at is not None and (previous_ok is None or state.last_ok_at > previous_ok)
    assert b.scalar("SELECT city FROM clients WHERE id = ?", cid.bytes) == "Paris"


def test_cancel_stops_the_sync_and_the_next_one_finishes(
    qtbot: QtBot,
    stations: tuple[Workstation, Workstation],
    world: ServerWorld,
    controller_for: ControllerFor,
) -> None:
    a, b = stations
    cid = a.create_client("Hugo", "Laurent")
    a.sync()
    gate = Gate(world.transport())
    gate.hold = "/v1/hello"
    controller = controller_for(b, gate)
    started(qtbot, controller)

    with qtbot.waitSignal(controller.failed, timeout=TIMEOUT_MS) as failure:
        assert controller.sync_now()
        assert not controller.sync_now(), "one sync at a time"
        assert gate.held.wait(10)
        controller.cancel()
        gate.release.set()

    assert isinstance(failure.args[0], SyncCancelled)
    assert controller.state.cancelled and controller.state.mode == SyncMode.IDLE
    assert not controller.retry_timer.isActive(), "a cancel is not retried"
    assert b.scalar("SELECT count(*) FROM clients WHERE id = ?", cid.bytes) == 0

    gate.hold = None
    synced(qtbot, controller)
    assert b.scalar("SELECT count(*) FROM clients WHERE id = ?", cid.bytes) == 1


def test_a_lost_edit_is_a_conflict_and_keep_mine_wins_it_back(
    qtbot: QtBot, stations: tuple[Workstation, Workstation], controller_for: ControllerFor
) -> None:
    a, b = stations
    cid = a.create_client("Zoé", "Martin", city="Paris")
    a.sync()
    b.sync()
    b.edit_client(cid, city="Nice")
    clock.sleep(0.01)
    a.edit_client(cid, city="Lyon")  # later: it wins
    a.sync()
    controller = controller_for(b)
    started(qtbot, controller)
    report = synced(qtbot, controller)

    assert report.conflicts == 1
    status = controller.state.status
    assert status is not None and len(status.conflicts) == 1
    conflict = status.conflicts[0]
    assert (conflict.field, conflict.mine, conflict.winning) == ("city", "Nice", "Lyon")
    assert conflict.winner.startswith("A") and conflict.client_name == "Zoé Martin"
    assert b.scalar("SELECT city FROM clients WHERE id = ?", cid.bytes) == "Lyon"

    with qtbot.waitSignal(controller.data_changed, timeout=TIMEOUT_MS):
        controller.keep_mine(conflict.id)
    status = controller.state.status
    assert status is not None and status.conflicts == [] and status.pending == 1
    assert b.scalar("SELECT city FROM clients WHERE id = ?", cid.bytes) == "Nice"
    assert b.scalar("SELECT fields FROM sync_outbox WHERE status = 'pending'").count("Nice") == 1

    synced(qtbot, controller)
    assert controller.state.pending == 0
    a.sync()
    assert a.scalar("SELECT city FROM clients WHERE id = ?", cid.bytes) == "Nice"


def test_keep_theirs_closes_the_conflict_without_an_edit(
    qtbot: QtBot, stations: tuple[Workstation, Workstation], controller_for: ControllerFor
) -> None:
    a, b = stations
    cid = a.create_client("Anna", "Weber", city="Paris")
    a.sync()
    b.sync()
    b.edit_client(cid, city="Nice")
    clock.sleep(0.01)
    a.edit_client(cid, city="Lyon")
    a.sync()
    controller = controller_for(b)
    started(qtbot, controller)
    synced(qtbot, controller)
    status = controller.state.status
    assert status is not None
    with qtbot.waitSignal(controller.status_changed, timeout=TIMEOUT_MS):
        controller.keep_theirs(status.conflicts[0].id)
    status = controller.state.status
    assert status is not None and status.conflicts == [] and status.pending == 0


def test_a_rejected_edit_is_kept_with_its_reason_until_dismissed(
    qtbot: QtBot, stations: tuple[Workstation, Workstation], controller_for: ControllerFor
) -> None:
    _a, b = stations
    london = uuid.UUID(bytes=b.scalar("SELECT id FROM stores WHERE code = 'LON1'"))
    b.create_client("Hugo", "Laurent", home_store_id=london)
    controller = controller_for(b)
    started(qtbot, controller)
    report = synced(qtbot, controller)

    assert report.rejected == 1
    status = controller.state.status
    assert status is not None and len(status.rejected) == 1
    rejected = status.rejected[0]
    assert rejected.reason == "a workstation creates clients for its own store only"
    assert rejected.fields["family_name"] == "Laurent"
    assert controller.state.pending == 0, "a rejected edit is never sent again"

    with qtbot.waitSignal(controller.status_changed, timeout=TIMEOUT_MS):
        controller.dismiss(rejected.mutation_id)
    status = controller.state.status
    assert status is not None and status.rejected == []


def test_an_unreachable_server_means_offline_and_a_retry_until_it_is_back(
    qtbot: QtBot,
    stations: tuple[Workstation, Workstation],
    world: ServerWorld,
    controller_for: ControllerFor,
) -> None:
    _a, b = stations
    cid = b.create_client("Léa", "Moreau")
    gate = Gate(world.transport())
    gate.online = False
    controller = controller_for(b, gate)
    started(qtbot, controller)
    with qtbot.waitSignal(controller.failed, timeout=TIMEOUT_MS):
        controller.sync_now()

    state = controller.state
    assert state.mode == SyncMode.OFFLINE
    assert state.pending == 1
    assert controller.retry_timer.isActive() and controller.retry_timer.interval() == 60_000
    assert state.retry_at is not None
    # A second failure waits longer.
    with qtbot.waitSignal(controller.failed, timeout=TIMEOUT_MS):
        controller.sync_now()
    assert controller.retry_timer.interval() == 120_000

    # Back online: the retry (made short here) syncs without anyone asking.
    fast = controller_for(b, gate, retry_first_s=0.2)
    started(qtbot, fast)
    with qtbot.waitSignal(fast.failed, timeout=TIMEOUT_MS):
        fast.sync_now()
    assert fast.retry_timer.isActive()
    gate.online = True
    with qtbot.waitSignal(fast.finished, timeout=TIMEOUT_MS):
        pass
    assert fast.state.mode == SyncMode.IDLE and not fast.retry_timer.isActive()
    assert fast.state.pending == 0
    assert world.server is not None
    b_view = b.scalar("SELECT server_version FROM clients WHERE id = ?", cid.bytes)
    assert b_view is not None and b_view > 0, "the server has the edit made offline"


def test_a_local_book_stays_idle_and_is_never_written(qtbot: QtBot, tmp_path: Path) -> None:
    db = open_database(tmp_path / "local.db")
    try:
        controller = SyncController(db, lambda _url: HttpTransport("http://127.0.0.1:9"))
        started(qtbot, controller)
        assert controller.state.mode == SyncMode.NOT_ENROLLED
        assert not controller.schedule_timer.isActive()
        with qtbot.waitSignal(controller.failed, timeout=TIMEOUT_MS) as failure:
            controller.sync_now()
        assert isinstance(failure.args[0], NotEnrolled)
        assert controller.state.mode == SyncMode.NOT_ENROLLED
        assert not controller.retry_timer.isActive()
        with db.engine.connect() as conn:
            keys = conn.exec_driver_sql("SELECT key FROM local_meta WHERE key LIKE 'sync%'").all()
        assert keys == []
        controller.shutdown()
    finally:
        db.close()


def test_the_nightly_window_starts_a_sync_and_moves_to_the_next_night(
    qtbot: QtBot, stations: tuple[Workstation, Workstation], controller_for: ControllerFor
) -> None:
    a, b = stations
    cid = a.create_client("Inès", "Roux")
    a.sync()
    fake = {"now": datetime.now(UTC)}
    controller = controller_for(b, now=lambda: fake["now"], zone=UTC)
    # The window is one second away on the fake clock.
    window = (fake["now"] + timedelta(seconds=1)).time().replace(second=0, microsecond=0)
    fake["now"] = datetime.combine(fake["now"].date(), window, tzinfo=UTC) - timedelta(seconds=1)
    with qtbot.waitSignal(controller.state_changed, timeout=TIMEOUT_MS):
        controller.set_window(window)
    qtbot.waitUntil(lambda: controller.state.window == window, timeout=TIMEOUT_MS)
    due = controller.state.next_run_at
    assert due == fake["now"] + timedelta(seconds=1)
    assert controller.schedule_timer.isActive()
    assert b.scalar("SELECT value FROM local_meta WHERE key = 'sync_window'") == (
        f"{window.hour:02d}:{window.minute:02d}"
    )

    fake["now"] = due + timedelta(seconds=1)
    with qtbot.waitSignal(controller.finished, timeout=TIMEOUT_MS):
        pass  # the timer fires on its own
    assert b.scalar("SELECT count(*) FROM clients WHERE id = ?", cid.bytes) == 1
    assert controller.state.next_run_at == due + timedelta(days=1)


def test_a_missed_window_is_caught_up_at_start(
    qtbot: QtBot, stations: tuple[Workstation, Workstation], controller_for: ControllerFor
) -> None:
    a, b = stations
    cid = a.create_client("Marc", "Petit")
    a.sync()
    later = datetime.now(UTC) + timedelta(days=2)  # the workstation was off two nights
    controller = controller_for(b, now=lambda: later)
    with qtbot.waitSignal(controller.finished, timeout=TIMEOUT_MS):
        controller.start()
    assert b.scalar("SELECT count(*) FROM clients WHERE id = ?", cid.bytes) == 1
