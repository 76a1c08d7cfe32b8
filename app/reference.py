"""The short lists forms and filters choose from: stores and associates."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Associate, Store


@dataclass(frozen=True)
class StoreView:
    id: uuid.UUID
    code: str
    name: str
    country: str
    currency: str
    timezone: str


@dataclass(frozen=True)
class AssociateView:
    id: uuid.UUID
    display_name: str
    store_id: uuid.UUID
    role: str


class ReferenceService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def stores(self) -> list[StoreView]:
        return [
            StoreView(s.id, s.code, s.name, s.country, s.currency, s.timezone)
            for s in self.session.scalars(
                select(Store).where(Store.deleted_at.is_(None)).order_by(Store.name)
            )
        ]

    def associates(self, store_id: uuid.UUID | None = None) -> list[AssociateView]:
        stmt = (
            select(Associate)
            .where(Associate.deleted_at.is_(None), Associate.active.is_(True))
            .order_by(Associate.display_name)
        )
        if store_id is not None:
            stmt = stmt.where(Associate.store_id == store_id)
        return [
            AssociateView(a.id, a.display_name, a.store_id, str(a.role))
            for a in self.session.scalars(stmt)
        ]
