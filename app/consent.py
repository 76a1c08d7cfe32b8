"""Current consent, derived from the append-only ledger of consent events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from models.dto import ConsentState
from models.enums import ConsentAction


def derive_consent(events: Iterable[tuple[str, str, str, datetime]]) -> list[ConsentState]:
    """(channel, purpose, action, captured_at) events -> the state of each channel x purpose.

    The latest event wins; when a grant and a withdrawal carry the same time, the withdrawal
    wins, so an ambiguous record never lets a message through.
    """
    latest: dict[tuple[str, str], tuple[datetime, bool]] = {}
    for channel, purpose, action, at in events:
        key = (str(channel), str(purpose))  # StrEnum members print as their value
        granted = str(action) == ConsentAction.GRANTED.value
        current = latest.get(key)
        if current is None or at > current[0] or (at == current[0] and not granted):
            latest[key] = (at, granted)
    return [
        ConsentState(channel, purpose, granted, since)
        for (channel, purpose), (since, granted) in sorted(latest.items())
    ]
