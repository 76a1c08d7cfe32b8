from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.clients import NotFoundError
from app.validation import ValidationError
from models import Client, ClientEmail, ClientTag, ImportantDate
from models.dto import ClientInput, DateInput


def count(book, entity) -> int:  # type: ignore[no-untyped-def]
    with book.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(entity)) or 0)


def test_create_and_read_a_full_profile(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create(
        given_name=" Zoé ",
        family_name="Martin",
        preferred_name="Zozo",
        title="Mme",
        language="fr",
        tier="vip",
        primary_owner_id=book.associate_id,
        secondary_owner_id=book.other_associate_id,
        emails=["Zoe.Martin@example.com", "zoe.martin@example.com", "zm@work.example"],
        phones=["06 12 34 56 78"],
        city="Paris",
        postal_code="75008",
        country="fr",
        tags=["VIP-Event", "watches"],
        sizes={"shoes": "38,5", "ring": "52"},
        preferences={"brand": ["Valcourt"], "dislike": ["yellow gold"]},
        important_dates=[
            DateInput("birthday", 2, 29, 1984),
            DateInput("custom", 6, 1, None, "Daughter's graduation"),
        ],
    )
    with book.db.session() as s:
        p = book.clients(s).profile(cid)
    assert p.display_name == "Zozo Martin"
    assert (p.given_name, p.tier, p.language, p.title) == ("Zoé", "vip", "fr", "Mme")
    assert p.primary_owner == "Camille Roux" and p.secondary_owner == "Louis Faure"
    assert p.emails == ["zoe.martin@example.com", "zm@work.example"]
    assert p.phones == ["+33 6 12 34 56 78"]
    assert p.address == ["75008 Paris", "FR"]
    assert p.tags == ["vip-event", "watches"]
    assert p.sizes == {"ring": "52", "shoes": "38.5"}
    assert p.preferences == {"brand": ["Valcourt"], "dislike": ["yellow gold"]}
    leap = next(d for d in p.important_dates if d.kind == "birthday")
    assert (leap.month, leap.day, str(leap.next_on)) == (2, 29, "2027-02-28")
    assert p.lifetime_spend.minor == 0 and p.lifetime_spend.currency == "EUR"
    assert p.id.version == 7


def test_every_bad_field_is_named_and_nothing_is_written(book) -> None:  # type: ignore[no-untyped-def]
    before = (count(book, Client), count(book, ClientEmail), count(book, ImportantDate))
    with pytest.raises(ValidationError) as err:
        book.create(
            given_name="",
            family_name="Martin",
            tier="gold",
            emails=["ok@example.com", "nope"],
            phones=["12"],
            sizes={"shoes": "380"},
            country="France",
            important_dates=[
                DateInput("birthday", 2, 30, None),
                DateInput("birthday", 2, 29, 2023),
            ],
        )
    assert err.value.fields == [
        "given_name",
        "tier",
        "emails[1]",
        "phones[0]",
        "sizes.shoes",
        "important_dates[0]",
        "important_dates[1]",
        "country",
    ]
    assert "'nope' is not an e-mail address" in str(err.value)
    assert (count(book, Client), count(book, ClientEmail), count(book, ImportantDate)) == before


def test_unknown_owner_and_same_owner_twice_are_refused(book) -> None:  # type: ignore[no-untyped-def]
    import uuid

    with pytest.raises(ValidationError) as err:
        book.create(primary_owner_id=uuid.uuid4())
    assert err.value.fields == ["primary_owner_id"]
    with pytest.raises(ValidationError) as err:
        book.create(primary_owner_id=book.associate_id, secondary_owner_id=book.associate_id)
    assert err.value.fields == ["secondary_owner_id"]


def test_editing_sets_tombstones_removed_rows_and_revives_them(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create(tags=["bridal", "collector"], emails=["a@example.com"])
    edit = ClientInput(
        given_name="Anna", family_name="Weber", tags=["collector"], emails=["b@example.com"]
    )
    with book.db.session() as s:
        book.clients(s).update_client(cid, edit)
    with book.db.session() as s:
        rows = {t.tag: t.deleted_at for t in s.scalars(select(ClientTag))}
        assert rows["bridal"] is not None and rows["collector"] is None
        assert book.clients(s).profile(cid).emails == ["b@example.com"]
    edit.tags = ["bridal", "collector"]
    with book.db.session() as s:
        book.clients(s).update_client(cid, edit)
    with book.db.session() as s:
        assert book.clients(s).profile(cid).tags == ["bridal", "collector"]
        assert s.scalar(select(func.count()).select_from(ClientTag)) == 2  # revived, not duplicated


def test_deleted_clients_are_gone_from_profile_lookups(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create()
    with book.db.session() as s:
        book.clients(s).delete_client(cid)
    with pytest.raises(NotFoundError), book.db.session() as s:
        book.clients(s).profile(cid)


def test_field_sizes_and_language_tags_are_checked(book) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as err:
        book.create(
            title="T" * 21,
            city="C" * 81,
            language="not a language!!",
            preferences={"brand": ["B" * 81]},
            important_dates=[DateInput("custom", 1, 2, None, "L" * 81)],
            emails=["", "bad"],
        )
    assert err.value.fields == [
        "title",
        "city",
        "language",
        "emails[1]",
        "preferences.brand",
        "important_dates[0]",
    ]
    assert book.create(language="zh-Hans-CN")
