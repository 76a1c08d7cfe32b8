from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from models import Store
from models.ids import DeterministicUUID7, uuid7, uuid7_time_ms


def test_uuid7_has_version_variant_and_time() -> None:
    before = int(datetime.now(UTC).timestamp() * 1000)
    value = uuid7()
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert before - 1 <= uuid7_time_ms(value) <= before + 1000


def test_uuid7_strictly_increases_even_within_one_millisecond() -> None:
    ids = [uuid7(ms=1_700_000_000_000) for _ in range(5_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_uuid7_keeps_order_when_the_clock_steps_back() -> None:
    first = uuid7(ms=1_800_000_000_000)
    second = uuid7(ms=1_799_999_999_000)
    assert second > first


def test_deterministic_ids_repeat_for_the_same_seed() -> None:
    a, b = DeterministicUUID7(3), DeterministicUUID7(3)
    assert [a.at(1000 + i) for i in range(10)] == [b.at(1000 + i) for i in range(10)]
    assert DeterministicUUID7(3).bytes_at(5) == DeterministicUUID7(3).at(5).bytes
    assert DeterministicUUID7(4).at(5) != DeterministicUUID7(3).at(5)


def test_timestamps_are_utc_aware_and_naive_ones_are_refused(db) -> None:  # type: ignore[no-untyped-def]
    paris = timezone(timedelta(hours=1))
    with db.session() as s:
        store = Store(
            code="X",
            name="X",
            city="X",
            country="FR",
            timezone="Europe/Paris",
            currency="EUR",
            created_at=datetime(2026, 1, 1, 10, 0, tzinfo=paris),
        )
        s.add(store)
    with db.session() as s:
        loaded = s.scalars(select(Store)).one()
        assert loaded.created_at == datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
        assert loaded.created_at.tzinfo is UTC
        assert loaded.id.version == 7
        assert s.get(Store, loaded.id.bytes) is loaded  # raw 16-byte ids are accepted too
    with pytest.raises(Exception, match="naive"), db.session() as s:
        s.add(
            Store(
                code="Y",
                name="Y",
                city="Y",
                country="FR",
                timezone="UTC",
                currency="EUR",
                created_at=datetime(2026, 1, 1),
            )
        )
        s.flush()
    with db.session() as s:
        assert s.scalars(select(Store.code)).all() == ["X"]
