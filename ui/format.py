"""How values read on screen: dates, times, tiers and labels, the same on every page."""

from __future__ import annotations

from datetime import date, datetime

from app.validation import format_phone

TIER_LABELS = {"prospect": "Prospect", "client": "Client", "vip": "VIP", "vvip": "VVIP"}


def tier_label(tier: str) -> str:
    return TIER_LABELS.get(tier, tier.title())


def words(value: str) -> str:
    """An enum value as words: 'in_store' -> 'In store'."""
    return value.replace("_", " ").capitalize()


def day_text(value: date | datetime | None, *, year: bool = True) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = local(value).date()
    # Built by hand: strftime's day-without-leading-zero flag differs between platforms.
    return f"{value.day} {value:%b %Y}" if year else f"{value.day} {value:%b}"


def weekday_text(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b}"


def relative_day(value: date, today: date) -> str:
    delta = (value - today).days
    if delta == 0:
        return "Today"
    if delta == 1:
        return "Tomorrow"
    if delta == -1:
        return "Yesterday"
    if 1 < delta < 7:
        return f"{value:%A}"
    return weekday_text(value)


def local(value: datetime) -> datetime:
    """Stored instants are UTC; people read the workstation's clock."""
    return value.astimezone()


def time_text(value: datetime) -> str:
    return f"{local(value):%H:%M}"


def time_range(start: datetime, end: datetime) -> str:
    return f"{time_text(start)}–{time_text(end)}"


def phone_text(e164: str | None) -> str:
    return format_phone(e164) if e164 else ""


CHANNEL_LABELS = {
    "email": "E-mail",
    "sms": "SMS",
    "whatsapp": "WhatsApp",
    "in_store": "In store",
    "phone": "Phone",
    "video": "Video",
    "post": "Post",
    "store": "In store",
    "online": "Online",
}


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, words(channel))
