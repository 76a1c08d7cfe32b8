"""The client list behind a table of any size: ordered ids first, rows on demand.

A view of a million clients holds a million ids (16 bytes each) and asks for the few dozen
rows on screen; this is what keeps scrolling and sorting smooth (the Anki browser's pattern).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from app.clients import ClientService, hits_for
from models import search as search_queries
from models.dto import ClientHit

# Text queries list at most this many matches, best first: nobody scrolls past it, and the
# filters narrow further.
TEXT_MATCHES = 2_000


class SortKey(StrEnum):
    RELEVANCE = "relevance"  # for text queries; the name otherwise
    NAME = "name"
    LAST_PURCHASE = "last_purchase"
    LIFETIME_SPEND = "lifetime_spend"
    LAST_CONTACT = "last_contact"


_ORDER = {
    SortKey.NAME: ("c.sort_key", "c.id"),
    SortKey.LAST_PURCHASE: ("s.last_purchase_at", "c.sort_key"),
    SortKey.LIFETIME_SPEND: ("s.lifetime_spend_minor", "c.sort_key"),
    SortKey.LAST_CONTACT: ("s.last_contact_at", "c.sort_key"),
}


def _order_by(sort: SortKey, descending: bool) -> str:
    first, then = _ORDER[sort]
    direction = "DESC" if descending else "ASC"
    # Clients never contacted / who never bought sort last either way.
    nulls = f"{first} IS NULL, " if first.startswith("s.") else ""
    return f"{nulls}{first} {direction}, {then}"


class ClientListService:
    def __init__(self, session: Session, clients: ClientService) -> None:
        self.session = session
        self.clients = clients

    def _execute(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        conn = self.session.connection()
        return [tuple(r) for r in conn.exec_driver_sql(sql, tuple(params))]

    def ids(
        self,
        query: str,
        filters: search_queries.SearchFilters | None = None,
        sort: SortKey = SortKey.RELEVANCE,
        descending: bool = False,
    ) -> list[bytes]:
        """Every matching client's id (raw 16 bytes), in display order."""
        plan = search_queries.plan(
            query, filters or search_queries.SearchFilters(), self.clients.calling_code()
        )
        if plan.stages:
            ranked = search_queries.run_plan(self._execute, plan, TEXT_MATCHES)
            if sort is SortKey.RELEVANCE or not ranked:
                return ranked
            marks = ",".join("?" * len(ranked))
            return [
                r[0]
                for r in self._execute(
                    "SELECT c.id FROM clients c LEFT JOIN client_stats s ON s.client_id = c.id "
                    f"WHERE c.id IN ({marks}) ORDER BY {_order_by(sort, descending)}",
                    ranked,
                )
            ]
        if sort is SortKey.RELEVANCE:
            sort = SortKey.NAME
        order = _order_by(sort, descending)
        if plan.by_dates:
            order = "+" + order  # let the birthday window drive (see search.browse_sql)
        return [
            r[0]
            for r in self._execute(
                "SELECT c.id FROM clients c LEFT JOIN client_stats s ON s.client_id = c.id "
                f"WHERE {plan.filter_sql} ORDER BY {order}",
                plan.filter_params,
            )
        ]

    def rows(self, ids: Sequence[bytes]) -> list[ClientHit]:
        """The list rows of these clients, in the order asked."""
        return hits_for(self._execute, list(ids))
