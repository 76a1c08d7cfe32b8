"""Fault injection: the spec, and each fault on the links where it makes sense."""

from __future__ import annotations

import random
import time
from collections import Counter

import pytest

from camera.sim import CameraSimulator, Faults, FaultSpecError
from tests.camera.sim.conftest import Start
from tests.camera.sim.peers import RawUdpPeer, TcpPeer, h

ACK1, DONE1 = h("90 41 FF"), h("90 51 FF")
POWER_INQ, POWER_ON = h("81 09 04 00 FF"), h("90 50 02 FF")
RELATIVE_RIGHT = h("81 01 06 03 18 17 00 01 00 00 00 00 00 00 FF")


def seed_where(stream: str, wanted: list[bool], probability: float) -> int:
    """A seed whose draws for one fault start with the wanted hits and misses."""
    for n in range(10_000):
        r = random.Random(f"{n}:{stream}")
        if all((r.random() < probability) == hit for hit in wanted):
            return n
    raise AssertionError("no such seed")


def test_spec_parses_every_key() -> None:
    f = Faults.parse(
        "drop=0.2,dup=5%,delay=20ms,jitter=5ms,reorder=0.1,unknown=0.02,netchange=5s,"
        "mute-inquiries,garbage=0.01,seqerr=0.03,hangup=0.04,inquiry-delay=0.25s,seed=7"
    )
    assert (f.drop_in, f.drop_out, f.dup_in, f.dup_out) == (0.2, 0.2, 0.05, 0.05)
    assert (f.delay, f.jitter, f.netchange, f.inquiry_delay) == (0.02, 0.005, 5.0, 0.25)
    assert (f.reorder, f.unknown, f.garbage, f.seqerr, f.hangup) == (0.1, 0.02, 0.01, 0.03, 0.04)
    assert "zoom" in f.mute_inquiries and f.seed == 7 and f.active
    assert Faults.parse(f.spec()) == f
    assert not Faults.parse("").active and not Faults.parse(" , ").active


def test_one_way_keys_win_over_two_way_ones_wherever_they_stand() -> None:
    f = Faults.parse("drop-in=0.5,drop=0.1,dup-out=1")
    assert (f.drop_in, f.drop_out, f.dup_in, f.dup_out) == (0.5, 0.1, 0.0, 1.0)
    assert Faults.parse("mute-inquiries=zoom+focus").mute_inquiries == {"zoom", "focus"}
    assert Faults.parse("seed=1", seed=9).seed == 9


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        ("drop=2", "between 0 and 1"),
        ("drop", "needs a probability"),
        ("delay=20", "not a duration"),
        ("delay=-5ms", "negative"),
        ("lag=1", "unknown fault 'lag'"),
        ("mute-inquiries=tilt", "unknown kind"),
        ("seed=x", "whole number"),
        ("reorder=abc", "not a probability"),
    ],
)
def test_bad_specs_are_refused_with_the_reason(spec: str, complaint: str) -> None:
    with pytest.raises(FaultSpecError, match=complaint):
        Faults.parse(spec)
    with pytest.raises(FaultSpecError):
        CameraSimulator("sony", "udp", faults=spec)


@pytest.mark.parametrize("transport", ["udp", "raw-udp", "tcp", "serial"])
def test_lost_replies_on_every_link(start: Start, connect, sony, transport: str) -> None:
    sim = start("sony", transport, faults="drop-out=1")
    if transport == "udp":
        peer = sony(sim)
        peer.send(h("81 01 04 47 04 00 00 00 FF"))
    else:
        peer = connect(sim)
        peer.send(h("81 01 04 47 04 00 00 00 FF"))
    assert peer.silent(0.4)
    assert sim.state().zoom_raw > 0  # executed all the same


def test_lost_requests_are_never_executed(start: Start, connect) -> None:
    sim = start("sony", "tcp", faults="drop-in=1")
    peer = connect(sim)
    peer.send(h("81 01 04 47 04 00 00 00 FF"))
    assert peer.silent(0.3)
    assert sim.state().zoom_raw == 0


def test_duplicated_replies(start: Start, connect) -> None:
    peer = connect(start("ptzoptics", "tcp", faults="dup-out=1"))
    peer.send(h("81 01 04 39 03 FF"))
    assert peer.recv_all(4) == [ACK1, ACK1, DONE1, DONE1]


def test_duplicated_request_meets_the_sony_sequence_check(start: Start, sony) -> None:
    sim = start("sony", "udp", faults="dup-in=1")
    peer = sony(sim)
    seq = peer.send(RELATIVE_RIGHT)
    replies = Counter(peer.recv() for _ in range(3))
    assert replies == Counter(
        {(0x0111, seq, ACK1): 1, (0x0111, seq, DONE1): 1, (0x0201, seq, h("0F 01")): 1}
    )
    assert sim.state().pan == 256  # executed once


def test_duplicated_request_on_a_bare_link_runs_twice(start: Start, connect) -> None:
    sim = start("ptzoptics", "tcp", faults="dup-in=1")
    peer = connect(sim)
    peer.send(h("81 01 04 03 02 FF"))  # R gain up, one step
    assert peer.recv_all(4) == [ACK1, DONE1, ACK1, DONE1]
    assert sim.state().r_gain == 0x82


def test_delay_and_jitter(start: Start, connect) -> None:
    peer = connect(start("raw", "raw-udp", faults="delay=150ms,jitter=50ms"))
    for _ in range(3):
        sent = time.monotonic()
        assert peer.ask(POWER_INQ) == POWER_ON
        took = time.monotonic() - sent
        assert 0.14 < took < 1.5, took


def test_reorder_lets_a_later_reply_overtake(start: Start, connect) -> None:
    seed = seed_where("reorder", [True, False], 0.5)
    peer = connect(start("raw", "raw-udp", faults=f"reorder=0.5,seed={seed}"))
    inquiries = ["04 00", "06 11", "04 47", "04 48", "04 33", "04 3F", "04 4B", "04 4C"]
    for inquiry in inquiries:
        peer.send(h(f"81 09 {inquiry} FF"))
    answers = peer.recv_all(len(inquiries))
    assert len(set(answers)) == len(inquiries)
    # The first answer was held back; the second, sent after it, arrived first.
    second_then_first = answers.index(h("90 50 18 14 FF")) < answers.index(POWER_ON)
    assert second_then_first, [a.hex(" ") for a in answers]


def test_garbage_before_replies(start: Start, connect) -> None:
    sim = start("raw", "raw-udp", faults="garbage=1,seed=3")
    peer = connect(sim)
    assert isinstance(peer, RawUdpPeer)
    peer.send(POWER_INQ)
    frames = peer.recv_all(2)
    assert frames[1] == POWER_ON and frames[0] != POWER_ON
    assert len(peer.datagrams) == 2  # the noise came as its own datagram
    tcp = connect(start("ptzoptics", "tcp", faults="garbage=1,seed=3"))
    tcp.send(POWER_INQ)
    noise, answer = tcp.recv_all(2)
    assert answer == POWER_ON and noise[-1] == 0xFF and 0xFF not in noise[:-1]


def test_unknown_error_code_instead_of_execution(start: Start, connect) -> None:
    sim = start("sony", "tcp", faults="unknown=1")
    peer = connect(sim)
    assert peer.ask(h("81 01 04 47 04 00 00 00 FF")) == h("90 60 0F FF")
    assert peer.ask(POWER_INQ) == h("90 60 0F FF")
    assert sim.state().zoom_raw == 0


def test_sequence_error_fault(start: Start, sony) -> None:
    sim = start("sony", "udp", faults="seqerr=1")
    peer = sony(sim)
    seq = peer.send(RELATIVE_RIGHT)
    assert peer.recv() == (0x0201, seq, h("0F 01"))
    assert sim.state().pan == 0


def test_hangup_closes_the_tcp_connection_after_a_reply(start: Start, connect) -> None:
    sim = start("ptzoptics", "tcp", faults="hangup=1")
    peer = connect(sim)
    assert peer.ask(POWER_INQ) == POWER_ON
    with pytest.raises((ConnectionResetError, ConnectionAbortedError, TimeoutError)):
        peer.recv(2)
    again = TcpPeer(sim.host, sim.port)
    try:
        assert again.ask(POWER_INQ) == POWER_ON
    finally:
        again.close()


def test_network_change_messages(start: Start, connect, sony) -> None:
    tcp = connect(start("ptzoptics", "tcp", faults="netchange=200ms"))
    assert tcp.recv(2) == h("90 38 FF")
    sim = start("sony", "udp", faults="netchange=200ms")
    peer = sony(sim)
    seq = peer.send(POWER_INQ)
    assert peer.recv() == (0x0111, seq, POWER_ON)
    # The camera reuses the controller's last sequence number for spontaneous messages.
    assert peer.recv(2) == (0x0111, seq, h("90 38 FF"))


def test_mute_inquiries(start: Start, connect) -> None:
    peer = connect(start("sony", "tcp", faults="mute-inquiries"))
    peer.send(h("81 09 06 12 FF"))
    assert peer.silent(0.3)
    assert peer.ask(h("81 01 06 04 FF")) == ACK1  # commands still work
    some = connect(start("sony", "tcp", faults="mute-inquiries=zoom"))
    some.send(h("81 09 04 47 FF"))
    assert some.silent(0.3)
    assert some.ask(h("81 09 06 12 FF")) == h("90 50 00 00 00 00 00 00 00 00 FF")


def test_inquiry_delay(start: Start, connect) -> None:
    peer = connect(start("sony", "tcp", faults="inquiry-delay=200ms"))
    sent = time.monotonic()
    assert peer.ask(POWER_INQ) == POWER_ON
    assert time.monotonic() - sent > 0.18
    sent = time.monotonic()
    assert peer.ask(h("81 01 04 39 03 FF")) == ACK1
    assert time.monotonic() - sent < 0.15


def test_a_seed_repeats_the_same_faults(start: Start, sony) -> None:
    def answered(seed: int) -> set[int]:
        """The sequence numbers of the inquiries whose answers survived."""
        peer = sony(start("sony", "udp", faults="drop-out=0.5", seed=seed))
        for n in range(1, 21):
            peer.send(POWER_INQ, sequence=n)
        seen: set[int] = set()
        while True:
            try:
                seen.add(peer.recv(0.3)[1])
            except TimeoutError:
                return seen

    first = answered(42)
    assert 0 < len(first) < 20
    assert answered(42) == first
    assert answered(43) != first
