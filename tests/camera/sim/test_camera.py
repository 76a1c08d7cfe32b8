"""The simulated camera's behaviour, driven with raw bytes over bare-VISCA links: motion
timing, sockets, cancel, standby, focus modes, presets, inquiries per dialect, bad input.

Timings are checked loosely (a move that should take 1 s must take 0.6–3 s): the machines
that run these tests are shared and noisy.
"""

from __future__ import annotations

import time

import pytest

from camera.sim import get_profile
from tests.camera.sim.conftest import Start
from tests.camera.sim.peers import h, wait_until

ACK1, DONE1 = h("90 41 FF"), h("90 51 FF")
ACK2, DONE2 = h("90 42 FF"), h("90 52 FF")


def absolute(speed: int, pan: int, tilt: int, tilt_speed: int | None = None) -> bytes:
    def nibbles(value: int) -> bytes:
        value &= 0xFFFF
        return bytes((value >> shift) & 0x0F for shift in (12, 8, 4, 0))

    ww = speed if tilt_speed is None else tilt_speed
    return bytes((0x81, 0x01, 0x06, 0x02, speed, ww)) + nibbles(pan) + nibbles(tilt) + b"\xff"


def test_absolute_move_acks_at_once_and_completes_when_it_arrives(start: Start, connect) -> None:
    sim = start("sony", "raw-udp")
    peer = connect(sim)
    # Speed 10h is about 21°/s on a Sony head: 20° (1024 units) takes about a second.
    sent = time.monotonic()
    peer.send(absolute(0x10, 1024, 0))
    assert peer.recv() == ACK1
    acked = time.monotonic() - sent
    time.sleep(0.2)
    midway = sim.state()
    assert midway.pan_tilt_moving and 0 < midway.pan < 1024
    assert midway.busy_sockets == (1,)
    assert peer.recv() == DONE1
    took = time.monotonic() - sent
    assert acked < 0.5
    assert 0.6 < took < 3.0, took
    done = sim.state()
    assert done.pan == 1024 and done.pan_deg == pytest.approx(20.0)
    assert not done.moving and done.busy_sockets == ()


def test_drive_runs_at_its_speed_stops_at_the_limit_and_completes_there(
    start: Start, connect
) -> None:
    sim = start("ptzoptics", "tcp")
    peer = connect(sim)
    # Fastest PTZOptics pan is 120°/s: from 0 to the +170° stop takes about 1.4 s.
    sent = time.monotonic()
    assert peer.ask(h("81 01 06 01 18 14 02 03 FF")) == ACK1
    time.sleep(0.3)
    early = sim.state().pan_deg
    assert 10 < early < 120, early
    assert peer.recv() == DONE1
    took = time.monotonic() - sent
    assert 0.9 < took < 4.0, took
    state = sim.state()
    assert state.pan == get_profile("ptzoptics").pan_max and not state.moving


def test_stop_ends_a_drive_which_then_completes(start: Start, connect) -> None:
    sim = start("sony", "raw-udp")
    peer = connect(sim)
    assert peer.ask(h("81 01 06 01 05 05 01 01 FF")) == ACK1  # left and up
    assert wait_until(lambda: sim.state().pan < -10)
    # The drive completes on its socket, then the stop is acknowledged on the same socket.
    assert peer.ask(h("81 01 06 01 05 05 03 03 FF")) == DONE1
    assert peer.recv_all(2) == [ACK1, DONE1]
    stopped = sim.state()
    assert not stopped.moving and stopped.pan < 0 and stopped.tilt > 0
    time.sleep(0.2)
    assert sim.state().pan == stopped.pan


def test_a_new_drive_takes_over_the_running_one(start: Start, connect) -> None:
    sim = start("sony", "raw-udp")
    peer = connect(sim)
    assert peer.ask(h("81 01 06 01 10 10 02 03 FF")) == ACK1
    assert peer.ask(h("81 01 06 01 10 10 01 03 FF")) == DONE1  # right, now left
    assert peer.recv() == ACK1
    assert wait_until(lambda: sim.state().pan < 0)
    assert peer.ask(h("81 01 06 01 01 01 03 03 FF")) == DONE1
    assert peer.recv_all(2) == [ACK1, DONE1]


def test_immediate_drive_completion_is_a_profile_option(start: Start, connect) -> None:
    sim = start(get_profile("sony", drive_completion="immediate"), "raw-udp")
    peer = connect(sim)
    assert peer.ask(h("81 01 04 07 27 FF")) == ACK1
    assert peer.recv() == DONE1
    assert wait_until(lambda: sim.state().zoom > 0.1)
    assert sim.state().zoom_moving and sim.state().busy_sockets == ()


def test_third_command_gets_buffer_full_and_cancel_frees_a_socket(start: Start, connect) -> None:
    sim = start("sony", "raw-udp")
    peer = connect(sim)
    assert peer.ask(absolute(0x01, 1024, 0)) == ACK1  # 20° at 1.1°/s: 18 s
    assert peer.ask(h("81 01 04 47 04 00 00 00 FF")) == ACK2  # zoom to tele: 2 s
    assert peer.ask(h("81 01 04 39 03 FF")) == h("90 60 03 FF")  # AE manual: no socket left
    assert sim.state().busy_sockets == (1, 2)
    time.sleep(0.2)
    # Cancel the pan move: it stops where it is and never completes.
    assert peer.ask(h("81 21 FF")) == h("90 61 04 FF")
    assert peer.ask(h("81 21 FF")) == h("90 61 05 FF")
    assert not sim.state().pan_tilt_moving and 0 < sim.state().pan < 1024
    assert peer.ask(h("81 01 04 39 03 FF")) == ACK1
    assert peer.recv() == DONE1
    assert peer.recv(5) == DONE2  # the zoom
    assert peer.silent(0.3)
    assert sim.state().ae_mode == 3 and sim.state().zoom == 1.0


def test_stop_gets_through_when_both_sockets_hold_drives(start: Start, connect) -> None:
    sim = start("sony", "raw-udp")
    peer = connect(sim)
    assert peer.ask(h("81 01 06 01 08 08 02 03 FF")) == ACK1
    assert peer.ask(h("81 01 04 07 21 FF")) == ACK2
    assert peer.ask(h("81 01 06 01 08 08 03 03 FF")) == DONE1
    assert peer.recv_all(2) == [ACK1, DONE1]
    assert peer.ask(h("81 01 04 07 00 FF")) == DONE2
    assert peer.recv_all(2) == [ACK2, DONE2]
    assert not sim.state().moving


def test_standby_refuses_motion_and_power_on_takes_time(start: Start, connect) -> None:
    sim = start("sony", "raw-udp")
    peer = connect(sim)
    assert peer.ask(h("81 01 04 00 03 FF")) == ACK1
    assert peer.recv() == DONE1
    assert peer.ask(h("81 09 04 00 FF")) == h("90 50 03 FF")
    assert peer.ask(h("81 01 06 01 10 10 02 03 FF")) == h("90 61 41 FF")
    assert peer.ask(h("81 01 04 47 02 00 00 00 FF")) == h("90 61 41 FF")
    assert peer.ask(h("81 09 06 12 FF")).startswith(h("90 50"))  # inquiries still answer
    assert not sim.state().power and sim.state().pan == 0
    sent = time.monotonic()
    assert peer.ask(h("81 01 04 00 02 FF")) == ACK1
    assert sim.state().booting
    assert peer.ask(h("81 01 06 04 FF")) == h("90 62 41 FF")  # still powering on
    assert peer.recv() == DONE1
    assert 0.5 < time.monotonic() - sent < 4.0
    assert sim.state().power and not sim.state().booting
    assert peer.ask(h("81 09 04 00 FF")) == h("90 50 02 FF")


def test_manual_focus_is_refused_in_auto_focus_mode(start: Start, connect) -> None:
    sim = start("sony", "raw-udp")
    peer = connect(sim)
    assert peer.ask(h("81 09 04 38 FF")) == h("90 50 02 FF")
    assert peer.ask(h("81 01 04 48 08 00 00 00 FF")) == h("90 61 41 FF")
    assert peer.ask(h("81 01 04 38 03 FF")) == ACK1
    assert peer.recv() == DONE1
    assert peer.ask(h("81 09 04 38 FF")) == h("90 50 03 FF")
    assert peer.ask(h("81 01 04 48 08 00 00 00 FF")) == ACK1
    assert peer.recv() == DONE1
    assert peer.ask(h("81 09 04 48 FF")) == h("90 50 08 00 00 00 FF")
    assert sim.state().focus_raw == 0x8000 and not sim.state().focus_auto


def test_zoom_and_exposure_settings_and_their_inquiries(start: Start, connect) -> None:
    sim = start("sony", "raw-udp")
    peer = connect(sim)
    assert peer.ask(h("81 01 04 47 02 00 00 00 FF")) == ACK1
    assert peer.recv() == DONE1
    assert peer.ask(h("81 09 04 47 FF")) == h("90 50 02 00 00 00 FF")
    state = sim.state()
    assert state.zoom == 0.5 and state.zoom_raw == 0x2000
    assert 2.3 < state.hfov_deg < 63.7
    for command, inquiry, answer in [
        ("81 01 04 39 0D FF", "81 09 04 39 FF", "90 50 0D FF"),
        ("81 01 04 35 05 FF", "81 09 04 35 FF", "90 50 05 FF"),
        ("81 01 04 33 02 FF", "81 09 04 33 FF", "90 50 02 FF"),
        ("81 01 04 4B 00 00 00 08 FF", "81 09 04 4B FF", "90 50 00 00 00 08 FF"),
        ("81 01 04 4C 00 00 00 05 FF", "81 09 04 4C FF", "90 50 00 00 00 05 FF"),
        ("81 01 04 4A 00 00 01 01 FF", "81 09 04 4A FF", "90 50 00 00 01 01 FF"),
        ("81 01 04 4D 00 00 01 02 FF", "81 09 04 4D FF", "90 50 00 00 01 02 FF"),
        ("81 01 04 43 00 00 0A 0B FF", "81 09 04 43 FF", "90 50 00 00 0A 0B FF"),
        ("81 01 04 44 00 00 03 04 FF", "81 09 04 44 FF", "90 50 00 00 03 04 FF"),
        ("81 01 04 03 02 FF", "81 09 04 43 FF", "90 50 00 00 0A 0C FF"),  # R gain up
    ]:
        assert peer.ask(h(command)) == ACK1, command
        assert peer.recv() == DONE1
        assert peer.ask(h(inquiry)) == h(answer), command
    state = sim.state()
    assert (state.ae_mode, state.wb_mode, state.backlight) == (0x0D, 5, True)
    assert (state.iris, state.gain, state.shutter, state.bright) == (8, 5, 0x11, 0x12)
    assert (state.r_gain, state.b_gain) == (0xAC, 0x34)


@pytest.mark.parametrize(
    ("profile", "answer"),
    [
        ("sony", "90 50 0F 0F 0F 0F 00 01 00 00 FF"),
        ("sony-5nibble", "90 50 0F 0F 0F 0F 0F 00 01 00 00 FF"),
        ("ptzoptics", "90 50 0F 0F 0F 0F 00 01 00 00 FF"),
    ],
)
def test_position_answer_has_the_dialects_nibble_layout(
    start: Start, connect, profile: str, answer: str
) -> None:
    sim = start(profile, "raw-udp")
    peer = connect(sim)
    nibbles = 5 if profile == "sony-5nibble" else 4
    pan = bytes([0x0F] * nibbles)  # −1
    command = h("81 01 06 02 18 17") + pan + h("00 01 00 00 FF")
    assert peer.ask(command) == ACK1
    assert peer.recv() == DONE1
    assert peer.ask(h("81 09 06 12 FF")) == h(answer)
    assert (sim.state().pan, sim.state().tilt) == (-1, 0x100)


def test_five_nibble_camera_refuses_the_four_nibble_layout(start: Start, connect) -> None:
    sim = start("sony-5nibble", "raw-udp")
    peer = connect(sim)
    assert peer.ask(absolute(0x18, 100, 100)) == h("90 60 02 FF")


@pytest.mark.parametrize(
    ("profile", "answer"),
    [("sony", "90 50 18 17 FF"), ("ptzoptics", "90 50 18 14 FF"), ("birddog", "90 50 18 14 FF")],
)
def test_max_speed_inquiry_names_the_dialects_tilt_maximum(
    start: Start, connect, profile: str, answer: str
) -> None:
    peer = connect(start(profile, "raw-udp"))
    assert peer.ask(h("81 09 06 11 FF")) == h(answer)


def test_version_inquiry(start: Start, connect) -> None:
    peer = connect(start("sony", "raw-udp"))
    # Vendor 0001 (Sony), model 0513 (SRG-300H), ROM, two sockets.
    assert peer.ask(h("81 09 00 02 FF")) == h("90 50 00 01 05 13 01 00 02 FF")


def test_relative_move_and_home(start: Start, connect) -> None:
    sim = start("sony", "raw-udp")
    peer = connect(sim)
    for _ in range(2):
        assert peer.ask(h("81 01 06 03 18 17 00 01 00 00 0F 0F 0F 00 FF")) == ACK1
        assert peer.recv() == DONE1
    assert (sim.state().pan, sim.state().tilt) == (0x200, -0x20)
    assert peer.ask(h("81 01 06 04 FF")) == ACK1
    assert peer.recv() == DONE1
    assert (sim.state().pan, sim.state().tilt) == (0, 0)


def test_positions_beyond_the_limits_stop_at_the_limit(start: Start, connect) -> None:
    sim = start("sony", "raw-udp")
    peer = connect(sim)
    assert peer.ask(absolute(0x18, 0x7FFF, -0x7000)) == ACK1
    assert peer.recv() == DONE1
    profile = get_profile("sony")
    assert (sim.state().pan, sim.state().tilt) == (profile.pan_max, profile.tilt_min)
    assert sim.state().tilt_deg == pytest.approx(-20.0)


def test_presets_store_recall_at_preset_speed_and_report_the_last_one(
    start: Start, connect
) -> None:
    sim = start("sony", "raw-udp")
    peer = connect(sim)
    assert peer.ask(h("81 09 04 3F FF")) == h("90 50 7F FF")  # none recalled yet
    assert peer.ask(absolute(0x18, 1024, 256)) == ACK1
    assert peer.recv() == DONE1
    assert peer.ask(h("81 01 04 3F 01 03 FF")) == ACK1
    assert peer.recv() == DONE1
    assert peer.ask(h("81 01 06 04 FF")) == ACK1
    assert peer.recv() == DONE1
    # Preset speed 10h (about 21°/s): 20° back takes about a second.
    assert peer.ask(h("81 01 7E 01 0B 10 FF")) == ACK1
    assert peer.recv() == DONE1
    sent = time.monotonic()
    assert peer.ask(h("81 01 04 3F 02 03 FF")) == ACK1
    assert sim.state().recalling_preset == 3
    assert peer.recv() == DONE1
    assert 0.6 < time.monotonic() - sent < 3.0
    state = sim.state()
    assert (state.pan, state.tilt, state.last_preset, state.recalling_preset) == (
        1024,
        256,
        3,
        None,
    )
    assert state.presets == (3,)
    assert peer.ask(h("81 09 04 3F FF")) == h("90 50 03 FF")
    assert peer.ask(h("81 01 04 3F 00 03 FF")) == ACK1  # reset
    assert peer.recv() == DONE1
    assert sim.state().presets == ()
    assert peer.ask(h("81 01 04 3F 01 10 FF")) == h("90 60 02 FF")  # Sony has 0–F


def test_ptzoptics_preset_5f_toggles_the_menu_and_is_not_a_preset(start: Start, connect) -> None:
    sim = start("ptzoptics", "tcp")
    peer = connect(sim)
    assert peer.ask(h("81 01 04 3F 01 5F FF")) == ACK1  # accepted, stores nothing
    assert peer.recv() == DONE1
    assert sim.state().presets == ()
    assert peer.ask(h("81 01 04 3F 02 5F FF")) == ACK1
    assert peer.recv() == DONE1
    assert sim.state().osd_menu and sim.state().last_preset is None
    # With the menu open a drive moves the menu cursor, not the head.
    assert peer.ask(h("81 01 06 01 10 10 02 03 FF")) == ACK1
    assert peer.recv() == DONE1
    time.sleep(0.1)
    assert sim.state().pan == 0
    assert peer.ask(h("81 01 04 3F 02 5F FF")) == ACK1
    assert peer.recv() == DONE1
    assert not sim.state().osd_menu
    assert peer.ask(h("81 01 04 3F 01 FE FF")) == ACK1  # 0–254 are presets
    assert peer.recv() == DONE1
    assert sim.state().presets == (0xFE,)
    assert peer.ask(h("81 01 04 3F 01 FF")) == h("90 60 02 FF")


def test_birddog_has_64_presets(start: Start, connect) -> None:
    peer = connect(start("birddog", "raw-udp"))
    assert peer.ask(h("81 01 04 3F 01 3F FF")) == ACK1
    assert peer.recv() == DONE1
    assert peer.ask(h("81 01 04 3F 01 40 FF")) == h("90 60 02 FF")


def test_ptzoptics_g3_acknowledges_with_a0(start: Start, connect) -> None:
    peer = connect(start("ptzoptics-g3", "tcp"))
    assert peer.ask(h("81 01 04 39 00 FF")) == h("A0 41 FF")
    assert peer.recv() == DONE1


def test_if_clear_drops_jobs_and_stops_motion(start: Start, connect) -> None:
    sim = start("sony", "raw-udp")
    peer = connect(sim)
    assert peer.ask(absolute(0x02, 2048, 0)) == ACK1
    assert peer.ask(h("81 01 00 01 FF")) == h("90 50 FF")
    assert peer.silent(0.3)
    state = sim.state()
    assert not state.moving and state.busy_sockets == ()


@pytest.mark.parametrize(
    ("frame", "answer"),
    [
        ("81 01 06 FF", "90 60 02 FF"),  # too short a pan-tilt command
        ("81 01 99 99 FF", "90 60 02 FF"),  # no such command
        ("81 09 04 77 FF", "90 60 02 FF"),  # no such inquiry
        ("81 01 06 01 10 10 04 03 FF", "90 60 02 FF"),  # no such direction
        ("81 01 04 47 10 00 00 00 FF", "90 60 02 FF"),  # not a nibble
        ("81 01 04 07 44 FF", "90 60 02 FF"),
        ("81 FF", "90 60 01 FF"),
        ("81 01 04 47 00 00 00 00 00 00 00 00 00 00 00 00 00 FF", "90 60 01 FF"),  # 18 bytes
        ("12 34 FF", "90 60 02 FF"),  # not a VISCA header
        ("80 01 04 00 02 FF", "90 60 02 FF"),  # addressed to the controller
        ("81 35 FF", "90 60 02 FF"),
    ],
)
def test_malformed_input_gets_length_or_syntax_errors(
    start: Start, connect, frame: str, answer: str
) -> None:
    peer = connect(start("sony", "tcp"))
    assert peer.ask(h(frame)) == h(answer)
    assert peer.ask(h("81 09 04 00 FF")) == h("90 50 02 FF")  # and the camera carries on
