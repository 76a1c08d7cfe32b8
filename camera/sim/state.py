"""What a reader of the simulated camera sees: positions as functions of time, and the frozen
state the studio's synthetic video source takes thirty times a second."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Track:
    """An axis's position over time: straight segments between (time, value) points."""

    points: tuple[tuple[float, float], ...]

    @staticmethod
    def still(t: float, value: float) -> Track:
        return Track(((t, value),))

    @staticmethod
    def path(t: float, start: float, legs: Sequence[tuple[float, float]]) -> Track:
        """From `start` at time `t` through each (target, speed in units/s) in turn."""
        points = [(t, start)]
        for target, speed in legs:
            last_t, last_v = points[-1]
            if target == last_v or speed <= 0:
                continue
            points.append((last_t + abs(target - last_v) / speed, target))
        return Track(tuple(points))

    def at(self, t: float) -> float:
        points = self.points
        if t <= points[0][0]:
            return points[0][1]
        for (t0, v0), (t1, v1) in itertools.pairwise(points):
            if t < t1:
                return v0 + (v1 - v0) * (t - t0) / (t1 - t0)
        return points[-1][1]

    @property
    def end(self) -> float:
        return self.points[-1][0]

    def moving(self, t: float) -> bool:
        return len(self.points) > 1 and t < self.end


@dataclass(frozen=True)
class CameraState:
    """The camera at one instant: cheap to take, safe to keep, safe across threads."""

    at: float  # the monotonic time this describes
    profile: str
    address: int
    power: bool  # on (False in standby and while powering on)
    booting: bool
    pan: int  # camera units, as the position inquiry answers
    tilt: int
    pan_deg: float
    tilt_deg: float
    zoom_raw: int  # 0 (wide) .. profile.zoom_max (tele)
    zoom: float  # 0 wide .. 1 tele
    hfov_deg: float  # horizontal field of view at this zoom (an approximation)
    focus_raw: int
    focus: float  # 0 far .. 1 near
    focus_auto: bool
    pan_tilt_moving: bool
    zoom_moving: bool
    focus_moving: bool
    ae_mode: int
    wb_mode: int
    backlight: bool
    iris: int
    gain: int
    shutter: int
    bright: int
    r_gain: int
    b_gain: int
    last_preset: int | None
    recalling_preset: int | None
    presets: tuple[int, ...]  # numbers that hold a stored framing
    osd_menu: bool
    busy_sockets: tuple[int, ...]

    @property
    def moving(self) -> bool:
        return self.pan_tilt_moving or self.zoom_moving or self.focus_moving
