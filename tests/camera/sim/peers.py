"""Tiny controllers that speak raw bytes to the simulator over real sockets and ptys.

They deliberately know nothing of the project's VISCA client: a test that passes here checks
the simulator against the byte layouts in the makers' manuals, not against shared code.
"""

from __future__ import annotations

import os
import select
import socket
import struct
import time

import serial

TIMEOUT = 3.0  # generous: the test machines are shared and noisy


def h(text: str) -> bytes:
    """Bytes from hex written the way manuals write them: "81 01 06 04 FF"."""
    return bytes.fromhex(text)


class Peer:
    """A controller on a bare-VISCA link: send frames, receive frames (split on FF)."""

    def send(self, frame: bytes) -> None:
        raise NotImplementedError

    def _read(self, timeout: float) -> bytes:
        raise NotImplementedError

    def __init__(self) -> None:
        self._buffer = b""

    def recv(self, timeout: float = TIMEOUT) -> bytes:
        deadline = time.monotonic() + timeout
        while True:
            end = self._buffer.find(b"\xff")
            if end >= 0:
                frame, self._buffer = self._buffer[: end + 1], self._buffer[end + 1 :]
                return frame
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no reply (have {self._buffer.hex(' ')})")
            self._buffer += self._read(left)

    def recv_all(self, count: int, timeout: float = TIMEOUT) -> list[bytes]:
        return [self.recv(timeout) for _ in range(count)]

    def silent(self, seconds: float = 0.3) -> bool:
        """True when nothing arrives for `seconds`."""
        try:
            frame = self.recv(seconds)
        except TimeoutError:
            return True
        self._buffer = frame + self._buffer
        return False

    def ask(self, frame: bytes, timeout: float = TIMEOUT) -> bytes:
        self.send(frame)
        return self.recv(timeout)

    def drain(self, quiet: float = 0.2) -> None:
        """Forget everything received until the link stays quiet for `quiet` seconds."""
        self._buffer = b""
        while not self.silent(quiet):
            self._buffer = b""

    def close(self) -> None:
        raise NotImplementedError


class RawUdpPeer(Peer):
    def __init__(self, host: str, port: int) -> None:
        super().__init__()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.dest = (host, port)
        self.datagrams: list[bytes] = []

    def send(self, frame: bytes) -> None:
        self.sock.sendto(frame, self.dest)

    def _read(self, timeout: float) -> bytes:
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096)
        except TimeoutError:
            return b""
        self.datagrams.append(data)
        return data

    def close(self) -> None:
        self.sock.close()


class TcpPeer(Peer):
    def __init__(self, host: str, port: int) -> None:
        super().__init__()
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.segments: list[bytes] = []

    def send(self, frame: bytes) -> None:
        self.sock.sendall(frame)

    def _read(self, timeout: float) -> bytes:
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096)
        except TimeoutError:
            return b""
        if not data:
            raise ConnectionResetError("the camera closed the connection")
        self.segments.append(data)
        return data

    def close(self) -> None:
        self.sock.close()


class SerialPeer(Peer):
    """pyserial on the simulator's pty, as on a USB-serial adapter."""

    def __init__(self, path: str, baud: int = 9600) -> None:
        super().__init__()
        self.port = serial.Serial(path, baud, bytesize=8, parity="N", stopbits=1, timeout=0.05)

    def send(self, frame: bytes) -> None:
        self.port.write(frame)
        self.port.flush()

    def _read(self, timeout: float) -> bytes:
        self.port.timeout = min(timeout, 0.2)
        return bytes(self.port.read(64))

    def close(self) -> None:
        self.port.close()


def read_raw_tty(path: str, count: int, timeout: float = TIMEOUT) -> bytes:
    """Bytes waiting on a tty, read without pyserial (which empties its input on open)."""
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        data = b""
        deadline = time.monotonic() + timeout
        while len(data) < count and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                data += os.read(fd, count - len(data))
        return data
    finally:
        os.close(fd)


class SonyPeer:
    """A controller speaking Sony VISCA over IP: 8-byte header, sequence numbers."""

    def __init__(self, host: str, port: int, bind: tuple[str, int] = ("127.0.0.1", 0)) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(bind)
        self.dest = (host, port)
        self.sequence = 0

    def send(
        self,
        payload: bytes,
        payload_type: int | None = None,
        sequence: int | None = None,
        length: int | None = None,
    ) -> int:
        if payload_type is None:
            payload_type = 0x0110 if payload[1:2] == b"\x09" else 0x0100
        if sequence is None:
            self.sequence += 1
            sequence = self.sequence
        size = len(payload) if length is None else length
        self.sock.sendto(struct.pack(">HHI", payload_type, size, sequence) + payload, self.dest)
        return sequence

    def reset(self) -> bytes:
        self.sock.sendto(h("02 00 00 01 00 00 00 01 01"), self.dest)
        self.sequence = 0
        return self.recv_datagram()

    def recv_datagram(self, timeout: float = TIMEOUT) -> bytes:
        self.sock.settimeout(timeout)
        return self.sock.recv(4096)

    def recv(self, timeout: float = TIMEOUT) -> tuple[int, int, bytes]:
        """(payload type, sequence number, payload) of the next datagram."""
        data = self.recv_datagram(timeout)
        payload_type, length, sequence = struct.unpack(">HHI", data[:8])
        assert length == len(data) - 8, data.hex(" ")
        return payload_type, sequence, data[8:]

    def silent(self, seconds: float = 0.3) -> bool:
        self.sock.settimeout(seconds)
        try:
            self.sock.recv(4096)
        except TimeoutError:
            return True
        return False

    def close(self) -> None:
        self.sock.close()


def wait_until(condition: object, timeout: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False
