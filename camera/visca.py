"""A pure VISCA codec: bytes in, values out. No sockets, no threads, no clocks.

Commands are built for one dialect (a maker's speed ranges, nibble layouts, preset numbers)
and carry what the controller needs to deliver them: whether the camera will answer with
data (an inquiry), whether resending is safe (idempotent), and whether the command stops
motion and must be delivered whatever it takes.

Replies are parsed leniently: the reply address byte varies by firmware (`90`, or `A0` on
some PTZOptics G3), and anything that is not a reply comes back as `Unknown` to be logged,
never raised.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

TERMINATOR = 0xFF
MAX_PACKET = 16  # header byte, up to 14 message bytes, FF


class ViscaError(Exception):
    """A value that cannot be encoded, or a reply that cannot be decoded."""


# --- dialects ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    """What differs between makers' command sets (the framing comes with the address: see
    camera.address). Positions are in the camera's own units: never assume
    degrees; `pan_per_degree`/`tilt_per_degree` convert for display."""

    name: str
    pan_speed_max: int = 0x18
    tilt_speed_max: int = 0x17
    pan_nibbles: int = 4  # BRC-H700/BRC-300 answer and take 5
    absolute_tilt_speed: bool = True  # False: `VV 00` (BRC-X400 takes one speed)
    preset_count: int = 16
    reserved_presets: frozenset[int] = frozenset()
    zoom_max: int = 0x4000
    focus_max: int = 0xF000
    pan_per_degree: float = 51.2
    tilt_per_degree: float = 51.2
    pan_limits: tuple[int, int] = (-0x2200, 0x2200)
    tilt_limits: tuple[int, int] = (-0x0400, 0x1200)

    def check_preset(self, number: int) -> int:
        if not 0 <= number < self.preset_count:
            raise ViscaError(
                f"preset {number} is out of range for {self.name} (0–{self.preset_count - 1})"
            )
        if number in self.reserved_presets:
            raise ViscaError(f"preset {number} is reserved on {self.name} cameras")
        return number


DIALECTS: dict[str, Dialect] = {
    "sony": Dialect("sony"),
    "birddog": Dialect("birddog", tilt_speed_max=0x14, preset_count=64),
    # PTZOptics: raw VISCA over TCP 5678 (or UDP 1259); preset 95 (5Fh) opens the OSD menu.
    "ptzoptics": Dialect(
        "ptzoptics",
        tilt_speed_max=0x14,
        preset_count=255,
        reserved_presets=frozenset({0x5F}),
        pan_limits=(-0x0990, 0x0990),
        tilt_limits=(-0x01B0, 0x0510),
        pan_per_degree=14.4,
        tilt_per_degree=14.4,
    ),
    # Generic raw VISCA over UDP (AVKANS, Marshall, HuddleCam): Sony's command set, no header.
    "raw": Dialect("raw", tilt_speed_max=0x14, preset_count=128),
}


def dialect(name: str) -> Dialect:
    try:
        return DIALECTS[name]
    except KeyError:
        known = ", ".join(sorted(DIALECTS))
        raise ViscaError(f"unknown camera profile {name!r} (known: {known})") from None


# --- nibbles ------------------------------------------------------------------------------


def to_nibbles(value: int, count: int) -> bytes:
    """`value` as `count` nibbles, most significant first, two's complement when negative."""
    bits = 4 * count
    if not -(1 << (bits - 1)) <= value < (1 << bits):
        raise ViscaError(f"{value} does not fit in {count} nibbles")
    value &= (1 << bits) - 1
    return bytes((value >> (4 * (count - 1 - i))) & 0x0F for i in range(count))


def from_nibbles(data: bytes, signed: bool = False) -> int:
    if any(b > 0x0F for b in data):
        raise ViscaError(f"not a nibble field: {data.hex(' ')}")
    value = 0
    for b in data:
        value = (value << 4) | b
    bits = 4 * len(data)
    if signed and value >= 1 << (bits - 1):
        value -= 1 << bits
    return value


# --- commands -----------------------------------------------------------------------------


class Kind(StrEnum):
    COMMAND = "command"
    INQUIRY = "inquiry"


@dataclass(frozen=True)
class Command:
    """One VISCA packet to send, addressed to camera 1 until `for_address` says otherwise."""

    name: str
    body: bytes  # the message bytes between the address byte and FF
    kind: Kind = Kind.COMMAND
    idempotent: bool = True  # safe to resend on a link without sequence numbers
    stops: bool = False  # a stop: delivered whatever it takes
    moves: bool = False  # starts or changes motion (leaves any preset)
    decode: Callable[[bytes], Any] | None = field(default=None, compare=False, repr=False)
    address: int = 1

    def packet(self) -> bytes:
        return bytes((0x80 | self.address,)) + self.body + bytes((TERMINATOR,))

    def for_address(self, address: int) -> Command:
        if not 1 <= address <= 7:
            raise ViscaError(f"camera address {address} is not 1–7")
        return Command(
            self.name, self.body, self.kind, self.idempotent, self.stops, self.moves,
            self.decode, address,
        )  # fmt: skip


def _speed(value: int, top: int, what: str) -> int:
    if not 1 <= value <= top:
        raise ViscaError(f"{what} speed {value} is out of range 1–{top}")
    return value


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def pan_tilt_drive(d: Dialect, pan: int, tilt: int) -> Command:
    """Drive at signed speeds: pan > 0 right, tilt > 0 up; 0 stops that axis. Speeds beyond
    the dialect's range are clamped (a joystick at full deflection asks for the most)."""
    if pan == 0 and tilt == 0:
        return pan_tilt_stop(d)
    vv = _clamp(abs(pan), 1, d.pan_speed_max)
    ww = _clamp(abs(tilt), 1, d.tilt_speed_max)
    x = 0x03 if pan == 0 else (0x02 if pan > 0 else 0x01)
    y = 0x03 if tilt == 0 else (0x01 if tilt > 0 else 0x02)
    return Command(f"pan_tilt_drive({pan},{tilt})", bytes((0x01, 0x06, 0x01, vv, ww, x, y)),
                   moves=True)  # fmt: skip


def pan_tilt_stop(d: Dialect) -> Command:
    body = bytes((0x01, 0x06, 0x01, 0x01, 0x01, 0x03, 0x03))
    return Command("pan_tilt_stop", body, stops=True)


def _position_body(
    d: Dialect, op: int, pan: int, tilt: int, pan_speed: int, tilt_speed: int
) -> bytes:
    vv = _speed(pan_speed, d.pan_speed_max, "pan")
    ww = _speed(tilt_speed, d.tilt_speed_max, "tilt") if d.absolute_tilt_speed else 0
    return bytes((0x01, 0x06, op, vv, ww)) + to_nibbles(pan, d.pan_nibbles) + to_nibbles(tilt, 4)


def pan_tilt_absolute(
    d: Dialect, pan: int, tilt: int, pan_speed: int | None = None, tilt_speed: int | None = None
) -> Command:
    low_p, high_p = d.pan_limits
    low_t, high_t = d.tilt_limits
    if not (low_p <= pan <= high_p and low_t <= tilt <= high_t):
        raise ViscaError(f"position ({pan}, {tilt}) is outside the {d.name} camera's range")
    body = _position_body(
        d, 0x02, pan, tilt, pan_speed or d.pan_speed_max, tilt_speed or d.tilt_speed_max
    )
    return Command(f"pan_tilt_absolute({pan},{tilt})", body, moves=True)


def pan_tilt_relative(
    d: Dialect, pan: int, tilt: int, pan_speed: int | None = None, tilt_speed: int | None = None
) -> Command:
    body = _position_body(
        d, 0x03, pan, tilt, pan_speed or d.pan_speed_max, tilt_speed or d.tilt_speed_max
    )
    # Resent after a lost ACK, a relative move runs twice: only a link with sequence
    # numbers (Sony over IP) may retransmit it.
    return Command(f"pan_tilt_relative({pan},{tilt})", body, idempotent=False, moves=True)


def home(d: Dialect) -> Command:
    return Command("home", bytes((0x01, 0x06, 0x04)), moves=True)


def pan_tilt_reset(d: Dialect) -> Command:
    return Command("pan_tilt_reset", bytes((0x01, 0x06, 0x05)), moves=True)


def zoom_drive(d: Dialect, speed: int) -> Command:
    """speed > 0 tele (in), < 0 wide (out), 0 stop; |speed| 1–8 maps to VISCA's p = 0–7."""
    if speed == 0:
        return zoom_stop(d)
    p = _clamp(abs(speed), 1, 8) - 1
    code = (0x20 if speed > 0 else 0x30) | p
    return Command(f"zoom_drive({speed})", bytes((0x01, 0x04, 0x07, code)), moves=True)


def zoom_stop(d: Dialect) -> Command:
    return Command("zoom_stop", bytes((0x01, 0x04, 0x07, 0x00)), stops=True)


def zoom_direct(d: Dialect, position: int) -> Command:
    if not 0 <= position <= d.zoom_max:
        raise ViscaError(f"zoom {position} is outside 0–{d.zoom_max:#x}")
    body = bytes((0x01, 0x04, 0x47)) + to_nibbles(position, 4)
    return Command(f"zoom_direct({position})", body, moves=True)


def focus_drive(d: Dialect, speed: int) -> Command:
    """speed > 0 far, < 0 near, 0 stop; |speed| 1–8."""
    if speed == 0:
        return focus_stop(d)
    p = _clamp(abs(speed), 1, 8) - 1
    code = (0x20 if speed > 0 else 0x30) | p
    return Command(f"focus_drive({speed})", bytes((0x01, 0x04, 0x08, code)))


def focus_stop(d: Dialect) -> Command:
    return Command("focus_stop", bytes((0x01, 0x04, 0x08, 0x00)), stops=True)


def focus_direct(d: Dialect, position: int) -> Command:
    if not 0 <= position <= d.focus_max:
        raise ViscaError(f"focus {position} is outside 0–{d.focus_max:#x}")
    return Command(f"focus_direct({position})", bytes((0x01, 0x04, 0x48)) + to_nibbles(position, 4))


class FocusMode(StrEnum):
    AUTO = "auto"
    MANUAL = "manual"


def focus_mode(d: Dialect, mode: FocusMode | str) -> Command:
    code = {FocusMode.AUTO: 0x02, FocusMode.MANUAL: 0x03}[FocusMode(mode)]
    return Command(f"focus_mode({mode})", bytes((0x01, 0x04, 0x38, code)))


def focus_one_push(d: Dialect) -> Command:
    return Command("focus_one_push", bytes((0x01, 0x04, 0x18, 0x01)))


def power(d: Dialect, on: bool) -> Command:
    return Command(
        f"power({'on' if on else 'standby'})", bytes((0x01, 0x04, 0x00, 0x02 if on else 0x03))
    )


def preset_set(d: Dialect, number: int) -> Command:
    n = d.check_preset(number)
    return Command(f"preset_set({n})", bytes((0x01, 0x04, 0x3F, 0x01, n)))


def preset_recall(d: Dialect, number: int) -> Command:
    n = d.check_preset(number)
    return Command(f"preset_recall({n})", bytes((0x01, 0x04, 0x3F, 0x02, n)), moves=True)


def preset_reset(d: Dialect, number: int) -> Command:
    n = d.check_preset(number)
    return Command(f"preset_reset({n})", bytes((0x01, 0x04, 0x3F, 0x00, n)))


class AEMode(IntEnum):
    AUTO = 0x0
    MANUAL = 0x3
    SHUTTER_PRIORITY = 0xA
    IRIS_PRIORITY = 0xB
    BRIGHT = 0xD


def ae_mode(d: Dialect, mode: AEMode) -> Command:
    return Command(f"ae_mode({mode.name.lower()})", bytes((0x01, 0x04, 0x39, int(mode))))


_DIRECT = {"shutter": 0x4A, "iris": 0x4B, "gain": 0x4C, "bright": 0x4D, "red_gain": 0x43,
           "blue_gain": 0x44}  # fmt: skip


def exposure_direct(d: Dialect, what: str, value: int) -> Command:
    """Shutter, iris, gain, bright, red or blue gain: `00 00 0p 0q` (two nibbles, 0–255)."""
    if what not in _DIRECT:
        raise ViscaError(f"unknown exposure setting {what!r}")
    if not 0 <= value <= 0xFF:
        raise ViscaError(f"{what} {value} is outside 0–255")
    body = bytes((0x01, 0x04, _DIRECT[what], 0x00, 0x00)) + to_nibbles(value, 2)
    return Command(f"{what}({value})", body)


class WhiteBalance(IntEnum):
    AUTO = 0
    INDOOR = 1
    OUTDOOR = 2
    ONE_PUSH = 3
    AUTO_TRACKING = 4
    MANUAL = 5


def white_balance(d: Dialect, mode: WhiteBalance) -> Command:
    return Command(f"white_balance({mode.name.lower()})", bytes((0x01, 0x04, 0x35, int(mode))))


def white_balance_trigger(d: Dialect) -> Command:
    return Command("white_balance_trigger", bytes((0x01, 0x04, 0x10, 0x05)))


def backlight(d: Dialect, on: bool) -> Command:
    return Command(f"backlight({on})", bytes((0x01, 0x04, 0x33, 0x02 if on else 0x03)))


def if_clear(d: Dialect) -> Command:
    return Command("if_clear", bytes((0x01, 0x00, 0x01)))


def cancel(d: Dialect, socket: int) -> Command:
    if socket not in (1, 2):
        raise ViscaError(f"socket {socket} is not 1 or 2")
    return Command(f"cancel({socket})", bytes((0x20 | socket,)))


# --- inquiries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    vendor: int
    model: int
    rom: int
    sockets: int


def _exact(data: bytes, size: int, what: str) -> bytes:
    if len(data) != size:
        raise ViscaError(f"{what}: expected {size} data bytes, got {data.hex(' ') or 'none'}")
    return data


def _inquiry(name: str, body: bytes, decode: Callable[[bytes], Any]) -> Command:
    return Command(name, bytes((0x09, *body)), kind=Kind.INQUIRY, decode=decode)


def position_inquiry(d: Dialect) -> Command:
    def decode(data: bytes) -> tuple[int, int]:
        _exact(data, d.pan_nibbles + 4, "pan/tilt position")
        return (
            from_nibbles(data[: d.pan_nibbles], signed=True),
            from_nibbles(data[d.pan_nibbles :], signed=True),
        )

    return _inquiry("position?", b"\x06\x12", decode)


def zoom_inquiry(d: Dialect) -> Command:
    return _inquiry("zoom?", b"\x04\x47", lambda data: from_nibbles(_exact(data, 4, "zoom")))


def focus_inquiry(d: Dialect) -> Command:
    return _inquiry("focus?", b"\x04\x48", lambda data: from_nibbles(_exact(data, 4, "focus")))


def _choice(what: str, table: dict[int, Any]) -> Callable[[bytes], Any]:
    def decode(data: bytes) -> Any:
        _exact(data, 1, what)
        if data[0] not in table:
            raise ViscaError(f"{what}: unknown value {data[0]:#04x}")
        return table[data[0]]

    return decode


def power_inquiry(d: Dialect) -> Command:
    return _inquiry("power?", b"\x04\x00", _choice("power", {0x02: True, 0x03: False}))


def focus_mode_inquiry(d: Dialect) -> Command:
    table = {0x02: FocusMode.AUTO, 0x03: FocusMode.MANUAL}
    return _inquiry("focus_mode?", b"\x04\x38", _choice("focus mode", table))


def ae_mode_inquiry(d: Dialect) -> Command:
    return _inquiry("ae_mode?", b"\x04\x39", _choice("AE mode", {int(m): m for m in AEMode}))


def white_balance_inquiry(d: Dialect) -> Command:
    table = {int(m): m for m in WhiteBalance}
    return _inquiry("white_balance?", b"\x04\x35", _choice("white balance", table))


def version_inquiry(d: Dialect) -> Command:
    def decode(data: bytes) -> Version:
        _exact(data, 7, "version")
        vendor, model, rom = struct.unpack(">HHH", data[:6])
        return Version(vendor, model, rom, data[6])

    return _inquiry("version?", b"\x00\x02", decode)


# --- replies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ack:
    socket: int


@dataclass(frozen=True)
class Completion:
    socket: int
    data: bytes = b""  # an inquiry's answer; empty for a command


class ErrorCode(IntEnum):
    LENGTH = 0x01
    SYNTAX = 0x02
    BUFFER_FULL = 0x03
    CANCELLED = 0x04
    NO_SOCKET = 0x05
    NOT_EXECUTABLE = 0x41


ERROR_TEXT = {
    0x01: "message length error",
    0x02: "syntax error",
    0x03: "command buffer full",
    0x04: "command cancelled",
    0x05: "no socket to cancel",
    0x41: "command not executable now",
}


@dataclass(frozen=True)
class Error:
    socket: int
    code: int

    @property
    def text(self) -> str:
        return ERROR_TEXT.get(self.code, f"unknown error {self.code:#04x}")


@dataclass(frozen=True)
class NetworkChange:
    pass


@dataclass(frozen=True)
class AddressSet:
    next_address: int


@dataclass(frozen=True)
class Echo:
    """A broadcast echoed back on a serial chain (IF_Clear `88 01 00 01 FF`)."""

    packet: bytes


@dataclass(frozen=True)
class Unknown:
    packet: bytes
    why: str


Reply = Ack | Completion | Error | NetworkChange | AddressSet | Echo | Unknown


def parse_reply(packet: bytes) -> Reply:
    """One packet (ending in FF) from a camera. Never raises."""
    if len(packet) < 3 or packet[-1] != TERMINATOR or TERMINATOR in packet[:-1]:
        return Unknown(packet, "not a VISCA packet")
    head, kind = packet[0], packet[1]
    body = packet[2:-1]
    if head == 0x88:
        if kind == 0x30 and len(body) == 1:
            return AddressSet(body[0])
        return Echo(packet)
    if head & 0x80 == 0 or head & 0x0F != 0:
        return Unknown(packet, "not a reply header")
    if kind == 0x38 and not body:
        return NetworkChange()
    status, socket = kind >> 4, kind & 0x0F
    if status == 0x4 and not body:
        return Ack(socket)
    if status == 0x5:
        return Completion(socket, bytes(body))
    if status == 0x6 and len(body) == 1:
        return Error(socket, body[0])
    return Unknown(packet, "unknown reply")


class FrameSplitter:
    """Cuts a byte stream (TCP, serial) into packets at FF. A run of more than 16 bytes
    without FF is noise: it is dropped and the splitter resynchronises on the next FF."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.discarded = 0

    def feed(self, data: bytes) -> Iterator[bytes]:
        self._buffer += data
        while True:
            end = self._buffer.find(TERMINATOR)
            if end < 0:
                if len(self._buffer) > MAX_PACKET:
                    self.discarded += len(self._buffer)
                    self._buffer.clear()
                return
            packet = bytes(self._buffer[: end + 1])
            del self._buffer[: end + 1]
            if len(packet) > MAX_PACKET:
                self.discarded += len(packet)
                continue
            yield packet


# --- Sony VISCA over IP -------------------------------------------------------------------


class PayloadType(IntEnum):
    COMMAND = 0x0100
    INQUIRY = 0x0110
    REPLY = 0x0111
    DEVICE_SETTING = 0x0120
    CONTROL = 0x0200
    CONTROL_REPLY = 0x0201


RESET = b"\x01"
SEQ_MODULO = 1 << 32


@dataclass(frozen=True)
class IpMessage:
    type: int
    seq: int
    payload: bytes


def encode_ip(payload_type: int, seq: int, payload: bytes) -> bytes:
    if not 1 <= len(payload) <= MAX_PACKET:
        raise ViscaError(f"payload of {len(payload)} bytes")
    return struct.pack(">HHI", payload_type, len(payload), seq % SEQ_MODULO) + payload


def decode_ip(datagram: bytes) -> IpMessage:
    if len(datagram) < 9:
        raise ViscaError(f"datagram too short for a VISCA-over-IP header: {datagram.hex(' ')}")
    payload_type, length, seq = struct.unpack(">HHI", datagram[:8])
    payload = datagram[8:]
    if length != len(payload):
        raise ViscaError(f"header says {length} payload bytes, datagram has {len(payload)}")
    return IpMessage(payload_type, seq, payload)


def payload_type(command: Command) -> int:
    return PayloadType.INQUIRY if command.kind is Kind.INQUIRY else PayloadType.COMMAND


# Control replies: ACK of a RESET, and the two abnormalities.
CONTROL_ACK = b"\x01"
CONTROL_BAD_SEQUENCE = b"\x0f\x01"
CONTROL_BAD_TYPE = b"\x0f\x02"
