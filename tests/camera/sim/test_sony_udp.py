"""Sony VISCA over IP: the 8-byte header, payload types, and sequence numbers as Sony's
delivery-confirmation rules describe them."""

from __future__ import annotations

import random
import socket

from camera.sim import get_profile
from tests.camera.sim.conftest import Start
from tests.camera.sim.peers import h

REPLY, CONTROL_REPLY = 0x0111, 0x0201
RELATIVE_RIGHT = h("81 01 06 03 18 17 00 01 00 00 00 00 00 00 FF")  # +256 pan units


def test_reset_then_command_replies_echo_the_sequence_number(start: Start, sony) -> None:
    sim = start("sony", "udp")
    assert sim.url == f"visca+udp://127.0.0.1:{sim.port}?profile=sony"
    peer = sony(sim)
    assert peer.reset() == h("02 01 00 01 00 00 00 01 01")
    seq = peer.send(h("81 01 06 04 FF"))
    assert peer.recv() == (REPLY, seq, h("90 41 FF"))
    assert peer.recv() == (REPLY, seq, h("90 51 FF"))
    seq = peer.send(h("81 09 04 00 FF"))
    assert peer.recv() == (REPLY, seq, h("90 50 02 FF"))


def test_retransmit_of_an_executed_command_is_not_executed_twice(start: Start, sony) -> None:
    sim = start("sony", "udp")
    peer = sony(sim)
    peer.reset()
    seq = peer.send(RELATIVE_RIGHT)
    assert peer.recv()[2] == h("90 41 FF")
    assert peer.recv()[2] == h("90 51 FF")
    # The controller thinks the reply was lost and resends with the same number.
    peer.send(RELATIVE_RIGHT, sequence=seq)
    assert peer.recv() == (CONTROL_REPLY, seq, h("0F 01"))
    assert peer.silent(0.2)
    assert sim.state().pan == 256
    # A new number executes again.
    peer.send(RELATIVE_RIGHT)
    assert peer.recv()[2] == h("90 41 FF")
    assert peer.recv()[2] == h("90 51 FF")
    assert sim.state().pan == 512


def test_retransmit_of_a_lost_command_executes(start: Start, sony) -> None:
    # Find a seed whose incoming-drop stream loses the first datagram and keeps the second.
    seed = next(
        n
        for n in range(1000)
        if (r := random.Random(f"{n}:drop-in")).random() < 0.5 and r.random() >= 0.5
    )
    sim = start("sony", "udp", faults=f"drop-in=0.5,seed={seed}")
    peer = sony(sim)
    seq = peer.send(RELATIVE_RIGHT, sequence=7)
    assert peer.silent(0.3)  # lost on the way
    peer.send(RELATIVE_RIGHT, sequence=seq)
    assert peer.recv() == (REPLY, seq, h("90 41 FF"))
    assert peer.recv() == (REPLY, seq, h("90 51 FF"))
    assert sim.state().pan == 256


def test_retransmit_after_an_error_gets_the_error_again(start: Start, sony) -> None:
    sim = start("sony", "udp")
    peer = sony(sim)
    seq = peer.send(h("81 01 99 FF"))
    assert peer.recv() == (REPLY, seq, h("90 60 02 FF"))
    peer.send(h("81 01 99 FF"), sequence=seq)
    assert peer.recv() == (REPLY, seq, h("90 60 02 FF"))


def test_retransmit_of_an_answered_inquiry_gets_a_sequence_error(start: Start, sony) -> None:
    sim = start("sony", "udp")
    peer = sony(sim)
    seq = peer.send(h("81 09 06 12 FF"))
    assert peer.recv()[2].startswith(h("90 50"))
    peer.send(h("81 09 06 12 FF"), sequence=seq)
    assert peer.recv() == (CONTROL_REPLY, seq, h("0F 01"))


def test_reset_forgets_executed_numbers(start: Start, sony) -> None:
    sim = start("sony", "udp")
    peer = sony(sim)
    peer.send(h("81 09 04 00 FF"), sequence=1)
    assert peer.recv()[2] == h("90 50 02 FF")
    peer.reset()
    peer.send(h("81 09 04 00 FF"), sequence=1)
    assert peer.recv()[2] == h("90 50 02 FF")


def test_sequence_numbers_are_tracked_per_controller_socket(start: Start, sony) -> None:
    sim = start("sony", "udp")
    first, second = sony(sim), sony(sim)
    first.send(h("81 09 04 00 FF"), sequence=1)
    assert first.recv() == (REPLY, 1, h("90 50 02 FF"))
    second.send(h("81 09 04 00 FF"), sequence=1)
    assert second.recv() == (REPLY, 1, h("90 50 02 FF"))
    first.send(h("81 09 04 00 FF"), sequence=1)
    assert first.recv() == (CONTROL_REPLY, 1, h("0F 01"))


def test_bad_payload_type_and_bad_length_get_message_abnormality(start: Start, sony) -> None:
    sim = start("sony", "udp")
    peer = sony(sim)
    peer.send(h("81 09 04 00 FF"), payload_type=0x0300, sequence=9)
    assert peer.recv() == (CONTROL_REPLY, 9, h("0F 02"))
    peer.send(h("81 09 04 00 FF"), payload_type=0x0111, sequence=10)  # a reply type
    assert peer.recv() == (CONTROL_REPLY, 10, h("0F 02"))
    peer.send(h("81 09 04 00 FF"), sequence=11, length=9)
    assert peer.recv() == (CONTROL_REPLY, 11, h("0F 02"))
    peer.send(h("05"), payload_type=0x0200, sequence=12)  # an unknown control
    assert peer.recv() == (CONTROL_REPLY, 12, h("0F 02"))


def test_inquiry_sent_as_command_type_is_tolerated_unless_strict(start: Start, sony) -> None:
    lenient = sony(start("sony", "udp"))
    seq = lenient.send(h("81 09 04 00 FF"), payload_type=0x0100)
    assert lenient.recv() == (REPLY, seq, h("90 50 02 FF"))
    strict = sony(start(get_profile("sony", strict_inquiry_type=True), "udp"))
    seq = strict.send(h("81 09 04 00 FF"), payload_type=0x0100)
    assert strict.recv() == (REPLY, seq, h("90 60 02 FF"))
    seq = strict.send(h("81 09 04 00 FF"), payload_type=0x0110)
    assert strict.recv() == (REPLY, seq, h("90 50 02 FF"))


def test_device_setting_type_carries_if_clear(start: Start, sony) -> None:
    peer = sony(start("sony", "udp"))
    seq = peer.send(h("81 01 00 01 FF"), payload_type=0x0120)
    assert peer.recv() == (REPLY, seq, h("90 50 FF"))


def test_replies_can_go_to_a_fixed_port(start: Start, sony) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(3)
    try:
        port = listener.getsockname()[1]
        sim = start(get_profile("sony", reply_port=port), "udp")
        peer = sony(sim)
        seq = peer.send(h("81 09 04 00 FF"))
        data = listener.recv(100)
        assert data == h("01 11 00 04") + seq.to_bytes(4, "big") + h("90 50 02 FF")
        assert peer.silent(0.2)
    finally:
        listener.close()


def test_birddog_speaks_the_sony_header(start: Start, sony) -> None:
    sim = start("birddog")
    assert sim.kind == "udp" and "profile=birddog" in sim.url
    peer = sony(sim)
    seq = peer.send(h("81 09 06 11 FF"))
    assert peer.recv() == (REPLY, seq, h("90 50 18 14 FF"))
