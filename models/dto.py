"""Plain, immutable results handed from services to the UI and the CLI.

No ORM object ever leaves a session: views get these, which are safe to pass between threads.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from models.money import format_money


def to_jsonable(value: Any) -> Any:
    """DTOs (and anything nested in them) as JSON-ready values."""
    if hasattr(value, "__dataclass_fields__"):
        return {k: to_jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return None  # binary proofs are fetched on their own, never inlined
    return value


@dataclass(frozen=True)
class Money:
    minor: int
    currency: str

    def format(self) -> str:
        return format_money(self.minor, self.currency)


@dataclass(frozen=True)
class ClientHit:
    id: uuid.UUID
    display_name: str
    tier: str
    email: str | None
    phone: str | None
    home_store: str
    owner: str | None
    last_contact_at: datetime | None
    last_purchase_at: datetime | None
    lifetime_spend: Money


@dataclass(frozen=True)
class ImportantDateView:
    id: uuid.UUID
    kind: str
    label: str | None
    month: int
    day: int
    year: int | None
    next_on: date | None


@dataclass(frozen=True)
class NoteView:
    id: uuid.UUID
    created_at: datetime
    author: str | None
    body: str


@dataclass(frozen=True)
class InteractionView:
    id: uuid.UUID
    occurred_at: datetime
    channel: str
    direction: str
    associate: str | None
    summary: str


@dataclass(frozen=True)
class PurchaseLineView:
    sku: str
    description: str
    size: str | None
    quantity: int
    line_total: Money


@dataclass(frozen=True)
class PurchaseView:
    id: uuid.UUID
    purchased_at: datetime
    store: str | None
    associate: str | None
    channel: str
    total: Money
    lines: list[PurchaseLineView]


@dataclass(frozen=True)
class ProductView:
    id: uuid.UUID
    sku: str
    brand: str
    category: str
    name: str
    price: Money
    colour: str | None
    stock_flag: str
    image: str | None  # path relative to the book's media folder


@dataclass(frozen=True)
class WishView:
    id: uuid.UUID
    product: ProductView
    size: str | None
    note: str | None
    added_at: datetime
    status: str
    in_stock_home: int


@dataclass(frozen=True)
class ClosetView:
    id: uuid.UUID
    description: str
    brand: str | None
    size: str | None
    acquired_on: date | None


@dataclass(frozen=True)
class TaskView:
    id: uuid.UUID
    client_id: uuid.UUID | None
    client_name: str | None
    due_on: date
    reason: str
    source: str
    status: str
    assignee: str | None


@dataclass(frozen=True)
class AppointmentView:
    id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    status: str
    associate: str | None
    purpose: str | None


@dataclass(frozen=True)
class ConsentEventView:
    id: uuid.UUID
    channel: str
    purpose: str
    action: str
    captured_at: datetime
    captured_by: str | None
    proof_kind: str
    proof_text: str | None
    has_proof_image: bool


@dataclass(frozen=True)
class ConsentState:
    channel: str
    purpose: str
    granted: bool
    since: datetime


@dataclass(frozen=True)
class StudioSessionSummary:
    """A recorded showroom session, as the profile lists it."""

    id: uuid.UUID
    started_at: datetime
    duration_ms: int | None
    status: str  # recording | finished | interrupted | failed
    associate: str | None
    products: tuple[str, ...]  # names of the products shown, in order of first showing
    markers: int


@dataclass(frozen=True)
class ClientProfile:
    id: uuid.UUID
    given_name: str
    family_name: str
    preferred_name: str | None
    title: str | None
    display_name: str
    language: str
    tier: str
    home_store: str
    primary_owner: str | None
    secondary_owner: str | None
    emails: list[str]
    phones: list[str]
    address: list[str]
    tags: list[str]
    sizes: dict[str, str]
    preferences: dict[str, list[str]]
    important_dates: list[ImportantDateView]
    last_contact_at: datetime | None
    last_purchase_at: datetime | None
    lifetime_spend: Money
    purchase_count: int
    consent: list[ConsentState]
    consent_history: list[ConsentEventView]
    notes: list[NoteView]
    interactions: list[InteractionView]
    purchases: list[PurchaseView]
    wish_list: list[WishView]
    closet: list[ClosetView]
    tasks: list[TaskView]
    appointments: list[AppointmentView]
    created_at: datetime
    updated_at: datetime
    studio_sessions: list[StudioSessionSummary] = field(default_factory=list)


@dataclass(frozen=True)
class UpcomingDate:
    client_id: uuid.UUID
    client_name: str
    kind: str
    label: str | None
    on: date
    years: int | None  # the age or anniversary it will be, when the year is known


@dataclass(frozen=True)
class BackInStock:
    client_id: uuid.UUID
    client_name: str
    product: ProductView
    size: str | None
    quantity: int
    restocked_at: datetime


@dataclass(frozen=True)
class TodayView:
    day: date
    tasks_due: list[TaskView]
    upcoming_dates: list[UpcomingDate]
    appointments: list[AppointmentView]
    back_in_stock: list[BackInStock]


@dataclass(frozen=True)
class DoctorReport:
    path: str
    schema_revision: str | None
    schema_head: str
    counts: dict[str, int]
    integrity: str
    journal_mode: str
    search_index_rows: int
    size_bytes: int
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DateInput:
    kind: str  # models.enums.DateKind value
    month: int
    day: int
    year: int | None = None
    label: str | None = None


@dataclass
class ClientInput:
    """What a create or edit form hands to the service. Strings are as typed."""

    given_name: str
    family_name: str
    home_store_id: uuid.UUID | None = None
    preferred_name: str | None = None
    title: str | None = None
    language: str = "en"
    tier: str = "client"
    primary_owner_id: uuid.UUID | None = None
    secondary_owner_id: uuid.UUID | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None
    country: str | None = None
    tags: list[str] = field(default_factory=list)
    sizes: dict[str, str] = field(default_factory=dict)
    preferences: dict[str, list[str]] = field(default_factory=dict)
    important_dates: list[DateInput] = field(default_factory=list)
