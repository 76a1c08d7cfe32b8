"""Links to a camera: Sony VISCA over IP, raw UDP, raw TCP and serial.

A link moves whole VISCA packets; it does not decide what to send or when (the controller
does). Every link is non-blocking after `open()`: the controller's worker waits on
`fileno()` with a selector and then calls `read()`, which returns what has arrived.

No link binds a fixed local port, so several cameras (and other tools) can run at once.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket
from dataclasses import dataclass

from camera.address import CameraAddress
from camera.visca import (
    RESET,
    FrameSplitter,
    PayloadType,
    ViscaError,
    decode_ip,
    encode_ip,
)

log = logging.getLogger(__name__)


class LinkDown(Exception):
    """The link failed (refused, reset, device gone); the controller reconnects."""


@dataclass(frozen=True)
class Incoming:
    packet: bytes = b""  # a VISCA packet from the camera, ending in FF
    seq: int | None = None  # Sony VISCA over IP: the sequence number echoed
    control: bytes | None = None  # Sony VISCA over IP: a control reply's payload
    noise: bytes = b""  # bytes that were not a packet (logged, never fatal)


class Link:
    sequenced = False  # carries sequence numbers (Sony VISCA over IP)
    reliable = False  # delivers in order without loss (TCP, serial)

    def __init__(self, address: CameraAddress) -> None:
        self.address = address

    def open(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def fileno(self) -> int:
        raise NotImplementedError

    def send(self, packet: bytes, seq: int = 0, payload_type: int = PayloadType.COMMAND) -> None:
        raise NotImplementedError

    def reset(self, seq: int = 0) -> None:
        """Sony VISCA over IP: ask the camera to reset its sequence numbers."""

    def read(self) -> list[Incoming]:
        raise NotImplementedError


class _Udp(Link):
    def __init__(self, address: CameraAddress) -> None:
        super().__init__(address)
        self._sock: socket.socket | None = None
        self._peer: tuple[str, int] | None = None

    def open(self) -> None:
        self.close()
        try:
            infos = socket.getaddrinfo(self.address.host, self.address.port, type=socket.SOCK_DGRAM)
        except OSError as exc:
            raise LinkDown(f"cannot resolve {self.address.host}: {exc}") from exc
        family, _type, _proto, _name, peer = infos[0]
        sock = socket.socket(family, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.bind(("0.0.0.0", 0) if family == socket.AF_INET else ("::", 0))
        self._sock, self._peer = sock, (str(peer[0]), int(peer[1]))

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def fileno(self) -> int:
        if self._sock is None:
            raise LinkDown("not open")
        return self._sock.fileno()

    def _sendto(self, datagram: bytes) -> None:
        if self._sock is None or self._peer is None:
            raise LinkDown("not open")
        try:
            self._sock.sendto(datagram, self._peer)
        except (BlockingIOError, InterruptedError):
            log.warning("send buffer full: a datagram to %s was not sent", self._peer)
        except OSError as exc:
            raise LinkDown(f"send failed: {exc}") from exc

    def _datagrams(self) -> list[bytes]:
        if self._sock is None:
            raise LinkDown("not open")
        out: list[bytes] = []
        while True:
            try:
                data, sender = self._sock.recvfrom(2048)
            except (BlockingIOError, InterruptedError):
                return out
            except ConnectionRefusedError:
                continue  # an ICMP "port unreachable": the camera is away; silence says so
            except OSError as exc:
                raise LinkDown(f"receive failed: {exc}") from exc
            if self._peer is not None and sender[0] != self._peer[0]:
                log.debug("ignored a datagram from %s", sender)
                continue
            out.append(data)


class SonyUdpLink(_Udp):
    """Sony VISCA over IP: the 8-byte header, sequence numbers, RESET and control replies.
    Replies are taken from the camera's address whatever port they come from."""

    sequenced = True

    def send(self, packet: bytes, seq: int = 0, payload_type: int = PayloadType.COMMAND) -> None:
        self._sendto(encode_ip(payload_type, seq, packet))

    def reset(self, seq: int = 0) -> None:
        self._sendto(encode_ip(PayloadType.CONTROL, seq, RESET))

    def read(self) -> list[Incoming]:
        out: list[Incoming] = []
        for datagram in self._datagrams():
            try:
                message = decode_ip(datagram)
            except ViscaError:
                out.append(Incoming(noise=datagram))
                continue
            if message.type == PayloadType.CONTROL_REPLY:
                out.append(Incoming(seq=message.seq, control=message.payload))
            elif message.type == PayloadType.REPLY:
                # A camera may put several replies in one datagram; split them.
                for packet in FrameSplitter().feed(message.payload):
                    out.append(Incoming(packet=packet, seq=message.seq))
            else:
                out.append(Incoming(noise=datagram))
        return out


class RawUdpLink(_Udp):
    def send(self, packet: bytes, seq: int = 0, payload_type: int = PayloadType.COMMAND) -> None:
        self._sendto(packet)

    def read(self) -> list[Incoming]:
        out: list[Incoming] = []
        for datagram in self._datagrams():
            splitter = FrameSplitter()
            packets = list(splitter.feed(datagram))
            out.extend(Incoming(packet=p) for p in packets)
            if splitter.discarded or not packets:
                out.append(Incoming(noise=datagram))
        return out


class _Stream(Link):
    """A byte stream cut into packets at FF: TCP and serial alike."""

    reliable = True

    def __init__(self, address: CameraAddress) -> None:
        super().__init__(address)
        self._splitter = FrameSplitter()

    def _read_bytes(self) -> bytes:
        raise NotImplementedError

    def read(self) -> list[Incoming]:
        data = self._read_bytes()
        before = self._splitter.discarded
        out = [Incoming(packet=p) for p in self._splitter.feed(data)]
        if self._splitter.discarded != before:
            out.append(Incoming(noise=data))
        return out


class TcpLink(_Stream):
    def __init__(self, address: CameraAddress) -> None:
        super().__init__(address)
        self._sock: socket.socket | None = None

    def open(self, timeout: float = 2.0) -> None:
        self.close()
        self._splitter = FrameSplitter()
        try:
            sock = socket.create_connection((self.address.host, self.address.port), timeout)
        except OSError as exc:
            where = f"{self.address.host}:{self.address.port}"
            raise LinkDown(f"cannot connect to {where}: {exc}") from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        self._sock = sock

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def fileno(self) -> int:
        if self._sock is None:
            raise LinkDown("not open")
        return self._sock.fileno()

    def send(self, packet: bytes, seq: int = 0, payload_type: int = PayloadType.COMMAND) -> None:
        if self._sock is None:
            raise LinkDown("not open")
        try:
            self._sock.sendall(packet)
        except OSError as exc:
            raise LinkDown(f"send failed: {exc}") from exc

    def _read_bytes(self) -> bytes:
        if self._sock is None:
            raise LinkDown("not open")
        chunks: list[bytes] = []
        while True:
            try:
                data = self._sock.recv(4096)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:
                raise LinkDown(f"connection lost: {exc}") from exc
            if not data:
                if chunks:
                    break  # hand over what came; the close is seen on the next read
                raise LinkDown("the camera closed the connection")
            chunks.append(data)
        return b"".join(chunks)


class SerialLink(_Stream):
    """RS-232/422 or USB-serial, 8N1 without flow control. Opening sends Address Set and a
    broadcast IF_Clear, as a VISCA controller does at power-up."""

    def __init__(self, address: CameraAddress) -> None:
        super().__init__(address)
        self._port: object | None = None
        self._fd = -1

    def open(self) -> None:
        import serial  # pyserial; imported here so IP-only setups never load it

        self.close()
        self._splitter = FrameSplitter()
        try:
            port = serial.Serial(
                self.address.device,
                self.address.baud,
                bytesize=8,
                parity="N",
                stopbits=1,
                timeout=0,
                write_timeout=1.0,
                xonxoff=False,
                rtscts=False,
            )
        except (OSError, ValueError, serial.SerialException) as exc:
            raise LinkDown(f"cannot open {self.address.device}: {exc}") from exc
        self._port = port
        self._fd = port.fileno()
        self.send(b"\x88\x30\x01\xff")  # Address Set: the chain numbers itself from 1
        self.send(b"\x88\x01\x00\x01\xff")  # IF_Clear, broadcast

    def close(self) -> None:
        if self._port is not None:
            with contextlib.suppress(OSError):
                self._port.close()  # type: ignore[attr-defined]
            self._port = None
            self._fd = -1

    def fileno(self) -> int:
        if self._fd < 0:
            raise LinkDown("not open")
        return self._fd

    def send(self, packet: bytes, seq: int = 0, payload_type: int = PayloadType.COMMAND) -> None:
        if self._fd < 0:
            raise LinkDown("not open")
        try:
            os.write(self._fd, packet)
        except OSError as exc:
            raise LinkDown(f"write to {self.address.device} failed: {exc}") from exc

    def _read_bytes(self) -> bytes:
        if self._fd < 0:
            raise LinkDown("not open")
        chunks: list[bytes] = []
        while True:
            try:
                data = os.read(self._fd, 4096)
            except BlockingIOError:
                break
            except OSError as exc:
                if exc.errno == errno.EAGAIN:
                    break
                raise LinkDown(f"{self.address.device}: {exc}") from exc
            if not data:
                if chunks:
                    break
                raise LinkDown(f"{self.address.device} went away")
            chunks.append(data)
        return b"".join(chunks)


def make_link(address: CameraAddress) -> Link:
    kinds: dict[str, type[Link]] = {
        "udp": SonyUdpLink,
        "rawudp": RawUdpLink,
        "tcp": TcpLink,
        "serial": SerialLink,
    }
    return kinds[address.transport](address)
