"""A client's history as one stream: notes, interactions, purchases and appointments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from models.dto import ClientProfile


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # note | interaction | purchase | appointment
    at: datetime
    title: str
    detail: str
    who: str | None
    ref: uuid.UUID


KINDS = ("note", "interaction", "purchase", "appointment")


def timeline(profile: ClientProfile, kinds: frozenset[str] | None = None) -> list[TimelineEntry]:
    """Newest first; `kinds` keeps only those kinds."""
    wanted = kinds or frozenset(KINDS)
    entries: list[TimelineEntry] = []
    if "note" in wanted:
        entries += [
            TimelineEntry("note", n.created_at, "Note", n.body, n.author, n.id)
            for n in profile.notes
        ]
    if "interaction" in wanted:
        entries += [
            TimelineEntry(
                "interaction",
                i.occurred_at,
                f"{i.channel.replace('_', ' ').title()} · {i.direction}",
                i.summary,
                i.associate,
                i.id,
            )
            for i in profile.interactions
        ]
    if "purchase" in wanted:
        entries += [
            TimelineEntry(
                "purchase",
                p.purchased_at,
                f"Purchase · {p.total.format()}",
                "; ".join(line.description for line in p.lines),
                p.associate,
                p.id,
            )
            for p in profile.purchases
        ]
    if "appointment" in wanted:
        entries += [
            TimelineEntry(
                "appointment",
                a.starts_at,
                f"Appointment · {a.kind.replace('_', ' ')} · {a.status.replace('_', ' ')}",
                a.purpose or "",
                a.associate,
                a.id,
            )
            for a in profile.appointments
        ]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries
