"""Hybrid logical clocks: wall time when clocks agree, causality when they do not.

A stamp is (wall milliseconds, counter, device id), written as one fixed-width string so
that stamps compare correctly as plain strings in Python, SQLite and PostgreSQL alike:

    0001732358400000-0000-0190a3c5e1f07c3d8a9b2c4d6e8f0a1b

A device's clock never goes backwards, and every stamp it hands out after seeing another
stamp (a pulled row, the server's clock) is larger than that stamp: an edit made after
seeing a value always beats it, even on a workstation whose clock runs slow.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_WALL_DIGITS = 16
_COUNTER_DIGITS = 4
_COUNTER_MAX = 10**_COUNTER_DIGITS - 1
ZERO = "0" * _WALL_DIGITS + "-" + "0" * _COUNTER_DIGITS + "-"


@dataclass(frozen=True, order=True)
class Stamp:
    wall_ms: int
    counter: int
    device: str

    def encode(self) -> str:
        return f"{self.wall_ms:0{_WALL_DIGITS}d}-{self.counter:0{_COUNTER_DIGITS}d}-{self.device}"

    @classmethod
    def decode(cls, text: str) -> Stamp:
        wall, counter, device = text.split("-", 2)
        if len(wall) != _WALL_DIGITS or len(counter) != _COUNTER_DIGITS:
            raise ValueError(f"not a clock stamp: {text!r}")
        return cls(int(wall), int(counter), device)


def is_stamp(text: object) -> bool:
    if not isinstance(text, str):
        return False
    try:
        Stamp.decode(text)
    except ValueError:
        return False
    return True


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


class HybridClock:
    """One device's clock. Thread-safe; `now` is injectable so tests can skew it."""

    def __init__(self, device: str, last: str | None = None, now: Callable[[], int] = wall_ms):
        self.device = device
        self._now = now
        self._lock = threading.Lock()
        stamp = Stamp.decode(last) if last else Stamp(0, 0, device)
        self._wall, self._counter = stamp.wall_ms, stamp.counter

    def wall(self) -> int:
        return self._now()

    def tick(self) -> str:
        """A fresh stamp for a local edit, larger than every stamp seen or given so far."""
        with self._lock:
            physical = self._now()
            if physical > self._wall:
                self._wall, self._counter = physical, 0
            elif self._counter < _COUNTER_MAX:
                self._counter += 1
            else:  # 10,000 edits in one millisecond: borrow the next one
                self._wall, self._counter = self._wall + 1, 0
            return Stamp(self._wall, self._counter, self.device).encode()

    def observe(self, stamp: str) -> None:
        """Move past a stamp seen from elsewhere (the next `tick` will be larger)."""
        seen = Stamp.decode(stamp)
        with self._lock:
            if (seen.wall_ms, seen.counter) > (self._wall, self._counter):
                self._wall, self._counter = seen.wall_ms, seen.counter

    def last(self) -> str:
        with self._lock:
            return Stamp(self._wall, self._counter, self.device).encode()


def clamp(stamp: str, limit_ms: int) -> str:
    """The stamp, or one at `limit_ms` if it claims to be later (a clock far in the future)."""
    parsed = Stamp.decode(stamp)
    if parsed.wall_ms <= limit_ms:
        return stamp
    return Stamp(limit_ms, parsed.counter, parsed.device).encode()
