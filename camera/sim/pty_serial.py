"""Serial VISCA through a pseudo-terminal: the controller opens the pty's device path (e.g.
/dev/pts/7) with pyserial as it would open a USB-serial adapter.

The line is raw 8N1; the baud rate is what the controller sets, and a pty carries bytes at any
rate. The camera announces itself with a network change (`y0 38 FF`) when powered, as Sony's
serial cameras do; pyserial empties its input buffer when it opens a port, so a controller that
opens the port after the simulator started does not see that message.
"""

from __future__ import annotations

import logging
import os
import threading
import tty
from collections.abc import Hashable, Sequence

from camera.sim import wire
from camera.sim.faults import Dice
from camera.sim.link import Channel, Reply, Transport
from camera.sim.model import CameraModel

log = logging.getLogger("camera.sim")

_MAX_UNTERMINATED = 64


class _Line(Channel):
    datagrams = False

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lock = threading.Lock()

    @property
    def key(self) -> Hashable:
        return self._fd

    def emit(self, messages: Sequence[bytes]) -> None:
        self.emit_raw(b"".join(messages))

    def emit_raw(self, data: bytes) -> None:
        with self._lock:
            if self._fd < 0:
                return
            try:
                os.write(self._fd, data)
            except BlockingIOError:
                log.debug("serial: nobody reads the line; %d bytes lost", len(data))

    def close(self) -> None:
        with self._lock:
            self._fd = -1


class SerialTransport(Transport):
    kind = "serial"

    def __init__(self, model: CameraModel, dice: Dice, baud: int = 9600) -> None:
        super().__init__(model, dice)
        self.baud = baud
        self.path = ""
        self._master = -1
        self._slave = -1
        self._line: _Line | None = None
        self._buffer = b""

    def _open(self) -> None:
        self._master, self._slave = os.openpty()
        # Raw from the start: no echo of the camera's own replies, no newline translation.
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)
        self._line = _Line(self._master)

    def start(self) -> None:
        super().start()
        self.announce(self.model.network_change())

    def _serve(self) -> None:
        assert self._line is not None
        reply = Reply(self.outbox, self._line)
        while self._wait_readable(self._master):
            try:
                data = os.read(self._master, 1024)
            except BlockingIOError:
                continue
            except OSError as exc:
                log.debug("serial read failed: %s", exc)
                if self._stopping.wait(0.05):
                    return
                continue
            frames, self._buffer = wire.split_frames(self._buffer + data)
            for frame in frames:
                self.deliver(frame, reply)
            if len(self._buffer) > _MAX_UNTERMINATED:
                self._buffer = b""
                reply.send([wire.error(self.model.address, 0, wire.ERR_LENGTH)])

    def _close(self) -> None:
        if self._line is not None:
            self._line.close()
        for fd in (self._master, self._slave):
            if fd >= 0:
                os.close(fd)
        self._master = self._slave = -1

    def channels(self) -> list[Channel]:
        return [self._line] if self._line is not None else []
