"""The explicit application context handed to every service caller (no globals)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.activity import ActivityService
from app.catalog import CatalogService
from app.clients import Actor, ClientService
from app.duplicates import DuplicateService
from app.lists import ClientListService
from app.reference import ReferenceService
from app.today import TodayService
from models import Associate, LocalMeta, Store
from models.database import Database, open_database
from sync.engine import install_capture


@dataclass(frozen=True)
class Services:
    """The use cases, bound to one unit of work."""

    session: Session
    clients: ClientService
    activity: ActivityService
    today: TodayService
    lists: ClientListService
    duplicates: DuplicateService
    reference: ReferenceService
    catalog: CatalogService


@dataclass(frozen=True)
class AppContext:
    db: Database
    actor: Actor

    @contextmanager
    def unit_of_work(self) -> Iterator[Services]:
        with self.db.session() as session:
            clients = ClientService(session, self.actor)
            yield Services(
                session,
                clients,
                ActivityService(session, self.actor),
                TodayService(session, self.actor),
                ClientListService(session, clients),
                DuplicateService(session, self.actor),
                ReferenceService(session),
                CatalogService(session, self.actor.store_id),
            )

    def run(self, fn: Callable[[Services], object]) -> object:
        with self.unit_of_work() as services:
            return fn(services)


def workstation_actor(session: Session) -> Actor | None:
    """Who this workstation acts as: what the book says, else the first store's first person."""
    meta = {
        m.key: m.value
        for m in session.scalars(
            select(LocalMeta).where(
                LocalMeta.key.in_(("workstation_associate", "workstation_store"))
            )
        )
    }
    if "workstation_store" in meta:
        associate = meta.get("workstation_associate")
        return Actor(
            uuid.UUID(associate) if associate else None, uuid.UUID(meta["workstation_store"])
        )
    store = session.scalars(select(Store).order_by(Store.code)).first()
    if store is None:
        return None
    person = session.scalars(
        select(Associate).where(Associate.store_id == store.id).order_by(Associate.display_name)
    ).first()
    return Actor(person.id if person else None, store.id)


class EmptyBookError(RuntimeError):
    pass


def open_context(path: Path | str | None) -> AppContext:
    db = open_database(path)
    install_capture(db)  # an enrolled book records every edit in its outbox
    with db.session() as session:
        actor = workstation_actor(session)
    if actor is None:
        db.close()
        raise EmptyBookError(
            f"{db.path} has no store yet: run `vitrine seed` to create a demo book"
        )
    return AppContext(db, actor)
