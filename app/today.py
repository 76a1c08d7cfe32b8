"""The associate's morning: what is due, who to celebrate, who is coming, what came back."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from app.clients import Actor, Clock, display_name
from app.profile import first_images, product_view
from models import (
    Appointment,
    Associate,
    Client,
    ImportantDate,
    Product,
    StockLevel,
    Store,
    Task,
    WishListItem,
)
from models.dates import month_days_within, next_occurrence
from models.dto import AppointmentView, BackInStock, TaskView, TodayView, UpcomingDate
from models.enums import AppointmentStatus, TaskStatus, WishStatus
from models.types import utcnow

DATES_AHEAD = 14
LIMIT = 200


class TodayService:
    def __init__(self, session: Session, actor: Actor, clock: Clock = utcnow) -> None:
        self.session = session
        self.actor = actor
        self.clock = clock

    def _mine(self) -> ColumnElement[bool]:
        """The actor's book: clients they own, or the store's when nobody is signed in."""
        if self.actor.associate_id is not None:
            return or_(
                Client.primary_owner_id == self.actor.associate_id,
                Client.secondary_owner_id == self.actor.associate_id,
            )
        return Client.home_store_id == self.actor.store_id

    def today(self) -> TodayView:
        store = self.session.get(Store, self.actor.store_id)
        tz = ZoneInfo(store.timezone) if store is not None else ZoneInfo("UTC")
        local_now = self.clock().astimezone(tz)
        day = local_now.date()
        return TodayView(
            day=day,
            tasks_due=self._tasks_due(day),
            upcoming_dates=self._upcoming_dates(day),
            appointments=self._appointments(day, tz),
            back_in_stock=self._back_in_stock(),
        )

    def _tasks_due(self, day: date) -> list[TaskView]:
        stmt = (
            select(Task, Client.given_name, Client.family_name, Client.preferred_name)
            .outerjoin(Client, Client.id == Task.client_id)
            .where(Task.status == TaskStatus.OPEN.value, Task.deleted_at.is_(None))
            .where(or_(Task.client_id.is_(None), Client.deleted_at.is_(None)))
            .where(Task.due_on <= day)
            .order_by(Task.due_on, Task.id)
            .limit(LIMIT)
        )
        if self.actor.associate_id is not None:
            stmt = stmt.where(Task.assignee_id == self.actor.associate_id)
        else:
            stmt = stmt.where(Client.home_store_id == self.actor.store_id)
        return [
            TaskView(
                t.id,
                t.client_id,
                display_name(g, f, p) if g is not None else None,
                t.due_on,
                t.reason,
                str(t.source),
                str(t.status),
                None,
            )
            for t, g, f, p in self.session.execute(stmt)
        ]

    def _upcoming_dates(self, day: date) -> list[UpcomingDate]:
        window = sorted(month_days_within(day, DATES_AHEAD))
        rows = self.session.execute(
            select(ImportantDate, Client.given_name, Client.family_name, Client.preferred_name)
            .join(Client, Client.id == ImportantDate.client_id)
            .where(ImportantDate.month_day.in_(window), ImportantDate.deleted_at.is_(None))
            .where(Client.deleted_at.is_(None), self._mine())
        ).all()
        found = []
        for d, g, f, p in rows:
            on = next_occurrence(d.month, d.day, day)
            years = on.year - d.year if d.year else None
            found.append(
                UpcomingDate(d.client_id, display_name(g, f, p), str(d.kind), d.label, on, years)
            )
        found.sort(key=lambda u: (u.on, u.client_name))
        return found[:LIMIT]

    def _appointments(self, day: date, tz: ZoneInfo) -> list[AppointmentView]:
        start = datetime.combine(day, time.min, tzinfo=tz)
        end = start + timedelta(days=1)
        stmt = (
            select(
                Appointment,
                Client.given_name,
                Client.family_name,
                Client.preferred_name,
                Associate.display_name,
            )
            .join(Client, Client.id == Appointment.client_id)
            .outerjoin(Associate, Associate.id == Appointment.associate_id)
            .where(Appointment.store_id == self.actor.store_id)
            .where(Appointment.starts_at >= start, Appointment.starts_at < end)
            .where(Appointment.deleted_at.is_(None), Client.deleted_at.is_(None))
            .where(Appointment.status != AppointmentStatus.CANCELLED.value)
            .order_by(Appointment.starts_at)
        )
        return [
            AppointmentView(
                a.id,
                a.client_id,
                display_name(g, f, p),
                str(a.kind),
                a.starts_at,
                a.ends_at,
                str(a.status),
                who,
                a.purpose,
            )
            for a, g, f, p, who in self.session.execute(stmt)
        ]

    def _back_in_stock(self, days: int = DATES_AHEAD) -> list[BackInStock]:
        """Wished-for products that came back (0 -> some) at the client's home store after the
        wish was made, within the last `days` days."""
        since = self.clock() - timedelta(days=days)
        rows = self.session.execute(
            select(
                WishListItem,
                Product,
                StockLevel.quantity,
                StockLevel.restocked_at,
                Client.given_name,
                Client.family_name,
                Client.preferred_name,
            )
            .join(Client, Client.id == WishListItem.client_id)
            .join(Product, Product.id == WishListItem.product_id)
            .join(
                StockLevel,
                (StockLevel.product_id == WishListItem.product_id)
                & (StockLevel.store_id == Client.home_store_id),
            )
            .where(WishListItem.status == WishStatus.ACTIVE.value)
            .where(WishListItem.deleted_at.is_(None), Client.deleted_at.is_(None))
            .where(StockLevel.quantity > 0, StockLevel.restocked_at >= since)
            .where(StockLevel.restocked_at >= WishListItem.created_at)
            .where(self._mine())
            .order_by(StockLevel.restocked_at.desc())
            .limit(LIMIT)
        ).all()
        images = first_images(self.session, {p.id for _w, p, *_ in rows})
        return [
            BackInStock(
                w.client_id,
                display_name(g, f, pn),
                product_view(p, images.get(p.id)),
                w.size,
                qty,
                restocked,
            )
            for w, p, qty, restocked, g, f, pn in rows
        ]
