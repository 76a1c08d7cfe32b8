from __future__ import annotations

import pytest

from app.validation import (
    Checker,
    ValidationError,
    check_amount,
    normalize_email,
    normalize_phone,
    normalize_size,
    parse_date_text,
)
from models.money import format_money


@pytest.mark.parametrize("raw", ["Zoe.Martin@Example.com", " a+b@mail.example.co.uk "])
def test_good_emails_are_lowercased(raw: str) -> None:
    assert normalize_email(raw) == raw.strip().lower()


@pytest.mark.parametrize(
    "raw",
    [
        "zoe",
        "zoe@",
        "@example.com",
        "zoe@example",
        "zo e@x.com",
        "zoe@@example.com",
        "zoe..m@example.com",
        "zoe@-bad.com",
    ],
)
def test_bad_emails_are_refused(raw: str) -> None:
    assert normalize_email(raw) is None


def test_phones_are_read_in_the_store_country_unless_international() -> None:
    fr = normalize_phone("06 12 34 56 78", "FR")
    assert fr is not None and fr.e164 == "+33612345678" and fr.national_digits == "612345678"
    assert normalize_phone("0044 7911 123456", "FR").e164 == "+447911123456"  # type: ignore[union-attr]
    assert normalize_phone("+1 212 555 0123", "FR") is not None
    assert normalize_phone("12", "FR") is None
    assert normalize_phone("not a phone", "FR") is None


@pytest.mark.parametrize(
    ("category", "raw", "stored"),
    [
        ("shoes", "38,5", "38.5"),
        ("clothing", "m", "M"),
        ("ring", "52", "52"),
        ("ring", "n 1/2", "N 1/2"),
        ("wrist", "17.5 CM", "17.5 cm"),
        ("suit", "50", "50"),
    ],
)
def test_sizes_are_normalized(category: str, raw: str, stored: str) -> None:
    assert normalize_size(category, raw) == stored


@pytest.mark.parametrize(
    ("category", "raw"),
    [
        ("shoes", "380"),
        ("shoes", "-2"),
        ("ring", "XL"),
        ("wrist", "M"),
        ("shoes", "big"),
        ("clothing", ""),
        ("elbow", "4"),
    ],
)
def test_impossible_sizes_are_refused(category: str, raw: str) -> None:
    assert normalize_size(category, raw) is None


def test_amounts_follow_the_currency_minor_units() -> None:
    c = Checker()
    assert check_amount(c, "price", "1 250,50", "EUR") == 125050
    assert check_amount(c, "price", "1,250.50", "USD") == 125050
    assert check_amount(c, "price", "125000", "JPY") == 125000
    assert check_amount(c, "price", "10.5", "JPY") is None
    assert check_amount(c, "price", "ten", "EUR") is None
    assert check_amount(c, "price", "-5", "EUR") is None
    assert check_amount(c, "price", "5", "XXX") is None
    with pytest.raises(ValidationError) as err:
        c.done()
    assert err.value.fields == ["price", "price", "price", "currency"]
    assert format_money(125050, "EUR") == "€1,250.50"
    assert format_money(125000, "JPY") == "¥125,000"


def test_date_text_forms() -> None:
    assert parse_date_text("1984-02-29") == (2, 29, 1984)
    assert parse_date_text("29/02/1984") == (2, 29, 1984)
    assert parse_date_text("29/02") == (2, 29, None)
    assert parse_date_text("--02-29") == (2, 29, None)
    assert parse_date_text("someday") is None
