from __future__ import annotations

import struct
import zlib
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.activity import LineInput
from app.validation import ValidationError
from models import ConsentEvent, Product, Purchase
from models.dto import DateInput


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"\x00\xff\xff\xff"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def add_product(book, sku: str = "VC-WAT-0001", price: int = 1_250_000) -> object:  # type: ignore[no-untyped-def]
    with book.db.session() as s:
        p = Product(
            sku=sku,
            brand="Valcourt",
            category="watch",
            name="Diver 300",
            price_minor=price,
            currency="EUR",
        )
        s.add(p)
        s.flush()
        return p.id


def test_notes_and_interactions_appear_newest_first_and_update_last_contact(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create()
    with book.db.session() as s:
        act = book.activity(s)
        act.add_note(cid, "Met at the spring preview")
        when = book.clock.now - timedelta(days=2)
        act.log_interaction(cid, "whatsapp", "outbound", "Sent photos", occurred_at=when)
        with pytest.raises(ValidationError) as err:
            act.log_interaction(cid, "pigeon", "sideways", " ")
        assert err.value.fields == ["channel", "direction", "summary"]
    with book.db.session() as s:
        p = book.clients(s).profile(cid)
    assert [n.body for n in p.notes] == ["Met at the spring preview"]
    assert p.notes[0].author == "Camille Roux"
    assert [(i.channel, i.summary) for i in p.interactions] == [("whatsapp", "Sent photos")]
    assert p.last_contact_at == when


def test_consent_derives_from_events_and_withdrawal_wins_a_tie(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create()
    t0 = book.clock.now - timedelta(days=10)
    with book.db.session() as s:
        act = book.activity(s)
        act.record_consent(cid, "email", "marketing", "granted", "web_form", captured_at=t0)
        act.record_consent(
            cid, "sms", "outreach", "granted", "verbal", "Yes, text me", captured_at=t0
        )
        act.record_consent(
            cid, "sms", "outreach", "withdrawn", "verbal", "Stop texts", captured_at=t0
        )
        act.record_consent(
            cid, "video", "session_recording", "granted", "signature", proof_image=tiny_png()
        )
    with book.db.session() as s:
        p = book.clients(s).profile(cid)
    state = {(c.channel, c.purpose): c.granted for c in p.consent}
    assert state == {
        ("email", "marketing"): True,
        ("sms", "outreach"): False,
        ("video", "session_recording"): True,
    }
    assert len(p.consent_history) == 4
    signed = next(e for e in p.consent_history if e.proof_kind == "signature")
    assert signed.has_proof_image and signed.captured_by == "Camille Roux"
    with book.db.session() as s:
        assert book.activity(s).consent_proof_image(signed.id) == tiny_png()


def test_consent_proof_rules(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create()
    with book.db.session() as s:
        act = book.activity(s)
        with pytest.raises(ValidationError) as err:
            act.record_consent(cid, "video", "session_recording", "granted", "signature")
        assert err.value.fields == ["proof_image"]
        with pytest.raises(ValidationError) as err:
            act.record_consent(
                cid, "email", "marketing", "granted", "signature", proof_image=b"GIF89a"
            )
        assert err.value.fields == ["proof_image"]
        with pytest.raises(ValidationError) as err:
            act.record_consent(cid, "email", "marketing", "granted", "verbal")
        assert err.value.fields == ["proof_text"]
        assert s.scalar(select(func.count()).select_from(ConsentEvent)) == 0


def test_purchases_total_update_stats_and_import_once(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create()
    add_product(book)
    lines = [LineInput("VC-WAT-0001", 1, 1_250_000), LineInput("GIFT-BOX", 2, 5_000, "Gift box")]
    with book.db.session() as s:
        first = book.activity(s).record_purchase(cid, lines, "EUR", external_ref="PAR1-000123")
        again = book.activity(s).record_purchase(cid, lines, "EUR", external_ref="PAR1-000123")
        assert first == again
        with pytest.raises(ValidationError) as err:
            book.activity(s).record_purchase(cid, [LineInput("NOPE", 0, -1)], "EURO")
        assert err.value.fields == [
            "currency",
            "lines[0].quantity",
            "lines[0].unit_price_minor",
            "lines[0].sku",
        ]
    with book.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Purchase)) == 1
        p = book.clients(s).profile(cid)
    assert p.purchase_count == 1
    assert p.lifetime_spend.minor == 1_260_000
    assert p.lifetime_spend.format() == "€12,600.00"
    assert [ln.description for ln in p.purchases[0].lines] == ["Diver 300", "Gift box"]


def test_wish_list_shows_stock_and_a_second_wish_is_the_same_wish(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create()
    pid = add_product(book)
    with book.db.session() as s:
        act = book.activity(s)
        w1 = act.add_wish(cid, pid, size="17.5 cm")
        w2 = act.add_wish(cid, pid, note="for the anniversary")
        assert w1 == w2
        act.set_stock(pid, book.store_id, 3)
    with book.db.session() as s:
        wish = book.clients(s).profile(cid).wish_list
    assert len(wish) == 1
    assert (wish[0].size, wish[0].note, wish[0].in_stock_home) == (
        "17.5 cm",
        "for the anniversary",
        3,
    )
    with book.db.session() as s:
        book.activity(s).set_wish_status(w1, "purchased")
    with book.db.session() as s:
        assert book.clients(s).profile(cid).wish_list == []


def test_tasks_and_appointments(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create()
    today = book.clock.now.date()
    with book.db.session() as s:
        act = book.activity(s)
        t = act.create_task(cid, today, "Call about the resizing")
        act.snooze_task(t, today + timedelta(days=2))
        with pytest.raises(ValidationError):
            act.snooze_task(t, today)
        start = book.clock.now + timedelta(hours=2)
        with pytest.raises(ValidationError) as err:
            act.book_appointment(cid, "video", start, start - timedelta(minutes=1))
        assert err.value.fields == ["ends_at"]
        with pytest.raises(ValidationError) as err:
            act.book_appointment(cid, "video", datetime(2026, 1, 1), datetime(2026, 1, 2))
        assert err.value.fields == ["starts_at"]
        a = act.book_appointment(cid, "video", start, start + timedelta(hours=1), "Diver 300")
    with book.db.session() as s:
        p = book.clients(s).profile(cid)
        assert [(x.reason, x.due_on) for x in p.tasks] == [
            ("Call about the resizing", today + timedelta(days=2))
        ]
        assert [(x.id, x.kind, x.status) for x in p.appointments] == [(a, "video", "booked")]
        book.activity(s).complete_task(t)
        book.activity(s).set_appointment_status(a, "completed")
    with book.db.session() as s:
        p = book.clients(s).profile(cid)
        assert p.tasks[0].status == "done" and p.appointments[0].status == "completed"


def test_today_gathers_tasks_dates_appointments_and_restocks(book) -> None:  # type: ignore[no-untyped-def]
    now = book.clock.now
    today = now.date()
    soon = today + timedelta(days=3)
    cid = book.create(
        given_name="Ines",
        family_name="Garcia",
        primary_owner_id=book.associate_id,
        important_dates=[DateInput("birthday", soon.month, soon.day, 1990)],
    )
    someone_else = book.create(
        given_name="Bob", family_name="Other", primary_owner_id=book.other_associate_id
    )
    pid = add_product(book)
    with book.db.session() as s:
        act = book.activity(s)
        act.set_stock(pid, book.store_id, 0)
        act.add_wish(cid, pid)
        act.create_task(cid, today - timedelta(days=1), "Overdue thank-you")
        act.create_task(cid, today + timedelta(days=5), "Not yet due")
        act.create_task(someone_else, today, "Louis's task", assignee_id=book.other_associate_id)
        start = now.replace(hour=13, minute=0)
        act.book_appointment(cid, "in_store", start, start + timedelta(hours=1), "Viewing")
        tomorrow = start + timedelta(days=1)
        act.book_appointment(cid, "in_store", tomorrow, tomorrow + timedelta(hours=1))
    book.clock.now = now + timedelta(hours=1)
    with book.db.session() as s:
        book.activity(s).set_stock(pid, book.store_id, 2)  # back in stock after the wish
    with book.db.session() as s:
        view = book.today(s).today()
    assert view.day == date(2026, 11, 23)
    assert [t.reason for t in view.tasks_due] == ["Overdue thank-you"]
    assert view.tasks_due[0].client_name == "Ines Garcia"
    assert [(u.client_name, u.on, u.years) for u in view.upcoming_dates] == [
        ("Ines Garcia", soon, soon.year - 1990)
    ]
    assert [(a.client_name, a.purpose) for a in view.appointments] == [("Ines Garcia", "Viewing")]
    assert [(b.client_name, b.product.sku, b.quantity) for b in view.back_in_stock] == [
        ("Ines Garcia", "VC-WAT-0001", 2)
    ]


def test_moments_need_a_zone_and_cannot_be_in_the_future(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create()
    later = book.clock.now + timedelta(days=365)
    with book.db.session() as s:
        act = book.activity(s)
        with pytest.raises(ValidationError) as err:
            act.record_consent(cid, "email", "marketing", "granted", "web_form", captured_at=later)
        assert err.value.fields == ["captured_at"]
        with pytest.raises(ValidationError) as err:
            act.record_consent(
                cid, "email", "marketing", "granted", "web_form", captured_at=datetime(2026, 1, 1)
            )
        assert err.value.fields == ["captured_at"]
        add_product(book)
        with pytest.raises(ValidationError) as err:
            act.record_purchase(cid, [LineInput("VC-WAT-0001", 1, 100)], "EUR", purchased_at=later)
        assert err.value.fields == ["purchased_at"]


def test_a_receipt_of_another_client_is_refused_not_swallowed(book) -> None:  # type: ignore[no-untyped-def]
    alice, bob = book.create(), book.create(given_name="Bob")
    add_product(book)
    line = [LineInput("VC-WAT-0001", 1, 100)]
    with book.db.session() as s:
        book.activity(s).record_purchase(alice, line, "EUR", external_ref="R-1")
        with pytest.raises(ValidationError) as err:
            book.activity(s).record_purchase(bob, line, "EUR", external_ref="R-1")
        assert err.value.fields == ["external_ref"]


def test_dates_follow_the_stores_calendar_not_utc(book) -> None:  # type: ignore[no-untyped-def]
    """23:30 UTC on 23 November is already 24 November in Paris."""
    cid = book.create(important_dates=[DateInput("anniversary", 11, 23, None)])
    book.clock.now = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    with book.db.session() as s:
        dates = book.clients(s).profile(cid).important_dates
        with pytest.raises(ValidationError):
            book.activity(s).snooze_task(
                book.activity(s).create_task(cid, date(2026, 11, 24), "x"), date(2026, 11, 24)
            )
    assert dates[0].next_on == date(2027, 11, 23)


def test_today_leaves_out_deleted_clients(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create(given_name="Ken", family_name="Sato")
    today = book.clock.now.date()
    with book.db.session() as s:
        book.activity(s).create_task(cid, today, "Call back")
        start = book.clock.now + timedelta(hours=1)
        book.activity(s).book_appointment(cid, "phone", start, start + timedelta(hours=1))
        book.clients(s).delete_client(cid)
    with book.db.session() as s:
        view = book.today(s).today()
    assert view.tasks_due == [] and view.appointments == []
