"""Type-ahead search over the client book: query planning and execution.

A query is answered in up to three stages, each a single FTS5 statement, best matches first:

1. whole-word matches on the name ("li" finds Li before Lisa);
2. prefix matches on name and contact details (names, e-mails, phone digits);
3. prefix matches anywhere, tags and notes included.

Within a stage, results are ranked by bm25 with per-column weights when the stage matches a
manageable number of clients. A one- or two-letter prefix over a million clients matches
hundreds of thousands, where bm25 scores are all alike and computing them costs ~100 ms; such a
broad stage is ordered by recent activity instead (the index's rowid order, see search_index),
which FTS5 walks without scoring and stops after `limit` rows.

The plan is plain SQL with parameters, so the benchmark can run the very same statements
through raw sqlite3 and compare.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from models.dates import month_days_within
from models.search_index import BM25_WEIGHTS, FTS_TABLE
from models.text import words

# Above this many matches a stage is "broad" and ordered by recency rather than bm25.
BROAD_THRESHOLD = 1500

_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]+$")


@dataclass(frozen=True)
class SearchFilters:
    tiers: tuple[str, ...] = ()
    owner_id: uuid.UUID | None = None
    store_id: uuid.UUID | None = None
    birthday_within_days: int | None = None
    not_contacted_days: int | None = None
    wish_in_stock: bool = False
    today: date | None = None  # for date filters; defaults to the current local date
    now: datetime | None = None


@dataclass(frozen=True)
class Stage:
    label: str
    match: str  # FTS5 match expression


@dataclass
class SearchPlan:
    stages: list[Stage]
    filter_sql: str
    filter_params: list[Any] = field(default_factory=list)
    by_dates: bool = False


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def match_stages(query: str, calling_code: int | None = None) -> list[Stage]:
    """The FTS5 expressions for a typed query, most specific first. Empty if nothing to match."""
    text = query.strip()
    digits = re.sub(r"\D", "", text)
    if _PHONE_LIKE.match(text) and len(digits) >= 3:
        # A phone number however it was typed: "+33 6 12", "06.12", "(212) 555-01".
        if text.startswith("+") or digits.startswith("00"):
            international = digits[2:] if digits.startswith("00") else digits
            return [Stage("phone", f"intl : {_quote(international)}*")]
        stages = []
        national = digits.lstrip("0")
        if digits.startswith("0") and national and calling_code is not None:
            # Trunk prefix: first this country's numbers, then any country's.
            stages.append(Stage("phone_home", f"intl : {_quote(f'{calling_code}{national}')}*"))
        options = [_quote(digits) + "*"]
        if digits.startswith("0") and national:
            options.append(_quote(national) + "*")
        stages.append(Stage("phone", f"{{contact intl}} : ({' OR '.join(options)})"))
        if text.isdigit():
            # Bare digits may be a year or a reference in a tag or a note, after the phones.
            stages.append(Stage("anywhere", f"{_quote(text)}*"))
        return stages
    terms = words(text)
    if not terms:
        return []
    exact = " ".join(_quote(t) for t in terms)
    prefix = " ".join(f"{_quote(t)}*" for t in terms)
    return [
        Stage("name", f"name : ({exact})"),
        Stage("name_contact", f"{{name contact intl}} : ({prefix})"),
        Stage("anywhere", prefix),
    ]


_NO_FILTER = "c.deleted_at IS NULL"


def filter_clause(filters: SearchFilters) -> tuple[str, list[Any]]:
    """SQL conditions on `c` (clients) and `s` (client_stats) for the given filters."""
    parts = [_NO_FILTER]
    params: list[Any] = []
    if filters.tiers:
        parts.append(f"c.tier IN ({','.join('?' * len(filters.tiers))})")
        params.extend(filters.tiers)
    if filters.owner_id is not None:
        parts.append("(c.primary_owner_id = ? OR c.secondary_owner_id = ?)")
        params += [filters.owner_id.bytes, filters.owner_id.bytes]
    if filters.store_id is not None:
        parts.append("c.home_store_id = ?")
        params.append(filters.store_id.bytes)
    if filters.birthday_within_days is not None:
        today = filters.today or date.today()
        mds = sorted(month_days_within(today, filters.birthday_within_days))
        parts.append(
            "c.id IN (SELECT d.client_id FROM important_dates d WHERE d.kind = 'birthday' "
            f"AND d.deleted_at IS NULL AND d.month_day IN ({','.join('?' * len(mds))}))"
        )
        params.extend(mds)
    if filters.not_contacted_days is not None:
        now = filters.now or datetime.now().astimezone()
        cutoff = now - timedelta(days=filters.not_contacted_days)
        parts.append("(s.last_contact_at IS NULL OR s.last_contact_at < ?)")
        params.append(sql_timestamp(cutoff))
    if filters.wish_in_stock:
        # In stock at the chosen store, else at the client's home store.
        store = "?" if filters.store_id is not None else "c.home_store_id"
        parts.append(
            "EXISTS (SELECT 1 FROM wish_list_items w JOIN stock_levels k "
            f"ON k.product_id = w.product_id AND k.store_id = {store} AND k.quantity > 0 "
            "WHERE w.client_id = c.id AND w.status = 'active' AND w.deleted_at IS NULL)"
        )
        if filters.store_id is not None:
            params.append(filters.store_id.bytes)
    return " AND ".join(parts), params


def sql_timestamp(value: datetime) -> str:
    """A timestamp as the SQLite columns store it (UTC, space separated, microseconds)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def plan(query: str, filters: SearchFilters, calling_code: int | None = None) -> SearchPlan:
    """`calling_code` is the workstation's country code: a number typed with its national
    trunk prefix ("06 12…" in France) is looked up as that country's number first."""
    where, params = filter_clause(filters)
    return SearchPlan(
        match_stages(query, calling_code), where, params, filters.birthday_within_days is not None
    )


_FROM = (
    f"FROM {FTS_TABLE} f JOIN client_stats s ON s.search_rowid = f.rowid "
    "JOIN clients c ON c.id = s.client_id"
)
_COUNT_SQL = f"SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? LIMIT ?)"
_BM25 = f"bm25({FTS_TABLE}, {', '.join(str(w) for w in BM25_WEIGHTS)})"


def stage_sql(broad: bool, where: str) -> str:
    """One stage. Params: match expression, [ranked only: inner limit], filter params, limit.

    Ranked stages score and sort inside FTS5 first and join the winners afterwards: joining
    every match before sorting costs ten times more. The inner LIMIT (-1 when filters must see
    every match) also keeps SQLite from flattening the subquery into the join.
    """
    if broad:
        return (
            f"SELECT s.client_id {_FROM} WHERE {FTS_TABLE} MATCH ? AND {where} "
            "ORDER BY f.rowid DESC LIMIT ?"
        )
    return (
        f"SELECT s.client_id FROM (SELECT rowid AS r, {_BM25} AS score FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH ? ORDER BY score, rowid DESC LIMIT ?) AS f "
        "JOIN client_stats s ON s.search_rowid = f.r JOIN clients c ON c.id = s.client_id "
        f"WHERE {where} ORDER BY f.score, f.r DESC LIMIT ?"
    )


def browse_sql(where: str, by_dates: bool = False) -> str:
    """No text typed: an alphabetical list under the filters.

    Walking the name index and testing each client suits broad filters; a birthday window is
    so selective that it should drive instead, so `+` keeps SQLite off the name index then
    (400 ms -> 35 ms on a million clients).
    """
    order = "+c.sort_key" if by_dates else "c.sort_key"
    return (
        "SELECT c.id FROM clients c LEFT JOIN client_stats s ON s.client_id = c.id "
        f"WHERE {where} ORDER BY {order}, c.id LIMIT ?"
    )


Execute = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


def run_plan(execute: Execute, search_plan: SearchPlan, limit: int) -> list[bytes]:
    """Client ids (raw 16 bytes), best first. `execute(sql, params)` returns all rows."""
    where, fparams = search_plan.filter_sql, search_plan.filter_params
    if not search_plan.stages:
        return [r[0] for r in execute(browse_sql(where, search_plan.by_dates), [*fparams, limit])]
    found: list[bytes] = []
    seen: set[bytes] = set()
    for stage in search_plan.stages:
        need = limit - len(found)
        if need <= 0:
            break
        count = execute(_COUNT_SQL, [stage.match, BROAD_THRESHOLD + 1])[0][0]
        if count == 0:
            continue
        broad = count > BROAD_THRESHOLD
        inner = [] if broad else [-1 if fparams or where != _NO_FILTER else limit]
        rows = execute(stage_sql(broad, where), [stage.match, *inner, *fparams, limit])
        for (cid,) in rows:
            if cid not in seen:
                seen.add(cid)
                found.append(cid)
    return found[:limit]
