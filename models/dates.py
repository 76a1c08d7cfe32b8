"""Yearly dates: next occurrence, 29 February, windows of days."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def observed_on(month: int, day: int, year: int) -> date:
    """When a yearly date falls in `year`: 29 February is observed on 28 February in common
    years (the convention most clients expect for a birthday)."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def next_occurrence(month: int, day: int, today: date) -> date:
    this_year = observed_on(month, day, today.year)
    return this_year if this_year >= today else observed_on(month, day, today.year + 1)


def month_days_within(today: date, days: int) -> set[int]:
    """`month * 100 + day` of every yearly date observed from today to today + days (inclusive).

    Includes 229 whenever 28 February of a common year is in the window.
    """
    found: set[int] = set()
    for offset in range(max(days, 0) + 1):
        d = today + timedelta(days=offset)
        found.add(d.month * 100 + d.day)
        if d.month == 2 and d.day == 28 and not calendar.isleap(d.year):
            found.add(229)
        if offset >= 366:
            break
    return found


def is_valid_month_day(month: int, day: int, year: int | None = None) -> bool:
    if not 1 <= month <= 12:
        return False
    if year is None:
        return 1 <= day <= (29 if month == 2 else calendar.monthrange(2001, month)[1])
    return 1 <= day <= calendar.monthrange(year, month)[1]
