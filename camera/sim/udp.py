"""UDP links: Sony VISCA over IP (8-byte header, sequence numbers) and bare VISCA datagrams.

Sony sequence numbers, as the Sony command lists describe delivery confirmation: the camera
remembers, per controller (address and port), the numbers it has executed recently. A message
that repeats one of them is not executed again: it gets the control reply `0F 01` (sequence
abnormality), or the same error again when the first answer was an error. A number never seen
executes normally, whatever its order, so a retransmit of a lost command works. RESET (`02 00`
payload `01`) forgets the numbers of every controller socket on the sender's host: a controller
that uses two sockets (visca-over-ip 0.5.2 sends inquiries from port 52381) resets once.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from camera.sim import wire
from camera.sim.faults import Dice
from camera.sim.link import Channel, Outbox, Reply, Transport, open_socket
from camera.sim.model import CameraModel

log = logging.getLogger("camera.sim")

Address = tuple[str, int]
_REMEMBERED = 64  # sequence numbers kept per controller socket
_PEER_TTL = 120.0  # a controller silent this long no longer gets network-change messages
_DECLARED = {
    wire.TYPE_COMMAND: "command",
    wire.TYPE_INQUIRY: "inquiry",
    wire.TYPE_DEVICE_SETTING: "setting",
}


@dataclass
class _Peer:
    executed: OrderedDict[int, bytes | None] = field(default_factory=OrderedDict)
    last_sequence: int = 0
    seen: float = 0.0


class _Datagrams(Channel):
    """Replies to one controller socket, one message a datagram, as bare VISCA or under a
    Sony header."""

    def __init__(self, sock: socket.socket, dest: Address, sequence: int | None) -> None:
        self._sock = sock
        self._dest = dest
        self._sequence = sequence  # None: bare VISCA

    @property
    def key(self) -> Hashable:
        return self._dest

    def emit(self, messages: Sequence[bytes]) -> None:
        for message in messages:
            if self._sequence is not None:
                message = wire.pack_ip(wire.TYPE_REPLY, self._sequence, message)
            self._sock.sendto(message, self._dest)

    def emit_raw(self, data: bytes) -> None:
        self._sock.sendto(data, self._dest)


class _SonyReply:
    """The model's reply target for one Sony request: remembers an error answer so that a
    retransmit of the same number gets the error again."""

    def __init__(
        self,
        outbox: Outbox,
        channel: Channel,
        peer: _Peer,
        sequence: int,
        lock: threading.Lock,
    ) -> None:
        self._outbox = outbox
        self._channel = channel
        self._peer = peer
        self._sequence = sequence
        self._lock = lock
        self._first = True

    def send(self, messages: Sequence[bytes]) -> None:
        if self._first:
            self._first = False
            if messages and wire.is_error(messages[0]):
                with self._lock:
                    if self._sequence in self._peer.executed:
                        self._peer.executed[self._sequence] = messages[0]
        self._outbox.post(self._channel, messages)


class UdpTransport(Transport):
    """`header=True`: Sony VISCA over IP; `header=False`: bare VISCA datagrams."""

    def __init__(self, model: CameraModel, dice: Dice, host: str, port: int, header: bool) -> None:
        super().__init__(model, dice)
        self.kind = "udp" if header else "raw-udp"
        self.header = header
        self.host = host
        self.port = port
        self._sock: socket.socket | None = None
        self._peers: dict[Address, _Peer] = {}
        self._peers_lock = threading.Lock()

    def _open(self) -> None:
        self._sock = open_socket(socket.SOCK_DGRAM, self.host, self.port)
        self.port = self._sock.getsockname()[1]

    def _close(self) -> None:
        if self._sock is not None:
            self._sock.close()

    def _serve(self) -> None:
        assert self._sock is not None
        sock = self._sock
        while self._wait_readable(sock):
            try:
                data, source = sock.recvfrom(65535)
            except OSError as exc:
                log.debug("udp receive failed: %s", exc)
                continue
            peer: Address = (source[0], source[1])
            for _ in range(self.arrivals(data)):
                if self.header:
                    self._sony(data, peer)
                else:
                    self._bare(data, peer)

    def _dest(self, peer: Address) -> Address:
        port = self.model.profile.reply_port
        return (peer[0], port) if port else peer

    def _bare(self, data: bytes, peer: Address) -> None:
        assert self._sock is not None
        channel = _Datagrams(self._sock, self._dest(peer), None)
        self._remember(peer)
        frames, rest = wire.split_frames(data)
        if rest:
            frames.append(rest)  # no terminator: the camera answers with a syntax error
        for frame in frames:
            self.model.handle(frame, Reply(self.outbox, channel))

    def _remember(self, peer: Address) -> _Peer:
        now = time.monotonic()
        with self._peers_lock:
            state = self._peers.get(peer)
            if state is None:
                # Controllers come and go on fresh ports: forget the long-silent ones.
                for old in [p for p, s in self._peers.items() if now - s.seen > _PEER_TTL]:
                    del self._peers[old]
                state = self._peers[peer] = _Peer()
            state.seen = now
            return state

    def _sony(self, data: bytes, peer: Address) -> None:
        assert self._sock is not None
        sock = self._sock
        dest = self._dest(peer)
        parsed = wire.unpack_ip(data)
        if parsed is None:
            log.debug("udp: %d-byte datagram ignored (no header)", len(data))
            return
        payload_type, length, sequence, payload = parsed
        state = self._remember(peer)

        def control(answer: bytes) -> None:
            self.outbox.post(_Control(sock, dest, sequence), [answer])

        if payload_type == wire.TYPE_CONTROL:
            if payload == wire.CONTROL_RESET and length == 1:
                self._reset(peer)
                control(wire.CONTROL_ACK)
            else:
                control(wire.CONTROL_BAD_MESSAGE)
            return
        declared = _DECLARED.get(payload_type)
        if declared is None or length != len(payload) or not 1 <= length <= wire.MAX_PACKET:
            control(wire.CONTROL_BAD_MESSAGE)
            return
        channel = _Datagrams(sock, dest, sequence)
        with self._peers_lock:
            state.last_sequence = sequence
            check = self.model.profile.sequence_check
            repeated = check and sequence in state.executed
            earlier_error = state.executed.get(sequence) if repeated else None
            if not repeated:
                state.executed[sequence] = None
                while len(state.executed) > _REMEMBERED:
                    state.executed.popitem(last=False)
        if repeated:
            if earlier_error is not None:
                self.outbox.post(channel, [earlier_error])
            else:
                log.debug("udp: sequence %d already executed", sequence)
                control(wire.CONTROL_BAD_SEQUENCE)
            return
        if self.dice.roll("seqerr", self.faults.seqerr):
            log.debug("fault: sequence error for %d", sequence)
            control(wire.CONTROL_BAD_SEQUENCE)
            return
        reply = _SonyReply(self.outbox, channel, state, sequence, self._peers_lock)
        self.model.handle(payload, reply, declared)

    def _reset(self, peer: Address) -> None:
        with self._peers_lock:
            for address, state in self._peers.items():
                if address[0] == peer[0]:
                    state.executed.clear()
                    state.last_sequence = 0
        log.debug("udp: sequence numbers reset by %s:%d", *peer)

    def channels(self) -> list[Channel]:
        assert self._sock is not None
        now = time.monotonic()
        with self._peers_lock:
            peers = [(p, s) for p, s in self._peers.items() if now - s.seen < _PEER_TTL]
        return [
            _Datagrams(self._sock, self._dest(p), s.last_sequence if self.header else None)
            for p, s in peers
        ]


class _Control(Channel):
    """Control replies (type 0201) to one controller socket."""

    def __init__(self, sock: socket.socket, dest: Address, sequence: int) -> None:
        self._sock = sock
        self._dest = dest
        self._sequence = sequence

    @property
    def key(self) -> Hashable:
        return self._dest

    def emit(self, messages: Sequence[bytes]) -> None:
        for message in messages:
            self._sock.sendto(
                wire.pack_ip(wire.TYPE_CONTROL_REPLY, self._sequence, message), self._dest
            )

    def emit_raw(self, data: bytes) -> None:
        self._sock.sendto(data, self._dest)
