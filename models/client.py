"""The client profile and everything that hangs off it as a set (emails, phones, tags, sizes,
preferences, important dates).

Set-like facts are rows, not lists in a column: two stores adding a tag to the same client
offline both keep their tag after sync, which a list merged as one field would not.
"""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Entity, str_enum
from models.enums import DateKind, PreferenceKind, Recurrence, SizeCategory, Tier
from models.text import sort_key as make_sort_key


class Client(Entity):
    __tablename__ = "clients"

    given_name: Mapped[str] = mapped_column(String(80))
    family_name: Mapped[str] = mapped_column(String(80))
    preferred_name: Mapped[str | None] = mapped_column(String(80))
    title: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(16), default="en")  # BCP 47 tag
    home_store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"), index=True)
    primary_owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("associates.id"), index=True
    )
    secondary_owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("associates.id"), index=True
    )
    tier: Mapped[Tier] = mapped_column(str_enum(Tier, "tier"), default=Tier.CLIENT, index=True)
    address_line1: Mapped[str | None] = mapped_column(String(120))
    address_line2: Mapped[str | None] = mapped_column(String(120))
    city: Mapped[str | None] = mapped_column(String(80))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(80))
    country: Mapped[str | None] = mapped_column(String(2))
    # Folded "family given" for alphabetical lists; derived by the data layer on every write.
    sort_key: Mapped[str] = mapped_column(String(170), index=True, default="")

    emails: Mapped[list[ClientEmail]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="ClientEmail.position"
    )
    phones: Mapped[list[ClientPhone]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="ClientPhone.position"
    )
    tags: Mapped[list[ClientTag]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="ClientTag.tag"
    )
    sizes: Mapped[list[ClientSize]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="ClientSize.category"
    )
    preferences: Mapped[list[ClientPreference]] = relationship(
        back_populates="client", cascade="all, delete-orphan"
    )
    important_dates: Mapped[list[ImportantDate]] = relationship(
        back_populates="client", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_clients_home_store_id_tier", "home_store_id", "tier"),)


class ClientEmail(Entity):
    __tablename__ = "client_emails"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(254), index=True)  # stored lower-cased
    label: Mapped[str] = mapped_column(String(20), default="personal")
    position: Mapped[int] = mapped_column(SmallInteger, default=0)  # 0 is the primary

    client: Mapped[Client] = relationship(back_populates="emails")
    __table_args__ = (Index("ix_client_emails_client_id", "client_id", "position"),)


class ClientPhone(Entity):
    __tablename__ = "client_phones"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    e164: Mapped[str] = mapped_column(String(20), index=True)  # +33612345678
    # The national significant number's digits (612345678): what people type in a shop.
    national_digits: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(20), default="mobile")
    position: Mapped[int] = mapped_column(SmallInteger, default=0)

    client: Mapped[Client] = relationship(back_populates="phones")
    __table_args__ = (Index("ix_client_phones_client_id", "client_id", "position"),)


class ClientTag(Entity):
    __tablename__ = "client_tags"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(40))

    client: Mapped[Client] = relationship(back_populates="tags")
    __table_args__ = (
        Index("uq_client_tags_client_id_tag", "client_id", "tag", unique=True),
        Index("ix_client_tags_tag", "tag"),
    )


class ClientSize(Entity):
    __tablename__ = "client_sizes"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    category: Mapped[SizeCategory] = mapped_column(str_enum(SizeCategory, "size_category"))
    value: Mapped[str] = mapped_column(String(16))  # "38", "M", "52", "17.5 cm"
    system: Mapped[str] = mapped_column(String(8), default="EU")  # EU, FR, IT, UK, US, JP, INT
    fit_note: Mapped[str | None] = mapped_column(String(200))

    client: Mapped[Client] = relationship(back_populates="sizes")
    __table_args__ = (
        Index("uq_client_sizes_client_id_category", "client_id", "category", unique=True),
    )


class ClientPreference(Entity):
    __tablename__ = "client_preferences"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    kind: Mapped[PreferenceKind] = mapped_column(str_enum(PreferenceKind, "preference_kind"))
    value: Mapped[str] = mapped_column(String(80))

    client: Mapped[Client] = relationship(back_populates="preferences")
    __table_args__ = (
        Index("uq_client_preferences", "client_id", "kind", "value", unique=True),
        Index("ix_client_preferences_kind_value", "kind", "value"),
    )


class ImportantDate(Entity):
    """A yearly (or one-off) date. The year is optional: many clients share a birthday but
    not their age. 29 February is kept as such and observed on 28 February in common years."""

    __tablename__ = "important_dates"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    kind: Mapped[DateKind] = mapped_column(str_enum(DateKind, "date_kind"))
    label: Mapped[str | None] = mapped_column(String(80))
    month: Mapped[int] = mapped_column(SmallInteger)
    day: Mapped[int] = mapped_column(SmallInteger)
    year: Mapped[int | None] = mapped_column(SmallInteger)
    recurrence: Mapped[Recurrence] = mapped_column(
        str_enum(Recurrence, "recurrence"), default=Recurrence.YEARLY
    )
    # month * 100 + day: lets "in the next N days" be one indexed IN (...) lookup.
    month_day: Mapped[int] = mapped_column(SmallInteger)

    client: Mapped[Client] = relationship(back_populates="important_dates")
    __table_args__ = (
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
        CheckConstraint("day BETWEEN 1 AND 31", name="day_range"),
        CheckConstraint("month_day = month * 100 + day", name="month_day_derived"),
        Index("ix_important_dates_month_day", "month_day", "kind"),
        Index("ix_important_dates_client_id", "client_id"),
    )


__all__ = [
    "Client",
    "ClientEmail",
    "ClientPhone",
    "ClientPreference",
    "ClientSize",
    "ClientTag",
    "ImportantDate",
]


@event.listens_for(Client, "before_insert")
@event.listens_for(Client, "before_update")
def _derive_sort_key(_mapper: object, _conn: object, client: Client) -> None:
    client.sort_key = make_sort_key(client.family_name, client.given_name)


@event.listens_for(ImportantDate, "before_insert")
@event.listens_for(ImportantDate, "before_update")
def _derive_month_day(_mapper: object, _conn: object, row: ImportantDate) -> None:
    row.month_day = row.month * 100 + row.day
