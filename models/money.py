"""Money as integer minor units plus an ISO 4217 currency: no floats anywhere."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

# Minor-unit exponents of the currencies Vitrine's stores trade in (ISO 4217).
EXPONENTS: dict[str, int] = {
    "EUR": 2,
    "USD": 2,
    "GBP": 2,
    "CHF": 2,
    "JPY": 0,
    "CNY": 2,
    "HKD": 2,
    "SGD": 2,
    "AED": 2,
    "KRW": 0,
    "AUD": 2,
    "CAD": 2,
    "SEK": 2,
    "DKK": 2,
    "NOK": 2,
    "TWD": 2,
    "MOP": 2,
    "SAR": 2,
    "QAR": 2,
    "KWD": 3,
    "BHD": 3,
    "MXN": 2,
    "BRL": 2,
    "INR": 2,
    "THB": 2,
    "MYR": 2,
    "CZK": 2,
    "PLN": 2,
    "TRY": 2,
    "ILS": 2,
    "NZD": 2,
    "ZAR": 2,
}
# Indicative euros per unit, only to order clients by value across currencies (a Tokyo and a
# Paris client in one list). Amounts shown are never converted.
INDICATIVE_EUR: dict[str, float] = {
    "EUR": 1.0,
    "USD": 0.93,
    "GBP": 1.16,
    "CHF": 1.05,
    "JPY": 0.0062,
    "CNY": 0.128,
    "HKD": 0.118,
    "SGD": 0.69,
    "AED": 0.25,
    "KRW": 0.00068,
    "AUD": 0.61,
    "CAD": 0.68,
    "SEK": 0.087,
    "DKK": 0.134,
    "NOK": 0.086,
    "TWD": 0.029,
    "MOP": 0.115,
    "SAR": 0.25,
    "QAR": 0.255,
    "KWD": 3.02,
    "BHD": 2.47,
    "MXN": 0.051,
    "BRL": 0.17,
    "INR": 0.011,
    "THB": 0.026,
    "MYR": 0.2,
    "CZK": 0.04,
    "PLN": 0.23,
    "TRY": 0.027,
    "ILS": 0.25,
    "NZD": 0.56,
    "ZAR": 0.05,
}


def eur_cents_factor(currency: str) -> float:
    """Multiply an amount in minor units of `currency` by this to get indicative euro cents."""
    return INDICATIVE_EUR[currency] * 100.0 / float(10 ** EXPONENTS[currency])


SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF ", "CNY": "CN¥"}


class MoneyError(ValueError):
    pass


def exponent(currency: str) -> int:
    try:
        return EXPONENTS[currency]
    except KeyError:
        raise MoneyError(
            f"unknown currency {currency!r} (use an ISO 4217 code such as EUR)"
        ) from None


def parse_amount(text: str, currency: str) -> int:
    """ "1 250,50" or "1250.50" in EUR -> 125050. Refuses more decimals than the currency has."""
    exp = exponent(currency)
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    if "," in cleaned and "." in cleaned:
        cleaned = (
            cleaned.replace(",", "")
            if cleaned.rfind(".") > cleaned.rfind(",")
            else (cleaned.replace(".", "").replace(",", "."))
        )
    elif "," in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise MoneyError(f"{text!r} is not an amount") from None
    if not value.is_finite():
        raise MoneyError(f"{text!r} is not an amount")
    scaled = value.scaleb(exp)
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{currency} has {exp} decimal places; {text!r} has more")
    return int(scaled)


def format_money(minor: int, currency: str) -> str:
    exp = EXPONENTS.get(currency, 2)
    value = Decimal(minor).scaleb(-exp)
    body = f"{value:,.{exp}f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{body}" if symbol else f"{body} {currency}"
