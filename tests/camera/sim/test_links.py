"""Every link: bare UDP, TCP streams, serial through a pty; URLs; ports released on stop;
noise on the wire never stops the camera."""

from __future__ import annotations

import os
import random
import socket
import time

import pytest

from camera.sim import CameraSimulator
from tests.camera.sim.conftest import Start
from tests.camera.sim.peers import (
    RawUdpPeer,
    SerialPeer,
    SonyPeer,
    TcpPeer,
    h,
    read_raw_tty,
)

ACK1, DONE1 = h("90 41 FF"), h("90 51 FF")


def test_raw_udp_camera_answers_bare_datagrams(start: Start, connect) -> None:
    sim = start("raw")
    assert sim.kind == "raw-udp"
    assert sim.url == f"visca+rawudp://127.0.0.1:{sim.port}?profile=raw"
    peer = connect(sim)
    assert peer.ask(h("81 09 06 11 FF")) == h("90 50 18 14 FF")
    # Two commands in one datagram are both executed; each reply is a datagram of its own.
    peer.send(h("81 01 04 33 02 FF 81 09 04 33 FF"))
    assert peer.recv_all(3) == [ACK1, DONE1, h("90 50 02 FF")]
    assert isinstance(peer, RawUdpPeer) and peer.datagrams[-3:] == [ACK1, DONE1, h("90 50 02 FF")]
    # A datagram without its terminator gets a syntax error.
    assert peer.ask(h("81 09 04 00")) == h("90 60 02 FF")


def test_tcp_coalesces_an_instant_ack_and_completion(start: Start, connect) -> None:
    sim = start("ptzoptics", "tcp")
    assert sim.url == f"visca+tcp://127.0.0.1:{sim.port}?profile=ptzoptics"
    peer = connect(sim)
    assert isinstance(peer, TcpPeer)
    peer.send(h("81 01 04 39 03 FF"))
    assert peer.recv_all(2) == [ACK1, DONE1]
    assert peer.segments[0] == h("90 41 FF 90 51 FF")  # one write, one segment


def test_tcp_frames_split_across_segments_and_several_in_one(start: Start, connect) -> None:
    sim = start("ptzoptics", "tcp")
    peer = connect(sim)
    peer.send(h("81 09"))
    time.sleep(0.05)
    peer.send(h("04"))
    time.sleep(0.05)
    peer.send(h("00 FF 81 09 04 38"))
    assert peer.recv() == h("90 50 02 FF")
    peer.send(h("FF 81 09 06 11 FF"))
    assert peer.recv_all(2) == [h("90 50 02 FF"), h("90 50 18 14 FF")]


def test_tcp_serves_several_controllers_each_its_own_replies(start: Start, connect) -> None:
    sim = start("ptzoptics", "tcp")
    first, second = connect(sim), connect(sim)
    assert first.ask(h("81 01 04 47 04 00 00 00 FF")) == ACK1  # zoom to tele
    assert second.ask(h("81 09 04 00 FF")) == h("90 50 02 FF")
    assert second.ask(h("81 01 06 04 FF")) == h("90 42 FF")  # the other socket
    assert second.recv() == h("90 52 FF")
    assert first.recv() == DONE1  # the completion goes to whoever sent the zoom
    assert second.silent(0.2)


def test_tcp_unterminated_flood_gets_a_length_error(start: Start, connect) -> None:
    peer = connect(start("ptzoptics", "tcp"))
    peer.send(b"\x81" + b"\x01" * 100)
    assert peer.recv() == h("90 60 01 FF")
    peer.send(h("FF 81 09 04 00 FF"))  # a lone FF is a frame too short to mean anything
    assert peer.recv_all(2) == [h("90 60 01 FF"), h("90 50 02 FF")]


def test_serial_address_set_if_clear_and_chain_addressing(start: Start) -> None:
    sim = start("sony", "serial", address=2)
    assert sim.url == f"visca+serial://{sim.path}?baud=9600&address=2&profile=sony"
    assert sim.path.startswith("/dev/")
    # Powered: the camera announces itself before any controller opens the port.
    assert read_raw_tty(sim.path, 3) == h("A0 38 FF")
    peer = SerialPeer(sim.path, 9600)
    try:
        assert peer.ask(h("82 09 04 00 FF")) == h("A0 50 02 FF")  # camera 2 replies A0
        peer.send(h("81 09 04 00 FF"))  # for camera 1: not ours
        assert peer.silent(0.3)
        assert peer.ask(h("88 30 01 FF")) == h("88 30 02 FF")  # address set: we become 1
        assert sim.state().address == 1
        assert peer.ask(h("88 01 00 01 FF")) == h("88 01 00 01 FF")  # IF_Clear is echoed
        assert peer.ask(h("81 01 04 07 27 FF")) == ACK1
        assert peer.ask(h("81 01 04 07 00 FF")) == DONE1
        assert peer.recv_all(2) == [ACK1, DONE1]
        assert peer.ask(h("81 01 00 01 FF")) == h("90 50 FF")
    finally:
        peer.close()


def test_serial_at_38400_and_a_power_cycle_announces_again(start: Start) -> None:
    sim = start("ptzoptics", "serial", baud=38400)
    assert "baud=38400" in sim.url and "profile=ptzoptics" in sim.url
    peer = SerialPeer(sim.path, 38400)
    try:
        assert peer.ask(h("81 09 06 11 FF")) == h("90 50 18 14 FF")
        assert peer.ask(h("81 01 04 39 03 FF")) == ACK1
        assert peer.recv() == DONE1
        sim.power_cycle()
        assert peer.recv() == h("90 38 FF")
        assert peer.ask(h("81 09 04 39 FF")) == h("90 50 00 FF")  # settings back to default
    finally:
        peer.close()


@pytest.mark.parametrize("transport", ["udp", "raw-udp", "tcp"])
def test_stop_releases_the_port_for_the_next_simulator(transport: str) -> None:
    first = CameraSimulator("sony", transport).start()
    port = first.port
    client = TcpPeer("127.0.0.1", port) if transport == "tcp" else None
    if client is not None:
        assert client.ask(h("81 09 04 00 FF")) == h("90 50 02 FF")
    first.stop()
    second = CameraSimulator("sony", transport, bind=f"127.0.0.1:{port}").start()
    try:
        assert second.port == port
        peer = (
            TcpPeer("127.0.0.1", port)
            if transport == "tcp"
            else RawUdpPeer("127.0.0.1", port)
            if transport == "raw-udp"
            else None
        )
        if peer is not None:
            assert peer.ask(h("81 09 04 00 FF")) == h("90 50 02 FF")
            peer.close()
        else:
            sony = SonyPeer("127.0.0.1", port)
            sony.send(h("81 09 04 00 FF"))
            assert sony.recv()[2] == h("90 50 02 FF")
            sony.close()
    finally:
        second.stop()
        if client is not None:
            client.close()


def test_stopped_simulator_refuses_connections() -> None:
    sim = CameraSimulator("ptzoptics", "tcp").start()
    port = sim.port
    sim.stop()
    sim.stop()  # twice is harmless
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_noise_on_every_link_never_stops_the_camera(start: Start, connect) -> None:
    noise = random.Random(5)

    def junk() -> bytes:
        return bytes(noise.randrange(256) for _ in range(noise.randint(1, 40)))

    sony_sim = start("sony", "udp")
    raw = start("raw", "raw-udp")
    tcp = start("ptzoptics", "tcp")
    serial = start("sony", "serial")
    udp_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for _ in range(300):
            udp_sock.sendto(junk(), ("127.0.0.1", sony_sim.port))
            udp_sock.sendto(junk(), ("127.0.0.1", raw.port))
        # Headers that parse but lie, and payloads that are not VISCA.
        for datagram in (h("01 00 00 05 00 00 00 01"), h("01 00 FF FF 00 00 00 02 81"), h("02")):
            udp_sock.sendto(datagram, ("127.0.0.1", sony_sim.port))
        tcp_peer, serial_peer = connect(tcp), connect(serial)
        for _ in range(100):
            tcp_peer.send(junk())
            serial_peer.send(junk())
        for sim, peer in ((tcp, tcp_peer), (serial, serial_peer)):
            peer.send(h("FF"))
            peer.drain()  # forget the errors the noise earned
            assert peer.ask(h("81 09 04 00 FF")) == h("90 50 02 FF"), sim.kind
        sony_peer = SonyPeer("127.0.0.1", sony_sim.port)
        sony_peer.send(h("81 09 04 00 FF"), sequence=12345)
        assert sony_peer.recv()[2] == h("90 50 02 FF")
        sony_peer.close()
        raw_peer = connect(raw)
        assert raw_peer.ask(h("81 09 04 00 FF")) == h("90 50 02 FF")
    finally:
        udp_sock.close()


def test_pty_device_disappears_on_stop() -> None:
    sim = CameraSimulator("sony", "serial").start()
    path = sim.path
    assert os.path.exists(path)
    sim.stop()
    time.sleep(0.05)
    # A pty's device node goes away once both ends are closed.
    assert not os.path.exists(path) or not _opens(path)


def _opens(path: str) -> bool:
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError:
        return False
    os.close(fd)
    return True
