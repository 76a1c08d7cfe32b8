"""Bytes on the camera's side of the wire: VISCA frames, nibble fields and the Sony header.

The simulator keeps its own small codec on purpose: it must not share code with the client it
is meant to test, or a shared mistake would pass unnoticed.
"""

from __future__ import annotations

import struct

TERMINATOR = 0xFF
MAX_PACKET = 16  # header byte, at most 14 message bytes, terminator

# Sony VISCA over IP payload types.
TYPE_COMMAND = 0x0100
TYPE_INQUIRY = 0x0110
TYPE_REPLY = 0x0111
TYPE_DEVICE_SETTING = 0x0120
TYPE_CONTROL = 0x0200
TYPE_CONTROL_REPLY = 0x0201
HEADER = struct.Struct(">HHI")

CONTROL_RESET = b"\x01"
CONTROL_ACK = b"\x01"
CONTROL_BAD_SEQUENCE = b"\x0f\x01"
CONTROL_BAD_MESSAGE = b"\x0f\x02"

# VISCA error codes (the third byte of `y0 6z ee FF`).
ERR_LENGTH = 0x01
ERR_SYNTAX = 0x02
ERR_BUFFER_FULL = 0x03
ERR_CANCELLED = 0x04
ERR_NO_SOCKET = 0x05
ERR_NOT_EXECUTABLE = 0x41


def reply_header(address: int) -> int:
    """The first byte of a reply from camera `address` (1 gives 0x90, 2 gives 0xA0)."""
    return (address + 8) << 4


def ack(address: int, socket: int) -> bytes:
    return bytes((reply_header(address), 0x40 | socket, TERMINATOR))


def completion(address: int, socket: int, data: bytes = b"") -> bytes:
    return bytes((reply_header(address), 0x50 | socket)) + data + bytes((TERMINATOR,))


def error(address: int, socket: int, code: int) -> bytes:
    return bytes((reply_header(address), 0x60 | socket, code, TERMINATOR))


def network_change(address: int) -> bytes:
    return bytes((reply_header(address), 0x38, TERMINATOR))


def is_error(message: bytes) -> bool:
    return len(message) >= 4 and message[1] & 0xF0 == 0x60


def to_nibbles(value: int, count: int) -> bytes:
    """`value` as `count` bytes of one nibble each, most significant first; negative values
    in two's complement over 4 × count bits."""
    value &= (1 << (4 * count)) - 1
    return bytes((value >> (4 * (count - 1 - i))) & 0x0F for i in range(count))


def from_nibbles(data: bytes, signed: bool) -> int | None:
    """The value of a nibble field, or None when a byte is not a nibble."""
    value = 0
    for byte in data:
        if byte > 0x0F:
            return None
        value = (value << 4) | byte
    if signed and data and value >= 1 << (4 * len(data) - 1):
        value -= 1 << (4 * len(data))
    return value


def split_frames(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Complete frames (each ending with FF) found in `buffer`, and the unfinished rest."""
    frames: list[bytes] = []
    start = 0
    while True:
        end = buffer.find(TERMINATOR, start)
        if end < 0:
            return frames, buffer[start:]
        frames.append(buffer[start : end + 1])
        start = end + 1


def pack_ip(payload_type: int, sequence: int, payload: bytes) -> bytes:
    return HEADER.pack(payload_type, len(payload), sequence & 0xFFFFFFFF) + payload


def unpack_ip(datagram: bytes) -> tuple[int, int, int, bytes] | None:
    """(payload type, length field, sequence number, payload), or None when shorter than the
    header."""
    if len(datagram) < HEADER.size:
        return None
    payload_type, length, sequence = HEADER.unpack_from(datagram)
    return payload_type, length, sequence, datagram[HEADER.size :]


def hexs(data: bytes) -> str:
    return data.hex(" ").upper()
