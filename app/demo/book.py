"""Generating a realistic client book: stores, associates, a catalog with images, and clients
with three years of purchases, dates, notes, wish lists, consents, tasks and appointments.

Deterministic: the same seed and anchor date give the same book. Rows are written in bulk with
the DB-API (executemany, one transaction per batch of clients) and the search index is built
once at the end, which is what lets a million clients load in minutes.
"""

from __future__ import annotations

import math
import random
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any, ClassVar

import phonenumbers

from app.demo import names as N
from app.demo.catalog import BRANDS, DemoProduct, make_catalog, render_product_image
from models import search_index
from models.database import Database
from models.ids import DeterministicUUID7
from models.text import fold

DEFAULT_SEED = 7
BATCH = 20_000
DAY_MS = 86_400_000

# Store: code, name, city, country, IANA zone, currency, main locale, share of clients.
STORES = (
    ("PAR1", "Paris Saint-Honoré", "Paris", "FR", "Europe/Paris", "EUR", "fr-FR", 22),
    ("LON1", "London Bond Street", "London", "GB", "Europe/London", "GBP", "en-GB", 16),
    ("NYC1", "New York Madison Avenue", "New York", "US", "America/New_York", "USD", "en-US", 16),
    ("MIL1", "Milano Montenapoleone", "Milano", "IT", "Europe/Rome", "EUR", "it-IT", 10),
    ("TYO1", "Tokyo Ginza", "Tokyo", "JP", "Asia/Tokyo", "JPY", "ja-JP", 10),
    ("DXB1", "Dubai Mall", "Dubai", "AE", "Asia/Dubai", "AED", "ar-AE", 9),
    ("SHA1", "Shanghai Plaza 66", "Shanghai", "CN", "Asia/Shanghai", "CNY", "zh-Hans-CN", 9),
    ("MUC1", "München Maximilianstraße", "München", "DE", "Europe/Berlin", "EUR", "de-DE", 8),
)
# Units of each currency per euro, for demo prices only.
EUR_RATE = {"EUR": 1.0, "GBP": 0.86, "USD": 1.08, "JPY": 162.0, "AED": 3.97, "CNY": 7.8}
MINOR = {"JPY": 1}  # minor units per unit where it is not 100

ASSOCIATE_FIRST = (
    "Camille",
    "Louis",
    "Amandine",
    "Sacha",
    "Nora",
    "Hugo",
    "Clara",
    "Elias",
    "Mila",
    "Jules",
    "Ines",
    "Oscar",
    "Lina",
    "Victor",
    "Alma",
    "Arthur",
)
ASSOCIATE_LAST = (
    "Roux",
    "Faure",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Perrot",
    "Lucas",
    "Vidal",
    "Colin",
    "Picard",
    "Renard",
    "Marty",
    "Leclerc",
    "Adam",
    "Meunier",
)
STREETS = (
    "Rue du Faubourg",
    "Avenue Montaigne",
    "Park Lane",
    "Via della Spiga",
    "Calle Serrano",
    "Maximilianstrasse",
    "Omotesando",
    "Jumeirah Road",
    "Nanjing West Road",
    "Fifth Avenue",
    "Kongens Nytorv",
    "Gangnam-daero",
)


def ts(ms: int) -> str:
    """Milliseconds since the epoch as the UTC text SQLite columns hold."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def ds(d: date) -> str:
    return d.isoformat()


def phone_for(country: str, rng: random.Random) -> tuple[str, str]:
    """A valid mobile number for the country: (E.164, national significant digits)."""

    def digits(n: int) -> str:
        return "".join(str(rng.randrange(10)) for _ in range(n))

    plans: dict[str, tuple[str, Callable[[], str]]] = {
        "FR": ("33", lambda: rng.choice("67") + digits(8)),
        "GB": ("44", lambda: "7" + rng.choice("4579") + digits(8)),
        "US": (
            "1",
            lambda: (
                rng.choice(("212", "646", "917", "310", "305", "415"))
                + str(rng.randrange(2, 10))
                + rng.choice("0123456789")
                + str(rng.randrange(2, 10))
                + digits(4)
            ),
        ),
        "IT": ("39", lambda: "3" + rng.choice("234") + digits(8)),
        "DE": ("49", lambda: "17" + digits(8)),
        "ES": ("34", lambda: "6" + digits(8)),
        "JP": ("81", lambda: rng.choice(("90", "80", "70")) + digits(8)),
        "CN": ("86", lambda: "13" + digits(9)),
        "AE": ("971", lambda: "5" + rng.choice("0258") + digits(7)),
        "KR": ("82", lambda: "10" + rng.choice("23456789") + digits(7)),
        "DK": ("45", lambda: rng.choice("2345") + digits(7)),
    }
    cc, make = plans.get(country, plans["FR"])
    # Numbering plans have holes the patterns above cannot see; draw until the number is one
    # a real phone could have (still deterministic: the draws come from the same generator).
    while True:
        national = make()
        if phonenumbers.is_valid_number(phonenumbers.parse(f"+{cc}{national}")):
            break
    return f"+{cc}{national}", national


@dataclass
class SeedReport:
    clients: int
    rows: int
    seconds: float
    index_seconds: float
    stores: int
    associates: int
    products: int
    anchor: date
    counts: dict[str, int] = field(default_factory=dict)


class BookNotEmptyError(RuntimeError):
    pass


class _Writer:
    """Buffers rows per table and writes them with executemany."""

    COLUMNS: ClassVar[dict[str, tuple[str, ...]]] = {
        "clients": (
            "id",
            "created_at",
            "updated_at",
            "given_name",
            "family_name",
            "preferred_name",
            "title",
            "language",
            "home_store_id",
            "primary_owner_id",
            "secondary_owner_id",
            "tier",
            "address_line1",
            "address_line2",
            "city",
            "postal_code",
            "region",
            "country",
            "sort_key",
        ),
        "client_emails": (
            "id",
            "created_at",
            "updated_at",
            "client_id",
            "address",
            "label",
            "position",
        ),
        "client_phones": (
            "id",
            "created_at",
            "updated_at",
            "client_id",
            "e164",
            "national_digits",
            "label",
            "position",
        ),
        "client_tags": ("id", "created_at", "updated_at", "client_id", "tag"),
        "client_sizes": (
            "id",
            "created_at",
            "updated_at",
            "client_id",
            "category",
            "value",
            "system",
        ),
        "client_preferences": ("id", "created_at", "updated_at", "client_id", "kind", "value"),
        "important_dates": (
            "id",
            "created_at",
            "updated_at",
            "client_id",
            "kind",
            "label",
            "month",
            "day",
            "year",
            "recurrence",
            "month_day",
        ),
        "notes": ("id", "created_at", "client_id", "author_id", "body"),
        "interactions": (
            "id",
            "created_at",
            "client_id",
            "associate_id",
            "store_id",
            "channel",
            "direction",
            "summary",
            "occurred_at",
        ),
        "purchases": (
            "id",
            "created_at",
            "client_id",
            "store_id",
            "associate_id",
            "channel",
            "purchased_at",
            "currency",
            "total_minor",
            "external_ref",
        ),
        "purchase_lines": (
            "id",
            "created_at",
            "purchase_id",
            "line_no",
            "product_id",
            "sku",
            "description",
            "size",
            "quantity",
            "unit_price_minor",
            "line_total_minor",
        ),
        "closet_items": (
            "id",
            "created_at",
            "updated_at",
            "client_id",
            "product_id",
            "purchase_line_id",
            "description",
            "brand",
            "size",
            "acquired_on",
        ),
        "wish_list_items": (
            "id",
            "created_at",
            "updated_at",
            "client_id",
            "product_id",
            "size",
            "note",
            "added_by_id",
            "status",
        ),
        "consent_events": (
            "id",
            "created_at",
            "client_id",
            "channel",
            "purpose",
            "action",
            "captured_at",
            "captured_by_id",
            "store_id",
            "proof_kind",
            "proof_text",
        ),
        "tasks": (
            "id",
            "created_at",
            "updated_at",
            "client_id",
            "assignee_id",
            "due_on",
            "reason",
            "source",
            "status",
            "completed_at",
        ),
        "appointments": (
            "id",
            "created_at",
            "updated_at",
            "client_id",
            "associate_id",
            "store_id",
            "kind",
            "starts_at",
            "ends_at",
            "status",
            "purpose",
            "notes",
        ),
    }

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in self.COLUMNS}
        self.counts: dict[str, int] = dict.fromkeys(self.COLUMNS, 0)
        self.sql = {
            t: f"INSERT INTO {t} ({', '.join(c)}) VALUES ({', '.join('?' * len(c))})"
            for t, c in self.COLUMNS.items()
        }

    def flush(self) -> None:
        for table, rows in self.rows.items():
            if rows:
                self.conn.executemany(self.sql[table], rows)
                self.counts[table] += len(rows)
                rows.clear()
        self.conn.commit()


def _check_empty(conn: sqlite3.Connection) -> None:
    clients = conn.execute("SELECT count(*) FROM clients").fetchone()[0]
    stores = conn.execute("SELECT count(*) FROM stores").fetchone()[0]
    if clients or stores:
        raise BookNotEmptyError(
            f"this book already holds {clients} clients and {stores} stores; "
            "the demo seeds only an empty book (choose a new --db path)"
        )


def seed_book(
    db: Database,
    clients: int,
    seed: int = DEFAULT_SEED,
    anchor: date | None = None,
    images: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> SeedReport:
    if clients < 0:
        raise ValueError("clients must be zero or more")
    started = time.perf_counter()
    anchor = anchor or date.today()
    raw = db.engine.raw_connection()
    conn: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
    try:
        _check_empty(conn)
        with db.engine.begin() as sa_conn:
            search_index.invalidate(sa_conn)
        gen = _Generator(conn, seed, anchor, clients)
        gen.write_reference_data(db, images)
        for start in range(0, clients, BATCH):
            gen.write_clients(start, min(start + BATCH, clients))
            if progress is not None:
                progress(min(start + BATCH, clients), clients)
        gen.write_today()
        gen.writer.flush()
        index_started = time.perf_counter()
        with db.engine.begin() as sa_conn:
            search_index.ensure(sa_conn)
        index_seconds = time.perf_counter() - index_started
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        raw.close()
    counts = dict(gen.writer.counts)
    counts["products"] = len(gen.products)
    return SeedReport(
        clients=clients,
        rows=sum(counts.values()),
        seconds=time.perf_counter() - started,
        index_seconds=index_seconds,
        stores=len(STORES),
        associates=len(gen.associates),
        products=len(gen.products),
        anchor=anchor,
        counts=counts,
    )


class _Generator:
    def __init__(self, conn: sqlite3.Connection, seed: int, anchor: date, clients: int) -> None:
        self.conn = conn
        self.rng = random.Random(seed)
        self.ids = DeterministicUUID7(seed)
        self.anchor = anchor
        self.now_ms = int(datetime.combine(anchor, dtime(7, 0), UTC).timestamp() * 1000)
        self.total = clients
        self.writer = _Writer(conn)
        self.locales = {loc.code: loc for loc in N.LOCALES}
        self.store_ids: list[bytes] = []
        self.store_weights = [s[7] for s in STORES]
        self.associates: list[tuple[bytes, int]] = []  # (id, store index)
        self.by_store: list[list[bytes]] = [[] for _ in STORES]
        self.products: list[DemoProduct] = []
        self.product_ids: list[bytes] = []
        self.by_category: dict[str, list[int]] = {}
        self.workstation: tuple[bytes, int] | None = None
        self.ws_clients: list[bytes] = []

    def id_at(self, ms: int) -> bytes:
        return self.ids.bytes_at(ms)

    # --- stores, associates, catalog ------------------------------------------------------

    def write_reference_data(self, db: Database, images: bool) -> None:
        rng, conn = self.rng, self.conn
        opened_ms = self.now_ms - 8 * 365 * DAY_MS
        for code, name, city, country, tz, currency, _loc, _w in STORES:
            sid = self.id_at(opened_ms)
            self.store_ids.append(sid)
            conn.execute(
                "INSERT INTO stores (id, created_at, updated_at, code, name, city, country, "
                "timezone, currency) VALUES (?,?,?,?,?,?,?,?,?)",
                (sid, ts(opened_ms), ts(opened_ms), code, name, city, country, tz, currency),
            )
        # An associate looks after ~1,500 clients; every store has at least six people.
        per_store = max(6, math.ceil(self.total / len(STORES) / 1500) + 2)
        for si, _store in enumerate(STORES):
            for k in range(per_store):
                role = "manager" if k == 0 else "studio_operator" if k == 1 else "associate"
                first = ASSOCIATE_FIRST[(si * 7 + k) % len(ASSOCIATE_FIRST)]
                last = ASSOCIATE_LAST[(si * 3 + k * 5) % len(ASSOCIATE_LAST)]
                suffix = "" if k < len(ASSOCIATE_FIRST) else f" {k // len(ASSOCIATE_FIRST) + 1}"
                aid = self.id_at(opened_ms + si * 1000 + k)
                conn.execute(
                    "INSERT INTO associates (id, created_at, updated_at, store_id, display_name,"
                    " email, role, active) VALUES (?,?,?,?,?,?,?,1)",
                    (
                        aid,
                        ts(opened_ms),
                        ts(opened_ms),
                        self.store_ids[si],
                        f"{first} {last}{suffix}",
                        f"{fold(first)}.{fold(last)}{k}@vitrine.example",
                        role,
                    ),
                )
                self.associates.append((aid, si))
                if role != "studio_operator":
                    self.by_store[si].append(aid)
        # The workstation belongs to the first (non-manager) associate of the first store.
        self.workstation = (self.by_store[0][1], 0)

        self.products = make_catalog(rng)
        media = db.media_dir / "products"
        for n, p in enumerate(self.products):
            pid = self.id_at(opened_ms + 10_000 + n)
            self.product_ids.append(pid)
            self.by_category.setdefault(p.category, []).append(n)
            conn.execute(
                "INSERT INTO products (id, created_at, updated_at, sku, brand, category, name, "
                "description, colour, material, price_minor, currency, size_category, "
                "stock_flag) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    pid,
                    ts(opened_ms),
                    ts(opened_ms),
                    p.sku,
                    p.brand,
                    p.category,
                    p.name,
                    p.description,
                    p.colour,
                    p.material,
                    p.price_eur_cents,
                    "EUR",
                    p.size_category,
                    p.stock_flag,
                ),
            )
            rel = f"products/{p.sku}.jpg"
            if images:
                w, h = render_product_image(p, media / f"{p.sku}.jpg")
            else:
                w, h = (480, 480)
            conn.execute(
                "INSERT INTO product_images (id, created_at, updated_at, product_id, path, "
                "position, width, height) VALUES (?,?,?,?,?,0,?,?)",
                (self.id_at(opened_ms + 20_000 + n), ts(opened_ms), ts(opened_ms), pid, rel, w, h),
            )
            for si, sid in enumerate(self.store_ids):
                qty = rng.choices((0, 1, 2, 3, 5, 8), weights=(25, 30, 20, 12, 8, 5))[0]
                if p.stock_flag != "none":
                    qty += rng.randrange(4, 12)
                restocked = ts(self.now_ms - rng.randrange(20, 400) * DAY_MS) if qty else None
                conn.execute(
                    "INSERT INTO stock_levels (id, created_at, updated_at, product_id, store_id,"
                    " quantity, restocked_at) VALUES (?,?,?,?,?,?,?)",
                    (
                        self.id_at(opened_ms + 30_000 + n * 16 + si),
                        ts(opened_ms),
                        ts(opened_ms),
                        pid,
                        sid,
                        qty,
                        restocked,
                    ),
                )
        conn.commit()

    # --- clients --------------------------------------------------------------------------

    def price_in(self, eur_cents: int, currency: str) -> int:
        """A catalog price in the store's currency, rounded the way price tags are."""
        units = eur_cents / 100 * EUR_RATE[currency]
        if currency == "JPY":
            step = 1000 if units < 100_000 else 10_000
        else:
            step = 10 if units < 1000 else 100
        return int(round(units / step) * step * MINOR.get(currency, 100))

    def write_clients(self, start: int, end: int) -> None:
        rng = self.rng
        w = self.writer.rows
        now_ms = self.now_ms
        span_ms = 6 * 365 * DAY_MS
        locales = N.LOCALES
        stores = STORES
        ws_id, _ws_store = self.workstation or (b"", 0)
        for i in range(start, end):
            created = now_ms - span_ms + (span_ms - 30 * DAY_MS) * i // max(self.total, 1)
            created += rng.randrange(0, 3_600_000)
            cid = self.id_at(created)
            c_ts = ts(created)
            si = rng.choices(range(len(stores)), weights=self.store_weights)[0]
            store = stores[si]
            loc = self.locales[store[6]] if rng.random() < 0.7 else rng.choice(locales)
            female = rng.random() < 0.62
            given = rng.choice(loc.given_female if female else loc.given_male)
            family = rng.choice(loc.family)
            preferred = None
            if loc.country in ("CN", "KR", "JP") and rng.random() < 0.25:
                preferred = rng.choice(("Vivian", "Grace", "Kevin", "Eric", "Coco", "Jasmine"))
            elif rng.random() < 0.04:
                preferred = given[:3] if len(given) > 4 else None
            title = (
                rng.choice(("Mrs", "Ms", "Mme", "Dr")) if female else rng.choice(("Mr", "M.", "Dr"))
            )
            tier = rng.choices(("prospect", "client", "vip", "vvip"), weights=(10, 60, 25, 5))[0]
            staff = self.by_store[si]
            owner = rng.choice(staff) if rng.random() < 0.85 else None
            second = rng.choice(staff) if owner and rng.random() < 0.2 else None
            if second == owner:
                second = None
            has_addr = rng.random() < 0.6
            w["clients"].append(
                (
                    cid,
                    c_ts,
                    c_ts,
                    given,
                    family,
                    preferred,
                    title if rng.random() < 0.6 else None,
                    loc.code,
                    self.store_ids[si],
                    owner,
                    second,
                    tier,
                    f"{rng.randrange(1, 180)} {rng.choice(STREETS)}" if has_addr else None,
                    None,
                    rng.choice(loc.cities) if has_addr else None,
                    f"{rng.randrange(10000, 99999)}" if has_addr else None,
                    None,
                    loc.country if has_addr else None,
                    f"{fold(family)} {fold(given)}",
                )
            )
            if owner == ws_id:
                self.ws_clients.append(cid)
            # Contact details.
            if rng.random() < 0.92:
                local = f"{fold(given)}.{fold(family)}".replace(" ", "").replace("'", "")
                w["client_emails"].append(
                    (
                        self.id_at(created),
                        c_ts,
                        c_ts,
                        cid,
                        f"{local}{i}@{rng.choice(loc.email_domains)}",
                        "personal",
                        0,
                    )
                )
                if rng.random() < 0.12:
                    w["client_emails"].append(
                        (
                            self.id_at(created),
                            c_ts,
                            c_ts,
                            cid,
                            f"{fold(given)[0]}{fold(family)}{i}@work.example",
                            "work",
                            1,
                        )
                    )
            if rng.random() < 0.85:
                e164, national = phone_for(loc.country, rng)
                w["client_phones"].append(
                    (self.id_at(created), c_ts, c_ts, cid, e164, national, "mobile", 0)
                )
            for tag in rng.sample(N.TAGS, rng.choice((0, 0, 1, 1, 2, 3))):
                w["client_tags"].append((self.id_at(created), c_ts, c_ts, cid, tag))
            self._sizes(cid, created, c_ts, female)
            self._preferences(cid, created, c_ts)
            self._dates(cid, created, c_ts)
            self._history(cid, created, si, tier, owner, female)
        self.writer.flush()  # one transaction per batch: bounded memory, steady WAL

    def _sizes(self, cid: bytes, created: int, c_ts: str, female: bool) -> None:
        rng, rows = self.rng, self.writer.rows["client_sizes"]
        choices: list[tuple[str, str, str]] = []
        if rng.random() < 0.7:
            choices.append(
                (
                    "clothing",
                    str(
                        rng.choice((34, 36, 38, 40, 42))
                        if female
                        else rng.choice((46, 48, 50, 52, 54))
                    ),
                    "FR",
                )
            )
        if rng.random() < 0.6:
            shoe = (
                rng.choice(("36", "36.5", "37", "37.5", "38", "38.5", "39", "40"))
                if female
                else rng.choice(("40", "41", "42", "42.5", "43", "44", "45"))
            )
            choices.append(("shoes", shoe, "EU"))
        if rng.random() < 0.4:
            choices.append(
                ("ring", str(rng.randrange(48, 62) if female else rng.randrange(56, 68)), "EU")
            )
        if rng.random() < 0.3:
            choices.append(("wrist", f"{rng.randrange(14, 20)}.{rng.choice((0, 5))} cm", "INT"))
        for cat, value, system in choices:
            rows.append((self.id_at(created), c_ts, c_ts, cid, cat, value, system))

    def _preferences(self, cid: bytes, created: int, c_ts: str) -> None:
        rng, rows = self.rng, self.writer.rows["client_preferences"]
        picks = [("brand", b) for b in rng.sample(BRANDS, rng.choice((0, 1, 1, 2, 3)))]
        picks += [("colour", v) for v in rng.sample(N.COLOURS, rng.choice((0, 1, 2)))]
        picks += [("style", v) for v in rng.sample(N.STYLES, rng.choice((0, 0, 1)))]
        picks += [("like", v) for v in rng.sample(N.LIKES, rng.choice((0, 1, 2)))]
        picks += [("dislike", v) for v in rng.sample(N.DISLIKES, rng.choice((0, 0, 1)))]
        for kind, value in picks:
            rows.append((self.id_at(created), c_ts, c_ts, cid, kind, value))

    def _dates(self, cid: bytes, created: int, c_ts: str) -> None:
        rng, rows = self.rng, self.writer.rows["important_dates"]
        if rng.random() < 0.75:
            year = rng.randrange(1940, 2004) if rng.random() < 0.6 else None
            if rng.random() < 0.003:  # leap-day birthdays exist and must be handled
                month, day = 2, 29
                year = rng.choice((1948, 1960, 1972, 1984, 1996)) if year else None
            else:
                month, day = rng.randrange(1, 13), rng.randrange(1, 29)
            rows.append(
                (
                    self.id_at(created),
                    c_ts,
                    c_ts,
                    cid,
                    "birthday",
                    None,
                    month,
                    day,
                    year,
                    "yearly",
                    month * 100 + day,
                )
            )
        if rng.random() < 0.2:
            month, day = rng.randrange(1, 13), rng.randrange(1, 29)
            rows.append(
                (
                    self.id_at(created),
                    c_ts,
                    c_ts,
                    cid,
                    "anniversary",
                    "Wedding",
                    month,
                    day,
                    rng.randrange(1975, 2025),
                    "yearly",
                    month * 100 + day,
                )
            )
        if rng.random() < 0.05:
            month, day = rng.randrange(1, 13), rng.randrange(1, 29)
            label = rng.choice(("Name day", "Daughter's birthday", "Graduation", "Son's birthday"))
            rows.append(
                (
                    self.id_at(created),
                    c_ts,
                    c_ts,
                    cid,
                    "custom",
                    label,
                    month,
                    day,
                    None,
                    "yearly",
                    month * 100 + day,
                )
            )

    def _history(
        self, cid: bytes, created: int, si: int, tier: str, owner: bytes | None, female: bool
    ) -> None:
        rng, w = self.rng, self.writer.rows
        now_ms = self.now_ms
        sid = self.store_ids[si]
        currency = STORES[si][5]
        staff = self.by_store[si]
        three_years = 3 * 365 * DAY_MS
        earliest = max(created, now_ms - three_years)
        life = max(now_ms - earliest, DAY_MS)

        def when() -> int:
            return earliest + rng.randrange(0, life)

        for _ in range(rng.choices((0, 1, 2, 3), weights=(35, 40, 18, 7))[0]):
            at = when()
            w["notes"].append(
                (
                    self.id_at(at),
                    ts(at),
                    cid,
                    owner or rng.choice(staff),
                    rng.choice(N.NOTE_SNIPPETS),
                )
            )
        for _ in range(rng.choices((0, 1, 2, 3, 5), weights=(30, 30, 20, 12, 8))[0]):
            at = when()
            w["interactions"].append(
                (
                    self.id_at(at),
                    ts(at),
                    cid,
                    owner or rng.choice(staff),
                    sid,
                    rng.choices(
                        ("in_store", "phone", "email", "sms", "whatsapp", "video"),
                        weights=(35, 15, 20, 8, 18, 4),
                    )[0],
                    rng.choice(("outbound", "outbound", "inbound")),
                    rng.choice(N.INTERACTION_SUMMARIES),
                    ts(at),
                )
            )
        n_purchases = {
            "prospect": 0,
            "client": rng.choice((0, 1, 1, 2, 3)),
            "vip": rng.randrange(2, 7),
            "vvip": rng.randrange(5, 12),
        }[tier]
        for k in range(n_purchases):
            at = when()
            pid = self.id_at(at)
            lines = []
            total = 0
            for line_no in range(1, rng.choice((1, 1, 1, 2, 2, 3)) + 1):
                n = rng.randrange(len(self.products))
                p = self.products[n]
                unit = self.price_in(p.price_eur_cents, currency)
                size = None
                if p.size_category == "shoes":
                    size = rng.choice(("37", "38", "39", "42", "43"))
                elif p.size_category == "clothing":
                    size = rng.choice(("36", "38", "40", "48", "50"))
                line_id = self.id_at(at)
                lines.append(
                    (
                        line_id,
                        ts(at),
                        pid,
                        line_no,
                        self.product_ids[n],
                        p.sku,
                        f"{p.brand} {p.name}",
                        size,
                        1,
                        unit,
                        unit,
                    )
                )
                total += unit
                if rng.random() < 0.4:
                    w["closet_items"].append(
                        (
                            self.id_at(at),
                            ts(at),
                            ts(at),
                            cid,
                            self.product_ids[n],
                            line_id,
                            f"{p.brand} {p.name}",
                            p.brand,
                            size,
                            ds(datetime.fromtimestamp(at / 1000, UTC).date()),
                        )
                    )
            channel = rng.choices(("store", "online", "phone", "video"), weights=(75, 15, 6, 4))[0]
            w["purchases"].append(
                (
                    pid,
                    ts(at),
                    cid,
                    sid,
                    owner or rng.choice(staff),
                    channel,
                    ts(at),
                    currency,
                    total,
                    f"{STORES[si][0]}-{at // 1000}-{k}-{cid.hex()[-6:]}",
                )
            )
            w["purchase_lines"].extend(lines)
        if rng.random() < 0.08:
            at = when()
            w["closet_items"].append(
                (
                    self.id_at(at),
                    ts(at),
                    ts(at),
                    cid,
                    None,
                    None,
                    rng.choice(
                        (
                            "Vintage watch from her grandmother",
                            "Pearl earrings, bought in Kyoto",
                            "Trench coat from another house",
                        )
                    ),
                    None,
                    None,
                    None,
                )
            )
        for _ in range(rng.choices((0, 1, 2, 3), weights=(55, 28, 12, 5))[0]):
            at = now_ms - rng.randrange(0, 365) * DAY_MS
            at = max(at, created)
            n = rng.randrange(len(self.products))
            w["wish_list_items"].append(
                (
                    self.id_at(at),
                    ts(at),
                    ts(at),
                    cid,
                    self.product_ids[n],
                    None,
                    None,
                    owner or rng.choice(staff),
                    "active",
                )
            )
        self._consents(cid, earliest, life, sid, owner or rng.choice(staff))
        if rng.random() < 0.05:
            due = self.anchor + timedelta(days=rng.randrange(-10, 20))
            status = "open" if rng.random() < 0.7 else "done"
            at = now_ms - rng.randrange(1, 30) * DAY_MS
            w["tasks"].append(
                (
                    self.id_at(at),
                    ts(at),
                    ts(at),
                    cid,
                    owner or rng.choice(staff),
                    ds(due),
                    rng.choice(
                        (
                            "Follow up after the purchase",
                            "Send the new lookbook",
                            "Call about the resizing",
                            "Invite to the private preview",
                        )
                    ),
                    rng.choice(("manual", "after_purchase", "campaign")),
                    status,
                    ts(at + DAY_MS) if status == "done" else None,
                )
            )
        if rng.random() < 0.03:
            day = self.anchor + timedelta(days=rng.randrange(-60, 30))
            start = int(
                datetime.combine(day, dtime(rng.randrange(9, 18), 0), UTC).timestamp() * 1000
            )
            past = day < self.anchor
            w["appointments"].append(
                (
                    self.id_at(start - 7 * DAY_MS),
                    ts(start - 7 * DAY_MS),
                    ts(start - 7 * DAY_MS),
                    cid,
                    owner or rng.choice(staff),
                    sid,
                    rng.choices(("in_store", "phone", "video"), weights=(70, 10, 20))[0],
                    ts(start),
                    ts(start + 3_600_000),
                    rng.choice(("completed", "completed", "no_show")) if past else "booked",
                    rng.choice(
                        (
                            "Engagement ring viewing",
                            "Watch servicing",
                            "Wardrobe update",
                            "Gift selection",
                            "Private viewing",
                        )
                    ),
                    None,
                )
            )

    def _consents(self, cid: bytes, earliest: int, life: int, sid: bytes, who: bytes) -> None:
        rng, rows = self.rng, self.writer.rows["consent_events"]
        events: list[tuple[str, str, str, str]] = []
        if rng.random() < 0.6:
            events.append(("email", "marketing", "granted", "web_form"))
            if rng.random() < 0.08:
                events.append(("email", "marketing", "withdrawn", "email_confirmation"))
        if rng.random() < 0.45:
            events.append(
                (rng.choice(("whatsapp", "sms", "phone")), "outreach", "granted", "written_form")
            )
        if rng.random() < 0.03:
            events.append(("video", "session_recording", "granted", "verbal"))
        at = earliest
        for channel, purpose, action, proof in events:
            at = at + rng.randrange(0, max(life // 4, 1))
            rows.append(
                (
                    self.id_at(at),
                    ts(at),
                    cid,
                    channel,
                    purpose,
                    action,
                    ts(at),
                    who,
                    sid,
                    proof,
                    "Client agreed in store" if proof == "verbal" else None,
                )
            )

    # --- a morning worth opening the app for ----------------------------------------------

    def write_today(self) -> None:
        """Give the workstation's associate a real Today: tasks due, visits booked, a
        birthday this week and wished-for pieces that just came back."""
        if self.workstation is None or not self.ws_clients:
            return
        rng, w = self.rng, self.writer.rows
        ws_id, si = self.workstation
        sid = self.store_ids[si]
        picks = rng.sample(self.ws_clients, min(12, len(self.ws_clients)))
        now_ms = self.now_ms
        reasons = (
            "Thank her for Saturday's visit",
            "Resized bracelet is ready",
            "Propose the new chronograph",
            "Confirm the private viewing",
        )
        for k, cid in enumerate(picks[:4]):
            due = self.anchor - timedelta(days=k % 2)
            w["tasks"].append(
                (
                    self.id_at(now_ms - DAY_MS),
                    ts(now_ms - DAY_MS),
                    ts(now_ms - DAY_MS),
                    cid,
                    ws_id,
                    ds(due),
                    reasons[k],
                    "manual",
                    "open",
                    None,
                )
            )
        for k, cid in enumerate(picks[4:7]):
            day = self.anchor
            start_local = datetime.combine(day, dtime(10 + 2 * k, 30), UTC) - timedelta(hours=1)
            start = int(start_local.timestamp() * 1000)
            w["appointments"].append(
                (
                    self.id_at(now_ms - 3 * DAY_MS),
                    ts(now_ms - 3 * DAY_MS),
                    ts(now_ms - 3 * DAY_MS),
                    cid,
                    ws_id,
                    sid,
                    ("in_store", "video", "in_store")[k],
                    ts(start),
                    ts(start + 3_600_000),
                    "confirmed",
                    ("Engagement ring viewing", "Remote watch presentation", "Autumn wardrobe")[k],
                    None,
                )
            )
        for k, cid in enumerate(picks[7:9]):
            d = self.anchor + timedelta(days=2 + 3 * k)
            w["important_dates"].append(
                (
                    self.id_at(now_ms),
                    ts(now_ms),
                    ts(now_ms),
                    cid,
                    "birthday",
                    None,
                    d.month,
                    d.day,
                    1980 + 8 * k,  # leap years, in case the day is 29 February
                    "yearly",
                    d.month * 100 + d.day,
                )
            )
        self.writer.flush()
        # Two wished-for products that were out of stock came back yesterday.
        for cid in picks[9:11]:
            n = rng.randrange(len(self.products))
            at = now_ms - 20 * DAY_MS
            w["wish_list_items"].append(
                (
                    self.id_at(at),
                    ts(at),
                    ts(at),
                    cid,
                    self.product_ids[n],
                    None,
                    "Waiting for this one",
                    ws_id,
                    "active",
                )
            )
            self.conn.execute(
                "UPDATE stock_levels SET quantity = 2, restocked_at = ? "
                "WHERE product_id = ? AND store_id = ?",
                (ts(now_ms - DAY_MS), self.product_ids[n], sid),
            )
        self.conn.execute(
            "INSERT INTO local_meta(key, value) VALUES ('workstation_associate', ?), "
            "('workstation_store', ?), ('demo_anchor', ?)",
            (str(uuid.UUID(bytes=ws_id)), str(uuid.UUID(bytes=sid)), self.anchor.isoformat()),
        )
        self.writer.flush()
