from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from models.dates import is_valid_month_day, month_days_within, next_occurrence, observed_on


def test_leap_day_is_observed_on_28_february_in_common_years() -> None:
    assert observed_on(2, 29, 2027) == date(2027, 2, 28)
    assert observed_on(2, 29, 2028) == date(2028, 2, 29)
    assert next_occurrence(2, 29, date(2026, 11, 23)) == date(2027, 2, 28)
    assert next_occurrence(2, 29, date(2027, 3, 1)) == date(2028, 2, 29)


def test_window_crosses_the_new_year() -> None:
    window = month_days_within(date(2026, 12, 25), 14)
    assert 1225 in window and 1231 in window and 101 in window and 108 in window
    assert 109 not in window and 1224 not in window


def test_window_including_28_february_of_a_common_year_includes_leap_day() -> None:
    assert 229 in month_days_within(date(2027, 2, 20), 10)
    assert 229 not in month_days_within(date(2027, 2, 1), 10)


def test_month_day_validation() -> None:
    assert is_valid_month_day(2, 29)  # year unknown: could be a leap year
    assert not is_valid_month_day(2, 29, 2023)
    assert not is_valid_month_day(4, 31)
    assert not is_valid_month_day(13, 1)


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=31),
)
def test_next_occurrence_is_within_a_year_and_in_the_window(
    today: date, month: int, day: int
) -> None:
    if not is_valid_month_day(month, day):
        return
    nxt = next_occurrence(month, day, today)
    assert today <= nxt
    assert (nxt - today).days <= 366
    days = (nxt - today).days
    assert month * 100 + day in month_days_within(today, days)
