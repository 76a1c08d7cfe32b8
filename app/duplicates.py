"""Finding the client a new profile may duplicate, before it is created.

Three signals, strongest first: the same e-mail, the same phone, or a name that reads almost
the same with the same birthday. Duplicates are the anchors' most common complaint; warning at
entry is far cheaper than merging later.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy.orm import Session

from app.clients import Actor, hits_for
from app.validation import normalize_email, normalize_phone
from models import Store
from models.dto import ClientHit, ClientInput
from models.text import fold

NAME_SIMILARITY = 0.82


@dataclass(frozen=True)
class Duplicate:
    client: ClientHit
    reason: str  # "same e-mail", "same phone", "similar name, same birthday"


class DuplicateService:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def _execute(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.session.connection().exec_driver_sql(sql, tuple(params))]

    def find(self, data: ClientInput, exclude: uuid.UUID | None = None) -> list[Duplicate]:
        """Live clients that may be the person described by `data` (never `exclude`)."""
        reasons: dict[bytes, str] = {}
        emails = [e for e in (normalize_email(x) for x in data.emails) if e]
        if emails:
            marks = ",".join("?" * len(emails))
            for (cid,) in self._execute(
                f"SELECT client_id FROM client_emails WHERE address IN ({marks}) "
                "AND deleted_at IS NULL",
                emails,
            ):
                reasons.setdefault(cid, "same e-mail")
        store = self.session.get(Store, data.home_store_id or self.actor.store_id)
        region = data.country or (store.country if store else "FR")
        phones = [p.e164 for p in (normalize_phone(x, region) for x in data.phones) if p]
        if phones:
            marks = ",".join("?" * len(phones))
            for (cid,) in self._execute(
                f"SELECT client_id FROM client_phones WHERE e164 IN ({marks}) "
                "AND deleted_at IS NULL",
                phones,
            ):
                reasons.setdefault(cid, "same phone")
        wanted = fold(f"{data.given_name} {data.family_name}").strip()
        for d in data.important_dates:
            if d.kind != "birthday" or not wanted:
                continue
            rows = self._execute(
                "SELECT c.id, c.given_name, c.family_name, d.year FROM important_dates d "
                "JOIN clients c ON c.id = d.client_id WHERE d.kind = 'birthday' "
                "AND d.month_day = ? AND d.deleted_at IS NULL AND c.deleted_at IS NULL",
                [d.month * 100 + d.day],
            )
            for cid, given, family, year in rows:
                if d.year is not None and year is not None and year != d.year:
                    continue
                score = SequenceMatcher(None, wanted, fold(f"{given} {family}")).ratio()
                if score >= NAME_SIMILARITY:
                    reasons.setdefault(cid, "similar name, same birthday")
        if exclude is not None:
            reasons.pop(exclude.bytes, None)
        live = {h.id.bytes: h for h in hits_for(self._execute, list(reasons))}
        return [Duplicate(live[cid], why) for cid, why in reasons.items() if cid in live]
