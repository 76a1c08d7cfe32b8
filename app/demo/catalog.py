"""The demo catalog: a few hundred products of fictional maisons, each with a rendered
studio-style image the showroom can film later."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

BRANDS = (
    "Maison Aurèle",
    "Valcourt",
    "Oriel & Finch",
    "Castellane",
    "Sable Noir",
    "Hōsei",
    "Lumen Atelier",
    "Vireo Milano",
)

# category: (size scale or None, EUR price range in units, name parts)
CATEGORIES: dict[str, tuple[str | None, tuple[int, int], tuple[str, ...]]] = {
    "watch": (
        "wrist",
        (4_200, 68_000),
        (
            "Chronographe",
            "Tourbillon",
            "Moon Phase",
            "Automatic 38",
            "Dual Time",
            "Perpetual",
            "Diver 300",
            "Tank Ultra-thin",
        ),
    ),
    "ring": (
        "ring",
        (1_100, 38_000),
        ("Solitaire", "Eternity Band", "Signet", "Cocktail Ring", "Trinity", "Serpent"),
    ),
    "bracelet": (
        None,
        (1_800, 24_000),
        ("Bangle", "Tennis Bracelet", "Cuff", "Chain Bracelet", "Love Knot"),
    ),
    "necklace": (
        None,
        (1_500, 45_000),
        ("Rivière", "Pendant", "Pearl Strand", "Sautoir", "Collier"),
    ),
    "earrings": (
        None,
        (900, 18_000),
        ("Studs", "Drop Earrings", "Hoops", "Chandelier Earrings"),
    ),
    "handbag": (
        None,
        (2_400, 14_000),
        ("Tote", "Top Handle", "Shoulder Bag", "Clutch", "Bucket Bag", "Saddle Bag"),
    ),
    "small leather goods": (
        None,
        (350, 1_400),
        ("Card Holder", "Wallet", "Key Pouch", "Passport Cover"),
    ),
    "shoes": (
        "shoes",
        (650, 1_600),
        ("Pump 85", "Loafer", "Ankle Boot", "Ballerina", "Derby", "Mule"),
    ),
    "ready-to-wear": (
        "clothing",
        (690, 6_500),
        (
            "Cashmere Coat",
            "Silk Blouse",
            "Tweed Jacket",
            "Wrap Dress",
            "Knit Cardigan",
            "Tailored Trousers",
        ),
    ),
    "scarf": (
        None,
        (390, 1_100),
        ("Silk Carré 90", "Cashmere Stole", "Twilly"),
    ),
    "fragrance": (
        None,
        (160, 420),
        ("Eau de Parfum 100 ml", "Extrait 50 ml", "Cologne Absolue"),
    ),
}

COLOURS_BGR: dict[str, tuple[int, int, int]] = {
    "gold": (55, 175, 212),
    "rose gold": (120, 140, 205),
    "silver": (192, 192, 192),
    "black": (40, 40, 40),
    "ivory": (220, 235, 245),
    "navy": (90, 40, 20),
    "burgundy": (50, 20, 110),
    "emerald": (90, 140, 20),
    "camel": (90, 150, 195),
    "midnight blue": (80, 35, 25),
    "cognac": (30, 80, 150),
    "blush pink": (190, 190, 240),
}
MATERIALS = (
    "18k gold",
    "platinum",
    "steel",
    "calfskin",
    "cashmere",
    "silk",
    "crocodile",
    "titanium",
    "satin",
    "lambskin",
)


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    brand: str
    category: str
    name: str
    colour: str
    material: str
    price_eur_cents: int
    size_category: str | None
    stock_flag: str
    description: str


def make_catalog(rng: random.Random, count: int = 320) -> list[DemoProduct]:
    products = []
    cats = list(CATEGORIES)
    for n in range(count):
        category = cats[n % len(cats)]
        size_cat, (low, high), names = CATEGORIES[category]
        brand = BRANDS[rng.randrange(len(BRANDS))]
        colour = rng.choice(list(COLOURS_BGR))
        material = rng.choice(MATERIALS)
        base = rng.choice(names)
        name = f"{base} {colour.title()}"
        # Luxury prices end in round hundreds (or tens for small items).
        step = 100 if high > 2000 else 10
        price = rng.randrange(low // step, high // step + 1) * step
        flag = rng.choices(("none", "aged", "excess"), weights=(85, 10, 5))[0]
        prefix = "".join(w[0] for w in brand.replace("&", "").split()).upper()
        sku = f"{prefix}-{category[:3].upper()}-{n + 1:04d}"
        products.append(
            DemoProduct(
                sku=sku,
                brand=brand,
                category=category,
                name=name,
                colour=colour,
                material=material,
                price_eur_cents=price * 100,
                size_category=size_cat,
                stock_flag=flag,
                description=f"{base} by {brand} in {colour} {material}.",
            )
        )
    return products


IMAGE_SIZE = 480


def render_product_image(product: DemoProduct, path: Path) -> tuple[int, int]:
    """A studio shot: soft backdrop, the object's silhouette, brand and SKU. Returns (w, h)."""
    s = IMAGE_SIZE
    y = np.linspace(0.0, 1.0, s, dtype=np.float32)[:, None]
    backdrop = (238 - 34 * y) * np.ones((1, s), dtype=np.float32)
    img = np.dstack([backdrop, backdrop - 4, backdrop - 10]).clip(0, 255).astype(np.uint8)
    colour = COLOURS_BGR.get(product.colour, (120, 120, 120))
    accent = (45, 160, 200)
    cx, cy = s // 2, s // 2 - 20
    # Shadow first, then the object.
    cv2.ellipse(img, (cx, s - 110), (150, 18), 0, 0, 360, (185, 185, 190), -1, cv2.LINE_AA)
    shape = product.category
    if shape == "watch":
        cv2.rectangle(img, (cx - 38, cy - 190), (cx + 38, cy + 190), colour, -1, cv2.LINE_AA)
        cv2.circle(img, (cx, cy), 108, accent, -1, cv2.LINE_AA)
        cv2.circle(img, (cx, cy), 96, (245, 245, 240), -1, cv2.LINE_AA)
        for h in range(12):
            a = np.deg2rad(h * 30)
            p1 = (int(cx + 80 * np.sin(a)), int(cy - 80 * np.cos(a)))
            p2 = (int(cx + 90 * np.sin(a)), int(cy - 90 * np.cos(a)))
            cv2.line(img, p1, p2, (40, 40, 40), 3, cv2.LINE_AA)
        cv2.line(img, (cx, cy), (cx + 45, cy - 30), (30, 30, 30), 5, cv2.LINE_AA)
        cv2.line(img, (cx, cy), (cx - 10, cy - 75), (30, 30, 30), 3, cv2.LINE_AA)
    elif shape == "ring":
        cv2.ellipse(img, (cx, cy + 30), (110, 70), 0, 0, 360, accent, 22, cv2.LINE_AA)
        pts = np.array([[cx, cy - 120], [cx + 45, cy - 60], [cx, cy - 20], [cx - 45, cy - 60]])
        cv2.fillPoly(img, [pts], colour, cv2.LINE_AA)
        cv2.polylines(img, [pts], True, (255, 255, 255), 2, cv2.LINE_AA)
    elif shape in ("bracelet", "necklace"):
        radius = 120 if shape == "bracelet" else 150
        cv2.ellipse(img, (cx, cy), (radius, radius - 30), 0, 0, 360, accent, 16, cv2.LINE_AA)
        for k in range(0, 360, 30):
            a = np.deg2rad(k)
            p = (int(cx + radius * np.cos(a)), int(cy + (radius - 30) * np.sin(a)))
            cv2.circle(img, p, 11, colour, -1, cv2.LINE_AA)
    elif shape == "earrings":
        for dx in (-70, 70):
            cv2.circle(img, (cx + dx, cy - 80), 14, accent, -1, cv2.LINE_AA)
            cv2.line(img, (cx + dx, cy - 66), (cx + dx, cy), accent, 4, cv2.LINE_AA)
            cv2.circle(img, (cx + dx, cy + 30), 34, colour, -1, cv2.LINE_AA)
    elif shape in ("handbag", "small leather goods"):
        w = 170 if shape == "handbag" else 110
        body = np.array(
            [[cx - w, cy + 120], [cx + w, cy + 120], [cx + w - 30, cy - 60], [cx - w + 30, cy - 60]]
        )
        if shape == "handbag":
            cv2.ellipse(img, (cx, cy - 60), (90, 90), 0, 180, 360, colour, 14, cv2.LINE_AA)
        cv2.fillPoly(img, [body], colour, cv2.LINE_AA)
        cv2.rectangle(img, (cx - 22, cy - 20), (cx + 22, cy + 10), accent, -1, cv2.LINE_AA)
    elif shape == "shoes":
        sole = np.array(
            [
                [cx - 170, cy + 90],
                [cx + 170, cy + 90],
                [cx + 170, cy + 60],
                [cx - 40, cy + 20],
                [cx - 150, cy - 40],
                [cx - 175, cy + 20],
            ]
        )
        cv2.fillPoly(img, [sole], colour, cv2.LINE_AA)
        cv2.rectangle(img, (cx + 140, cy + 60), (cx + 160, cy + 150), colour, -1, cv2.LINE_AA)
    elif shape == "fragrance":
        cv2.rectangle(img, (cx - 80, cy - 60), (cx + 80, cy + 140), colour, -1, cv2.LINE_AA)
        cv2.rectangle(img, (cx - 80, cy - 60), (cx + 80, cy + 140), (255, 255, 255), 2)
        cv2.rectangle(img, (cx - 30, cy - 120), (cx + 30, cy - 60), accent, -1, cv2.LINE_AA)
    else:  # ready-to-wear, scarf: a folded textile
        pts = np.array(
            [[cx - 150, cy - 120], [cx + 150, cy - 140], [cx + 170, cy + 130], [cx - 160, cy + 150]]
        )
        cv2.fillPoly(img, [pts], colour, cv2.LINE_AA)
        cv2.line(img, (cx - 150, cy - 10), (cx + 165, cy - 20), accent, 3, cv2.LINE_AA)
    font = cv2.FONT_HERSHEY_DUPLEX
    brand = product.brand.encode("ascii", "replace").decode().replace("?", "o").upper()
    (tw, _th), _ = cv2.getTextSize(brand, font, 0.8, 1)
    cv2.putText(img, brand, ((s - tw) // 2, s - 50), font, 0.8, (60, 60, 60), 1, cv2.LINE_AA)
    (tw, _th), _ = cv2.getTextSize(product.sku, font, 0.5, 1)
    cv2.putText(
        img, product.sku, ((s - tw) // 2, s - 24), font, 0.5, (110, 110, 110), 1, cv2.LINE_AA
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, encoded = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 88])
    if not ok:
        raise OSError(f"could not encode the image for {product.sku}")
    path.write_bytes(encoded.tobytes())
    return s, s
