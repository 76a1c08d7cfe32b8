"""An independent client, the `visca-over-ip` package (0.5.2), drives the Sony profile and gets
the answers a real camera would give.

That package binds local UDP 52381 (on every address) for its inquiries, so the simulator
listens on 127.0.0.2:52381, both with SO_REUSEADDR: the camera's replies to 127.0.0.1:52381
reach the client's inquiry socket and never loop back into the simulator. Two such pairs on one
machine would hear each other, so these tests take a machine-wide lock and skip when another
program already holds port 52381.
"""

from __future__ import annotations

import fcntl
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from camera.sim import CameraSimulator
from tests.camera.sim.peers import wait_until

visca_over_ip = pytest.importorskip("visca_over_ip")


@pytest.fixture(scope="module")
def port_52381() -> Iterator[None]:
    """Hold the machine-wide lock on port 52381 for this module's tests."""
    with open(Path(tempfile.gettempdir()) / "vitrine-visca-52381.lock", "w") as lock:
        deadline = time.monotonic() + 60
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.skip("another test run held port 52381 for a minute")
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture
def camera(port_52381: None) -> Iterator[tuple[CameraSimulator, object]]:
    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        taken.bind(("0.0.0.0", 52381))  # without SO_REUSEADDR: fails if anyone holds it
    except OSError:
        pytest.skip("UDP port 52381 is in use by another program")
    finally:
        taken.close()
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.bind(("127.0.0.2", 0))
    except OSError as exc:
        pytest.skip(f"127.0.0.2 cannot be bound on this machine ({exc})")
    finally:
        probe.close()
    sim = CameraSimulator("sony", "udp", bind="127.0.0.2:52381")
    try:
        sim.start()
    except OSError as exc:
        pytest.skip(f"127.0.0.2:52381 is taken ({exc})")
    try:
        client = visca_over_ip.Camera("127.0.0.2")
    except RuntimeError as exc:
        sim.stop()
        pytest.skip(f"visca-over-ip cannot bind its inquiry port 52381 ({exc})")
    try:
        yield sim, client
    finally:
        client.close_connection()
        sim.stop()


def settled(sim: CameraSimulator) -> bool:
    return wait_until(lambda: not sim.state().moving and not sim.state().busy_sockets, 6)


def test_pan_tilt_drive_absolute_and_position_inquiry(camera) -> None:  # type: ignore[no-untyped-def]
    sim, cam = camera
    cam.pantilt(pan_speed=12, tilt_speed=0)  # pan right
    assert wait_until(lambda: sim.state().pan_deg > 3)
    cam.pantilt(pan_speed=0, tilt_speed=0)  # stop
    assert settled(sim)
    pan, tilt = cam.get_pantilt_position()
    assert pan == sim.state().pan > 0 and tilt == 0
    cam.pantilt(24, 23, pan_position=-1024, tilt_position=512)
    assert settled(sim)
    assert cam.get_pantilt_position() == (-1024, 512)
    assert sim.state().pan_deg == pytest.approx(-20.0)
    cam.pantilt(24, 23, pan_position=100, tilt_position=-100, relative=True)
    assert settled(sim)
    assert cam.get_pantilt_position() == (-924, 412)
    cam.pantilt_home()
    assert settled(sim)
    assert cam.get_pantilt_position() == (0, 0)


def test_zoom_and_focus_mode(camera) -> None:  # type: ignore[no-untyped-def]
    sim, cam = camera
    cam.zoom_to(0.5)
    assert settled(sim)
    assert cam.get_zoom_position() == 0x2000
    cam.zoom(7)  # tele at full speed until the stop
    assert wait_until(lambda: sim.state().zoom > 0.6)
    cam.zoom(0)
    assert settled(sim)
    assert cam.get_zoom_position() == sim.state().zoom_raw > 0x2000
    assert cam.get_focus_mode() == "auto"
    cam.set_focus_mode("manual")
    assert cam.get_focus_mode() == "manual"


def test_presets_save_and_recall(camera) -> None:  # type: ignore[no-untyped-def]
    sim, cam = camera
    cam.pantilt(24, 23, pan_position=2048, tilt_position=-512)
    cam.zoom_to(0.25)
    assert settled(sim)
    cam.save_preset(5)
    cam.pantilt_home()
    cam.zoom_to(0.0)
    assert settled(sim)
    cam.recall_preset(5)
    assert sim.state().recalling_preset == 5
    assert settled(sim)
    assert cam.get_pantilt_position() == (2048, -512)
    assert cam.get_zoom_position() == 0x1000
    assert sim.state().last_preset == 5
