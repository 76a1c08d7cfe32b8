"""Client-generated, time-ordered identifiers (UUIDv7, RFC 9562).

Every row a workstation creates gets its id here, offline, so two workstations can never
invent the same id and rows sort by creation time in every index.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_last_rand = 0


def _pack(ms: int, rand_a: int, rand_b: int) -> uuid.UUID:
    value = (ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76  # version 7
    value |= (rand_a & 0xFFF) << 64
    value |= 0b10 << 62  # RFC 4122 variant
    value |= rand_b & 0x3FFF_FFFF_FFFF_FFFF
    return uuid.UUID(int=value)


def uuid7(ms: int | None = None) -> uuid.UUID:
    """A new UUIDv7, strictly increasing within this process even within one millisecond."""
    global _last_ms, _last_rand
    now = time.time_ns() // 1_000_000 if ms is None else ms
    with _lock:
        if now <= _last_ms:
            # Same (or an earlier, clock stepped back) millisecond: keep ordering by bumping
            # the 74 random bits as a counter instead of trusting the clock.
            now = _last_ms
            _last_rand += 1 + int.from_bytes(os.urandom(2), "big")
        else:
            _last_ms = now
            _last_rand = int.from_bytes(os.urandom(10), "big") >> 7  # 73 bits, room to count
        rand = _last_rand
    return _pack(now, rand >> 62, rand)


class DeterministicUUID7:
    """UUIDv7 source for reproducible data (the demo book): same seed, same ids."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def at(self, ms: int) -> uuid.UUID:
        return _pack(ms, self._rng.getrandbits(12), self._rng.getrandbits(62))

    def bytes_at(self, ms: int) -> bytes:
        """The same id as `at`, as its 16 bytes, without building a UUID object (bulk loads)."""
        value = (
            ((ms & 0xFFFF_FFFF_FFFF) << 80)
            | (0x7 << 76)
            | (self._rng.getrandbits(12) << 64)
            | (0b10 << 62)
            | self._rng.getrandbits(62)
        )
        return value.to_bytes(16, "big")


def uuid7_time_ms(value: uuid.UUID) -> int:
    """The Unix time in milliseconds encoded in a UUIDv7."""
    return value.int >> 80
