"""What every transport shares: reply channels, the outbox that applies outgoing faults, and
the thread life cycle (start, serve, stop)."""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import select
import socket
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Hashable, Sequence

from camera.sim import wire
from camera.sim.faults import Dice
from camera.sim.model import CameraModel, ReplyTarget

log = logging.getLogger("camera.sim")

REORDER_HOLD = 0.05  # how long a reordered reply waits for the next one to overtake it


class Channel(ABC):
    """One destination for replies: a UDP peer, a TCP connection, the serial line."""

    datagrams = True  # False for a byte stream, which never reorders

    @property
    @abstractmethod
    def key(self) -> Hashable: ...

    @abstractmethod
    def emit(self, messages: Sequence[bytes]) -> None:
        """Put messages on the wire together: one write on a stream (unless the profile says
        otherwise), one datagram each on UDP."""

    @abstractmethod
    def emit_raw(self, data: bytes) -> None:
        """Bytes exactly as given, outside any framing (noise)."""


class Outbox:
    """Sends replies through the outgoing faults: drops, duplicates, delay, jitter, reordering
    and noise. Without such faults a reply goes out at once on the caller's thread."""

    def __init__(self, dice: Dice) -> None:
        self._dice = dice
        self._faults = dice.faults
        f = self._faults
        self._direct = not (f.drop_out or f.dup_out or f.delay or f.jitter or f.reorder)
        self._direct = self._direct and not f.garbage
        self._heap: list[tuple[float, int, Channel, Sequence[bytes], bool]] = []
        self._counter = itertools.count()
        self._cond = threading.Condition()
        self._last_due: dict[Hashable, float] = {}
        self._thread: threading.Thread | None = None
        self._running = True

    def post(self, channel: Channel, messages: Sequence[bytes]) -> None:
        if self._direct:
            _emit(channel, messages)
            return
        f, dice = self._faults, self._dice
        now = time.monotonic()
        units: list[tuple[float, bytes, bool]] = []
        if dice.roll("garbage", f.garbage):
            units.append((now + f.delay, dice.garbage(), True))
        for message in messages:
            if dice.roll("drop-out", f.drop_out):
                log.debug("fault: reply %s dropped", wire.hexs(message))
                continue
            due = now + f.delay + dice.uniform("jitter", f.jitter)
            if channel.datagrams and dice.roll("reorder", f.reorder):
                due += REORDER_HOLD + f.jitter
                log.debug("fault: reply %s held back", wire.hexs(message))
            copies = 2 if dice.roll("dup-out", f.dup_out) else 1
            units.extend([(due, message, False)] * copies)
        if not units:
            return
        with self._cond:
            if not channel.datagrams:
                # A stream keeps its order: nothing overtakes what was posted before it.
                floor = self._last_due.get(channel.key, 0.0)
                ordered = []
                for due, data, raw in units:
                    floor = max(floor, due)
                    ordered.append((floor, data, raw))
                units = ordered
                if floor > now:
                    self._last_due[channel.key] = floor
                else:
                    self._last_due.pop(channel.key, None)
        # Messages due together leave together (an ACK and its completion in one write).
        groups: list[tuple[float, list[bytes], bool]] = []
        for due, data, raw in units:
            if groups and groups[-1][0] == due and not raw and not groups[-1][2]:
                groups[-1][1].append(data)
            else:
                groups.append((due, [data], raw))
        for due, group, raw in groups:
            if due <= now:
                _emit(channel, group, raw)
            else:
                self._schedule(due, channel, group, raw)

    def _schedule(self, due: float, channel: Channel, group: Sequence[bytes], raw: bool) -> None:
        with self._cond:
            if not self._running:
                return
            heapq.heappush(self._heap, (due, next(self._counter), channel, group, raw))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="camera-sim-outbox", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._running:
                    now = time.monotonic()
                    if self._heap and self._heap[0][0] <= now:
                        break
                    self._cond.wait(self._heap[0][0] - now if self._heap else None)
                if not self._running:
                    return
                _, _, channel, group, raw = heapq.heappop(self._heap)
            _emit(channel, group, raw)

    def stop(self) -> None:
        with self._cond:
            self._running = False
            self._heap.clear()
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=5)


def _emit(channel: Channel, messages: Sequence[bytes], raw: bool = False) -> None:
    try:
        if raw:
            channel.emit_raw(messages[0])
        else:
            channel.emit(messages)
    except OSError as exc:
        log.debug("reply not sent: %s", exc)


class Reply:
    """A model's reply target: replies to one request go out through the outbox."""

    def __init__(self, outbox: Outbox, channel: Channel) -> None:
        self.outbox = outbox
        self.channel = channel

    def send(self, messages: Sequence[bytes]) -> None:
        self.outbox.post(self.channel, messages)


class Transport(ABC):
    """A camera's link. Subclasses open it, serve it on their own thread, and close it."""

    kind = ""

    def __init__(self, model: CameraModel, dice: Dice) -> None:
        self.model = model
        self.dice = dice
        self.faults = dice.faults
        self.outbox = Outbox(dice)
        self._stopping = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._open()
        self._spawn(self._serve, f"camera-sim-{self.kind}")
        if self.faults.netchange > 0:
            self._spawn(self._announce_periodically, "camera-sim-netchange")

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        for thread in self._threads:
            thread.join(timeout=5)
        # Nothing may write after the files close: their numbers could belong to others by then.
        self.outbox.stop()
        self._close()
        self._wake_r.close()
        self._wake_w.close()

    def announce(self, message: bytes) -> None:
        """A spontaneous message (network change) to everyone listening."""
        for channel in self.channels():
            self.outbox.post(channel, [message])

    def _spawn(self, target: object, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    def _announce_periodically(self) -> None:
        while not self._stopping.wait(self.faults.netchange):
            log.debug("fault: network change")
            self.announce(self.model.network_change())

    def _wait_readable(self, *files: socket.socket | int) -> list[socket.socket | int]:
        """Wait until a file is readable or stop() is called (then an empty list)."""
        ready, _, _ = select.select([self._wake_r, *files], [], [])
        if self._stopping.is_set() or self._wake_r in ready:
            return []
        return [f for f in ready if f is not self._wake_r]

    def arrivals(self, data: bytes) -> int:
        """How many times a received unit reaches the camera: 0 when the network lost it, 2
        when it duplicated it."""
        if self.dice.roll("drop-in", self.faults.drop_in):
            log.debug("fault: request %s dropped", wire.hexs(data))
            return 0
        return 2 if self.dice.roll("dup-in", self.faults.dup_in) else 1

    def deliver(self, frame: bytes, target: ReplyTarget) -> None:
        """Hand a frame received on a bare-VISCA link to the camera, through incoming faults."""
        for _ in range(self.arrivals(frame)):
            self.model.handle(frame, target)

    @abstractmethod
    def _open(self) -> None: ...

    @abstractmethod
    def _serve(self) -> None: ...

    @abstractmethod
    def _close(self) -> None: ...

    @abstractmethod
    def channels(self) -> list[Channel]: ...


def open_socket(kind: int, host: str, port: int) -> socket.socket:
    """A bound socket that lets the next simulator bind the same port right after this one
    closes."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, kind)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock
