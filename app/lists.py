"""The client list behind a table of any size: ordered ids first, rows on demand.

The view holds the ordered ids and asks for the few dozen rows on screen (the Anki browser's
pattern), so painting never waits on SQL. A list without text is capped at LIST_LIMIT ids:
the first few thousand by name, or the top spenders, or the longest-silent clients, come back
in milliseconds from an index, where all million would take seconds; `count` says how many
there are in all.
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
LIST_LIMIT = 5_000


class SortKey(StrEnum):
    RELEVANCE = "relevance"  # for text queries; the name otherwise
    NAME = "name"
    LAST_PURCHASE = "last_purchase"
    LIFETIME_SPEND = "lifetime_spend"
    LAST_CONTACT = "last_contact"


_ORDER = {
    SortKey.NAME: "c.sort_key",
    SortKey.LAST_PURCHASE: "s.last_purchase_at",
    SortKey.LIFETIME_SPEND: "s.spend_value",  # by value across currencies
    SortKey.LAST_CONTACT: "s.last_contact_at",
}


def _order_by(sort: SortKey, descending: bool) -> str:
    # SQLite sorts NULL lowest: never contacted comes first oldest-first, last newest-first.
    direction = "DESC" if descending else "ASC"
    return f"{_ORDER[sort]} {direction}, c.sort_key, c.id"


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
        limit: int = LIST_LIMIT,
    ) -> list[bytes]:
        """Matching clients' ids (raw 16 bytes) in display order: text matches best first
        (at most TEXT_MATCHES), otherwise the first `limit` in the chosen order."""
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
        # Driving from the table that holds the sort column lets its index stop the scan early.
        source = (
            "clients c LEFT JOIN client_stats s ON s.client_id = c.id"
            if sort is SortKey.NAME
            else "client_stats s JOIN clients c ON c.id = s.client_id"
        )
        return [
            r[0]
            for r in self._execute(
                f"SELECT c.id FROM {source} WHERE {plan.filter_sql} ORDER BY {order} LIMIT ?",
                [*plan.filter_params, limit],
            )
        ]

    def count(self, filters: search_queries.SearchFilters | None = None) -> int:
        """How many clients the filters let through, text aside."""
        plan = search_queries.plan("", filters or search_queries.SearchFilters())
        return int(
            self._execute(
                "SELECT count(*) FROM clients c LEFT JOIN client_stats s ON s.client_id = c.id "
                f"WHERE {plan.filter_sql}",
                plan.filter_params,
            )[0][0]
        )

    def rows(self, ids: Sequence[bytes]) -> list[ClientHit]:
        """The list rows of these clients, in the order asked."""
        return hits_for(self._execute, list(ids))
