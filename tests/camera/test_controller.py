"""The project's controller against the simulator over every transport (serial through a
pty), with faults: loss, a restarted camera, random bytes, unanswered inquiries."""

from __future__ import annotations

import argparse
import random
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from camera import visca
from camera.controller import CameraController, CameraError, CameraEvent
from camera.sim import CameraSimulator

LINKS = [("sony", "udp"), ("raw", "raw-udp"), ("ptzoptics", "tcp"), ("sony", "serial")]


def until(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.005)
    return check()


@pytest.fixture(params=LINKS, ids=[f"{p}-{t}" for p, t in LINKS])
def rig(request: pytest.FixtureRequest) -> Iterator[tuple[CameraSimulator, CameraController]]:
    profile, transport = request.param
    with (
        CameraSimulator(profile=profile, transport=transport) as sim,
        CameraController(sim.url) as cam,
    ):
        assert until(lambda: cam.state.connected), cam.state
        yield sim, cam


def test_drive_and_stop_over_every_link(rig: tuple[CameraSimulator, CameraController]) -> None:
    sim, cam = rig
    start = sim.state().pan_deg
    cam.drive(10, 0)
    assert until(lambda: sim.state().pan_tilt_moving)
    time.sleep(0.2)
    cam.stop().result(2)
    assert until(lambda: not sim.state().pan_tilt_moving, 1.0)
    stopped_at = sim.state().pan_deg
    assert stopped_at > start  # positive pan speed turns right
    time.sleep(0.2)
    assert sim.state().pan_deg == pytest.approx(stopped_at)
    assert until(lambda: not cam.state.moving)


def test_positions_presets_and_the_off_preset_mark(
    rig: tuple[CameraSimulator, CameraController],
) -> None:
    sim, cam = rig
    target = (int(20 * cam.dialect.pan_per_degree), int(5 * cam.dialect.tilt_per_degree))
    cam.move_to(*target).result(10)
    assert (sim.state().pan, sim.state().tilt) == target
    assert cam.position().result(2) == target
    cam.zoom_to(0x2000).result(10)
    assert sim.state().zoom_raw == 0x2000
    cam.preset_set(3).result(2)
    cam.home().result(10)
    assert (sim.state().pan, sim.state().tilt) == (0, 0)
    cam.preset_recall(3).result(10)
    assert (sim.state().pan, sim.state().tilt, sim.state().zoom_raw) == (*target, 0x2000)
    assert (cam.state.preset, cam.state.off_preset) == (3, False)
    cam.drive(0, 5)
    assert until(lambda: cam.state.off_preset)
    cam.stop().result(2)
    state = cam.refresh()
    assert (state.pan, state.tilt) == (sim.state().pan, sim.state().tilt)


def test_commands_beyond_two_sockets_wait_their_turn() -> None:
    with CameraSimulator(profile="sony", transport="udp") as sim, CameraController(sim.url) as cam:
        d = cam.dialect
        slow = [
            cam.move_to(int(90 * d.pan_per_degree), 0, speed=2),
            cam.zoom_to(0x4000),
            cam.submit(visca.focus_mode(d, visca.FocusMode.MANUAL)),
            cam.submit(visca.focus_direct(d, 0x800)),
        ]
        assert until(lambda: len(sim.state().busy_sockets) == 2)
        cam.stop()  # frees the pan/tilt socket: the rest go through, none is refused
        for future in slow[1:]:
            future.result(15)


def test_a_stop_lands_through_heavy_loss_every_time() -> None:
    faults = "drop=0.3,dup=0.05,reorder=0.1,seed=11"
    with (
        CameraSimulator(profile="sony", transport="udp", faults=faults) as sim,
        CameraController(sim.url, poll=False) as cam,
    ):
        for i in range(15):
            cam.drive(8 if i % 2 else -8, 0)
            assert until(lambda: sim.state().pan_tilt_moving, 3)
            cam.stop()
            assert until(lambda: not sim.state().pan_tilt_moving, 2), f"stop {i} never landed"
        assert cam.state.resends > 0


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_a_restarted_camera_is_reconnected_without_help(transport: str) -> None:
    profile = "sony" if transport == "udp" else "ptzoptics"
    events: list[CameraEvent] = []
    first = CameraSimulator(profile=profile, transport=transport).start()
    port = first.port
    with CameraController(first.url, listener=events.append) as cam:
        assert until(lambda: cam.state.connected)
        cam.move_to(100, 0).result(5)
        first.stop()
        with pytest.raises(CameraError):
            cam.move_to(200, 0).result(10)
        assert until(lambda: not cam.state.connected, 10)
        with CameraSimulator(
            profile=profile, transport=transport, bind=f"127.0.0.1:{port}"
        ) as again:
            assert until(lambda: cam.state.connected, 15)
            cam.move_to(300, 0).result(5)
            assert again.state().pan == 300
    kinds = [e.kind for e in events]
    assert "disconnected" in kinds and kinds.count("connected") >= 2


def test_a_camera_that_never_answers_inquiries_still_moves() -> None:
    with (
        CameraSimulator(profile="sony", transport="udp", faults="mute-inquiries") as sim,
        CameraController(sim.url) as cam,
    ):
        assert until(lambda: cam.state.connected)
        assert until(lambda: not cam.state.answers_inquiries, 20)
        cam.move_to(500, 0).result(5)
        assert sim.state().pan == 500
        assert cam.state.connected


def test_unknown_errors_and_network_changes_are_survived() -> None:
    events: list[CameraEvent] = []
    faults = "unknown=0.3,netchange=0.2s,garbage=0.2,seed=5"
    with (
        CameraSimulator(profile="ptzoptics", transport="tcp", faults=faults) as sim,
        CameraController(sim.url, listener=events.append) as cam,
    ):
        done = 0
        for n in range(20):
            try:
                cam.move_to(10 * n, 0).result(5)
                done += 1
            except CameraError as exc:
                assert "0x0f" in str(exc) or "answer" in str(exc)
        time.sleep(1.0)  # a few network-change announcements
        assert done > 0 and cam.state.connected
        assert any(e.kind == "notice" and "network" in e.text for e in events)
        assert sim.state().power


@pytest.mark.parametrize("kind", ["tcp", "udp"])
def test_random_bytes_from_the_camera_never_crash_the_controller(kind: str) -> None:
    rng = random.Random(7)
    stop = threading.Event()
    server = socket.socket(
        socket.AF_INET, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM
    )
    server.bind(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def babble() -> None:
        if kind == "tcp":
            server.listen(1)
            conn, _ = server.accept()
            while not stop.is_set():
                conn.sendall(rng.randbytes(rng.randrange(1, 64)))
                time.sleep(0.001)
            conn.close()
        else:
            _data, peer = server.recvfrom(64)
            while not stop.is_set():
                junk = rng.randbytes(rng.randrange(1, 40))
                if rng.random() < 0.3:  # a header that looks right over junk
                    junk = struct.pack(">HHI", 0x0111, len(junk), rng.randrange(5)) + junk
                server.sendto(junk, peer)
                time.sleep(0.001)

    thread = threading.Thread(target=babble, daemon=True)
    thread.start()
    url = f"visca+{'tcp' if kind == 'tcp' else 'udp'}://127.0.0.1:{port}?profile=sony"
    cam = CameraController(url).start()
    try:
        for _ in range(20):
            cam.drive(3, 0)
            cam.stop()
            time.sleep(0.02)
        time.sleep(0.5)
        assert cam.state.noise > 0
        assert cam._thread is not None and cam._thread.is_alive()
    finally:
        stop.set()
        cam.close()
        server.close()


def test_sequence_errors_reset_the_numbers_and_the_commands_still_run() -> None:
    with (
        CameraSimulator(profile="sony", transport="udp", faults="seqerr=0.25,seed=3") as sim,
        CameraController(sim.url, poll=False) as cam,
    ):
        for n in range(1, 11):
            cam.move_to(25 * n, 0).result(5)
            assert sim.state().pan == 25 * n


def test_an_offline_camera_refuses_moves_at_once_and_the_cli_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from camera import cli

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"visca+tcp://127.0.0.1:{port}?profile=ptzoptics"
    with CameraController(url) as cam, pytest.raises(CameraError, match="offline"):
        cam.move_to(100, 0).result(5)
    parser = argparse.ArgumentParser()
    cli.add_parser(parser.add_subparsers(dest="verb"))
    args = parser.parse_args(["camera", "--camera", url, "--timeout", "1", "move", "left"])
    assert cli.run(args) == cli.EXIT_UNREACHABLE
    assert "offline" in capsys.readouterr().err


def test_several_cameras_at_once_each_on_its_own_link() -> None:
    with (
        CameraSimulator(profile="sony", transport="udp") as a,
        CameraSimulator(profile="birddog", transport="udp") as b,
        CameraSimulator(profile="ptzoptics", transport="tcp") as c,
        CameraController(a.url) as cam_a,
        CameraController(b.url) as cam_b,
        CameraController(c.url) as cam_c,
    ):
        futures = [cam_a.move_to(100, 10), cam_b.move_to(-200, 20), cam_c.move_to(300, -30)]
        for f in futures:
            f.result(10)
        assert [(s.state().pan, s.state().tilt) for s in (a, b, c)] == [
            (100, 10),
            (-200, 20),
            (300, -30),
        ]


def test_a_stop_asked_for_just_before_closing_still_goes_out() -> None:
    with CameraSimulator(profile="sony", transport="udp") as sim:
        cam = CameraController(sim.url, poll=False).start()
        assert until(lambda: cam.state.connected)
        cam.drive(6, 0)
        assert until(lambda: sim.state().pan_tilt_moving)
        cam.stop()
        cam.close()
        assert until(lambda: not sim.state().pan_tilt_moving, 1.0)
