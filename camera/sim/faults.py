"""Fault injection: what a network, a serial line or a camera's firmware does wrong.

A spec is a comma-separated list of `key=value` or bare flags, e.g.

    drop=0.2,dup=0.05,delay=20ms,jitter=5ms,reorder=0.1,unknown=0.02,netchange=5s,
    mute-inquiries,garbage=0.01,seed=7

Probabilities are a fraction (0.05) or a percentage (5%); durations need a unit (ms or s).

    drop / drop-in / drop-out   lose a message: both ways, only requests, only replies
    dup / dup-in / dup-out      deliver a message twice (a repeated request reaches the camera
                                twice; over Sony UDP the copy meets the sequence check)
    delay, jitter               hold every reply `delay` plus a uniform 0..`jitter`
    reorder                     hold a reply back so the next one overtakes it (datagrams only)
    garbage                     send random bytes before a reply
    unknown                     answer a request with an error code no manual lists (`y0 60 0F
                                FF`) instead of executing it
    seqerr                      Sony UDP: answer a fresh request with `0F 01` (sequence error)
    hangup                      TCP: close the connection after a reply
    netchange=PERIOD            send `y0 38 FF` (network change) every PERIOD
    mute-inquiries[=a+b]        never answer inquiries (all, or the named kinds: power, version,
                                pantilt, maxspeed, zoom, focus, focusmode, ae, wb, backlight,
                                iris, gain, shutter, bright, rgain, bgain, preset)
    inquiry-delay=D             answer inquiries D late
    seed=N                      make every random choice reproducible

Each kind of fault draws from its own random stream, so with a seed the drops of requests do
not depend on how many replies were sent meanwhile.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field, fields, replace

INQUIRY_KINDS = frozenset(
    {
        "power",
        "version",
        "pantilt",
        "maxspeed",
        "zoom",
        "focus",
        "focusmode",
        "ae",
        "wb",
        "backlight",
        "iris",
        "gain",
        "shutter",
        "bright",
        "rgain",
        "bgain",
        "preset",
    }
)

_PROBABILITIES = ("drop", "dup", "reorder", "garbage", "unknown", "seqerr", "hangup")
_DIRECTED = {"drop-in", "drop-out", "dup-in", "dup-out"}
_DURATIONS = ("delay", "jitter", "netchange", "inquiry-delay")
_PROBABILITY_FIELDS = (
    "drop_in",
    "drop_out",
    "dup_in",
    "dup_out",
    "reorder",
    "garbage",
    "unknown",
    "seqerr",
    "hangup",
)


class FaultSpecError(ValueError):
    """A fault spec that cannot be understood; the message names the offending part."""


@dataclass(frozen=True)
class Faults:
    drop_in: float = 0.0
    drop_out: float = 0.0
    dup_in: float = 0.0
    dup_out: float = 0.0
    delay: float = 0.0  # seconds
    jitter: float = 0.0
    reorder: float = 0.0
    garbage: float = 0.0
    unknown: float = 0.0
    seqerr: float = 0.0
    hangup: float = 0.0
    netchange: float = 0.0  # period in seconds; 0 = never
    inquiry_delay: float = 0.0
    mute_inquiries: frozenset[str] = field(default_factory=frozenset)
    seed: int | None = None

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name != "seed")

    def mutes(self, inquiry_kind: str) -> bool:
        return inquiry_kind in self.mute_inquiries

    def spec(self) -> str:
        """This set of faults written back as a spec string."""
        parts: list[str] = []
        for name in _PROBABILITY_FIELDS:
            value = getattr(self, name)
            if value:
                parts.append(f"{name.replace('_', '-')}={value:g}")
        for name in ("delay", "jitter", "netchange", "inquiry_delay"):
            value = getattr(self, name)
            if value:
                parts.append(f"{name.replace('_', '-')}={value * 1000:g}ms")
        if self.mute_inquiries == INQUIRY_KINDS:
            parts.append("mute-inquiries")
        elif self.mute_inquiries:
            parts.append("mute-inquiries=" + "+".join(sorted(self.mute_inquiries)))
        if self.seed is not None:
            parts.append(f"seed={self.seed}")
        return ",".join(parts)

    @classmethod
    def parse(cls, spec: str, seed: int | None = None) -> Faults:
        """Read a spec string; `seed`, when given, wins over a `seed=` in the spec."""
        values: dict[str, object] = {}
        for raw in spec.split(","):
            part = raw.strip()
            if not part:
                continue
            key, equals, text = part.partition("=")
            has_value = bool(equals)
            key = key.strip().lower()
            text = text.strip()
            if key in _PROBABILITIES or key in _DIRECTED:
                p = _probability(key, text, has_value)
                if key in ("drop", "dup"):
                    values[f"{key}_in"] = values[f"{key}_out"] = p
                elif key not in _DIRECTED:
                    values[key] = p
            elif key in _DURATIONS:
                values[key.replace("-", "_")] = _duration(key, text, has_value)
            elif key == "mute-inquiries":
                values["mute_inquiries"] = _inquiry_kinds(text) if has_value else INQUIRY_KINDS
            elif key == "seed":
                try:
                    values["seed"] = int(text)
                except ValueError:
                    raise FaultSpecError(f"seed needs a whole number, not {text!r}") from None
            else:
                known = sorted({*_PROBABILITIES, *_DIRECTED, *_DURATIONS, "mute-inquiries", "seed"})
                raise FaultSpecError(f"unknown fault {key!r} (known: {', '.join(known)})")
        # A directed key (drop-in) wins over its two-way key (drop) wherever it stands.
        for part in spec.split(","):
            key, _, text = part.strip().partition("=")
            key = key.strip().lower()
            if key in _DIRECTED:
                values[key.replace("-", "_")] = _probability(key, text.strip(), True)
        faults = cls(**values)  # type: ignore[arg-type]
        return replace(faults, seed=seed) if seed is not None else faults


def _probability(key: str, text: str, has_value: bool) -> float:
    if not has_value or not text:
        raise FaultSpecError(f"{key} needs a probability, e.g. {key}=0.05 or {key}=5%")
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise FaultSpecError(f"{key}: {text!r} is not a probability") from None
    if not 0.0 <= value <= 1.0:
        raise FaultSpecError(f"{key}: {text!r} is not between 0 and 1")
    return value


def _duration(key: str, text: str, has_value: bool) -> float:
    if not has_value or not text:
        raise FaultSpecError(f"{key} needs a duration, e.g. {key}=20ms or {key}=5s")
    lowered = text.lower()
    for unit, scale in (("ms", 0.001), ("s", 1.0)):
        if lowered.endswith(unit):
            try:
                value = float(lowered[: -len(unit)]) * scale
            except ValueError:
                break
            if value < 0:
                raise FaultSpecError(f"{key}: {text!r} is negative")
            return value
    raise FaultSpecError(f"{key}: {text!r} is not a duration (use ms or s, e.g. 20ms)")


def _inquiry_kinds(text: str) -> frozenset[str]:
    kinds = frozenset(k.strip().lower() for k in text.split("+") if k.strip())
    unknown = kinds - INQUIRY_KINDS - {"all"}
    if unknown or not kinds:
        raise FaultSpecError(
            f"mute-inquiries: unknown kind(s) {', '.join(sorted(unknown)) or text!r} "
            f"(known: {', '.join(sorted(INQUIRY_KINDS))})"
        )
    return INQUIRY_KINDS if "all" in kinds else kinds


class Dice:
    """Random draws for faults, one stream per kind so runs with a seed repeat exactly."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._streams: dict[str, random.Random] = {}
        self._lock = threading.Lock()

    def _stream(self, kind: str) -> random.Random:
        stream = self._streams.get(kind)
        if stream is None:
            seed = self.faults.seed
            stream = random.Random(f"{seed}:{kind}") if seed is not None else random.Random()
            self._streams[kind] = stream
        return stream

    def roll(self, kind: str, probability: float) -> bool:
        if probability <= 0.0:
            return False
        with self._lock:
            return self._stream(kind).random() < probability

    def uniform(self, kind: str, high: float) -> float:
        if high <= 0.0:
            return 0.0
        with self._lock:
            return self._stream(kind).uniform(0.0, high)

    def garbage(self) -> bytes:
        """1–8 random bytes other than FF, then FF: noise that framing sees as one bad frame."""
        with self._lock:
            stream = self._stream("garbage-bytes")
            return bytes(stream.randrange(0xFF) for _ in range(stream.randint(1, 8))) + b"\xff"
