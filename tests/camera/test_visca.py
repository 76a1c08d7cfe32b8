"""The VISCA codec against the byte layouts in the makers' command lists."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from camera import visca
from camera.address import CameraAddress
from camera.visca import (
    DIALECTS,
    Ack,
    AddressSet,
    Completion,
    Dialect,
    Error,
    FrameSplitter,
    NetworkChange,
    Unknown,
    ViscaError,
    decode_ip,
    encode_ip,
    from_nibbles,
    parse_reply,
    to_nibbles,
)

SONY = DIALECTS["sony"]
PTZOPTICS = DIALECTS["ptzoptics"]


def hexes(data: bytes) -> str:
    return data.hex(" ").upper()


@given(st.integers(min_value=-0x8000, max_value=0x7FFF))
def test_signed_nibbles_round_trip(value: int) -> None:
    assert from_nibbles(to_nibbles(value, 4), signed=True) == value


def test_nibbles_are_most_significant_first_and_refuse_what_does_not_fit() -> None:
    assert to_nibbles(0x2200, 4) == bytes([2, 2, 0, 0])
    assert to_nibbles(-0x2200, 4) == bytes([0xD, 0xE, 0, 0])  # DE00: 170° left on Sony
    with pytest.raises(ViscaError):
        to_nibbles(0x10000, 4)
    with pytest.raises(ViscaError):
        from_nibbles(b"\x10\x00")


def test_drive_directions_and_speeds_follow_the_sony_table() -> None:
    assert hexes(visca.pan_tilt_drive(SONY, 5, 3).packet()) == "81 01 06 01 05 03 02 01 FF"
    assert hexes(visca.pan_tilt_drive(SONY, -5, 0).packet()) == "81 01 06 01 05 01 01 03 FF"
    assert hexes(visca.pan_tilt_drive(SONY, 0, -2).packet()) == "81 01 06 01 01 02 03 02 FF"
    assert hexes(visca.pan_tilt_stop(SONY).packet()).endswith("03 03 FF")
    assert visca.pan_tilt_drive(SONY, 0, 0).stops
    # Full deflection asks for the dialect's top speed, never more.
    assert visca.pan_tilt_drive(SONY, 99, 99).body[3:5] == bytes([0x18, 0x17])
    assert visca.pan_tilt_drive(PTZOPTICS, 99, -99).body[3:5] == bytes([0x18, 0x14])


def test_absolute_moves_use_the_dialects_nibble_layout() -> None:
    packet = visca.pan_tilt_absolute(SONY, -0x2200, 0x1200, 0x10, 0x08).packet()
    assert hexes(packet) == "81 01 06 02 10 08 0D 0E 00 00 01 02 00 00 FF"
    five = Dialect("brc-h700", pan_nibbles=5, absolute_tilt_speed=False)
    packet = visca.pan_tilt_absolute(five, 0x100, -1, 0x10).packet()
    assert hexes(packet) == "81 01 06 02 10 00 00 00 01 00 00 0F 0F 0F 0F FF"
    with pytest.raises(ViscaError, match="outside"):
        visca.pan_tilt_absolute(SONY, 0x3000, 0)
    with pytest.raises(ViscaError, match="speed"):
        visca.pan_tilt_absolute(SONY, 0, 0, 0x19)
    # Relative moves must never be resent blindly: running one twice moves twice as far.
    assert not visca.pan_tilt_relative(SONY, 10, 0).idempotent


def test_zoom_focus_power_and_settings() -> None:
    assert hexes(visca.zoom_drive(SONY, 8).packet()) == "81 01 04 07 27 FF"
    assert hexes(visca.zoom_drive(SONY, -1).packet()) == "81 01 04 07 30 FF"
    assert hexes(visca.zoom_direct(SONY, 0x4000).packet()) == "81 01 04 47 04 00 00 00 FF"
    assert hexes(visca.focus_direct(SONY, 0x1234).packet()) == "81 01 04 48 01 02 03 04 FF"
    assert hexes(visca.focus_mode(SONY, "manual").packet()) == "81 01 04 38 03 FF"
    assert hexes(visca.focus_one_push(SONY).packet()) == "81 01 04 18 01 FF"
    assert hexes(visca.power(SONY, False).packet()) == "81 01 04 00 03 FF"
    assert hexes(visca.exposure_direct(SONY, "iris", 0x1A).packet()) == "81 01 04 4B 00 00 01 0A FF"
    assert hexes(visca.ae_mode(SONY, visca.AEMode.MANUAL).packet()) == "81 01 04 39 03 FF"
    assert hexes(visca.white_balance(SONY, visca.WhiteBalance.ONE_PUSH).packet()) == (
        "81 01 04 35 03 FF"
    )
    assert hexes(visca.cancel(SONY, 2).packet()) == "81 22 FF"
    with pytest.raises(ViscaError):
        visca.zoom_direct(SONY, 0x4001)


def test_preset_numbers_are_checked_per_maker() -> None:
    assert hexes(visca.preset_recall(SONY, 15).packet()) == "81 01 04 3F 02 0F FF"
    assert hexes(visca.preset_set(PTZOPTICS, 200).packet()) == "81 01 04 3F 01 C8 FF"
    with pytest.raises(ViscaError, match="out of range"):
        visca.preset_recall(SONY, 16)
    with pytest.raises(ViscaError, match="reserved"):
        visca.preset_recall(PTZOPTICS, 0x5F)  # opens the on-screen menu on PTZOptics


def test_a_serial_chain_addresses_each_camera() -> None:
    assert visca.home(SONY).for_address(3).packet()[0] == 0x83
    with pytest.raises(ViscaError):
        visca.home(SONY).for_address(8)


def test_inquiry_answers_decode_per_dialect() -> None:
    answer = bytes([0x0F, 0x0F, 0x0F, 0x0E, 0x00, 0x01, 0x02, 0x00])
    assert visca.position_inquiry(SONY).decode(answer) == (-2, 0x120)  # type: ignore[misc]
    five = Dialect("brc-h700", pan_nibbles=5)
    assert visca.position_inquiry(five).decode(bytes(5) + bytes([0, 0, 0, 1])) == (0, 1)  # type: ignore[misc]
    with pytest.raises(ViscaError):
        visca.position_inquiry(SONY).decode(bytes(9))  # type: ignore[misc]
    version = visca.version_inquiry(SONY).decode(bytes.fromhex("00010513000102"))  # type: ignore[misc]
    assert version.vendor == 1 and version.model == 0x0513
    assert visca.power_inquiry(SONY).decode(b"\x03") is False  # type: ignore[misc]


def test_replies_parse_including_maker_quirks() -> None:
    assert parse_reply(bytes.fromhex("9041ff")) == Ack(1)
    assert parse_reply(bytes.fromhex("a041ff")) == Ack(1)  # PTZOptics G3 firmware
    assert parse_reply(bytes.fromhex("9052ff")) == Completion(2)
    assert parse_reply(bytes.fromhex("905002ff")) == Completion(0, b"\x02")
    assert parse_reply(bytes.fromhex("906241ff")) == Error(2, 0x41)
    assert parse_reply(bytes.fromhex("90600fff")).text == "unknown error 0x0f"  # type: ignore[union-attr]
    assert parse_reply(bytes.fromhex("9038ff")) == NetworkChange()
    assert parse_reply(bytes.fromhex("883002ff")) == AddressSet(2)
    assert isinstance(parse_reply(bytes.fromhex("0102ff")), Unknown)


@given(st.binary(max_size=40))
def test_no_bytes_make_the_reply_parser_or_splitter_raise(data: bytes) -> None:
    parse_reply(data)
    for packet in FrameSplitter().feed(data):
        assert packet.endswith(b"\xff") and len(packet) <= visca.MAX_PACKET
        parse_reply(packet)


def test_the_splitter_handles_coalesced_split_and_noisy_streams() -> None:
    s = FrameSplitter()
    assert list(s.feed(bytes.fromhex("9041ff9051"))) == [bytes.fromhex("9041ff")]
    assert list(s.feed(bytes.fromhex("ff"))) == [bytes.fromhex("9051ff")]
    assert list(s.feed(bytes(40))) == []
    assert list(s.feed(bytes.fromhex("9042ff"))) == [bytes.fromhex("9042ff")]
    assert s.discarded == 40


def test_sony_ip_header() -> None:
    datagram = encode_ip(0x0100, 9, bytes.fromhex("8101060100000303ff"))
    assert hexes(datagram[:8]) == "01 00 00 09 00 00 00 09"
    message = decode_ip(datagram)
    assert (message.type, message.seq) == (0x0100, 9)
    with pytest.raises(ViscaError):
        decode_ip(datagram[:-1])


def test_camera_urls() -> None:
    a = CameraAddress.parse("visca+udp://10.0.0.5:52381?profile=sony")
    assert (a.transport, a.host, a.port, a.dialect.name) == ("udp", "10.0.0.5", 52381, "sony")
    t = CameraAddress.parse("visca+tcp://cam.local")
    assert (t.port, t.dialect.name) == (5678, "ptzoptics")
    s = CameraAddress.parse("visca+serial:///dev/ttyUSB0?baud=38400&address=2")
    assert (s.device, s.baud, s.address) == ("/dev/ttyUSB0", 38400, 2)
    assert CameraAddress.parse("visca+rawudp://10.0.0.6").port == 1259
    for bad in (
        "http://10.0.0.5",
        "visca+udp://10.0.0.5?profile=acme",
        "visca+serial:///dev/ttyUSB0?baud=1234",
        "visca+udp://10.0.0.5?address=2",
        "visca+udp://10.0.0.5?colour=red",
        "visca+serial://",
    ):
        with pytest.raises(ViscaError):
            CameraAddress.parse(bad)
