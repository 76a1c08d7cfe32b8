"""The simulated camera: its state, its motion, its two command sockets, and what it answers.

A command is acknowledged at once and completed when its move ends. Positions are functions of
monotonic time (piecewise-linear tracks), computed when asked; a timer thread sends each
completion when its move ends. `state()` never takes the lock the network threads use: it reads
the last published snapshot and evaluates the tracks at the current time.

Behaviour chosen where manuals are silent (each is what the tests check):

- Any command that moves an axis takes that axis over. The job that held it completes at once
  (`y0 5z FF`) and the new command is acknowledged on the freed socket. So a new drive, or a
  pan-tilt STOP, gets through even when both sockets are busy; a third command that takes no
  busy axis gets `y0 60 03 FF` (buffer full).
- A drive (pan-tilt, zoom, focus) holds its socket until it stops: at a STOP, at the end of its
  travel, or when another command takes its axes. `Profile.drive_completion = "immediate"`
  instead completes it at once and lets it run.
- Cancel `8x 2z FF` stops the socket's job where it is: `y0 6z 04 FF`, no completion follows;
  `y0 6z 05 FF` when the socket is idle.
- IF_Clear drops every job without a completion and stops all motion.
- In standby (and while powering on) every command but power on/standby gets `y0 6z 41 FF`, z
  being the socket it would have used; no ACK precedes it. Manual focus in auto focus mode is
  refused the same way.
- A preset never set holds the power-on framing (home, wide, far). Recalling PTZOptics 5Fh
  toggles the on-screen menu; while the menu is open pan-tilt drives move the menu cursor, not
  the head. Setting 5Fh stores nothing.
- Speeds above the profile's maximum are taken as the maximum, and speed 00 as 01 (clients send
  `00` on a stopped axis); positions beyond the limits stop at the limit.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from camera.sim import wire
from camera.sim.faults import Dice, Faults
from camera.sim.profiles import Profile
from camera.sim.state import CameraState, Track

log = logging.getLogger("camera.sim")

AXES = ("pan", "tilt", "zoom", "focus")
_ALL_AXES = frozenset(AXES)
_INSTANT = 0.0005  # a move shorter than this completes with its ACK


class ReplyTarget(Protocol):
    """Where the replies to one request go (a UDP peer and sequence number, a TCP connection,
    the serial line)."""

    def send(self, messages: Sequence[bytes]) -> None: ...


@dataclass(frozen=True)
class _Settings:
    power: bool = True
    booting: bool = False
    focus_auto: bool = True
    ae_mode: int = 0x00
    wb_mode: int = 0x00
    backlight: bool = False
    iris: int = 0x0B
    gain: int = 0x01
    shutter: int = 0x0A
    bright: int = 0x0F
    r_gain: int = 0x80
    b_gain: int = 0x80
    last_preset: int | None = None
    recalling_preset: int | None = None
    osd_menu: bool = False
    preset_speed: int = 0  # 0: the profile's fastest pan speed
    address: int = 1


@dataclass(frozen=True)
class _Snapshot:
    settings: _Settings
    tracks: tuple[Track, Track, Track, Track]
    presets: tuple[int, ...]
    busy: tuple[int, ...]


# Direct-value settings: command byte, (state field, lowest, highest).
_VALUES: dict[int, tuple[str, int, int]] = {
    0x4B: ("iris", 0x00, 0x11),
    0x4C: ("gain", 0x00, 0x0F),
    0x4A: ("shutter", 0x00, 0x15),
    0x4D: ("bright", 0x00, 0x1F),
    0x43: ("r_gain", 0x00, 0xFF),
    0x44: ("b_gain", 0x00, 0xFF),
}
# Up/down/reset commands for the same settings.
_STEPS = {0x0B: 0x4B, 0x0C: 0x4C, 0x0A: 0x4A, 0x0D: 0x4D, 0x03: 0x43, 0x04: 0x44}
_AE_MODES = {0x00, 0x03, 0x0A, 0x0B, 0x0D}
_INQUIRY_KINDS = {
    b"\x00\x02": "version",
    b"\x04\x00": "power",
    b"\x06\x12": "pantilt",
    b"\x06\x11": "maxspeed",
    b"\x04\x47": "zoom",
    b"\x04\x48": "focus",
    b"\x04\x38": "focusmode",
    b"\x04\x39": "ae",
    b"\x04\x35": "wb",
    b"\x04\x33": "backlight",
    b"\x04\x4b": "iris",
    b"\x04\x4c": "gain",
    b"\x04\x4a": "shutter",
    b"\x04\x4d": "bright",
    b"\x04\x43": "rgain",
    b"\x04\x44": "bgain",
    b"\x04\x3f": "preset",
}
_SETTING_OF_INQUIRY = {
    "iris": "iris",
    "gain": "gain",
    "shutter": "shutter",
    "bright": "bright",
    "rgain": "r_gain",
    "bgain": "b_gain",
}


@dataclass
class _Job:
    socket: int
    name: str
    axes: frozenset[str]
    target: ReplyTarget
    token: int
    ends: float
    on_finish: Callable[[], None] | None = None


@dataclass
class _Plan:
    """What a parsed command will do, checked before anything changes."""

    name: str
    run: Callable[[float], float]  # applies the command at `now`; returns when its move ends
    axes: frozenset[str] = frozenset()
    in_standby: bool = False  # executable in standby (power commands)
    manual_focus: bool = False  # refused in auto focus mode
    holds: bool = True  # a move that ends later keeps its socket until then
    on_finish: Callable[[], None] | None = None


@dataclass
class _Batch:
    """Replies and timers gathered under the lock, sent and armed after it is released."""

    replies: list[tuple[ReplyTarget, list[bytes]]] = field(default_factory=list)
    timers: list[tuple[float, Callable[[], None]]] = field(default_factory=list)

    def reply(self, target: ReplyTarget, message: bytes) -> None:
        if self.replies and self.replies[-1][0] is target:
            self.replies[-1][1].append(message)
        else:
            self.replies.append((target, [message]))


class _Timer:
    """One thread that runs actions at monotonic times (a heap)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._counter = itertools.count()
        self._cond = threading.Condition()
        self._running = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._cond:
            if self._running:
                return
            self._running = True
        self._thread = threading.Thread(target=self._run, name="camera-sim-timer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._running = False
            self._heap.clear()
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None

    def at(self, when: float, action: Callable[[], None]) -> None:
        with self._cond:
            if not self._running:
                return
            heapq.heappush(self._heap, (when, next(self._counter), action))
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._running:
                    if self._heap and self._heap[0][0] <= self._clock():
                        break
                    timeout = self._heap[0][0] - self._clock() if self._heap else None
                    self._cond.wait(timeout)
                if not self._running:
                    return
                _, _, action = heapq.heappop(self._heap)
            try:
                action()
            except Exception:  # a failing reply must not stop later completions
                log.exception("camera simulator timer action failed")


# --- the camera -------------------------------------------------------------------------------


class CameraModel:
    """One camera. `handle()` takes a VISCA frame and a reply target; thread-safe."""

    def __init__(
        self,
        profile: Profile,
        *,
        address: int = 1,
        over_ip: bool = True,
        faults: Faults | None = None,
        dice: Dice | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 1 <= address <= 7:
            raise ValueError("a VISCA camera address is 1–7")
        self.profile = profile
        self.over_ip = over_ip
        self.faults = faults or Faults()
        self.dice = dice or Dice(self.faults)
        self._clock = clock
        self._lock = threading.Lock()
        self._timer = _Timer(clock)
        self._tokens = itertools.count(1)
        self._jobs: dict[int, _Job] = {}
        self._presets: dict[int, tuple[float, float, float, float]] = {}
        now = clock()
        self._settings = _Settings(address=1 if over_ip else address)
        self._tracks = self._home_tracks(now)
        self._snapshot = _Snapshot(self._settings, self._tracks_tuple(), (), ())

    # Lifecycle.

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    # Reading.

    @property
    def address(self) -> int:
        return self._snapshot.settings.address

    def state(self) -> CameraState:
        snap = self._snapshot  # one reference read: never waits for the network threads
        t = self._clock()
        p = self.profile
        s = snap.settings
        pan_t, tilt_t, zoom_t, focus_t = snap.tracks
        pan, tilt, zoom, focus = (round(track.at(t)) for track in snap.tracks)
        span = p.focus_near - p.focus_far
        return CameraState(
            at=t,
            profile=p.name,
            address=s.address,
            power=s.power,
            booting=s.booting,
            pan=pan,
            tilt=tilt,
            pan_deg=pan_t.at(t) / p.pan_units_per_degree,
            tilt_deg=tilt_t.at(t) / p.tilt_units_per_degree,
            zoom_raw=zoom,
            zoom=zoom / p.zoom_max,
            hfov_deg=p.hfov_deg(zoom_t.at(t) / p.zoom_max),
            focus_raw=focus,
            focus=(focus_t.at(t) - p.focus_far) / span if span else 0.0,
            focus_auto=s.focus_auto,
            pan_tilt_moving=pan_t.moving(t) or tilt_t.moving(t),
            zoom_moving=zoom_t.moving(t),
            focus_moving=focus_t.moving(t),
            ae_mode=s.ae_mode,
            wb_mode=s.wb_mode,
            backlight=s.backlight,
            iris=s.iris,
            gain=s.gain,
            shutter=s.shutter,
            bright=s.bright,
            r_gain=s.r_gain,
            b_gain=s.b_gain,
            last_preset=s.last_preset,
            recalling_preset=s.recalling_preset,
            presets=snap.presets,
            osd_menu=s.osd_menu,
            busy_sockets=snap.busy,
        )

    def network_change(self) -> bytes:
        return wire.network_change(self.address)

    # Writing.

    def handle(self, frame: bytes, target: ReplyTarget, declared: str | None = None) -> None:
        """Execute one VISCA frame. `declared` is what a Sony header called it ("command",
        "inquiry" or "setting"); None on links without a header."""
        batch = _Batch()
        with self._lock:
            now = self._clock()  # under the lock: tracks never start before the last change
            try:
                self._dispatch(frame, target, declared, now, batch)
            except Exception:  # whatever arrives, the camera answers and keeps running
                log.exception("camera simulator failed on %s", wire.hexs(frame))
                batch.reply(target, self._error(0, wire.ERR_SYNTAX))
            self._publish()
        self._deliver(batch)

    def power_cycle(self) -> None:
        """Mains off and on: jobs vanish unanswered, settings return to their defaults, the
        head stays where it is; presets survive."""
        with self._lock:
            now = self._clock()
            self._jobs.clear()
            self._freeze(_ALL_AXES, now)
            self._settings = _Settings(address=self._settings.address)
            self._publish()

    # Internals: everything below runs with the lock held unless it says otherwise.

    def _home_tracks(self, now: float) -> dict[str, Track]:
        return {
            "pan": Track.still(now, 0),
            "tilt": Track.still(now, 0),
            "zoom": Track.still(now, 0),
            "focus": Track.still(now, self.profile.focus_far),
        }

    def _tracks_tuple(self) -> tuple[Track, Track, Track, Track]:
        t = self._tracks
        return (t["pan"], t["tilt"], t["zoom"], t["focus"])

    def _publish(self) -> None:
        self._snapshot = _Snapshot(
            self._settings,
            self._tracks_tuple(),
            tuple(sorted(self._presets)),
            tuple(sorted(self._jobs)),
        )

    def _deliver(self, batch: _Batch) -> None:
        """Send replies, then arm timers: a completion can never overtake its ACK. Lock not
        held."""
        for target, messages in batch.replies:
            log.debug("-> %s", " | ".join(wire.hexs(m) for m in messages))
            try:
                target.send(messages)
            except OSError as exc:
                log.debug("reply lost: %s", exc)
        for when, action in batch.timers:
            self._timer.at(when, action)

    def _header(self) -> int:
        return wire.reply_header(self._settings.address)

    def _error(self, socket: int, code: int) -> bytes:
        return wire.error(self._settings.address, socket, code)

    def _ack(self, socket: int) -> bytes:
        message = wire.ack(self._settings.address, socket)
        if self.profile.ack_header_a0:
            message = b"\xa0" + message[1:]
        return message

    def _dispatch(
        self, frame: bytes, target: ReplyTarget, declared: str | None, now: float, batch: _Batch
    ) -> None:
        log.debug("<- %s", wire.hexs(frame))
        if frame[-1:] != b"\xff":
            batch.reply(target, self._error(0, wire.ERR_SYNTAX))
            return
        if len(frame) < 3:
            batch.reply(target, self._error(0, wire.ERR_LENGTH))
            return
        # A header is 1sss0rrr (sender s, receiver r) or 1sss1000 (broadcast).
        first = frame[0]
        if first & 0x8F == 0x88:
            self._broadcast(frame, target, batch)
            return
        if first & 0x88 != 0x80:
            batch.reply(target, self._error(0, wire.ERR_SYNTAX))
            return
        receiver = first & 0x07
        if not self.over_ip and receiver != self._settings.address:
            return  # for another camera on the chain, or another device's reply
        if receiver == 0:
            batch.reply(target, self._error(0, wire.ERR_SYNTAX))
            return
        if len(frame) > wire.MAX_PACKET:
            batch.reply(target, self._error(0, wire.ERR_LENGTH))
            return
        kind = frame[1]
        body = frame[2:-1]
        if kind & 0xF0 == 0x20 and not body:
            self._cancel(kind & 0x0F, target, now, batch)
            return
        if kind not in (0x01, 0x09):
            batch.reply(target, self._error(0, wire.ERR_SYNTAX))
            return
        strict = self.profile.strict_inquiry_type and declared is not None
        if strict and (kind == 0x09) != (declared == "inquiry"):
            batch.reply(target, self._error(0, wire.ERR_SYNTAX))
            return
        if self.dice.roll("unknown", self.faults.unknown):
            batch.reply(target, self._error(0, 0x0F))
            return
        if kind == 0x09:
            self._inquiry(body, target, now, batch)
        elif body == b"\x00\x01":
            self._if_clear(now)
            batch.reply(target, wire.completion(self._settings.address, 0))
        else:
            self._command(body, target, now, batch)

    def _broadcast(self, frame: bytes, target: ReplyTarget, batch: _Batch) -> None:
        if len(frame) == 4 and frame[1] == 0x30 and 1 <= frame[2] <= 7:
            if not self.over_ip:
                self._settings = replace(self._settings, address=frame[2])
            # Each camera takes the number it receives and passes the next one along.
            batch.reply(target, bytes((0x88, 0x30, frame[2] + 1, wire.TERMINATOR)))
        elif frame[1:] == b"\x01\x00\x01\xff":
            self._if_clear(self._clock())
            batch.reply(target, frame)
        else:
            log.debug("ignored broadcast %s", wire.hexs(frame))

    def _if_clear(self, now: float) -> None:
        self._jobs.clear()
        self._freeze(_ALL_AXES, now)
        self._settings = replace(self._settings, recalling_preset=None)

    def _cancel(self, socket: int, target: ReplyTarget, now: float, batch: _Batch) -> None:
        job = self._jobs.pop(socket, None)
        if job is None:
            batch.reply(target, self._error(socket, wire.ERR_NO_SOCKET))
            return
        self._freeze(job.axes, now)
        if job.name == "preset recall":
            self._settings = replace(self._settings, recalling_preset=None)
        batch.reply(target, self._error(socket, wire.ERR_CANCELLED))

    def _freeze(self, axes: frozenset[str], now: float) -> None:
        for axis in AXES:
            if axis in axes:
                self._tracks[axis] = Track.still(now, self._tracks[axis].at(now))

    def _set_track(self, axis: str, track: Track) -> None:
        self._tracks[axis] = track

    def _now_at(self, axis: str, now: float) -> float:
        return self._tracks[axis].at(now)

    # Commands.

    def _command(self, body: bytes, target: ReplyTarget, now: float, batch: _Batch) -> None:
        plan = self._plan(body)
        if isinstance(plan, int):
            batch.reply(target, self._error(0, plan))
            return
        superseded = [job for job in self._jobs.values() if job.axes & plan.axes]
        free = [n for n in range(1, self.profile.sockets + 1) if n not in self._jobs]
        if superseded:
            socket = min(job.socket for job in superseded)
        elif free:
            socket = free[0]
        else:
            batch.reply(target, self._error(0, wire.ERR_BUFFER_FULL))
            return
        s = self._settings
        if (not s.power or s.booting) and not plan.in_standby:
            batch.reply(target, self._error(socket, wire.ERR_NOT_EXECUTABLE))
            return
        if plan.manual_focus and s.focus_auto:
            batch.reply(target, self._error(socket, wire.ERR_NOT_EXECUTABLE))
            return
        for job in superseded:
            del self._jobs[job.socket]
            batch.reply(job.target, wire.completion(s.address, job.socket))
            if job.on_finish is not None and job.name != "power on":  # standby aborts a boot
                job.on_finish()
        batch.reply(target, self._ack(socket))
        log.debug("%s on socket %d", plan.name, socket)
        ends = plan.run(now)
        if not plan.holds or ends - now < _INSTANT:
            batch.reply(target, wire.completion(self._settings.address, socket))
            if plan.on_finish is not None and plan.holds:
                plan.on_finish()
            return
        token = next(self._tokens)
        self._jobs[socket] = _Job(socket, plan.name, plan.axes, target, token, ends, plan.on_finish)
        batch.timers.append((ends, lambda: self._finish(socket, token)))

    def _finish(self, socket: int, token: int) -> None:
        """A move's end (timer thread; takes the lock)."""
        batch = _Batch()
        with self._lock:
            job = self._jobs.get(socket)
            if job is None or job.token != token:
                return
            del self._jobs[socket]
            if job.on_finish is not None:
                job.on_finish()
            batch.reply(job.target, wire.completion(self._settings.address, socket))
            self._publish()
        self._deliver(batch)

    def _plan(self, body: bytes) -> _Plan | int:
        """The plan for a command body (after `8x 01`), or a VISCA error code."""
        if len(body) < 2:
            return wire.ERR_SYNTAX
        group, item, params = body[0], body[1], body[2:]
        if group == 0x06:
            return self._plan_pan_tilt(item, params)
        if group == 0x04:
            return self._plan_camera(item, params)
        if group == 0x7E and body[1:3] == b"\x01\x0b" and len(body) in (4, 5):
            return self._plan_preset_speed(body[3:])
        return wire.ERR_SYNTAX

    def _instant(
        self,
        name: str,
        change: Callable[[], None],
        axes: frozenset[str] = frozenset(),
        in_standby: bool = False,
    ) -> _Plan:
        def run(now: float) -> float:
            change()
            return now

        return _Plan(name, run, axes, in_standby=in_standby)

    def _set(self, **changes: object) -> Callable[[], None]:
        def change() -> None:
            self._settings = replace(self._settings, **changes)  # type: ignore[arg-type]

        return change

    # Pan-tilt.

    def _pan_speed(self, byte: int) -> float:
        p = self.profile
        return p.pan_dps(max(1, min(byte, p.pan_speed_max))) * p.pan_units_per_degree

    def _tilt_speed(self, byte: int) -> float:
        p = self.profile
        return p.tilt_dps(max(1, min(byte, p.tilt_speed_max))) * p.tilt_units_per_degree

    def _plan_pan_tilt(self, item: int, params: bytes) -> _Plan | int:
        p = self.profile
        pt = frozenset({"pan", "tilt"})
        if item == 0x01 and len(params) == 1 and p.preset_speed_0601:
            return self._plan_preset_speed(params)
        if item == 0x01:
            if len(params) != 4 or params[2] not in (1, 2, 3) or params[3] not in (1, 2, 3):
                return wire.ERR_SYNTAX
            return self._plan_drive(params[0], params[1], params[2], params[3])
        if item in (0x02, 0x03):
            n = p.pan_nibbles
            if len(params) != 2 + n + 4:
                return wire.ERR_SYNTAX
            pan = wire.from_nibbles(params[2 : 2 + n], signed=True)
            tilt = wire.from_nibbles(params[2 + n :], signed=True)
            if pan is None or tilt is None:
                return wire.ERR_SYNTAX
            pan_speed = self._pan_speed(params[0])
            if p.absolute_tilt_speed:
                tilt_speed = self._tilt_speed(params[1])
            else:
                dps = min(pan_speed / p.pan_units_per_degree, p.tilt_fastest_dps)
                tilt_speed = dps * p.tilt_units_per_degree
            relative = item == 0x03

            def move(now: float) -> float:
                pan_to, tilt_to = float(pan), float(tilt)
                if relative:
                    pan_to += self._now_at("pan", now)
                    tilt_to += self._now_at("tilt", now)
                return self._move_pan_tilt(now, pan_to, tilt_to, pan_speed, tilt_speed)

            return _Plan("relative move" if relative else "absolute move", move, pt)
        if item == 0x04 and not params:
            fastest_pan = self._pan_speed(p.pan_speed_max)
            fastest_tilt = self._tilt_speed(p.tilt_speed_max)
            return _Plan(
                "home",
                lambda now: self._move_pan_tilt(now, 0, 0, fastest_pan, fastest_tilt),
                pt,
            )
        if item == 0x05 and not params:
            return _Plan("pan-tilt reset", self._reset_pan_tilt, pt)
        return wire.ERR_SYNTAX

    def _move_pan_tilt(
        self, now: float, pan_to: float, tilt_to: float, pan_speed: float, tilt_speed: float
    ) -> float:
        p = self.profile
        pan_to = min(max(pan_to, p.pan_min), p.pan_max)
        tilt_to = min(max(tilt_to, p.tilt_min), p.tilt_max)
        pan = Track.path(now, self._now_at("pan", now), [(pan_to, pan_speed)])
        tilt = Track.path(now, self._now_at("tilt", now), [(tilt_to, tilt_speed)])
        self._set_track("pan", pan)
        self._set_track("tilt", tilt)
        return max(pan.end, tilt.end)

    def _reset_pan_tilt(self, now: float) -> float:
        """Re-initialise the mechanics: to the left and lower stops, then home."""
        p = self.profile
        pan_speed = self._pan_speed(p.pan_speed_max)
        tilt_speed = self._tilt_speed(p.tilt_speed_max)
        pan = Track.path(now, self._now_at("pan", now), [(p.pan_min, pan_speed), (0, pan_speed)])
        tilt = Track.path(
            now, self._now_at("tilt", now), [(p.tilt_min, tilt_speed), (0, tilt_speed)]
        )
        self._set_track("pan", pan)
        self._set_track("tilt", tilt)
        return max(pan.end, tilt.end)

    def _plan_drive(self, pan_speed: int, tilt_speed: int, pan_dir: int, tilt_dir: int) -> _Plan:
        p = self.profile
        pt = frozenset({"pan", "tilt"})
        holds = p.drive_completion == "stop"
        if pan_dir == 3 and tilt_dir == 3:
            return _Plan("pan-tilt stop", lambda now: self._stop(pt, now), pt)
        if self._settings.osd_menu:
            return self._instant("menu cursor", lambda: None)
        pan_to = {1: p.pan_min, 2: p.pan_max}.get(pan_dir)
        tilt_to = {1: p.tilt_max, 2: p.tilt_min}.get(tilt_dir)

        def drive(now: float) -> float:
            ends = now
            for axis, to, speed in (
                ("pan", pan_to, self._pan_speed(pan_speed)),
                ("tilt", tilt_to, self._tilt_speed(tilt_speed)),
            ):
                here = self._now_at(axis, now)
                track = (
                    Track.still(now, here) if to is None else Track.path(now, here, [(to, speed)])
                )
                self._set_track(axis, track)
                ends = max(ends, track.end)
            return ends

        return _Plan("pan-tilt drive", drive, pt, holds=holds)

    def _stop(self, axes: frozenset[str], now: float) -> float:
        self._freeze(axes, now)
        return now

    # Camera (lens, exposure, presets, power).

    def _plan_camera(self, item: int, params: bytes) -> _Plan | int:
        p = self.profile
        one = params[0] if len(params) == 1 else None
        if item == 0x00 and one in (0x02, 0x03):
            return self._plan_power(one == 0x02)
        if item == 0x07 and one is not None:
            return self._plan_lens_drive("zoom", one, p.zoom_standard)
        if item == 0x08 and one is not None:
            return self._plan_lens_drive("focus", one, 2)
        if item in (0x47, 0x48) and len(params) == 4:
            value = wire.from_nibbles(params, signed=False)
            if value is None:
                return wire.ERR_SYNTAX
            return self._plan_lens_direct("zoom" if item == 0x47 else "focus", value)
        if item == 0x38 and one in (0x02, 0x03, 0x10):

            def focus_mode() -> None:
                auto = (not self._settings.focus_auto) if one == 0x10 else one == 0x02
                self._settings = replace(self._settings, focus_auto=auto)

            return self._instant("focus mode", focus_mode, axes=frozenset({"focus"}))
        if item == 0x18 and one == 0x01:
            return self._instant("one-push AF", lambda: None)
        if item == 0x18 and one == 0x02:

            def infinity() -> None:
                self._tracks["focus"] = Track.still(self._clock(), p.focus_far)

            return self._instant("focus infinity", infinity, axes=frozenset({"focus"}))
        if item == 0x39 and one in _AE_MODES:
            return self._instant("AE mode", self._set(ae_mode=one))
        if item == 0x35 and one is not None and one <= 0x05:
            return self._instant("WB mode", self._set(wb_mode=one))
        if item == 0x10 and one == 0x05:
            return self._instant("one-push WB", lambda: None)
        if item == 0x33 and one in (0x02, 0x03):
            return self._instant("backlight", self._set(backlight=one == 0x02))
        if item in _VALUES and len(params) == 4 and params[:2] == b"\x00\x00":
            name, low, high = _VALUES[item]
            value = wire.from_nibbles(params[2:], signed=False)
            if value is None:
                return wire.ERR_SYNTAX
            return self._instant(name, self._set(**{name: min(max(value, low), high)}))
        if item in _STEPS and one in (0x00, 0x02, 0x03):
            name, low, high = _VALUES[_STEPS[item]]

            def step() -> None:
                current = getattr(self._settings, name)
                default = getattr(_Settings(), name)
                value = default if one == 0 else current + (1 if one == 2 else -1)
                self._settings = replace(self._settings, **{name: min(max(value, low), high)})

            return self._instant(name, step)
        if item == 0x3F and len(params) == 2 and params[0] in (0x00, 0x01, 0x02):
            return self._plan_preset(params[0], params[1])
        return wire.ERR_SYNTAX

    def _plan_power(self, on: bool) -> _Plan:
        if not on:

            def standby(now: float) -> float:
                self._freeze(_ALL_AXES, now)
                self._settings = replace(
                    self._settings, power=False, booting=False, recalling_preset=None
                )
                return now

            return _Plan("standby", standby, _ALL_AXES | {"power"}, in_standby=True)
        if self._settings.power or self._settings.booting:
            return self._instant("power on", lambda: None, in_standby=True)

        def boot(now: float) -> float:
            self._settings = replace(self._settings, booting=True)
            return now + self.profile.power_on_seconds

        return _Plan(
            "power on",
            boot,
            frozenset({"power"}),
            in_standby=True,
            on_finish=self._set(power=True, booting=False),
        )

    def _plan_lens_drive(self, axis: str, byte: int, standard: int) -> _Plan | int:
        p = self.profile
        axes = frozenset({axis})
        manual = axis == "focus"
        if byte == 0x00:
            return _Plan(
                f"{axis} stop", lambda now: self._stop(axes, now), axes, manual_focus=False
            )
        if byte in (0x02, 0x03):
            direction, speed = byte, standard
        elif byte >> 4 in (0x2, 0x3) and byte & 0x0F <= 7:
            direction, speed = byte >> 4, byte & 0x0F
        else:
            return wire.ERR_SYNTAX
        if axis == "zoom":
            to = p.zoom_max if direction == 0x02 else 0
            units_per_s = p.zoom_units_per_s(speed)
        else:
            to = p.focus_far if direction == 0x02 else p.focus_near
            units_per_s = p.focus_units_per_s(speed)

        def drive(now: float) -> float:
            track = Track.path(now, self._now_at(axis, now), [(to, units_per_s)])
            self._set_track(axis, track)
            return track.end

        return _Plan(
            f"{axis} drive",
            drive,
            axes,
            manual_focus=manual,
            holds=p.drive_completion == "stop",
        )

    def _plan_lens_direct(self, axis: str, value: int) -> _Plan:
        p = self.profile
        if axis == "zoom":
            to = min(value, p.zoom_max)
            units_per_s = p.zoom_units_per_s(7)
        else:
            low, high = sorted((p.focus_far, p.focus_near))
            to = min(max(value, low), high)
            units_per_s = p.focus_units_per_s(7)

        def move(now: float) -> float:
            track = Track.path(now, self._now_at(axis, now), [(to, units_per_s)])
            self._set_track(axis, track)
            return track.end

        return _Plan(f"{axis} direct", move, frozenset({axis}), manual_focus=axis == "focus")

    def _plan_preset_speed(self, params: bytes) -> _Plan | int:
        if len(params) == 1:
            speed: int | None = params[0]
        else:
            speed = wire.from_nibbles(params, signed=False)
        if speed is None or not 1 <= speed <= 0x7F:
            return wire.ERR_SYNTAX
        return self._instant("preset speed", self._set(preset_speed=speed))

    def _plan_preset(self, action: int, number: int) -> _Plan | int:
        p = self.profile
        if not p.has_preset(number):
            return wire.ERR_SYNTAX
        if number == p.menu_preset:
            if action == 0x02:

                def toggle_menu() -> None:
                    self._settings = replace(self._settings, osd_menu=not self._settings.osd_menu)

                return self._instant("OSD menu", toggle_menu)
            return self._instant("reserved preset", lambda: None)
        if action == 0x00:

            def forget() -> None:
                self._presets.pop(number, None)

            return self._instant("preset reset", forget)
        if action == 0x01:

            def store() -> None:
                now = self._clock()
                self._presets[number] = (
                    self._now_at("pan", now),
                    self._now_at("tilt", now),
                    self._now_at("zoom", now),
                    self._now_at("focus", now),
                )

            return self._instant("preset set", store)

        def recall(now: float) -> float:
            pan, tilt, zoom, focus = self._presets.get(number, (0.0, 0.0, 0.0, p.focus_far))
            speed = self._settings.preset_speed or p.pan_speed_max
            pan_speed = self._pan_speed(speed)
            tilt_speed = self._tilt_speed(round(speed * p.tilt_speed_max / p.pan_speed_max))
            ends = self._move_pan_tilt(now, pan, tilt, pan_speed, tilt_speed)
            lens = [("zoom", zoom, p.zoom_units_per_s(7))]
            if not self._settings.focus_auto:
                lens.append(("focus", focus, p.focus_units_per_s(7)))
            for axis, to, units_per_s in lens:
                track = Track.path(now, self._now_at(axis, now), [(to, units_per_s)])
                self._set_track(axis, track)
                ends = max(ends, track.end)
            self._settings = replace(self._settings, last_preset=number, recalling_preset=number)
            return ends

        return _Plan(
            "preset recall",
            recall,
            _ALL_AXES,
            on_finish=self._set(recalling_preset=None),
        )

    # Inquiries.

    def _inquiry(self, body: bytes, target: ReplyTarget, now: float, batch: _Batch) -> None:
        kind = _INQUIRY_KINDS.get(body)
        if kind is None:
            batch.reply(target, self._error(0, wire.ERR_SYNTAX))
            return
        if self.faults.mutes(kind):
            log.debug("inquiry %s left unanswered", kind)
            return
        answer = wire.completion(self._settings.address, 0, self._answer(kind, now))
        if self.faults.inquiry_delay > 0:
            late = _Batch()
            late.reply(target, answer)
            batch.timers.append((now + self.faults.inquiry_delay, lambda: self._deliver(late)))
        else:
            batch.reply(target, answer)

    def _answer(self, kind: str, now: float) -> bytes:
        p = self.profile
        s = self._settings
        if kind == "version":
            return p.version.answer()
        if kind == "power":
            return b"\x02" if s.power else b"\x03"
        if kind == "pantilt":
            pan = round(self._now_at("pan", now))
            tilt = round(self._now_at("tilt", now))
            return wire.to_nibbles(pan, p.pan_nibbles) + wire.to_nibbles(tilt, 4)
        if kind == "maxspeed":
            return bytes((p.pan_speed_max, p.tilt_speed_max))
        if kind in ("zoom", "focus"):
            return wire.to_nibbles(round(self._now_at(kind, now)), 4)
        if kind == "focusmode":
            return b"\x02" if s.focus_auto else b"\x03"
        if kind == "ae":
            return bytes((s.ae_mode,))
        if kind == "wb":
            return bytes((s.wb_mode,))
        if kind == "backlight":
            return b"\x02" if s.backlight else b"\x03"
        if kind == "preset":
            return bytes((p.no_preset if s.last_preset is None else s.last_preset,))
        value = getattr(s, _SETTING_OF_INQUIRY[kind])
        return b"\x00\x00" + wire.to_nibbles(value, 2)
