"""A client's history as one stream: notes, interactions, purchases, appointments and
recorded studio sessions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from models.dto import ClientProfile


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # note | interaction | purchase | appointment | session
    at: datetime
    title: str
    detail: str
    who: str | None
    ref: uuid.UUID


KINDS = ("note", "interaction", "purchase", "appointment", "session")


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
    if "session" in wanted:
        entries += [
            TimelineEntry(
                "session",
                v.started_at,
                _session_title(v.duration_ms, v.status),
                ("Shown: " + ", ".join(v.products)) if v.products else "No product marked",
                v.associate,
                v.id,
            )
            for v in profile.studio_sessions
        ]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def _session_title(duration_ms: int | None, status: str) -> str:
    title = "Studio session"
    if duration_ms:
        minutes, seconds = divmod(round(duration_ms / 1000), 60)
        title += f" · {minutes} min {seconds:02d} s" if minutes else f" · {seconds} s"
    if status != "finished":
        title += f" · {status}"
    return title
