"""One camera, one worker thread: a serialized command queue over one link.

What it guarantees:

- Commands go out in order, one awaiting its acknowledgement at a time and at most two
  executing (a VISCA camera has two command sockets). Inquiries wait their turn too.
- Motion requests coalesce: a newer drive, zoom or focus request replaces an older one not
  yet sent, so a joystick never builds a backlog.
- A stop (pan/tilt, zoom, focus) jumps the queue and is resent until the camera
  acknowledges it. On Sony VISCA over IP a resend keeps its sequence number, so a camera that
  already ran it answers "sequence abnormality" instead of running it twice, which also
  proves delivery. A relative move is never resent on a link without sequence numbers.
- A sequence error on Sony VISCA over IP resets the sequence numbers and carries on.
- Positions are polled while the camera moves, less often when it rests, and with growing
  pauses when it does not answer; a camera that never answers inquiries still works.
- A link that fails is reopened with back-off; silence on UDP is noticed and probed.
- Unknown or malformed replies are logged and counted, never raised.

State changes reach a listener (called on the worker thread) as `CameraEvent`s; callers who
need an answer get a `concurrent.futures.Future`.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any

from camera import visca
from camera.address import CameraAddress
from camera.transport import Incoming, Link, LinkDown, make_link
from camera.visca import (
    CONTROL_ACK,
    CONTROL_BAD_SEQUENCE,
    CONTROL_BAD_TYPE,
    Ack,
    AddressSet,
    Command,
    Completion,
    Echo,
    Error,
    ErrorCode,
    Kind,
    NetworkChange,
    Unknown,
    parse_reply,
    payload_type,
)

log = logging.getLogger(__name__)

STOP_RESEND = 0.015  # first resend of an unacknowledged stop; grows to STOP_RESEND_MAX
STOP_RESEND_MAX = 0.1
COMMAND_RESEND = 0.12
COMMAND_RESEND_MAX = 0.5
COMMAND_ATTEMPTS = 5
INQUIRY_ATTEMPTS = 3
MAX_RESYNCS = 3
STREAM_REPLY_TIMEOUT = 1.5  # TCP and serial do not lose bytes: no resend, just a deadline
COMPLETION_TIMEOUT = 30.0  # a socket whose completion never comes is freed after this
SILENCE_FAILURES = 3  # unanswered messages in a row before the camera counts as gone
POLL_MOVING = 0.2
POLL_IDLE = 2.0
POLL_MAX = 10.0
RECONNECT_MIN = 0.25
RECONNECT_MAX = 5.0
BUSY_RETRY = 0.03  # after "command buffer full"


class CameraError(Exception):
    """A command the camera refused or never answered; the text is for the operator."""


class CameraNoAnswer(CameraError):
    """The camera did not answer, however often the command was sent."""


class CameraOffline(CameraError):
    """The link to the camera is down: the command was not sent (and will not be later)."""


@dataclass(frozen=True)
class CameraState:
    url: str
    connected: bool = False
    detail: str = "connecting"
    moving: bool = False
    pan: int | None = None
    tilt: int | None = None
    zoom: int | None = None
    focus: int | None = None
    power: bool | None = None
    preset: int | None = None  # the preset last recalled
    off_preset: bool = False  # moved since that recall
    answers_inquiries: bool = True
    noise: int = 0  # replies that could not be understood
    resends: int = 0


@dataclass(frozen=True)
class CameraEvent:
    kind: str  # connected | disconnected | moving | position | preset | error | notice
    state: CameraState
    text: str = ""


Listener = Callable[[CameraEvent], None]


def _group(command: Command) -> str | None:
    """Which motion a command drives: commands of one group replace each other."""
    body = command.body
    if body[:2] == b"\x01\x06" or body[:4] == b"\x01\x04\x3f\x02":
        return "pan_tilt"
    if body[:3] in (b"\x01\x04\x07", b"\x01\x04\x47"):
        return "zoom"
    if body[:3] in (b"\x01\x04\x08", b"\x01\x04\x48"):
        return "focus"
    return None


def _continuous(command: Command) -> bool:
    """A drive that runs until stopped (as opposed to a move to a target)."""
    body = command.body
    return body[:3] == b"\x01\x06\x01" or (body[:3] in (b"\x01\x04\x07", b"\x01\x04\x08"))


@dataclass(eq=False)
class _Job:
    command: Command
    future: Future[Any]
    group: str | None
    seq: int | None = None
    attempts: int = 0
    first_sent: float = 0.0
    next_send: float = 0.0  # when to (re)send
    socket: int | None = None
    completed_by: float = 0.0
    poll: bool = False  # a position poll, not a caller's request
    reported: bool = False  # a late stop already reported once
    resyncs: int = 0  # sequence resets this job has been through

    @property
    def stops(self) -> bool:
        return self.command.stops


@dataclass
class _Motion:
    continuous: dict[str, bool] = field(default_factory=dict)  # group -> a drive is running
    targets: int = 0  # moves to a target still executing


class CameraController:
    """Drives one camera. `start()` it, send commands, `close()` it; thread-safe."""

    def __init__(
        self,
        address: CameraAddress | str,
        listener: Listener | None = None,
        poll: bool = True,
        link: Link | None = None,
    ) -> None:
        self.address = (
            address if isinstance(address, CameraAddress) else CameraAddress.parse(address)
        )
        self.dialect = self.address.dialect
        self._listener = listener
        self._poll_enabled = poll
        self._link = link or make_link(self.address)
        self._lock = threading.Lock()
        self._state = CameraState(self.address.url)
        self._requests: deque[_Job] = deque()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None
        # Owned by the worker thread from here on.
        self._queue: deque[_Job] = deque()
        self._waiting: list[_Job] = []  # sent, awaiting their first answer
        self._executing: dict[int, _Job] = {}  # acknowledged on socket z, awaiting completion
        self._seq = 0
        self._open = False
        self._reconnect_at = 0.0
        self._reconnect_wait = RECONNECT_MIN
        self._reset_job: _Job | None = None
        self._failures = 0
        self._answered_inquiries = 0
        self._missed_inquiries = 0
        self._poll_at = 0.0
        self._poll_wait = POLL_IDLE
        self._motion = _Motion()
        self._selector = selectors.DefaultSelector()

    # --- life -----------------------------------------------------------------------------

    def start(self) -> CameraController:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"camera {self.address.label}", daemon=True
            )
            self._thread.start()
        return self

    def close(self, timeout: float = 2.0) -> None:
        self._closing.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._wake_r.close()
        self._wake_w.close()

    def __enter__(self) -> CameraController:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def state(self) -> CameraState:
        with self._lock:
            return self._state

    # --- requests (any thread) ------------------------------------------------------------

    def submit(self, command: Command) -> Future[Any]:
        command = command.for_address(self.address.address)
        future: Future[Any] = Future()
        job = _Job(command, future, _group(command))
        if self._closing.is_set():
            future.set_exception(CameraError("the camera controller is closed"))
            return future
        self._requests.append(job)
        self._wake()
        return future

    def drive(self, pan: int, tilt: int) -> Future[Any]:
        return self.submit(visca.pan_tilt_drive(self.dialect, pan, tilt))

    def stop(self) -> Future[Any]:
        return self.submit(visca.pan_tilt_stop(self.dialect))

    def zoom(self, speed: int) -> Future[Any]:
        return self.submit(visca.zoom_drive(self.dialect, speed))

    def zoom_stop(self) -> Future[Any]:
        return self.submit(visca.zoom_stop(self.dialect))

    def zoom_to(self, position: int) -> Future[Any]:
        return self.submit(visca.zoom_direct(self.dialect, position))

    def focus(self, speed: int) -> Future[Any]:
        return self.submit(visca.focus_drive(self.dialect, speed))

    def move_to(self, pan: int, tilt: int, speed: int | None = None) -> Future[Any]:
        return self.submit(visca.pan_tilt_absolute(self.dialect, pan, tilt, speed, speed))

    def move_by(self, pan: int, tilt: int, speed: int | None = None) -> Future[Any]:
        return self.submit(visca.pan_tilt_relative(self.dialect, pan, tilt, speed, speed))

    def home(self) -> Future[Any]:
        return self.submit(visca.home(self.dialect))

    def preset_recall(self, number: int) -> Future[Any]:
        return self.submit(visca.preset_recall(self.dialect, number))

    def preset_set(self, number: int) -> Future[Any]:
        return self.submit(visca.preset_set(self.dialect, number))

    def position(self) -> Future[Any]:
        return self.submit(visca.position_inquiry(self.dialect))

    def refresh(self, timeout: float = 2.0) -> CameraState:
        """Ask for position, zoom, focus and power now; the state as it stands after."""
        futures = [
            self.submit(visca.power_inquiry(self.dialect)),
            self.submit(visca.position_inquiry(self.dialect)),
            self.submit(visca.zoom_inquiry(self.dialect)),
            self.submit(visca.focus_inquiry(self.dialect)),
        ]
        deadline = time.monotonic() + timeout
        for f in futures:
            # A camera that does not answer still has a state to show.
            with contextlib.suppress(Exception):
                f.result(max(0.0, deadline - time.monotonic()))
        return self.state

    def _wake(self) -> None:
        # A full pipe is a worker already woken; a closed one, a controller shutting down.
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")

    # --- the worker -----------------------------------------------------------------------

    def _run(self) -> None:
        self._selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        try:
            while not self._closing.is_set():
                now = time.monotonic()
                if not self._open and now >= self._reconnect_at:
                    self._connect(now)
                self._take_requests(now)
                if self._open:
                    try:
                        self._tick(now)
                    except LinkDown as exc:
                        self._link_down(str(exc))
                timeout = self._next_deadline(time.monotonic())
                for key, _mask in self._selector.select(timeout):
                    if key.data == "wake":
                        try:
                            while self._wake_r.recv(4096):
                                pass
                        except (BlockingIOError, OSError):
                            pass
                    elif self._open:
                        try:
                            for incoming in self._link.read():
                                self._handle(incoming, time.monotonic())
                        except LinkDown as exc:
                            self._link_down(str(exc))
        except Exception:  # pragma: no cover - the worker must report, not vanish silently
            log.exception("camera worker failed")
            self._publish("error", text="the camera worker stopped on an internal error")
        finally:
            self._shutdown()

    def _shutdown(self) -> None:
        if self._open:
            # A stop asked for just before closing still goes out, once.
            for job in [*self._requests, *self._queue]:
                if job.stops:
                    with contextlib.suppress(LinkDown):
                        self._send(job, time.monotonic())
            self._selector.unregister(self._link)
            self._link.close()
            self._open = False
        self._selector.close()
        leftover = [*self._queue, *self._waiting, *self._executing.values(), *self._requests]
        for job in leftover:
            self._finish(job, error=CameraError("the camera controller was closed"))

    def _connect(self, now: float) -> None:
        try:
            self._link.open()
        except LinkDown as exc:
            self._reconnect_at = now + self._reconnect_wait
            self._reconnect_wait = min(RECONNECT_MAX, self._reconnect_wait * 2)
            self._set(connected=False, detail=str(exc), event="disconnected")
            return
        self._open = True
        self._selector.register(self._link, selectors.EVENT_READ, "link")
        self._failures = 0
        if self._link.reliable:
            # A stream or serial port that opened is a camera that can hear us.
            self._reconnect_wait = RECONNECT_MIN
            self._set(connected=True, detail="connected", event="connected")
        else:
            self._reconnect_at = now + self._reconnect_wait  # when to probe if it stays quiet
        if self._link.sequenced:
            self._start_reset(now)
        self._poll_at = now

    def _link_down(self, why: str) -> None:
        log.warning("%s: %s", self.address.label, why)
        if self._open:
            self._selector.unregister(self._link)
            self._link.close()
            self._open = False
        now = time.monotonic()
        self._reconnect_at = now + self._reconnect_wait
        self._reconnect_wait = min(RECONNECT_MAX, self._reconnect_wait * 2)
        # A move asked for now must not run minutes later when the camera is back: every
        # request but the stops fails at once. Stops are kept and sent on reconnection.
        offline = CameraOffline(f"the camera is offline: {why}")
        stops = [j for j in self._waiting if j.stops]
        for job in [*self._waiting, *self._queue]:
            if not job.stops:
                self._finish(job, error=offline)
        for job in self._executing.values():
            self._finish(job)
        self._waiting.clear()
        self._executing.clear()
        self._queue = deque(j for j in self._queue if j.stops)
        self._reset_job = None
        for job in reversed(stops):
            job.attempts, job.seq, job.next_send = 0, None, 0.0
            self._queue.appendleft(job)
        self._motion = _Motion()
        self._set(connected=False, detail=why, moving=False, event="disconnected")

    # --- sending ------------------------------------------------------------------------

    def _take_requests(self, now: float) -> None:
        while self._requests:
            job = self._requests.popleft()
            if not self._open and not job.stops:
                detail = self.state.detail
                self._finish(job, error=CameraOffline(f"the camera is offline: {detail}"))
                continue
            if job.group is not None and (job.command.moves or job.stops):
                # The newest motion request wins over older ones still in the queue...
                for old in [j for j in self._queue if j.group == job.group and not j.poll]:
                    if old.command.moves or old.stops:
                        self._queue.remove(old)
                        self._finish(old)
                if job.stops:
                    # ...and a stop also ends the resending of the motion it stops.
                    for old in [j for j in self._waiting if j.group == job.group]:
                        if old.command.moves or old.stops:
                            self._waiting.remove(old)
                            self._finish(old)
            if job.stops:
                self._queue.appendleft(job)
            else:
                self._queue.append(job)

    def _next_seq(self) -> int:
        self._seq = (self._seq + 1) % visca.SEQ_MODULO
        return self._seq

    def _can_send(self, job: _Job, now: float) -> bool:
        if job.next_send > now:
            return False
        if job.stops:
            return True  # a stop never waits behind anything
        if self._reset_job is not None:
            return False
        if job.poll:
            return not self._waiting  # a poll never holds up what the operator asked for
        if any(not (j.stops or j.poll) for j in self._waiting):
            return False
        if job.command.kind is Kind.INQUIRY:
            return True  # inquiries use no command socket
        return len(self._executing) < 2

    def _tick(self, now: float) -> None:
        if self._reset_job is not None and now >= self._reset_job.next_send:
            self._send_reset(now)
        while self._queue and self._can_send(self._queue[0], now):
            job = self._queue.popleft()
            self._send(job, now)
        self._resend_due(now)
        self._expire_executing(now)
        self._poll(now)
        self._probe(now)

    def _send(self, job: _Job, now: float) -> None:
        if job.seq is None and self._link.sequenced:
            job.seq = self._next_seq()
        first = job.attempts == 0
        job.attempts += 1
        if job not in self._waiting:
            self._waiting.append(job)
        if first:
            job.first_sent = now
            self._note_sent(job)
        else:
            with self._lock:
                self._state = replace(self._state, resends=self._state.resends + 1)
        job.next_send = now + self._resend_interval(job)
        self._link.send(job.command.packet(), job.seq or 0, payload_type(job.command))

    def _resend_interval(self, job: _Job) -> float:
        if job.stops:
            return min(STOP_RESEND_MAX, STOP_RESEND * 1.5 ** (job.attempts - 1))
        if self._link.reliable:
            return STREAM_REPLY_TIMEOUT
        return min(COMMAND_RESEND_MAX, COMMAND_RESEND * 1.5 ** (job.attempts - 1))

    def _resend_due(self, now: float) -> None:
        for job in list(self._waiting):
            if job.next_send > now:
                continue
            if job.stops:
                if not job.reported and now - job.first_sent > 2.0:
                    job.reported = True
                    self._publish("error", text=f"{job.command.name}: not acknowledged yet")
                self._send(job, now)
                continue
            attempts = INQUIRY_ATTEMPTS if job.command.kind is Kind.INQUIRY else COMMAND_ATTEMPTS
            retry = (
                not self._link.reliable
                and job.attempts < attempts
                and (self._link.sequenced or job.command.idempotent)
            )
            if retry:
                self._send(job, now)
                continue
            self._waiting.remove(job)
            self._no_answer(job)

    def _no_answer(self, job: _Job) -> None:
        inquiry = job.command.kind is Kind.INQUIRY
        if inquiry:
            self._missed_inquiries += 1
            never = self._answered_inquiries == 0
            if (
                never
                and self._missed_inquiries >= SILENCE_FAILURES
                and self.state.answers_inquiries
            ):
                self._set(answers_inquiries=False, event="notice",
                              text="the camera does not answer inquiries")  # fmt: skip
        if not inquiry or self._answered_inquiries > 0:
            self._failures += 1
            if self._failures >= SILENCE_FAILURES and self.state.connected:
                self._set(connected=False, detail="the camera does not answer",
                          event="disconnected")  # fmt: skip
                if self._link.reliable:
                    raise LinkDown("the camera stopped answering")
        self._finish(job, error=CameraNoAnswer(f"{job.command.name}: no answer from the camera"))

    def _expire_executing(self, now: float) -> None:
        for z, job in list(self._executing.items()):
            if now >= job.completed_by:
                log.info("%s: no completion on socket %d; freeing it", job.command.name, z)
                del self._executing[z]
                self._finish(job)
                self._motion_done(job)

    # --- Sony sequence reset ----------------------------------------------------------------

    def _start_reset(self, now: float) -> None:
        self._reset_job = _Job(visca.if_clear(self.dialect), Future(), None)
        self._reset_job.next_send = now

    def _send_reset(self, now: float) -> None:
        job = self._reset_job
        assert job is not None
        job.attempts += 1
        if job.attempts > 3:
            # A camera that ignores RESET (or is away): carry on with our own numbers.
            self._reset_job = None
            return
        job.next_send = now + COMMAND_RESEND
        self._seq = 0
        self._link.reset(0)

    # --- answers --------------------------------------------------------------------------

    def _handle(self, incoming: Incoming, now: float) -> None:
        if incoming.noise:
            self._noise(incoming.noise, "unreadable bytes")
            return
        if incoming.control is not None:
            self._control(incoming, now)
            return
        reply = parse_reply(incoming.packet)
        self._heard(now)
        match reply:
            case Ack(socket=z):
                job = self._take_waiting(incoming.seq, want_inquiry=False)
                if job is None:
                    return  # the ACK of a resend already answered, or a stray
                previous = self._executing.pop(z, None)
                if previous is not None:
                    # The camera reused the socket: the earlier command has ended.
                    self._finish(previous)
                    self._motion_done(previous)
                job.socket = z
                job.completed_by = now + COMPLETION_TIMEOUT
                self._executing[z] = job
                if job.stops:
                    self._stop_delivered(job)
            case Completion(socket=z, data=data) if data:
                job = self._take_waiting(incoming.seq, want_inquiry=True)
                if job is None:
                    return
                self._answered(job, data)
            case Completion(socket=z):
                job = self._executing.pop(z, None)
                if job is None or (incoming.seq is not None and job.seq != incoming.seq):
                    if job is not None:
                        self._executing[z] = job
                    # Completed without an ACK first (IF_Clear, device settings, some
                    # cameras for instant moves): the oldest command waiting is done.
                    job = self._take_waiting(incoming.seq, want_inquiry=False)
                    if job is None:
                        return
                self._complete(job)
            case Error(socket=z, code=code):
                self._error(incoming.seq, z, code, now)
            case NetworkChange():
                self._publish("notice", text="the camera reports a network change")
            case AddressSet() | Echo():
                pass  # the serial chain's answers to our own start-up broadcast
            case Unknown(packet=packet, why=why):
                self._noise(packet, why)

    def _heard(self, now: float) -> None:
        self._failures = 0
        if not self.state.connected:
            self._reconnect_wait = RECONNECT_MIN
            self._set(connected=True, detail="connected", event="connected")

    def _noise(self, data: bytes, why: str) -> None:
        log.warning("%s: %s: %s", self.address.label, why, data[:32].hex(" "))
        with self._lock:
            self._state = replace(self._state, noise=self._state.noise + 1)

    def _take_waiting(self, seq: int | None, want_inquiry: bool) -> _Job | None:
        for job in self._waiting:
            if seq is not None and self._link.sequenced:
                if job.seq == seq:
                    self._waiting.remove(job)
                    return job
            elif (job.command.kind is Kind.INQUIRY) == want_inquiry:
                self._waiting.remove(job)
                return job
        return None

    def _control(self, incoming: Incoming, now: float) -> None:
        payload = incoming.control
        self._heard(now)
        if payload == CONTROL_ACK:
            self._reset_job = None
            return
        job = next((j for j in self._waiting if j.seq == incoming.seq), None)
        if payload == CONTROL_BAD_SEQUENCE:
            if job is not None and job.attempts > 1 and job.command.kind is Kind.COMMAND:
                # Sony: a resend the camera had already run. Delivered; its completion was
                # lost with the first answer.
                self._waiting.remove(job)
                if job.stops:
                    self._stop_delivered(job)
                self._complete(job)
                return
            if job is not None and job.attempts > 1:
                # Sony: an inquiry resent after its answer was lost. Ask again, numbered anew.
                self._waiting.remove(job)
                if job.attempts >= INQUIRY_ATTEMPTS:
                    self._no_answer(job)
                else:
                    job.seq, job.next_send = None, now
                    self._queue.appendleft(job)
                return
            # Out of step (a restarted camera, a NewTek-style counter): renumber and resend.
            log.info("%s: sequence error; resetting sequence numbers", self.address.label)
            self._start_reset(now)
            self._send_reset(now)
            for j in reversed(list(self._waiting)):
                self._waiting.remove(j)
                j.resyncs += 1
                if j.resyncs > MAX_RESYNCS:
                    refused = f"{j.command.name}: the camera keeps refusing sequence numbers"
                    self._finish(j, error=CameraError(refused))
                    continue
                j.seq, j.attempts, j.next_send = None, 0, now
                self._queue.appendleft(j)
            return
        if payload == CONTROL_BAD_TYPE and job is not None:
            self._waiting.remove(job)
            self._finish(job, error=CameraError(f"{job.command.name}: the camera refused "
                                                "the message type"))  # fmt: skip
            return
        self._noise(payload or b"", "unknown control reply")

    def _error(self, seq: int | None, z: int, code: int, now: float) -> None:
        job: _Job | None = None
        if self._link.sequenced and seq is not None:
            job = next((j for j in self._waiting if j.seq == seq), None)
            if job is not None:
                self._waiting.remove(job)
            else:
                found = [(s, j) for s, j in self._executing.items() if j.seq == seq]
                if found:
                    job = self._executing.pop(found[0][0])
        elif code == ErrorCode.CANCELLED and z in self._executing:
            job = self._executing.pop(z)
        else:
            # An error answers the command awaiting its first reply, if there is one.
            job = self._take_waiting(None, want_inquiry=False) or self._take_waiting(
                None, want_inquiry=True
            )
            if job is None and z in self._executing:
                job = self._executing.pop(z)
        if job is None:
            self._noise(bytes((0x90, 0x60 | z, code, 0xFF)), "an error for no command")
            return
        if code == ErrorCode.BUFFER_FULL:
            # Both sockets busy (with commands of another controller, perhaps): try again.
            job.attempts, job.next_send = 0, now + BUSY_RETRY
            self._queue.appendleft(job)
            return
        if job.stops:
            # "Not executable" for a stop: nothing was moving (standby, already stopped).
            self._stop_delivered(job)
            self._complete(job)
            return
        text = visca.ERROR_TEXT.get(code, f"unknown error {code:#04x}")
        self._motion_done(job)
        self._finish(job, error=CameraError(f"{job.command.name}: {text}"))
        if not job.poll:
            self._publish("error", text=f"{job.command.name}: {text}")

    def _answered(self, job: _Job, data: bytes) -> None:
        self._answered_inquiries += 1
        self._missed_inquiries = 0
        decode = job.command.decode
        try:
            value = decode(data) if decode is not None else data
        except visca.ViscaError as exc:
            self._noise(data, f"{job.command.name}: {exc}")
            self._finish(job, error=CameraError(f"{job.command.name}: {exc}"))
            return
        updates: dict[str, Any] = {}
        name = job.command.name
        if name == "position?":
            updates["pan"], updates["tilt"] = value
        elif name == "zoom?":
            updates["zoom"] = value
        elif name == "focus?":
            updates["focus"] = value
        elif name == "power?":
            updates["power"] = value
        if not self.state.answers_inquiries:
            updates["answers_inquiries"] = True
        if updates:
            self._set(event="position" if name != "power?" else "", **updates)
        self._finish(job, value)

    def _complete(self, job: _Job) -> None:
        body = job.command.body
        if body[:4] == b"\x01\x04\x3f\x02":  # a preset recall arrived
            self._set(preset=body[4], off_preset=False, event="preset")
        elif body[:3] == b"\x01\x04\x00":
            self._set(power=body[3] == 0x02)
        self._motion_done(job)
        self._finish(job)

    # --- motion bookkeeping -----------------------------------------------------------------

    def _note_sent(self, job: _Job) -> None:
        command = job.command
        if job.group is None or not (command.moves or command.stops):
            return
        recall = command.name.startswith("preset_recall")
        at_preset = self.state.preset is not None and not self.state.off_preset
        if command.moves and not recall and at_preset:
            self._set(off_preset=True, event="preset")
        if _continuous(command):
            self._motion.continuous[job.group] = command.moves
        elif command.moves:
            self._motion.targets += 1
        self._update_moving()

    def _stop_delivered(self, job: _Job) -> None:
        if job.group is not None:
            self._motion.continuous[job.group] = False
        self._update_moving()

    def _motion_done(self, job: _Job) -> None:
        if job.command.moves and not _continuous(job.command) and self._motion.targets > 0:
            self._motion.targets -= 1
            self._update_moving()
            self._poll_at = 0.0  # where did it land?

    def _update_moving(self) -> None:
        moving = self._motion.targets > 0 or any(self._motion.continuous.values())
        if moving != self.state.moving:
            self._set(moving=moving, event="moving")
            self._poll_wait = POLL_MOVING if moving else POLL_IDLE
            self._poll_at = 0.0

    # --- polling and probing ----------------------------------------------------------------

    def _poll(self, now: float) -> None:
        if not self._poll_enabled or now < self._poll_at or not self.state.connected:
            return
        if any(j.poll for j in (*self._queue, *self._waiting)):
            return
        if self._missed_inquiries:
            # Unanswered polls: wait longer each time, up to POLL_MAX.
            wait = min(POLL_MAX, POLL_IDLE * 2 ** min(self._missed_inquiries, 4))
        else:
            wait = POLL_MOVING if self.state.moving else POLL_IDLE
        self._poll_at = now + wait
        for command in (visca.position_inquiry(self.dialect), visca.zoom_inquiry(self.dialect)):
            job = _Job(command.for_address(self.address.address), Future(), None, poll=True)
            self._queue.append(job)

    def _probe(self, now: float) -> None:
        """A UDP camera that went quiet is asked again, less and less often, until it
        answers; a stream link that failed is reopened instead."""
        if self.state.connected or self._link.reliable or now < self._reconnect_at:
            return
        if self._reset_job is not None:
            return
        self._reconnect_at = now + self._reconnect_wait
        self._reconnect_wait = min(RECONNECT_MAX, self._reconnect_wait * 2)
        if self._link.sequenced:
            self._start_reset(now)
        elif not self._queue and not self._waiting:
            probe = visca.power_inquiry(self.dialect).for_address(self.address.address)
            self._queue.append(_Job(probe, Future(), None, poll=True))

    def _next_deadline(self, now: float) -> float:
        times = [now + 1.0]
        if not self._open:
            times.append(self._reconnect_at)
        else:
            if self._queue:
                times.append(max(now, self._queue[0].next_send))
            times.extend(j.next_send for j in self._waiting)
            times.extend(j.completed_by for j in self._executing.values())
            if self._reset_job is not None:
                times.append(self._reset_job.next_send)
            if self._poll_enabled and self.state.connected:
                times.append(self._poll_at)
            if not self.state.connected and not self._link.reliable:
                times.append(self._reconnect_at)
        return max(0.0, min(times) - now)

    # --- state and events -------------------------------------------------------------------

    def _finish(self, job: _Job, value: Any = None, error: Exception | None = None) -> None:
        if job.future.done():
            return
        if error is not None:
            job.future.set_exception(error)
        else:
            job.future.set_result(value)

    def _set(self, event: str = "", text: str = "", **changes: Any) -> None:
        with self._lock:
            self._state = replace(self._state, **changes)
        if event:
            self._publish(event, text=text)

    def _publish(self, kind: str, text: str = "") -> None:
        if self._listener is None:
            return
        try:
            self._listener(CameraEvent(kind, self.state, text))
        except Exception:  # a listener's bug must not stop the camera
            log.exception("camera event listener failed")
