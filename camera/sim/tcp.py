"""Bare VISCA over a TCP stream (PTZOptics 5678): frames end at FF wherever the segments
split them, several controllers may connect at once, and replies produced together (an ACK
and an instant completion) leave in one write when the profile coalesces."""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading
from collections.abc import Hashable, Sequence

from camera.sim import wire
from camera.sim.faults import Dice
from camera.sim.link import Channel, Reply, Transport, open_socket
from camera.sim.model import CameraModel

log = logging.getLogger("camera.sim")

_MAX_UNTERMINATED = 64  # bytes without FF before the camera gives up on a frame
_SEND_TIMEOUT = 2.0  # a controller that stops reading is disconnected after this


class _Connection(Channel):
    datagrams = False

    def __init__(self, sock: socket.socket, transport: TcpTransport) -> None:
        self.sock = sock
        self.peer = sock.getpeername()
        self.buffer = b""
        self._transport = transport
        self._lock = threading.Lock()

    @property
    def key(self) -> Hashable:
        return self

    def emit(self, messages: Sequence[bytes]) -> None:
        with self._lock:
            if self._transport.model.profile.coalesce:
                self.sock.sendall(b"".join(messages))
            else:
                for message in messages:
                    self.sock.sendall(message)
        self._after_reply()

    def emit_raw(self, data: bytes) -> None:
        with self._lock:
            self.sock.sendall(data)

    def _after_reply(self) -> None:
        t = self._transport
        if t.dice.roll("hangup", t.faults.hangup):
            log.debug("fault: hanging up on %s", self.peer)
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_RDWR)


class TcpTransport(Transport):
    kind = "tcp"

    def __init__(self, model: CameraModel, dice: Dice, host: str, port: int) -> None:
        super().__init__(model, dice)
        self.host = host
        self.port = port
        self._listener: socket.socket | None = None
        self._connections: dict[socket.socket, _Connection] = {}
        self._lock = threading.Lock()

    def _open(self) -> None:
        self._listener = open_socket(socket.SOCK_STREAM, self.host, self.port)
        self._listener.listen(8)
        self.port = self._listener.getsockname()[1]

    def _serve(self) -> None:
        assert self._listener is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._wake_r, selectors.EVENT_READ)
            selector.register(self._listener, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    sock = key.fileobj
                    if sock is self._wake_r or self._stopping.is_set():
                        return
                    if sock is self._listener:
                        self._accept(selector)
                    else:
                        assert isinstance(sock, socket.socket)
                        self._read(selector, sock)

    def _accept(self, selector: selectors.BaseSelector) -> None:
        assert self._listener is not None
        try:
            sock, _ = self._listener.accept()
        except OSError as exc:
            log.debug("tcp accept failed: %s", exc)
            return
        sock.settimeout(_SEND_TIMEOUT)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = _Connection(sock, self)
        with self._lock:
            self._connections[sock] = connection
        selector.register(sock, selectors.EVENT_READ)
        log.debug("tcp: %s connected", connection.peer)

    def _read(self, selector: selectors.BaseSelector, sock: socket.socket) -> None:
        connection = self._connections[sock]
        try:
            data = sock.recv(4096)
        except OSError:
            data = b""
        if not data:
            selector.unregister(sock)
            self._drop(sock)
            return
        frames, connection.buffer = wire.split_frames(connection.buffer + data)
        reply = Reply(self.outbox, connection)
        for frame in frames:
            self.deliver(frame, reply)
        if len(connection.buffer) > _MAX_UNTERMINATED:
            connection.buffer = b""
            reply.send([wire.error(self.model.address, 0, wire.ERR_LENGTH)])

    def _drop(self, sock: socket.socket) -> None:
        with self._lock:
            connection = self._connections.pop(sock, None)
        if connection is not None:
            log.debug("tcp: %s disconnected", connection.peer)
        sock.close()

    def _close(self) -> None:
        with self._lock:
            socks = list(self._connections)
        for sock in socks:
            self._drop(sock)
        if self._listener is not None:
            self._listener.close()

    def channels(self) -> list[Channel]:
        with self._lock:
            return list(self._connections.values())
