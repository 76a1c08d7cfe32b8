"""Everything an associate records about a client after creating them: notes, interactions,
wish list, closet, consent, tasks, appointments, purchases, and stock changes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clients import Actor, Clock, NotFoundError, local_today
from app.validation import Checker
from models import (
    Appointment,
    Associate,
    Client,
    ClosetItem,
    ConsentEvent,
    Interaction,
    Note,
    Product,
    Purchase,
    PurchaseLine,
    StockLevel,
    Task,
    WishListItem,
)
from models.enums import (
    AppointmentKind,
    AppointmentStatus,
    Channel,
    ConsentAction,
    ConsentChannel,
    ConsentPurpose,
    Direction,
    ProofKind,
    SalesChannel,
    TaskSource,
    TaskStatus,
    WishStatus,
)
from models.money import MoneyError, exponent
from models.types import utcnow

MAX_NOTE = 10_000
FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks of two machines in one shop disagree a little
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class LineInput:
    sku: str
    quantity: int
    unit_price_minor: int
    description: str | None = None
    size: str | None = None


def _enum(checker: Checker, field: str, enum: type[StrEnum], value: str) -> str:
    try:
        return str(enum(value).value)
    except ValueError:
        checker.fail(field, f"must be one of {', '.join(m.value for m in enum)}")
        return value


class ActivityService:
    def __init__(self, session: Session, actor: Actor, clock: Clock = utcnow) -> None:
        self.session = session
        self.actor = actor
        self.clock = clock

    def _today(self) -> date:
        return local_today(self.session, self.actor.store_id, self.clock())

    def _check_moment(self, c: Checker, field: str, when: datetime | None) -> None:
        """A recorded moment needs a time zone and cannot be in the future: a grant dated
        2030 would otherwise outrank every later withdrawal."""
        if when is None:
            return
        if when.tzinfo is None or when.utcoffset() is None:
            c.fail(field, "needs a time zone")
        elif when > self.clock() + FUTURE_TOLERANCE:
            c.fail(field, "is in the future")

    def _client(self, client_id: uuid.UUID) -> Client:
        client = self.session.get(Client, client_id)
        if client is None or client.deleted_at is not None:
            raise NotFoundError(f"no client with id {client_id}")
        return client

    # --- notes and interactions -----------------------------------------------------------

    def add_note(
        self, client_id: uuid.UUID, body: str, supersedes: uuid.UUID | None = None
    ) -> uuid.UUID:
        self._client(client_id)
        c = Checker()
        text = body.strip()
        if not text:
            c.fail("body", "is empty")
        elif len(text) > MAX_NOTE:
            c.fail("body", f"is longer than {MAX_NOTE} characters")
        if supersedes is not None:
            old = self.session.get(Note, supersedes)
            if old is None or old.client_id != client_id:
                c.fail("supersedes", "no such note for this client")
        c.done()
        note = Note(
            client_id=client_id,
            author_id=self.actor.associate_id,
            body=text,
            supersedes_id=supersedes,
            created_at=self.clock(),
        )
        self.session.add(note)
        self.session.flush()
        return note.id

    def log_interaction(
        self,
        client_id: uuid.UUID,
        channel: str,
        direction: str,
        summary: str,
        occurred_at: datetime | None = None,
    ) -> uuid.UUID:
        self._client(client_id)
        c = Checker()
        ch = _enum(c, "channel", Channel, channel)
        di = _enum(c, "direction", Direction, direction)
        text = summary.strip()
        if not text:
            c.fail("summary", "is empty")
        when = occurred_at or self.clock()
        self._check_moment(c, "occurred_at", when)
        c.done()
        row = Interaction(
            client_id=client_id,
            associate_id=self.actor.associate_id,
            store_id=self.actor.store_id,
            channel=ch,
            direction=di,
            summary=text,
            occurred_at=when,
            created_at=self.clock(),
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    # --- wish list and closet -------------------------------------------------------------

    def add_wish(
        self,
        client_id: uuid.UUID,
        product_id: uuid.UUID,
        size: str | None = None,
        note: str | None = None,
    ) -> uuid.UUID:
        self._client(client_id)
        c = Checker()
        if self.session.get(Product, product_id) is None:
            c.fail("product_id", "unknown product")
        c.done()
        existing = self.session.scalars(
            select(WishListItem).where(
                WishListItem.client_id == client_id,
                WishListItem.product_id == product_id,
                WishListItem.status == WishStatus.ACTIVE.value,
                WishListItem.deleted_at.is_(None),
            )
        ).first()
        if existing is not None:  # wishing twice for the same thing is one wish
            existing.size = size or existing.size
            existing.note = note or existing.note
            self.session.flush()
            return existing.id
        row = WishListItem(
            client_id=client_id,
            product_id=product_id,
            size=size,
            note=note,
            added_by_id=self.actor.associate_id,
            created_at=self.clock(),
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def set_wish_status(self, wish_id: uuid.UUID, status: str) -> None:
        c = Checker()
        value = _enum(c, "status", WishStatus, status)
        row = self.session.get(WishListItem, wish_id)
        if row is None or row.deleted_at is not None:
            raise NotFoundError(f"no wish-list item with id {wish_id}")
        c.done()
        row.status = WishStatus(value)
        self.session.flush()

    def add_closet_item(
        self,
        client_id: uuid.UUID,
        description: str,
        brand: str | None = None,
        size: str | None = None,
        acquired_on: date | None = None,
        product_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        self._client(client_id)
        c = Checker()
        if not description.strip():
            c.fail("description", "is empty")
        if acquired_on is not None and acquired_on > self._today():
            c.fail("acquired_on", "is in the future")
        c.done()
        row = ClosetItem(
            client_id=client_id,
            description=description.strip(),
            brand=brand,
            size=size,
            acquired_on=acquired_on,
            product_id=product_id,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    # --- consent --------------------------------------------------------------------------

    def record_consent(
        self,
        client_id: uuid.UUID,
        channel: str,
        purpose: str,
        action: str,
        proof_kind: str,
        proof_text: str | None = None,
        proof_image: bytes | None = None,
        captured_at: datetime | None = None,
    ) -> uuid.UUID:
        """Append one consent event. A signature must come with its image (a PNG)."""
        self._client(client_id)
        c = Checker()
        ch = _enum(c, "channel", ConsentChannel, channel)
        pu = _enum(c, "purpose", ConsentPurpose, purpose)
        ac = _enum(c, "action", ConsentAction, action)
        pk = _enum(c, "proof_kind", ProofKind, proof_kind)
        if pk == ProofKind.SIGNATURE.value and not proof_image:
            c.fail("proof_image", "a signature needs the signed image")
        if proof_image is not None and not proof_image.startswith(PNG_MAGIC):
            c.fail("proof_image", "must be a PNG image")
        if pk == ProofKind.VERBAL.value and not (proof_text or "").strip():
            c.fail("proof_text", "say what the client agreed to, in their words")
        self._check_moment(c, "captured_at", captured_at)
        c.done()
        row = ConsentEvent(
            client_id=client_id,
            channel=ch,
            purpose=pu,
            action=ac,
            captured_at=captured_at or self.clock(),
            captured_by_id=self.actor.associate_id,
            store_id=self.actor.store_id,
            proof_kind=pk,
            proof_text=(proof_text or "").strip() or None,
            proof_image=proof_image,
            proof_mime="image/png" if proof_image else None,
            created_at=self.clock(),
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def consent_proof_image(self, event_id: uuid.UUID) -> bytes | None:
        return self.session.scalar(
            select(ConsentEvent.proof_image).where(ConsentEvent.id == event_id)
        )

    # --- tasks ----------------------------------------------------------------------------

    def create_task(
        self,
        client_id: uuid.UUID | None,
        due_on: date,
        reason: str,
        source: str = TaskSource.MANUAL.value,
        assignee_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        if client_id is not None:
            self._client(client_id)
        c = Checker()
        src = _enum(c, "source", TaskSource, source)
        if not reason.strip():
            c.fail("reason", "is empty")
        elif len(reason.strip()) > 300:
            c.fail("reason", "is longer than 300 characters")
        assignee = assignee_id or self.actor.associate_id
        if assignee is not None and self.session.get(Associate, assignee) is None:
            c.fail("assignee_id", "unknown associate")
        c.done()
        row = Task(
            client_id=client_id,
            assignee_id=assignee,
            due_on=due_on,
            reason=reason.strip(),
            source=src,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def _task(self, task_id: uuid.UUID) -> Task:
        task = self.session.get(Task, task_id)
        if task is None or task.deleted_at is not None:
            raise NotFoundError(f"no task with id {task_id}")
        return task

    def complete_task(self, task_id: uuid.UUID) -> None:
        task = self._task(task_id)
        task.status = TaskStatus.DONE
        task.completed_at = self.clock()
        self.session.flush()

    def snooze_task(self, task_id: uuid.UUID, until: date) -> None:
        task = self._task(task_id)
        if until <= self._today():
            c = Checker()
            c.fail("until", "must be after today")
            c.done()
        task.due_on = until
        self.session.flush()

    # --- appointments ---------------------------------------------------------------------

    def book_appointment(
        self,
        client_id: uuid.UUID,
        kind: str,
        starts_at: datetime,
        ends_at: datetime,
        purpose: str | None = None,
        notes: str | None = None,
        associate_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        self._client(client_id)
        c = Checker()
        k = _enum(c, "kind", AppointmentKind, kind)
        if starts_at.tzinfo is None:
            c.fail("starts_at", "needs a time zone")
        elif ends_at.tzinfo is None:
            c.fail("ends_at", "needs a time zone")
        elif ends_at <= starts_at:
            c.fail("ends_at", "must be after the start")
        elif ends_at - starts_at > timedelta(hours=12):
            c.fail("ends_at", "an appointment lasts at most 12 hours")
        c.done()
        row = Appointment(
            client_id=client_id,
            associate_id=associate_id or self.actor.associate_id,
            store_id=self.actor.store_id,
            kind=k,
            starts_at=starts_at,
            ends_at=ends_at,
            purpose=(purpose or "").strip() or None,
            notes=(notes or "").strip() or None,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def set_appointment_status(self, appointment_id: uuid.UUID, status: str) -> None:
        c = Checker()
        value = _enum(c, "status", AppointmentStatus, status)
        c.done()
        row = self.session.get(Appointment, appointment_id)
        if row is None or row.deleted_at is not None:
            raise NotFoundError(f"no appointment with id {appointment_id}")
        row.status = AppointmentStatus(value)
        self.session.flush()

    # --- purchases and stock --------------------------------------------------------------

    def record_purchase(
        self,
        client_id: uuid.UUID,
        lines: list[LineInput],
        currency: str,
        channel: str = SalesChannel.STORE.value,
        purchased_at: datetime | None = None,
        external_ref: str | None = None,
    ) -> uuid.UUID:
        """Append a receipt. The same external_ref twice returns the first, unchanged."""
        self._client(client_id)
        c = Checker()
        if external_ref:
            existing = self.session.execute(
                select(Purchase.id, Purchase.client_id).where(Purchase.external_ref == external_ref)
            ).first()
            if existing is not None and existing.client_id == client_id:
                same: uuid.UUID = existing.id  # the same receipt imported again
                return same
            if existing is not None:
                c.fail("external_ref", f"receipt {external_ref} belongs to another client")
                c.done()
        self._check_moment(c, "purchased_at", purchased_at)
        ch = _enum(c, "channel", SalesChannel, channel)
        try:
            exponent(currency)
        except MoneyError as exc:
            c.fail("currency", str(exc))
        if not lines:
            c.fail("lines", "a purchase needs at least one line")
        products = {
            p.sku: p
            for p in self.session.scalars(
                select(Product).where(Product.sku.in_([ln.sku for ln in lines]))
            )
        }
        for i, ln in enumerate(lines):
            if ln.quantity == 0:
                c.fail(f"lines[{i}].quantity", "must not be zero")
            if ln.unit_price_minor < 0:
                c.fail(f"lines[{i}].unit_price_minor", "must not be negative")
            if ln.sku not in products and not ln.description:
                c.fail(f"lines[{i}].sku", f"unknown SKU {ln.sku!r} and no description")
        c.done()
        purchase = Purchase(
            client_id=client_id,
            store_id=self.actor.store_id,
            associate_id=self.actor.associate_id,
            channel=ch,
            purchased_at=purchased_at or self.clock(),
            currency=currency,
            total_minor=sum(ln.quantity * ln.unit_price_minor for ln in lines),
            external_ref=external_ref,
            created_at=self.clock(),
        )
        for n, ln in enumerate(lines, start=1):
            product = products.get(ln.sku)
            purchase.lines.append(
                PurchaseLine(
                    line_no=n,
                    product_id=product.id if product else None,
                    sku=ln.sku,
                    description=ln.description or (product.name if product else ln.sku),
                    size=ln.size,
                    quantity=ln.quantity,
                    unit_price_minor=ln.unit_price_minor,
                    line_total_minor=ln.quantity * ln.unit_price_minor,
                )
            )
        self.session.add(purchase)
        self.session.flush()
        return purchase.id

    def set_stock(self, product_id: uuid.UUID, store_id: uuid.UUID, quantity: int) -> None:
        if quantity < 0:
            c = Checker()
            c.fail("quantity", "must not be negative")
            c.done()
        row = self.session.scalars(
            select(StockLevel).where(
                StockLevel.product_id == product_id, StockLevel.store_id == store_id
            )
        ).first()
        if row is None:
            row = StockLevel(product_id=product_id, store_id=store_id, quantity=0)
            self.session.add(row)
        if row.quantity == 0 and quantity > 0:
            row.restocked_at = self.clock()
        row.quantity = quantity
        self.session.flush()
