"""`vitrine camera-sim`, profiles, and `state()` as the studio's video source reads it."""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import main
from camera.sim import PROFILES, CameraSimulator, get_profile
from tests.camera.sim.conftest import Start
from tests.camera.sim.peers import TcpPeer, h, wait_until

ROOT = Path(__file__).resolve().parents[3]


def _first_line(process: subprocess.Popen[str], timeout: float = 30.0) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise TimeoutError("the simulator printed no URL")
    return process.stdout.readline().strip()


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT])
def test_cli_prints_the_url_serves_and_exits_cleanly(stop_with: signal.Signals) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "main.py",
            "camera-sim",
            "--profile",
            "ptzoptics",
            "--bind",
            "127.0.0.1:0",
            "-v",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        url = _first_line(process)
        assert url.startswith("visca+tcp://127.0.0.1:") and url.endswith("?profile=ptzoptics")
        port = int(url.split(":")[2].split("?")[0])
        peer = TcpPeer("127.0.0.1", port)
        assert peer.ask(h("81 09 04 00 FF")) == h("90 50 02 FF")
        peer.close()
        process.send_signal(stop_with)
        _, err = process.communicate(timeout=15)
        assert process.returncode == 0, err
        assert "<- 81 09 04 00 FF" in err  # -v logs every message
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_cli_refuses_bad_faults_with_exit_code_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["camera-sim", "--faults", "drop=lots"]) == 2
    assert "bad --faults: drop: 'lots' is not a probability" in capsys.readouterr().err


def test_cli_reports_a_taken_port_with_exit_code_1(capsys: pytest.CaptureFixture[str]) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = taken.getsockname()[1]
        code = main.main(["camera-sim", "--transport", "tcp", "--bind", f"127.0.0.1:{port}"])
        assert code == 1
        assert "cannot open tcp" in capsys.readouterr().err
    finally:
        taken.close()


def test_cli_is_listed_among_the_verbs() -> None:
    args = main.build_parser().parse_args(
        ["camera-sim", "--profile", "birddog", "--seed", "3", "--faults", "delay=5ms"]
    )
    assert (args.verb, args.profile, args.seed, args.transport) == (
        "camera-sim",
        "birddog",
        3,
        None,
    )


def test_profiles_differ_where_the_makers_do() -> None:
    sony, ptz, bird, raw = (get_profile(n) for n in ("sony", "ptzoptics", "birddog", "raw"))
    assert (sony.transport, sony.port, ptz.transport, ptz.port) == ("udp", 52381, "tcp", 5678)
    assert (bird.transport, raw.transport, raw.port) == ("udp", "raw-udp", 1259)
    assert (sony.tilt_speed_max, ptz.tilt_speed_max, bird.tilt_speed_max) == (0x17, 0x14, 0x14)
    assert sony.pan_max == 0x2200 and sony.pan_min == -0x2200 and sony.tilt_min == -0x400
    assert sony.pan_max / sony.pan_units_per_degree == pytest.approx(170)
    assert sony.tilt_max / sony.tilt_units_per_degree == pytest.approx(90)
    assert ptz.pan_max / ptz.pan_units_per_degree == pytest.approx(170)
    assert bird.pan_max / bird.pan_units_per_degree == pytest.approx(175)
    assert (sony.preset_last, ptz.preset_last, bird.preset_last) == (0x0F, 0xFE, 0x3F)
    assert ptz.menu_preset == 0x5F and sony.menu_preset is None
    assert get_profile("sony-5nibble").pan_nibbles == 5
    assert get_profile("ptzoptics-g3").ack_header_a0 and not ptz.ack_header_a0
    assert sony.pan_dps(1) == pytest.approx(1.1) and sony.pan_dps(0x18) == pytest.approx(101)
    assert all(p.pan_dps(n) < p.pan_dps(n + 1) for p in PROFILES.values() for n in range(1, 20))
    with pytest.raises(ValueError, match="unknown camera profile"):
        get_profile("canon")
    with pytest.raises(ValueError, match="unknown transport"):
        CameraSimulator("sony", "usb")


def test_state_never_waits_for_the_network_threads(start: Start) -> None:
    sim = start("sony", "tcp")
    peer = TcpPeer(sim.host, sim.port)
    try:
        assert peer.ask(h("81 01 06 01 10 10 02 03 FF")) == h("90 41 FF")
        # Hold the lock the network threads use: a reader must still get fresh states.
        with sim.model._lock:
            first = sim.state()
            time.sleep(0.1)
            second = sim.state()
        assert second.pan > first.pan and second.at > first.at
    finally:
        peer.close()


def test_state_read_thirty_times_a_second_while_commands_run(start: Start) -> None:
    sim = start("ptzoptics", "tcp")
    readings: list[float] = []
    slowest = [0.0]
    stop = threading.Event()

    def video_source() -> None:
        while not stop.is_set():
            began = time.perf_counter()
            state = sim.state()
            slowest[0] = max(slowest[0], time.perf_counter() - began)
            readings.append(state.pan_deg)
            time.sleep(1 / 30)

    reader = threading.Thread(target=video_source)
    reader.start()
    peer = TcpPeer(sim.host, sim.port)
    try:
        for _ in range(5):
            peer.send(h("81 01 06 01 18 14 02 01 FF"))
            time.sleep(0.05)
            peer.send(h("81 01 06 01 18 14 03 03 FF"))
            peer.send(h("81 09 06 12 FF"))
        assert wait_until(lambda: len(readings) > 15)
    finally:
        stop.set()
        reader.join()
        peer.close()
    assert readings[-1] > 0
    assert slowest[0] < 0.05  # microseconds really; loose for a busy machine
    frozen = sim.state()
    with pytest.raises(AttributeError):
        frozen.pan = 1  # type: ignore[misc]
