"""Closed vocabularies of the client book. Stored as their string values."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ASSOCIATE = "associate"
    MANAGER = "manager"
    STUDIO_OPERATOR = "studio_operator"


class Tier(StrEnum):
    PROSPECT = "prospect"
    CLIENT = "client"
    VIP = "vip"
    VVIP = "vvip"


class SizeCategory(StrEnum):
    CLOTHING = "clothing"
    TOPS = "tops"
    TROUSERS = "trousers"
    DRESS = "dress"
    SUIT = "suit"
    SHIRT_COLLAR = "shirt_collar"
    SHOES = "shoes"
    RING = "ring"
    WRIST = "wrist"
    BELT = "belt"
    GLOVES = "gloves"
    HAT = "hat"


class PreferenceKind(StrEnum):
    BRAND = "brand"
    COLOUR = "colour"
    STYLE = "style"
    LIKE = "like"
    DISLIKE = "dislike"


class DateKind(StrEnum):
    BIRTHDAY = "birthday"
    ANNIVERSARY = "anniversary"
    CUSTOM = "custom"


class Recurrence(StrEnum):
    YEARLY = "yearly"
    ONCE = "once"


class Channel(StrEnum):
    """How an associate and a client were in touch."""

    IN_STORE = "in_store"
    PHONE = "phone"
    EMAIL = "email"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    VIDEO = "video"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class SalesChannel(StrEnum):
    STORE = "store"
    ONLINE = "online"
    PHONE = "phone"
    VIDEO = "video"


class StockFlag(StrEnum):
    NONE = "none"
    AGED = "aged"
    EXCESS = "excess"


class WishStatus(StrEnum):
    ACTIVE = "active"
    PURCHASED = "purchased"
    REMOVED = "removed"


class TaskSource(StrEnum):
    MANUAL = "manual"
    BIRTHDAY = "birthday"
    ANNIVERSARY = "anniversary"
    AFTER_PURCHASE = "after_purchase"
    BACK_IN_STOCK = "back_in_stock"
    LAPSED = "lapsed"
    CAMPAIGN = "campaign"
    STUDIO = "studio"
    AGED_STOCK = "aged_stock"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class AppointmentKind(StrEnum):
    IN_STORE = "in_store"
    PHONE = "phone"
    VIDEO = "video"


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class ConsentChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    WHATSAPP = "whatsapp"
    POST = "post"
    VIDEO = "video"


class ConsentPurpose(StrEnum):
    MARKETING = "marketing"
    OUTREACH = "outreach"  # one-to-one messages from the client's associate
    SESSION_RECORDING = "session_recording"


class ConsentAction(StrEnum):
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"


class ProofKind(StrEnum):
    SIGNATURE = "signature"
    VERBAL = "verbal"
    WRITTEN_FORM = "written_form"
    EMAIL_CONFIRMATION = "email_confirmation"
    WEB_FORM = "web_form"
    IMPORTED = "imported"


class StudioStatus(StrEnum):
    RECORDING = "recording"
    FINISHED = "finished"
    INTERRUPTED = "interrupted"  # the workstation stopped mid-recording; recovered at start
    FAILED = "failed"  # nothing playable was written


class MarkerKind(StrEnum):
    PRESET = "preset"  # the camera recalled a preset (its product, if it has one)
    PRODUCT = "product"  # the operator marked a product as shown
    NOTE = "note"
