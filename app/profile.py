"""Assembling a client's full profile: a handful of indexed queries, newest first, bounded."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import TypeVar

from sqlalchemy import BindParameter, bindparam, select
from sqlalchemy.orm import Session, aliased

from app.clients import display_name
from app.consent import derive_consent
from app.validation import format_phone
from models import (
    Appointment,
    Associate,
    Client,
    ClientStats,
    ClosetItem,
    ConsentEvent,
    Interaction,
    Note,
    Product,
    ProductImage,
    Purchase,
    PurchaseLine,
    StockLevel,
    Store,
    StudioMarker,
    StudioSession,
    Task,
    WishListItem,
)
from models.base import Entity
from models.dates import next_occurrence
from models.dto import (
    AppointmentView,
    ClientProfile,
    ClosetView,
    ConsentEventView,
    ImportantDateView,
    InteractionView,
    Money,
    NoteView,
    ProductView,
    PurchaseLineView,
    PurchaseView,
    StudioSessionSummary,
    TaskView,
    WishView,
)
from models.enums import Recurrence, TaskStatus, WishStatus

# The profile shows the most recent of each kind; the timeline pages further on demand.
RECENT = 50


RowT = TypeVar("RowT", bound=Entity)


# Built once: SQLAlchemy caches a statement's compiled form by its structure, and building the
# same select() on every profile open cost more than running it.
_AUTHOR = aliased(Associate)
_CID: BindParameter[uuid.UUID] = bindparam("cid")
_NOTES = (
    select(Note, _AUTHOR.display_name)
    .outerjoin(_AUTHOR, _AUTHOR.id == Note.author_id)
    .where(Note.client_id == _CID)
    .order_by(Note.created_at.desc())
    .limit(RECENT)
)
_SUPERSEDED = select(Note.supersedes_id).where(
    Note.client_id == _CID, Note.supersedes_id.is_not(None)
)
_INTERACTIONS = (
    select(Interaction, _AUTHOR.display_name)
    .outerjoin(_AUTHOR, _AUTHOR.id == Interaction.associate_id)
    .where(Interaction.client_id == _CID)
    .order_by(Interaction.occurred_at.desc())
    .limit(RECENT)
)
_CLOSET = (
    select(ClosetItem)
    .where(ClosetItem.client_id == _CID, ClosetItem.deleted_at.is_(None))
    .order_by(ClosetItem.acquired_on.desc())
)
_TASKS = (
    select(Task, _AUTHOR.display_name)
    .outerjoin(_AUTHOR, _AUTHOR.id == Task.assignee_id)
    .where(Task.client_id == _CID, Task.deleted_at.is_(None))
    .order_by((Task.status == TaskStatus.OPEN.value).desc(), Task.due_on.desc())
    .limit(RECENT)
)
_APPOINTMENTS = (
    select(Appointment, _AUTHOR.display_name)
    .outerjoin(_AUTHOR, _AUTHOR.id == Appointment.associate_id)
    .where(Appointment.client_id == _CID, Appointment.deleted_at.is_(None))
    .order_by(Appointment.starts_at.desc())
    .limit(RECENT)
)
_SESSIONS = (
    select(StudioSession, _AUTHOR.display_name)
    .outerjoin(_AUTHOR, _AUTHOR.id == StudioSession.associate_id)
    .where(StudioSession.client_id == _CID)
    .order_by(StudioSession.started_at.desc())
    .limit(RECENT)
)
_SHOWN = (
    select(StudioMarker.session_id, StudioMarker.sku, StudioMarker.label, Product.name)
    .outerjoin(Product, Product.id == StudioMarker.product_id)
    .where(StudioMarker.session_id.in_(bindparam("sids", expanding=True)))
    .order_by(StudioMarker.session_id, StudioMarker.at_ms)
)
_CONSENT = (
    select(ConsentEvent, _AUTHOR.display_name, ConsentEvent.proof_image.is_not(None))
    .outerjoin(_AUTHOR, _AUTHOR.id == ConsentEvent.captured_by_id)
    .where(ConsentEvent.client_id == _CID)
    .order_by(ConsentEvent.captured_at.desc(), ConsentEvent.id.desc())
)
_ASSOCIATE_NAMES = select(Associate.id, Associate.display_name).where(
    Associate.id.in_(bindparam("ids", expanding=True))
)
_PURCHASES = (
    select(Purchase, Store.name, _AUTHOR.display_name)
    .outerjoin(Store, Store.id == Purchase.store_id)
    .outerjoin(_AUTHOR, _AUTHOR.id == Purchase.associate_id)
    .where(Purchase.client_id == _CID)
    .order_by(Purchase.purchased_at.desc())
    .limit(RECENT)
)
_PURCHASE_LINES = (
    select(PurchaseLine)
    .where(PurchaseLine.purchase_id.in_(bindparam("ids", expanding=True)))
    .order_by(PurchaseLine.purchase_id, PurchaseLine.line_no)
)
_WISHES = (
    select(WishListItem, Product, StockLevel.quantity)
    .join(Product, Product.id == WishListItem.product_id)
    .outerjoin(
        StockLevel,
        (StockLevel.product_id == Product.id) & (StockLevel.store_id == bindparam("store")),
    )
    .where(
        WishListItem.client_id == _CID,
        WishListItem.deleted_at.is_(None),
        WishListItem.status == WishStatus.ACTIVE.value,
    )
    .order_by(WishListItem.created_at.desc())
)
_FIRST_IMAGES = select(ProductImage.product_id, ProductImage.path).where(
    ProductImage.product_id.in_(bindparam("ids", expanding=True)), ProductImage.position == 0
)


def live(rows: Iterable[RowT]) -> list[RowT]:
    """Rows not tombstoned."""
    return [r for r in rows if r.deleted_at is None]


def product_view(p: Product, image: str | None) -> ProductView:
    return ProductView(
        id=p.id,
        sku=p.sku,
        brand=p.brand,
        category=p.category,
        name=p.name,
        price=Money(p.price_minor, p.currency),
        colour=p.colour,
        stock_flag=str(p.stock_flag),
        image=image,
    )


def first_images(session: Session, product_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not product_ids:
        return {}
    rows = session.execute(_FIRST_IMAGES, {"ids": list(product_ids)})
    return {pid: path for pid, path in rows}


def build_profile(session: Session, client: Client, today: date) -> ClientProfile:
    cid = client.id
    names = _associate_names(session, client)
    store = session.get(Store, client.home_store_id)
    assert store is not None
    stats = session.get(ClientStats, cid)

    dates = []
    for d in live(client.important_dates):
        next_on: date | None
        if str(d.recurrence) == Recurrence.YEARLY.value:
            next_on = next_occurrence(d.month, d.day, today)
        elif d.year is not None:
            next_on = date(d.year, d.month, d.day)
        else:
            next_on = None
        dates.append(ImportantDateView(d.id, str(d.kind), d.label, d.month, d.day, d.year, next_on))
    dates.sort(key=lambda v: (v.next_on or date.max, v.kind))

    prefs: dict[str, list[str]] = defaultdict(list)
    for p in live(client.preferences):
        prefs[str(p.kind)].append(p.value)

    by_client = {"cid": cid}
    notes = [
        NoteView(n.id, n.created_at, name, n.body) for n, name in session.execute(_NOTES, by_client)
    ]
    superseded = set(session.scalars(_SUPERSEDED, by_client))
    notes = [n for n in notes if n.id not in superseded]

    interactions = [
        InteractionView(i.id, i.occurred_at, str(i.channel), str(i.direction), name, i.summary)
        for i, name in session.execute(_INTERACTIONS, by_client)
    ]

    purchases = _purchases(session, cid)
    wish = _wish_list(session, cid, client.home_store_id)
    closet = [
        ClosetView(c.id, c.description, c.brand, c.size, c.acquired_on)
        for c in session.scalars(_CLOSET, by_client)
    ]
    tasks = [
        TaskView(t.id, cid, None, t.due_on, t.reason, str(t.source), str(t.status), name)
        for t, name in session.execute(_TASKS, by_client)
    ]
    shown = display_name(client.given_name, client.family_name, client.preferred_name)
    appointments = [
        AppointmentView(
            a.id,
            cid,
            shown,
            str(a.kind),
            a.starts_at,
            a.ends_at,
            str(a.status),
            name,
            a.purpose,
        )
        for a, name in session.execute(_APPOINTMENTS, by_client)
    ]
    studio_sessions = _studio_sessions(session, cid)
    events = [
        ConsentEventView(
            e.id,
            str(e.channel),
            str(e.purpose),
            str(e.action),
            e.captured_at,
            name,
            str(e.proof_kind),
            e.proof_text,
            has_image,
        )
        for e, name, has_image in session.execute(_CONSENT, by_client)
    ]

    address = [
        line
        for line in (
            client.address_line1,
            client.address_line2,
            " ".join(x for x in (client.postal_code, client.city) if x) or None,
            client.region,
            client.country,
        )
        if line
    ]
    return ClientProfile(
        id=cid,
        given_name=client.given_name,
        family_name=client.family_name,
        preferred_name=client.preferred_name,
        title=client.title,
        display_name=shown,
        language=client.language,
        tier=str(client.tier),
        home_store=store.name,
        primary_owner=names.get(client.primary_owner_id),
        secondary_owner=names.get(client.secondary_owner_id),
        emails=[e.address for e in live(client.emails)],
        phones=[format_phone(p.e164) for p in live(client.phones)],
        address=address,
        tags=[t.tag for t in live(client.tags)],
        sizes={str(s.category): s.value for s in live(client.sizes)},
        preferences=dict(prefs),
        important_dates=dates,
        last_contact_at=stats.last_contact_at if stats else None,
        last_purchase_at=stats.last_purchase_at if stats else None,
        lifetime_spend=Money(stats.lifetime_spend_minor if stats else 0, store.currency),
        purchase_count=stats.purchase_count if stats else 0,
        consent=derive_consent((e.channel, e.purpose, e.action, e.captured_at) for e in events),
        consent_history=events,
        notes=notes,
        interactions=interactions,
        purchases=purchases,
        wish_list=wish,
        closet=closet,
        tasks=tasks,
        appointments=appointments,
        created_at=client.created_at,
        updated_at=client.updated_at,
        studio_sessions=studio_sessions,
    )


def _studio_sessions(session: Session, cid: uuid.UUID) -> list[StudioSessionSummary]:
    heads = session.execute(_SESSIONS, {"cid": cid}).all()
    if not heads:
        return []
    shown: dict[uuid.UUID, dict[str, None]] = defaultdict(dict)
    counts: dict[uuid.UUID, int] = defaultdict(int)
    for sid, sku, label, name in session.execute(_SHOWN, {"sids": [s.id for s, _ in heads]}):
        counts[sid] += 1
        if sku:
            shown[sid].setdefault(name or label, None)
    return [
        StudioSessionSummary(
            s.id, s.started_at, s.duration_ms, str(s.status), who, tuple(shown[s.id]), counts[s.id]
        )
        for s, who in heads
    ]


def _associate_names(session: Session, client: Client) -> dict[uuid.UUID | None, str]:
    ids = {i for i in (client.primary_owner_id, client.secondary_owner_id) if i}
    if not ids:
        return {}
    rows = session.execute(_ASSOCIATE_NAMES, {"ids": list(ids)})
    return {i: n for i, n in rows}


def _purchases(session: Session, cid: uuid.UUID) -> list[PurchaseView]:
    heads = session.execute(_PURCHASES, {"cid": cid}).all()
    if not heads:
        return []
    lines: dict[uuid.UUID, list[PurchaseLineView]] = defaultdict(list)
    currencies = {p.id: p.currency for p, _s, _a in heads}
    for line in session.scalars(_PURCHASE_LINES, {"ids": list(currencies)}):
        currency = currencies[line.purchase_id]
        lines[line.purchase_id].append(
            PurchaseLineView(
                line.sku,
                line.description,
                line.size,
                line.quantity,
                Money(line.line_total_minor, currency),
            )
        )
    return [
        PurchaseView(
            p.id,
            p.purchased_at,
            store_name,
            associate,
            str(p.channel),
            Money(p.total_minor, p.currency),
            lines.get(p.id, []),
        )
        for p, store_name, associate in heads
    ]


def _wish_list(session: Session, cid: uuid.UUID, home_store: uuid.UUID) -> list[WishView]:
    rows = session.execute(_WISHES, {"cid": cid, "store": home_store}).all()
    images = first_images(session, {p.id for _w, p, _q in rows})
    return [
        WishView(
            w.id,
            product_view(p, images.get(p.id)),
            w.size,
            w.note,
            w.created_at,
            str(w.status),
            qty or 0,
        )
        for w, p, qty in rows
    ]
