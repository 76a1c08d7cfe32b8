"""Client book use cases: create, edit, search and read a client's profile.

Each method runs inside the caller's unit of work (one Session, one thread) and returns DTOs.
Validation happens before the first write, and the caller's transaction wraps everything, so a
refused form leaves nothing half-written behind.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import phonenumbers
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, selectinload

from app.validation import (
    Checker,
    check_month_day,
    normalize_email,
    normalize_phone,
    normalize_size,
)
from models import (
    Associate,
    Client,
    ClientEmail,
    ClientPhone,
    ClientPreference,
    ClientSize,
    ClientTag,
    ImportantDate,
    Store,
)
from models import search as search_queries
from models.dto import ClientHit, ClientInput, ClientProfile, DateInput, Money
from models.enums import DateKind, PreferenceKind, Recurrence, Tier
from models.types import utcnow

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Actor:
    """Who is at the workstation, and where: stamped on what they write."""

    associate_id: uuid.UUID | None
    store_id: uuid.UUID


_CALLING_CODES: dict[uuid.UUID, int] = {}
# Built once (see app.profile): a live client, alone or with every set a profile shows.
_CLIENT = select(Client).where(Client.id == bindparam("cid"), Client.deleted_at.is_(None))
_CLIENT_WITH_SETS = _CLIENT.options(
    selectinload(Client.emails),
    selectinload(Client.phones),
    selectinload(Client.tags),
    selectinload(Client.sizes),
    selectinload(Client.preferences),
    selectinload(Client.important_dates),
)
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$")


class NotFoundError(LookupError):
    pass


def local_today(session: Session, store_id: uuid.UUID, now: datetime) -> date:
    """The calendar day at the workstation's store, which is what "today" means to people
    there (a Tokyo morning is still yesterday in UTC)."""
    store = session.get(Store, store_id)
    zone = ZoneInfo(store.timezone) if store is not None else ZoneInfo("UTC")
    return now.astimezone(zone).date()


def display_name(given: str, family: str, preferred: str | None) -> str:
    first = preferred or given
    return f"{first} {family}".strip()


class ClientService:
    def __init__(self, session: Session, actor: Actor, clock: Clock = utcnow) -> None:
        self.session = session
        self.actor = actor
        self.clock = clock

    # --- search ---------------------------------------------------------------------------

    def search(
        self,
        query: str,
        filters: search_queries.SearchFilters | None = None,
        limit: int = 50,
    ) -> list[ClientHit]:
        plan = search_queries.plan(
            query, filters or search_queries.SearchFilters(), self.calling_code()
        )
        conn = self.session.connection()

        def execute(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in conn.exec_driver_sql(sql, tuple(params))]

        ids = search_queries.run_plan(execute, plan, limit)
        return hits_for(execute, ids)

    def calling_code(self) -> int | None:
        """The workstation's country calling code; a store never changes country."""
        code = _CALLING_CODES.get(self.actor.store_id)
        if code is None:
            store = self.session.get(Store, self.actor.store_id)
            code = phonenumbers.country_code_for_region(store.country) if store else 0
            _CALLING_CODES[self.actor.store_id] = code
        return code or None

    def count(self) -> int:
        """Live clients in the book."""
        return int(
            self.session.scalar(
                select(func.count()).select_from(Client).where(Client.deleted_at.is_(None))
            )
            or 0
        )

    # --- create and edit ------------------------------------------------------------------

    def create_client(self, data: ClientInput) -> uuid.UUID:
        store = self._store(data.home_store_id or self.actor.store_id, "home_store_id")
        clean = self._validate(data, store)
        client = Client()
        self._apply(client, clean, store)
        self.session.add(client)
        self.session.flush()
        return client.id

    def update_client(self, client_id: uuid.UUID, data: ClientInput) -> None:
        client = self._client(client_id)
        store = self._store(data.home_store_id or client.home_store_id, "home_store_id")
        clean = self._validate(data, store)
        self._apply(client, clean, store)
        self.session.flush()

    def delete_client(self, client_id: uuid.UUID) -> None:
        """Tombstone: the client disappears from lists here and, after sync, everywhere."""
        client = self._client(client_id)
        client.deleted_at = self.clock()
        self.session.flush()

    # --- reading --------------------------------------------------------------------------

    def profile(self, client_id: uuid.UUID) -> ClientProfile:
        from app.profile import build_profile

        today = local_today(self.session, self.actor.store_id, self.clock())
        return build_profile(self.session, self._client(client_id, eager=True), today)

    def edit_input(self, client_id: uuid.UUID) -> ClientInput:
        """The client as an edit form starts: every editable field, as stored."""
        c = self._client(client_id, eager=True)
        live = [r for r in (*c.emails, *c.phones) if r.deleted_at is None]
        prefs: dict[str, list[str]] = {}
        for p in c.preferences:
            if p.deleted_at is None:
                prefs.setdefault(str(p.kind), []).append(p.value)
        return ClientInput(
            given_name=c.given_name,
            family_name=c.family_name,
            home_store_id=c.home_store_id,
            preferred_name=c.preferred_name,
            title=c.title,
            language=c.language,
            tier=str(c.tier),
            primary_owner_id=c.primary_owner_id,
            secondary_owner_id=c.secondary_owner_id,
            emails=[r.address for r in live if isinstance(r, ClientEmail)],
            phones=[r.e164 for r in live if isinstance(r, ClientPhone)],
            address_line1=c.address_line1,
            address_line2=c.address_line2,
            city=c.city,
            postal_code=c.postal_code,
            region=c.region,
            country=c.country,
            tags=[t.tag for t in c.tags if t.deleted_at is None],
            sizes={str(z.category): z.value for z in c.sizes if z.deleted_at is None},
            preferences=prefs,
            important_dates=[
                DateInput(str(d.kind), d.month, d.day, d.year, d.label)
                for d in c.important_dates
                if d.deleted_at is None
            ],
        )

    # --- internals ------------------------------------------------------------------------

    def _client(self, client_id: uuid.UUID, eager: bool = False) -> Client:
        stmt = _CLIENT_WITH_SETS if eager else _CLIENT
        client = self.session.scalars(stmt, {"cid": client_id}).first()
        if client is None:
            raise NotFoundError(f"no client with id {client_id}")
        return client

    def _store(self, store_id: uuid.UUID, field: str) -> Store:
        store = self.session.get(Store, store_id)
        if store is None:
            checker = Checker()
            checker.fail(field, "unknown store")
            checker.done()
        assert store is not None
        return store

    def _validate(self, data: ClientInput, store: Store) -> _CleanClient:
        c = Checker()
        given = (data.given_name or "").strip()
        family = (data.family_name or "").strip()
        if not given:
            c.fail("given_name", "is required")
        if not family:
            c.fail("family_name", "is required")
        # The column sizes: SQLite would take more, but the central PostgreSQL would not.
        for name, value, limit in (
            ("given_name", given, 80),
            ("family_name", family, 80),
            ("preferred_name", data.preferred_name or "", 80),
            ("title", data.title or "", 20),
            ("address_line1", data.address_line1 or "", 120),
            ("address_line2", data.address_line2 or "", 120),
            ("city", data.city or "", 80),
            ("postal_code", data.postal_code or "", 20),
            ("region", data.region or "", 80),
        ):
            if len(value.strip()) > limit:
                c.fail(name, f"is longer than {limit} characters")
        if not _LANGUAGE_TAG.match(data.language or "en"):
            c.fail("language", "use a language tag such as fr, en-GB or zh-Hans-CN")
        try:
            tier = Tier(data.tier)
        except ValueError:
            c.fail("tier", f"must be one of {', '.join(t.value for t in Tier)}")
            tier = Tier.CLIENT
        emails: list[str] = []
        for i, raw in enumerate(data.emails):
            if not raw.strip():
                continue
            email = normalize_email(raw)
            if email is None:
                c.fail(f"emails[{i}]", f"{raw.strip()!r} is not an e-mail address")
            elif email not in emails:
                emails.append(email)
        phones: list[tuple[str, str]] = []
        for i, raw in enumerate(data.phones):
            if not raw.strip():
                continue
            phone = normalize_phone(raw, data.country or store.country)
            if phone is None:
                c.fail(f"phones[{i}]", f"{raw.strip()!r} is not a valid phone number")
            elif phone.e164 not in [p[0] for p in phones]:
                phones.append((phone.e164, phone.national_digits))
        sizes: dict[str, str] = {}
        for category, raw in data.sizes.items():
            if not raw.strip():
                continue
            size = normalize_size(category, raw)
            if size is None:
                c.fail(f"sizes.{category}", f"{raw.strip()!r} is not a {category} size")
            else:
                sizes[category] = size
        prefs: dict[PreferenceKind, list[str]] = {}
        for kind, values in data.preferences.items():
            try:
                pk = PreferenceKind(kind)
            except ValueError:
                c.fail(f"preferences.{kind}", "unknown kind of preference")
                continue
            prefs[pk] = _unique(v.strip() for v in values if v.strip())
            if any(len(v) > 80 for v in prefs[pk]):
                c.fail(f"preferences.{kind}", "each value is at most 80 characters")
        today = local_today(self.session, self.actor.store_id, self.clock())
        dates = []
        for i, d in enumerate(data.important_dates):
            try:
                DateKind(d.kind)
            except ValueError:
                c.fail(f"important_dates[{i}]", f"unknown kind {d.kind!r}")
                continue
            check_month_day(c, f"important_dates[{i}]", d.month, d.day, d.year, today)
            if d.label and len(d.label.strip()) > 80:
                c.fail(f"important_dates[{i}]", "the label is longer than 80 characters")
            dates.append(d)
        if data.country and (len(data.country) != 2 or not data.country.isalpha()):
            c.fail("country", "use a two-letter country code such as FR")
        for owner_field in ("primary_owner_id", "secondary_owner_id"):
            owner = getattr(data, owner_field)
            if owner is not None and self.session.get(Associate, owner) is None:
                c.fail(owner_field, "unknown associate")
        if data.primary_owner_id is not None and data.primary_owner_id == data.secondary_owner_id:
            c.fail("secondary_owner_id", "must differ from the primary owner")
        tags = _unique(t.strip().lower() for t in data.tags if t.strip())
        for tag in tags:
            if len(tag) > 40:
                c.fail("tags", f"{tag[:20]!r}... is longer than 40 characters")
        c.done()
        return _CleanClient(data, given, family, tier, emails, phones, sizes, prefs, dates, tags)

    def _apply(self, client: Client, clean: _CleanClient, store: Store) -> None:
        d = clean.data
        client.given_name = clean.given
        client.family_name = clean.family
        client.preferred_name = _blank_to_none(d.preferred_name)
        client.title = _blank_to_none(d.title)
        client.language = d.language or "en"
        client.tier = clean.tier
        client.home_store_id = store.id
        client.primary_owner_id = d.primary_owner_id
        client.secondary_owner_id = d.secondary_owner_id
        client.address_line1 = _blank_to_none(d.address_line1)
        client.address_line2 = _blank_to_none(d.address_line2)
        client.city = _blank_to_none(d.city)
        client.postal_code = _blank_to_none(d.postal_code)
        client.region = _blank_to_none(d.region)
        client.country = d.country.upper() if d.country else None
        now = self.clock()

        _sync_rows(
            client.emails,
            {e: i for i, e in enumerate(clean.emails)},
            key=lambda r: r.address,
            make=lambda e, i: ClientEmail(address=e, position=i),
            update=lambda r, i: setattr(r, "position", i),
            now=now,
        )
        national = dict(clean.phones)
        _sync_rows(
            client.phones,
            {p: i for i, (p, _n) in enumerate(clean.phones)},
            key=lambda r: r.e164,
            make=lambda p, i: ClientPhone(e164=p, national_digits=national[p], position=i),
            update=lambda r, i: setattr(r, "position", i),
            now=now,
        )
        _sync_rows(
            client.tags,
            {t: None for t in clean.tags},
            key=lambda r: r.tag,
            make=lambda t, _v: ClientTag(tag=t),
            update=None,
            now=now,
        )
        _sync_rows(
            client.sizes,
            clean.sizes,
            key=lambda r: str(r.category),
            make=lambda cat, v: ClientSize(category=cat, value=v),
            update=lambda r, v: setattr(r, "value", v),
            now=now,
        )
        wanted_prefs = {(k.value, v): None for k, vals in clean.prefs.items() for v in vals}
        # Preference kinds the form did not mention are left as they are.
        mentioned = {k.value for k in clean.prefs}
        _sync_rows(
            [p for p in client.preferences if str(p.kind) in mentioned],
            wanted_prefs,
            key=lambda r: (str(r.kind), r.value),
            make=lambda kv, _v: ClientPreference(kind=kv[0], value=kv[1]),
            update=None,
            now=now,
            append_to=client.preferences,
        )
        wanted_dates = {(x.kind, x.month, x.day, x.year, x.label or None): x for x in clean.dates}
        _sync_rows(
            client.important_dates,
            wanted_dates,
            key=lambda r: (str(r.kind), r.month, r.day, r.year, r.label),
            make=lambda k, x: ImportantDate(
                kind=x.kind,
                month=x.month,
                day=x.day,
                year=x.year,
                label=x.label or None,
                recurrence=Recurrence.YEARLY,
                month_day=x.month * 100 + x.day,
            ),
            update=None,
            now=now,
        )


@dataclass(frozen=True)
class _CleanClient:
    data: ClientInput
    given: str
    family: str
    tier: Tier
    emails: list[str]
    phones: list[tuple[str, str]]
    sizes: dict[str, str]
    prefs: dict[PreferenceKind, list[str]]
    dates: list[Any]
    tags: list[str]


RowT = TypeVar("RowT", bound=Any)


def _sync_rows(
    rows: list[RowT],
    wanted: dict[Any, Any],
    *,
    key: Callable[[RowT], Any],
    make: Callable[[Any, Any], RowT],
    update: Callable[[RowT, Any], None] | None,
    now: datetime,
    append_to: list[RowT] | None = None,
) -> None:
    """Make a set of child rows match `wanted` (key -> value) without losing history.

    Rows no longer wanted are tombstoned, not deleted, so the removal syncs; a wanted key that
    was tombstoned comes back to life instead of colliding with its own unique index.
    """
    target = rows if append_to is None else append_to
    existing = {key(r): r for r in rows}
    for k, r in existing.items():
        if k not in wanted and r.deleted_at is None:
            r.deleted_at = now
    for k, v in wanted.items():
        row = existing.get(k)
        if row is None:
            target.append(make(k, v))
            continue
        if row.deleted_at is not None:
            row.deleted_at = None
        if update is not None:
            update(row, v)


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        seen.setdefault(v, None)
    return list(seen)


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


_HITS_SQL = """
SELECT c.id, c.given_name, c.family_name, c.preferred_name, c.tier,
  (SELECT e.address FROM client_emails e WHERE e.client_id = c.id AND e.deleted_at IS NULL
   ORDER BY e.position LIMIT 1),
  (SELECT p.e164 FROM client_phones p WHERE p.client_id = c.id AND p.deleted_at IS NULL
   ORDER BY p.position LIMIT 1),
  st.name, st.currency, a.display_name, s.last_contact_at, s.last_purchase_at,
  coalesce(s.lifetime_spend_minor, 0)
FROM clients c
JOIN stores st ON st.id = c.home_store_id
LEFT JOIN associates a ON a.id = c.primary_owner_id
LEFT JOIN client_stats s ON s.client_id = c.id
WHERE c.id IN ({marks})
"""


def hits_sql(n: int) -> str:
    return _HITS_SQL.format(marks=",".join("?" * n))


def parse_ts(value: Any) -> datetime | None:
    """A timestamp column read with raw SQL (stored as UTC text by UTCDateTime)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def hits_for(
    execute: Callable[[str, Sequence[Any]], list[tuple[Any, ...]]], ids: list[bytes]
) -> list[ClientHit]:
    if not ids:
        return []
    rows = {r[0]: r for r in execute(hits_sql(len(ids)), ids)}
    hits = []
    for cid in ids:
        r = rows.get(cid)
        if r is None:
            continue
        hits.append(
            ClientHit(
                id=uuid.UUID(bytes=bytes(r[0])),
                display_name=display_name(r[1], r[2], r[3]),
                tier=r[4],
                email=r[5],
                phone=r[6],
                home_store=r[7],
                owner=r[9],
                last_contact_at=parse_ts(r[10]),
                last_purchase_at=parse_ts(r[11]),
                lifetime_spend=Money(int(r[12]), r[8]),
            )
        )
    return hits
