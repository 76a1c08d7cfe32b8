"""Studio sessions against a real book: consent, markers, finishing, recovery, products shown."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from app.studio import ConsentRequired, StudioService, orphan_files
from app.validation import ValidationError
from models import Product


def studio(book, s) -> StudioService:  # type: ignore[no-untyped-def]
    return StudioService(s, book.actor, book.clock)


def consent(book, cid, action: str = "granted") -> None:  # type: ignore[no-untyped-def]
    with book.db.session() as s:
        book.activity(s).record_consent(
            cid, "video", "session_recording", action, "verbal", "Yes, you may record the call"
        )
    book.clock.now += timedelta(seconds=1)


def add_product(book, sku: str, name: str) -> None:  # type: ignore[no-untyped-def]
    with book.db.session() as s:
        s.add(Product(sku=sku, brand="Valcourt", category="watch", name=name,
                      price_minor=1_000_00, currency="EUR"))  # fmt: skip


def test_recording_needs_consent_and_a_withdrawal_stops_it(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create(given_name="Aiko", family_name="Tanaka")
    with book.db.session() as s, pytest.raises(ConsentRequired, match="session recording"):
        studio(book, s).start(cid, "studio/a.mp4")
    consent(book, cid)
    with book.db.session() as s:
        assert studio(book, s).may_record(cid)
        studio(book, s).start(cid, "studio/a.mp4")
    consent(book, cid, "withdrawn")
    with book.db.session() as s, pytest.raises(ConsentRequired):
        studio(book, s).start(cid, "studio/b.mp4")


def test_bad_input_is_refused_field_by_field(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create()
    other = book.create(given_name="Other")
    consent(book, cid)
    with book.db.session() as s:
        start = book.clock.now + timedelta(days=1)
        theirs = book.activity(s).book_appointment(
            other, "video", start, start + timedelta(hours=1)
        )
        mine = book.activity(s).book_appointment(cid, "video", start, start + timedelta(hours=1))
        with pytest.raises(ValidationError) as refused:
            studio(book, s).start(cid, "/tmp/outside.mp4", theirs)
        assert refused.value.fields == ["appointment", "video_path"]
        sid = studio(book, s).start(cid, "studio/x.mp4", mine)
        assert studio(book, s).get(sid).appointment_id == mine
        with pytest.raises(ValidationError) as refused:
            studio(book, s).add_marker(sid, -5, "sparkle", "  ")
        assert refused.value.fields == ["at_ms", "kind", "label"]


def test_a_session_with_markers_lands_in_the_profile(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create(given_name="Lucía", family_name="Domínguez")
    consent(book, cid)
    add_product(book, "VC-WAT-0001", "Diver 300")
    add_product(book, "VC-RNG-0002", "Solitaire")
    with book.db.session() as s:
        st = studio(book, s)
        sid = st.start(cid, "studio/s1.mp4", camera="visca+udp://127.0.0.1:52381")
        st.add_marker(sid, 1_500, "preset", "Watch case", sku="VC-WAT-0001", preset=2)
        st.add_marker(sid, 9_000, "product", "Solitaire", sku="VC-RNG-0002")
        st.add_marker(sid, 12_000, "note", "Asked for the 38 mm")
        st.add_marker(sid, 20_000, "preset", "Watch case", sku="VC-WAT-0001", preset=2)
        st.finish(sid, 30_000, dropped_frames=0, width=1280, height=720)
    with book.db.session() as s:
        st = studio(book, s)
        [view] = st.sessions_for(cid)
        assert view.status == "finished" and view.duration_ms == 30_000
        assert [m.kind for m in view.markers] == ["preset", "product", "note", "preset"]
        assert view.products == ("VC-WAT-0001", "VC-RNG-0002")
        assert view.markers[0].product_id is not None
        shown = st.products_shown(cid)
        assert sorted((p.sku, p.times, p.at_ms) for p in shown) == [
            ("VC-RNG-0002", 1, 9_000),
            ("VC-WAT-0001", 2, 20_000),
        ]
        assert {p.name for p in shown} == {"Diver 300", "Solitaire"}


def test_an_interrupted_session_is_found_at_start_and_keeps_what_was_recorded(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create()
    consent(book, cid)
    with book.db.session() as s:
        st = studio(book, s)
        sid = st.start(cid, "studio/crash.mp4")
        st.add_marker(sid, 2_000, "note", "before the crash")
        st.add_marker(sid, 9_000, "note", "in the lost second")
    with book.db.session() as s:
        [left] = studio(book, s).unfinished()
        assert left.id == sid
        studio(book, s).finish(sid, 8_400, interrupted=True)
    with book.db.session() as s:
        view = studio(book, s).get(sid)
        assert view.status == "interrupted"
        assert [m.label for m in view.markers] == ["before the crash"]
        assert studio(book, s).unfinished() == []


def test_an_erased_clients_recordings_become_orphans_to_delete(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cid = book.create()
    keep = book.create(given_name="Kept")
    consent(book, cid)
    consent(book, keep)
    media = tmp_path / "media"
    (media / "studio").mkdir(parents=True)
    with book.db.session() as s:
        studio(book, s).start(cid, "studio/gone.mp4")
        studio(book, s).start(keep, "studio/kept.mp4")
    for name in ("gone.mp4", "gone.markers.jsonl", "kept.mp4", "kept.json"):
        (media / "studio" / name).write_bytes(b"x")
    with book.db.session() as s:
        s.connection().exec_driver_sql("DELETE FROM clients WHERE id = ?", (cid.bytes,))
    with book.db.session() as s:
        orphans = orphan_files(s, media)
    assert [p.name for p in orphans] == ["gone.markers.jsonl", "gone.mp4"]


def test_sessions_appear_in_the_profile_and_its_timeline(book) -> None:  # type: ignore[no-untyped-def]
    from app.timeline import timeline

    cid = book.create(given_name="Inès", family_name="Moreau")
    consent(book, cid)
    add_product(book, "VC-WAT-0001", "Diver 300")
    with book.db.session() as s:
        st = studio(book, s)
        sid = st.start(cid, "studio/p.mp4")
        st.add_marker(sid, 1_000, "preset", "Watch wall", sku="VC-WAT-0001", preset=0)
        st.add_marker(sid, 5_000, "note", "Loves the blue dial")
        st.finish(sid, 754_000)
    with book.db.session() as s:
        profile = book.clients(s).profile(cid)
    [summary] = profile.studio_sessions
    assert (summary.id, summary.products, summary.markers) == (sid, ("Diver 300",), 2)
    [entry] = timeline(profile, frozenset({"session"}))
    assert entry.title == "Studio session · 12 min 34 s"
    assert entry.detail == "Shown: Diver 300"
    assert entry.who == "Camille Roux"
