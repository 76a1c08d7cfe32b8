"""Checking what a person typed before anything is written.

Every check names the field it refused, so a form can put the message next to that field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import phonenumbers

from models.dates import is_valid_month_day
from models.enums import SizeCategory
from models.money import MoneyError, exponent, parse_amount


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationError(ValueError):
    """One or more fields were refused; nothing was written."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))

    @property
    def fields(self) -> list[str]:
        return [e.field for e in self.errors]


class Checker:
    """Collects every error of a form at once instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def done(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


# Deliberately plain: a local part, an @, a domain with a dot and a 2+ letter TLD.
_EMAIL = re.compile(
    r"^[^\s@\"<>(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$"
)


def normalize_email(value: str) -> str | None:
    """Lower-cased address, or None if it is not one."""
    text = value.strip()
    if len(text) > 254 or not _EMAIL.match(text) or ".." in text:
        return None
    return text.lower()


@dataclass(frozen=True)
class Phone:
    e164: str
    national_digits: str


def normalize_phone(value: str, default_region: str) -> Phone | None:
    """A phone in E.164 form, read in the store's country unless it starts with + or 00."""
    text = value.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, default_region.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164, str(parsed.national_number))


def format_phone(e164: str) -> str:
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


_LETTER_SIZES = {
    "XXXS",
    "XXS",
    "XS",
    "S",
    "M",
    "L",
    "XL",
    "XXL",
    "XXXL",
    "2XL",
    "3XL",
    "4XL",
    "TU",
    "OS",
    "ONE SIZE",
}
# Numeric ranges per category, wide enough for every sizing system in use (EU, FR, IT, UK, US,
# JP); a value outside them is a typo, not a size.
_NUMERIC: dict[SizeCategory, tuple[float, float]] = {
    SizeCategory.CLOTHING: (0, 64),
    SizeCategory.TOPS: (0, 64),
    SizeCategory.TROUSERS: (22, 64),
    SizeCategory.DRESS: (0, 60),
    SizeCategory.SUIT: (34, 64),
    SizeCategory.SHIRT_COLLAR: (13, 50),
    SizeCategory.SHOES: (1, 52),
    SizeCategory.RING: (1, 75),
    SizeCategory.WRIST: (10, 26),
    SizeCategory.BELT: (60, 140),
    SizeCategory.GLOVES: (5, 12),
    SizeCategory.HAT: (50, 66),
}
_NUMBER = re.compile(r"^(\d{1,3})(?:[.,](\d))?\s*(cm|in)?$", re.IGNORECASE)
_RING_LETTER = re.compile(r"^[A-Z](?:\s?1/2)?$")


def normalize_size(category: str, value: str) -> str | None:
    """The size as stored ("38", "M", "17.5 cm", "N 1/2"), or None if it is not a size."""
    try:
        cat = SizeCategory(category)
    except ValueError:
        return None
    text = " ".join(value.strip().upper().split())
    if not text:
        return None
    if cat not in (SizeCategory.RING, SizeCategory.WRIST) and text in _LETTER_SIZES:
        return text
    if cat is SizeCategory.RING and _RING_LETTER.match(text):
        return text  # UK/AU ring letters
    m = _NUMBER.match(text)
    if not m:
        return None
    number = float(m.group(1) + (("." + m.group(2)) if m.group(2) else ""))
    low, high = _NUMERIC[cat]
    if not low <= number <= high:
        return None
    shown = m.group(1) + (("." + m.group(2)) if m.group(2) else "")
    unit = m.group(3)
    return f"{shown} {unit.lower()}" if unit else shown


def check_amount(checker: Checker, field: str, text: str, currency: str) -> int | None:
    try:
        exponent(currency)
    except MoneyError as exc:
        checker.fail("currency", str(exc))
        return None
    try:
        value = parse_amount(text, currency)
    except MoneyError as exc:
        checker.fail(field, str(exc))
        return None
    if value < 0:
        checker.fail(field, "must not be negative")
        return None
    return value


def check_month_day(
    checker: Checker, field: str, month: int, day: int, year: int | None, today: date
) -> None:
    if not is_valid_month_day(month, day, year):
        shown = f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"
        checker.fail(field, f"{shown} is not a date")
    elif year is not None and not 1900 <= year <= today.year + 50:
        checker.fail(field, f"year {year} is out of range")


def parse_date_text(text: str) -> tuple[int, int, int | None] | None:
    """ "1984-02-29", "29/02/1984", "02-29" or "29/02" -> (month, day, year or None)."""
    t = text.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    if m:
        return int(m.group(2)), int(m.group(3)), int(m.group(1))
    m = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})(?:[/.](\d{4}))?", t)
    if m:
        return int(m.group(2)), int(m.group(1)), int(m.group(3)) if m.group(3) else None
    m = re.fullmatch(r"-{0,2}(\d{1,2})-(\d{1,2})", t)
    if m:
        return int(m.group(1)), int(m.group(2)), None
    return None
