"""The synthetic showroom: a virtual boutique around the simulated PTZ camera, filmed live.

The set is a cylinder around the camera, unrolled: azimuth (pan, degrees, right positive)
runs along x and elevation (tilt, degrees, up positive) along y, at the same number of
pixels per degree both ways. A camera pose (pan_deg, tilt_deg, hfov_deg) frames the
rectangle centred on (pan, tilt) that is hfov wide and hfov·height/width tall, so panning
right moves the picture's content left, tilting up moves it down and zooming in narrows the
rectangle. The set repeats every 360° (the room goes all the way round), and elevations
run from −50° (floor) to +40° (ceiling); beyond those the floor or ceiling goes on.

Around the room: eight bays of 45° between pilasters: a lit wall niche with three glass
shelves facing home (pan 0), plinths at ±45°, counter vitrines at ±90°, niches at ±135° and
a brand wall with two plinths at 180°: 43 places for products, filled in that order, each
with a small label card (brand, name, price).

Rendering: everything is drawn once into a panorama at 24 pixels per degree (about 66 MB);
each frame is one `cv2.warpAffine` of that panorama. When the view magnifies the panorama
by more than 1.4×, the products in view are drawn again from close-ups of the same scene
rendered at 48 px/degree (made on first use, at most one per frame, and cached: about
0.8 MB each), one small warp each, so framed products stay sharp. The panorama's row stride
stays under 32 KiB, above which OpenCV's warp takes a path twice as slow.

Cost of a frame on a 2-core machine (`python -m camera.video bench`, sweeping and zooming):
about 4 ms at 1280×720 and 8 ms at 1920×1080, noise and clock included; at 30 fps next to a
libx264 encoder of the same frames (veryfast at 720p, ultrafast at 1080p) 720p lost none
and 1080p lost under 1%.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import cv2
import numpy as np

from camera.video.source import SourceState, VideoSource

log = logging.getLogger(__name__)

AZ_PAD = 40.0  # panorama margin beyond ±180°, so views up to 80° wide need no wrapping
AZ_MIN, AZ_MAX = -180.0 - AZ_PAD, 180.0 + AZ_PAD
EL_MIN, EL_MAX = -50.0, 40.0
MAX_HFOV = 2 * AZ_PAD
PANORAMA_PPD = 24.0
CLOSEUP_PPD = 48.0
CLOSEUP_ABOVE = 1.4  # magnification of the panorama above which close-ups are drawn
CLOSEUP_CACHE = 48  # every place: about 0.8 MB each
LIGHT_PPD = 4.0
MAX_PRODUCT_SIDE = 640
LIGHT_ONE = 128  # the light map's value for "unchanged" (uint8, so up to 2× brighter)
STRIDE_LIMIT = 32767  # bytes per row

# Heights on the wall (elevation, degrees).
FLOOR_EL = -15.0
CORNICE_EL = 25.0
CAMERA_HEIGHT = 1.5  # room units: only the floor and ceiling patterns use them
ROOM_RADIUS = CAMERA_HEIGHT / math.tan(math.radians(-FLOOR_EL))
CEILING_HEIGHT = ROOM_RADIUS * math.tan(math.radians(CORNICE_EL + 3.0))
BAY = 45.0

BGR = tuple[int, int, int]
WALL_TOP: BGR = (188, 200, 212)
WALL_BOTTOM: BGR = (200, 212, 224)
CEILING: BGR = (222, 228, 233)
FLOOR_A: BGR = (150, 163, 178)
FLOOR_B: BGR = (132, 146, 163)
FLOOR_LINE: BGR = (105, 118, 134)
PILASTER: BGR = (214, 224, 232)
SHADOW: BGR = (150, 160, 170)
BRASS: BGR = (70, 150, 196)
NICHE_TOP: BGR = (205, 222, 238)
NICHE_BOTTOM: BGR = (180, 198, 216)
GLASS: BGR = (236, 242, 246)
LACQUER: BGR = (236, 240, 243)
LACQUER_SIDE: BGR = (205, 210, 215)
WALNUT: BGR = (42, 66, 98)
CARD: BGR = (236, 243, 248)
INK: BGR = (45, 45, 50)
INK_SOFT: BGR = (95, 98, 105)


# --- products ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ShowroomProduct:
    """A product to put on the set. `image` is a BGR (or BGRA: alpha is respected) uint8
    array or an image file; a plain studio shot on a light backdrop is cut out from it."""

    sku: str
    name: str
    brand: str = ""
    image: np.ndarray | str | os.PathLike[str] | None = field(default=None, repr=False)
    price_text: str = ""


class Framing(NamedTuple):
    pan_deg: float
    tilt_deg: float
    hfov_deg: float


def zoom_for_hfov(hfov_deg: float, wide_deg: float, tele_deg: float) -> float:
    """The zoom position (0 wide .. 1 tele) of a lens whose field of view shrinks
    geometrically from `wide_deg` to `tele_deg`, as the simulator's profiles model it."""
    if not 0 < tele_deg < wide_deg:
        raise ValueError("need 0 < tele < wide")
    hfov = min(max(hfov_deg, tele_deg), wide_deg)
    return math.log(hfov / wide_deg) / math.log(tele_deg / wide_deg)


_SPELLED = {"€": "EUR ", "£": "GBP ", "¥": "JPY ", "×": "x", "\u202f": " ", "\u00a0": " "}


def ascii_text(text: str) -> str:
    """OpenCV's fonts draw ASCII only: Aurèle → Aurele, Hōsei → Hosei, € → EUR."""
    for char, spelled in _SPELLED.items():
        text = text.replace(char, spelled)
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.split())


@dataclass(frozen=True)
class _Cutout:
    bgr: np.ndarray
    alpha: np.ndarray  # float32 0..1, same size

    @property
    def aspect(self) -> float:
        return float(self.bgr.shape[1] / self.bgr.shape[0])


def cut_out(image: np.ndarray) -> _Cutout:
    """The object in a product shot: alpha if the image has one, else what differs from the
    backdrop (estimated per row from the left and right edges), without specks and small
    print; an image with no such backdrop is kept whole, like a card."""
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.dtype != np.uint8:
        raise ValueError("product images must be uint8")
    h, w = image.shape[:2]
    if max(h, w) > MAX_PRODUCT_SIDE:  # close-ups never need more
        scale = MAX_PRODUCT_SIDE / max(h, w)
        w, h = max(1, round(w * scale)), max(1, round(h * scale))
        image = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
    if image.shape[2] == 4:
        bgr = np.ascontiguousarray(image[:, :, :3])
        alpha = image[:, :, 3].astype(np.float32) / 255.0
    else:
        bgr = np.ascontiguousarray(image[:, :, :3])
        edge = max(2, w // 60)
        border = np.concatenate([bgr[:, :edge], bgr[:, -edge:]], axis=1).astype(np.int16)
        backdrop = np.median(border, axis=1).astype(np.uint8)[:, None, :]
        diff = cv2.absdiff(bgr, np.ascontiguousarray(np.broadcast_to(backdrop, bgr.shape)))
        strongest = cv2.max(cv2.max(diff[:, :, 0], diff[:, :, 1]), diff[:, :, 2])
        mask: np.ndarray = (strongest > 14).astype(np.uint8)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        keep = stats[:, cv2.CC_STAT_AREA] >= 0.004 * h * w
        keep[0] = False
        solid = keep[labels]
        cover = float(solid.mean())
        if count <= 1 or cover < 0.01 or cover > 0.92:
            alpha = np.ones((h, w), np.float32)
        else:
            alpha = cv2.GaussianBlur(solid.astype(np.float32), (0, 0), max(0.8, w / 500))
    ys, xs = np.nonzero(alpha > 0.04)
    if len(xs) == 0:
        return _Cutout(bgr, np.ones((h, w), np.float32))
    x0, x1 = max(0, xs.min() - 2), min(w, xs.max() + 3)
    y0, y1 = max(0, ys.min() - 2), min(h, ys.max() + 3)
    return _Cutout(
        np.ascontiguousarray(bgr[y0:y1, x0:x1]), np.ascontiguousarray(alpha[y0:y1, x0:x1])
    )


def _load_image(product: ShowroomProduct) -> np.ndarray | None:
    image = product.image
    if image is None:
        return None
    if isinstance(image, np.ndarray):
        return image
    loaded = cv2.imread(os.fspath(image), cv2.IMREAD_UNCHANGED)
    if loaded is None:
        log.warning("cannot read the image of %s at %s", product.sku, os.fspath(image))
    return loaded


def _placeholder(product: ShowroomProduct) -> _Cutout:
    """A neutral card with the name, for a product without a usable image."""
    card = np.full((360, 300, 3), 226, np.uint8)
    cv2.rectangle(card, (6, 6), (293, 353), (150, 150, 155), 2, cv2.LINE_AA)
    words = ascii_text(product.name or product.sku).split() or ["?"]
    lines = [" ".join(words[i : i + 2]) for i in range(0, len(words), 2)][:4]
    for n, line in enumerate(lines):
        (tw, _), _ = cv2.getTextSize(line, cv2.FONT_HERSHEY_DUPLEX, 0.8, 1)
        cv2.putText(
            card, line, ((300 - tw) // 2, 150 + 36 * n), cv2.FONT_HERSHEY_DUPLEX, 0.8, INK, 1,
            cv2.LINE_AA,
        )  # fmt: skip
    return _Cutout(card, np.ones(card.shape[:2], np.float32))


# --- drawing in degrees -----------------------------------------------------------------


class _Painter:
    """Draws into a picture of the region [az0, az0 + width/ppd] × [el_top − height/ppd,
    el_top] with coordinates in degrees, drawing what lies across ±180° where it shows."""

    SHIFT = 4  # sub-pixel bits for OpenCV's drawing
    ONE = 1 << SHIFT

    def __init__(self, az0: float, el_top: float, ppd: float, width: int, height: int) -> None:
        self.az0, self.el_top, self.ppd = az0, el_top, ppd
        self.az1 = az0 + width / ppd
        self.el_bottom = el_top - height / ppd
        self.image = np.empty((height, width, 3), np.uint8)

    def x(self, az: float) -> float:
        return (az - self.az0) * self.ppd - 0.5

    def y(self, el: float) -> float:
        return (self.el_top - el) * self.ppd - 0.5

    def shifts(self, az_lo: float, az_hi: float) -> Iterator[float]:
        for k in (-360.0, 0.0, 360.0):
            if az_hi + k >= self.az0 - 1 and az_lo + k <= self.az1 + 1:
                yield k

    def sees(self, el_lo: float, el_hi: float) -> bool:
        return el_hi >= self.el_bottom - 1 and el_lo <= self.el_top + 1

    def _p(self, az: float, el: float) -> tuple[int, int]:
        return (round(self.x(az) * self.ONE), round(self.y(el) * self.ONE))

    def _rows(self, el_lo: float, el_hi: float) -> tuple[int, int]:
        h = self.image.shape[0]
        top = min(max(round(self.y(el_hi) + 0.5), 0), h)
        bottom = min(max(round(self.y(el_lo) + 0.5), 0), h)
        return top, bottom

    def _cols(self, az_lo: float, az_hi: float) -> tuple[int, int]:
        w = self.image.shape[1]
        left = min(max(round(self.x(az_lo) + 0.5), 0), w)
        right = min(max(round(self.x(az_hi) + 0.5), 0), w)
        return left, right

    def band(self, el_lo: float, el_hi: float, top: BGR, bottom: BGR) -> None:
        """A full-width vertical gradient."""
        self.gradient(self.az0 - 1, el_lo, self.az1 + 1, el_hi, top, bottom, wrap=False)

    def gradient(
        self,
        az_lo: float,
        el_lo: float,
        az_hi: float,
        el_hi: float,
        top: BGR,
        bottom: BGR,
        wrap: bool = True,
    ) -> None:
        if not self.sees(el_lo, el_hi):
            return
        r0, r1 = self._rows(el_lo, el_hi)
        spans = [self._cols(az_lo + k, az_hi + k) for k in self.shifts(az_lo, az_hi)]
        if not wrap:
            spans = [self._cols(az_lo, az_hi)]
        spans = [(c0, c1) for c0, c1 in spans if c1 > c0]
        if r1 <= r0 or not spans:
            return
        els = self.el_top - (np.arange(r0, r1, dtype=np.float32) + 0.5) / self.ppd
        f = ((el_hi - els) / max(el_hi - el_lo, 1e-6)).clip(0, 1)[:, None]
        colours = np.array(top, np.float32) * (1 - f) + np.array(bottom, np.float32) * f
        column = np.ascontiguousarray(colours.round().astype(np.uint8)[:, None, :])
        for c0, c1 in spans:
            # Stretching a one-pixel column is ten times faster than numpy broadcasting.
            cv2.resize(column, (c1 - c0, r1 - r0), dst=self.image[r0:r1, c0:c1],
                       interpolation=cv2.INTER_NEAREST)  # fmt: skip

    def rect(self, az_lo: float, el_lo: float, az_hi: float, el_hi: float, colour: BGR) -> None:
        self.poly([(az_lo, el_lo), (az_hi, el_lo), (az_hi, el_hi), (az_lo, el_hi)], colour)

    def poly(self, points: Sequence[tuple[float, float]], colour: BGR) -> None:
        azs = [p[0] for p in points]
        els = [p[1] for p in points]
        if not self.sees(min(els), max(els)):
            return
        for k in self.shifts(min(azs), max(azs)):
            pts = np.array([self._p(a + k, e) for a, e in points], np.int32)
            cv2.fillPoly(self.image, [pts], colour, cv2.LINE_AA, self.SHIFT)

    def line(
        self, az1: float, el1: float, az2: float, el2: float, colour: BGR, width_deg: float
    ) -> None:
        if not self.sees(min(el1, el2), max(el1, el2)):
            return
        thickness = max(1, round(width_deg * self.ppd))
        for k in self.shifts(min(az1, az2), max(az1, az2)):
            cv2.line(
                self.image, self._p(az1 + k, el1), self._p(az2 + k, el2), colour, thickness,
                cv2.LINE_AA, self.SHIFT,
            )  # fmt: skip

    def ellipse(
        self, az: float, el: float, r_az: float, r_el: float, colour: BGR, width_deg: float = 0
    ) -> None:
        if not self.sees(el - r_el, el + r_el):
            return
        thickness = -1 if width_deg <= 0 else max(1, round(width_deg * self.ppd))
        axes = (round(r_az * self.ppd * self.ONE), round(r_el * self.ppd * self.ONE))
        for k in self.shifts(az - r_az, az + r_az):
            cv2.ellipse(
                self.image, self._p(az + k, el), axes, 0, 0, 360, colour, thickness,
                cv2.LINE_AA, self.SHIFT,
            )  # fmt: skip

    def text(
        self,
        az: float,
        el_base: float,
        text: str,
        height_deg: float,
        colour: BGR,
        *,
        bold: bool = False,
        max_width_deg: float | None = None,
    ) -> None:
        """Text centred on `az`, its baseline at `el_base`, capitals `height_deg` tall."""
        text = ascii_text(text)
        if not text or not self.sees(el_base - height_deg, el_base + height_deg):
            return
        font = cv2.FONT_HERSHEY_DUPLEX if bold else cv2.FONT_HERSHEY_SIMPLEX
        (_, cap), _ = cv2.getTextSize("H", font, 1.0, 1)
        scale = height_deg * self.ppd / cap
        if scale < 0.12:  # under 3 px: a soft line reads better than broken glyphs
            (tw, _), _ = cv2.getTextSize(text, font, 1.0, 1)
            width = tw * height_deg / cap
            if max_width_deg:
                width = min(width, max_width_deg)
            self.line(az - width / 2, el_base + height_deg / 2, az + width / 2,
                      el_base + height_deg / 2, colour, height_deg * 0.6)  # fmt: skip
            return
        thickness = max(1, round(scale * (1.6 if bold else 1.1)))
        (tw, _), _ = cv2.getTextSize(text, font, scale, thickness)
        if max_width_deg and tw > max_width_deg * self.ppd:
            scale *= max_width_deg * self.ppd / tw
            thickness = max(1, round(scale * (1.6 if bold else 1.1)))
            (tw, _), _ = cv2.getTextSize(text, font, scale, thickness)
        for k in self.shifts(az - 20, az + 20):
            origin = (round(self.x(az + k) - tw / 2), round(self.y(el_base)))
            cv2.putText(self.image, text, origin, font, scale, colour, thickness, cv2.LINE_AA)

    def paste(
        self, az_lo: float, el_lo: float, az_hi: float, el_hi: float, cutout: _Cutout
    ) -> None:
        """The cut-out object scaled into the rectangle, blended by its alpha."""
        if not self.sees(el_lo, el_hi):
            return
        for k in self.shifts(az_lo, az_hi):
            x0, x1 = self.x(az_lo + k) + 0.5, self.x(az_hi + k) + 0.5
            y0, y1 = self.y(el_hi) + 0.5, self.y(el_lo) + 0.5
            w, h = max(1, round(x1 - x0)), max(1, round(y1 - y0))
            ix, iy = round(x0), round(y0)
            c0, c1 = max(ix, 0), min(ix + w, self.image.shape[1])
            r0, r1 = max(iy, 0), min(iy + h, self.image.shape[0])
            if c1 <= c0 or r1 <= r0:
                continue
            shrink = w < cutout.bgr.shape[1]
            interp = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
            bgr = cv2.resize(cutout.bgr, (w, h), interpolation=interp)
            alpha = cv2.resize(cutout.alpha, (w, h), interpolation=interp)
            src = np.s_[r0 - iy : r1 - iy, c0 - ix : c1 - ix]
            a = alpha[src][:, :, None]
            roi = self.image[r0:r1, c0:c1]
            roi[:] = (roi * (1 - a) + bgr[src] * a).round().astype(np.uint8)

    def veil_poly(self, points: Sequence[tuple[float, float]], colour: BGR, alpha: float) -> None:
        """A translucent polygon (a reflection on glass)."""
        azs = [p[0] for p in points]
        els = [p[1] for p in points]
        if not self.sees(min(els), max(els)):
            return
        r0, r1 = self._rows(min(els), max(els))
        for k in self.shifts(min(azs), max(azs)):
            c0, c1 = self._cols(min(azs) + k, max(azs) + k)
            if c1 <= c0 or r1 <= r0:
                continue
            roi = self.image[r0:r1, c0:c1]
            layer = roi.copy()
            pts = np.array([self._p(a + k, e) for a, e in points], np.int32)
            pts -= np.array([c0 * self.ONE, r0 * self.ONE], np.int32)
            cv2.fillPoly(layer, [pts], colour, cv2.LINE_AA, self.SHIFT)
            cv2.addWeighted(roi, 1 - alpha, layer, alpha, 0, dst=roi)

    def veil(
        self, az_lo: float, el_lo: float, az_hi: float, el_hi: float, colour: BGR, alpha: float
    ) -> None:
        """A translucent layer (glass, reflections)."""
        if not self.sees(el_lo, el_hi):
            return
        r0, r1 = self._rows(el_lo, el_hi)
        for k in self.shifts(az_lo, az_hi):
            c0, c1 = self._cols(az_lo + k, az_hi + k)
            if c1 > c0 and r1 > r0:
                roi = self.image[r0:r1, c0:c1]
                cv2.addWeighted(roi, 1 - alpha, np.full_like(roi, colour), alpha, 0, dst=roi)


# --- the set ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    az: float
    base_el: float  # where the object stands
    max_w: float
    max_h: float
    label_el: float  # top of the label card
    label_w: float = 7.0


@dataclass
class _Placed:
    product: ShowroomProduct
    slot: _Slot
    cutout: _Cutout
    box: tuple[float, float, float, float]  # az_lo, el_lo, az_hi, el_hi of the object
    area: tuple[float, float, float, float]  # the object and its label, with a margin

    @property
    def centre(self) -> tuple[float, float]:
        a0, e0, a1, e1 = self.area
        return (a0 + a1) / 2, (e0 + e1) / 2


LABEL_H = 1.7


def _bays() -> list[tuple[float, str]]:
    kinds = {0: "niche", 1: "plinths", 2: "vitrine", 3: "niche", 4: "brand"}
    return [(k * BAY, kinds[abs(k)]) for k in (0, 1, -1, 2, -2, 3, -3, 4)]


def _slots(centre: float, kind: str) -> list[_Slot]:
    if kind == "niche":
        shelves = (12.0, 1.5, -9.0)  # top first: the eye reads down
        return [
            _Slot(centre + dx, base, 9.0, 7.4, base - 0.25)
            for base in shelves
            for dx in (-11.5, 0.0, 11.5)
        ]
    if kind == "plinths":
        return [_Slot(centre + dx, -2.2, 9.0, 10.0, -3.2) for dx in (-14.0, 0.0, 14.0)]
    if kind == "vitrine":
        return [_Slot(centre + dx, -4.9, 7.2, 7.6, -6.6, 6.4) for dx in (-13.5, -4.5, 4.5, 13.5)]
    return [_Slot(centre + dx, -2.2, 9.0, 10.0, -3.2) for dx in (-14.0, 14.0)]  # brand wall


class Pose(NamedTuple):
    """A fixed camera pose, for a showroom source without a simulated camera."""

    pan_deg: float = 0.0
    tilt_deg: float = 0.0
    hfov_deg: float = 60.0


class ShowroomSet:
    """The virtual boutique with the given products on it (see the module's docstring for
    the layout and the angle mapping). Building it takes about a second; then `render_view`
    is thread-safe. Products beyond the 43 places are left out (`unplaced`)."""

    def __init__(
        self,
        products: Sequence[ShowroomProduct] = (),
        *,
        pixels_per_degree: float = PANORAMA_PPD,
        closeup_pixels_per_degree: float = CLOSEUP_PPD,
    ) -> None:
        width = round((AZ_MAX - AZ_MIN) * pixels_per_degree)
        if width * 3 > STRIDE_LIMIT or pixels_per_degree <= 0:
            raise ValueError(f"pixels_per_degree must be above 0 and at most {PANORAMA_PPD}")
        self.ppd = pixels_per_degree
        self.closeup_ppd = max(closeup_pixels_per_degree, pixels_per_degree)
        self._bays = _bays()
        slots = [slot for centre, kind in self._bays for slot in _slots(centre, kind)]
        self.capacity = len(slots)
        unique: list[ShowroomProduct] = []
        for product in products:  # a SKU twice goes on the set once
            if all(product.sku != u.sku for u in unique):
                unique.append(product)
        self._placed = [self._place(p, s) for p, s in zip(unique, slots, strict=False)]
        self._by_sku = {placed.product.sku: placed for placed in self._placed}
        self.unplaced = tuple(p.sku for p in unique[len(slots) :])
        self._empty = slots[len(self._placed) :]
        self._light = self._light_map()
        height = round((EL_MAX - EL_MIN) * pixels_per_degree)
        self.panorama = self.render_region(AZ_MIN, EL_MAX, pixels_per_degree, width, height)
        self.panorama.flags.writeable = False
        self._closeups: OrderedDict[str, np.ndarray] = OrderedDict()
        self._closeup_lock = threading.Lock()

    @property
    def placed(self) -> tuple[str, ...]:
        return tuple(p.product.sku for p in self._placed)

    # --- layout ---------------------------------------------------------------------

    def _place(self, product: ShowroomProduct, slot: _Slot) -> _Placed:
        image = _load_image(product)
        cutout = _placeholder(product) if image is None else cut_out(image)
        w = min(slot.max_w, slot.max_h * cutout.aspect)
        h = w / cutout.aspect
        bottom = slot.base_el - 0.02 * h  # the shot's own shadow overlaps the shelf's edge
        box = (slot.az - w / 2, bottom, slot.az + w / 2, bottom + h)
        half = max(w, slot.label_w) / 2 + 0.8
        area = (slot.az - half, slot.label_el - LABEL_H - 0.8, slot.az + half, box[3] + 0.8)
        return _Placed(product, slot, cutout, box, area)

    def product_framing(self, sku: str, aspect: float = 16 / 9) -> Framing:
        """The pose that frames a product and its label in a picture of this aspect ratio
        (width / height). KeyError for a SKU that is not on the set."""
        placed = self._by_sku.get(sku)
        if placed is None:
            raise KeyError(f"{sku} is not on the showroom set")
        a0, e0, a1, e1 = placed.area
        pan, tilt = placed.centre
        hfov = max((a1 - a0) * 1.15, (e1 - e0) * 1.15 * aspect)
        pan = (pan + 180.0) % 360.0 - 180.0
        return Framing(round(pan, 3), round(tilt, 3), round(hfov, 3))

    def framings(self, aspect: float = 16 / 9) -> dict[str, Framing]:
        return {sku: self.product_framing(sku, aspect) for sku in self.placed}

    # --- light ----------------------------------------------------------------------

    def _light_map(self) -> np.ndarray:
        """Light over the whole set at LIGHT_PPD: ambient, scallops of the downlights on the
        walls, spots on the products, the niches' glow; uint8 with LIGHT_ONE for 1×."""
        w = round((AZ_MAX - AZ_MIN) * LIGHT_PPD)
        h = round((EL_MAX - EL_MIN) * LIGHT_PPD)
        az = AZ_MIN + (np.arange(w, dtype=np.float32) + 0.5) / LIGHT_PPD
        el = EL_MAX - (np.arange(h, dtype=np.float32) + 0.5) / LIGHT_PPD
        el_g = np.repeat(el[:, None], w, axis=1)

        light = np.full((h, w), 0.8, np.float32)
        warm = np.zeros((h, w), np.float32)

        def add(
            c_az: float, c_el: float, s_az: float, s_el: float, amount: float, tint: float
        ) -> None:
            """A Gaussian pool of light, computed only within 3σ (and at every repeat)."""
            r0 = max(0, math.floor((EL_MAX - (c_el + 3 * s_el)) * LIGHT_PPD))
            r1 = min(h, math.ceil((EL_MAX - (c_el - 3 * s_el)) * LIGHT_PPD))
            for k in (-360.0, 0.0, 360.0):
                c0 = max(0, math.floor((c_az + k - 3 * s_az - AZ_MIN) * LIGHT_PPD))
                c1 = min(w, math.ceil((c_az + k + 3 * s_az - AZ_MIN) * LIGHT_PPD))
                if c1 <= c0 or r1 <= r0:
                    continue
                d_az = (az[c0:c1][None, :] - (c_az + k)) / s_az
                d_el = (el[r0:r1][:, None] - c_el) / s_el
                pool = np.exp(-0.5 * (d_az**2 + d_el**2))
                light[r0:r1, c0:c1] += amount * pool
                warm[r0:r1, c0:c1] += tint * pool

        for k in range(8):
            for dx in (-11.0, 11.0):
                add(k * BAY + dx, CORNICE_EL - 9.0, 4.5, 9.0, 0.22, 0.22)
        for placed in self._placed:
            a, e = placed.centre
            add(a, e, 5.0, 6.0, 0.18, 0.0)
        for centre, kind in self._bays:
            if kind == "niche":
                add(centre, 5.0, 13.0, 12.0, 0.12, 0.2)
        light *= 1.0 - 0.22 * np.clip((np.abs(el_g - 2.0) - 24.0) / 20.0, 0.0, 1.0)
        light[el_g > CORNICE_EL + 1] *= 0.95
        channels = [light * (1 - 0.08 * warm), light, light * (1 + 0.06 * warm)]
        out = np.dstack(channels) * LIGHT_ONE
        return np.ascontiguousarray(out.clip(0, 255).round().astype(np.uint8))

    def _apply_light(self, image: np.ndarray, az0: float, el_top: float, ppd: float) -> None:
        h, w = image.shape[:2]
        step = LIGHT_PPD / ppd
        strip = 256
        for r0 in range(0, h, strip):
            rows = min(strip, h - r0)
            m = np.array(
                [
                    [step, 0.0, (az0 - AZ_MIN) * LIGHT_PPD + 0.5 * step - 0.5],
                    [0.0, step, (EL_MAX - el_top) * LIGHT_PPD + (r0 + 0.5) * step - 0.5],
                ],
                np.float64,
            )
            light = cv2.warpAffine(
                self._light, m, (w, rows), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                borderMode=cv2.BORDER_REPLICATE,
            )  # fmt: skip
            part = image[r0 : r0 + rows]
            cv2.multiply(part, light, dst=part, scale=1.0 / LIGHT_ONE)

    # --- drawing --------------------------------------------------------------------

    def render_region(
        self, az0: float, el_top: float, ppd: float, width: int, height: int
    ) -> np.ndarray:
        """The set as seen from the region starting at azimuth `az0` and elevation `el_top`
        (its top-left corner), `width`×`height` pixels at `ppd` pixels per degree."""
        p = _Painter(az0, el_top, ppd, width, height)
        self._draw_room(p)
        for centre, kind in self._bays:
            self._draw_bay(p, centre, kind)
        for placed in self._placed:
            self._draw_product(p, placed)
        for slot in self._empty:
            self._draw_decor(p, slot)
        for centre, kind in self._bays:
            if kind == "vitrine":
                self._draw_glass(p, centre)
        self._apply_light(p.image, az0, el_top, ppd)
        for k in range(16):  # downlights glow past the light map's range
            p.ellipse(k * 22.5 + 11.25, CORNICE_EL + 9.5, 1.1, 0.35, (246, 250, 252))
        return p.image

    def _draw_room(self, p: _Painter) -> None:
        p.band(CORNICE_EL, EL_MAX + 5, CEILING, (214, 221, 227))
        p.band(FLOOR_EL, CORNICE_EL, WALL_TOP, WALL_BOTTOM)
        p.band(EL_MIN - 5, FLOOR_EL, FLOOR_A, FLOOR_A)
        # A rotunda floor: rings at fixed distances, alternate stones, radial joints.
        ring_els = [-math.degrees(math.atan(CAMERA_HEIGHT / (ROOM_RADIUS - 0.7 * k)))
                    for k in range(0, 8)]  # fmt: skip
        for k, (upper, lower) in enumerate(itertools.pairwise(ring_els)):
            if k % 2:
                p.band(lower, upper, FLOOR_B, FLOOR_B)
        for el in ring_els[1:]:
            p.line(p.az0 - 1, el, p.az1 + 1, el, FLOOR_LINE, 0.06)
        for k in range(48):
            az = -180.0 + k * 7.5
            p.line(az, FLOOR_EL, az, EL_MIN - 5, FLOOR_LINE, 0.05)
        # Ceiling coffers.
        for d in (0.82, 0.64):
            el = math.degrees(math.atan(CEILING_HEIGHT / (ROOM_RADIUS * d)))
            p.line(p.az0 - 1, el, p.az1 + 1, el, (196, 204, 210), 0.08)
        p.band(CORNICE_EL, CORNICE_EL + 1.6, (226, 232, 238), (200, 208, 216))
        p.line(p.az0 - 1, CORNICE_EL + 0.5, p.az1 + 1, CORNICE_EL + 0.5, BRASS, 0.08)
        p.band(FLOOR_EL, FLOOR_EL + 1.1, (120, 130, 140), (100, 110, 122))
        for k in range(8):
            az = k * BAY + BAY / 2
            p.gradient(az - 1.6, FLOOR_EL, az + 1.6, CORNICE_EL, PILASTER, (198, 208, 218))
            p.line(az - 1.6, FLOOR_EL, az - 1.6, CORNICE_EL, SHADOW, 0.1)
            p.line(az + 1.6, FLOOR_EL, az + 1.6, CORNICE_EL, SHADOW, 0.16)
            p.line(az - 1.1, FLOOR_EL + 1.2, az - 1.1, CORNICE_EL - 0.4, (226, 233, 240), 0.06)

    def _draw_bay(self, p: _Painter, c: float, kind: str) -> None:
        if kind == "niche":
            p.rect(c - 18.0, -12.6, c + 18.0, 21.4, BRASS)
            p.gradient(c - 17.6, -12.2, c + 17.6, 21.0, NICHE_TOP, NICHE_BOTTOM)
            for base in (12.0, 1.5, -9.0):
                p.rect(c - 17.6, base - 0.9, c + 17.6, base - 0.35, (170, 184, 198))
                p.rect(c - 17.6, base - 0.35, c + 17.6, base, GLASS)
                p.line(c - 17.6, base, c + 17.6, base, (250, 252, 253), 0.05)
            p.rect(c - 18.6, -15.0, c + 18.6, -12.6, (176, 186, 196))
        elif kind in ("plinths", "brand"):
            offsets = (-14.0, 0.0, 14.0) if kind == "plinths" else (-14.0, 14.0)
            for dx in offsets:
                self._draw_plinth(p, c + dx)
            if kind == "brand":
                p.rect(c - 7.0, 6.0, c + 7.0, 6.12, BRASS)
                p.text(c, 8.0, "VITRINE", 4.0, BRASS, bold=True)
                p.text(c, 3.4, "SALON PRIVE", 1.1, INK_SOFT)
        elif kind == "vitrine":
            p.rect(c - 13.0, 8.5, c + 13.0, 21.0, BRASS)  # an artwork above the counter
            p.gradient(c - 12.6, 8.9, c + 12.6, 20.6, (150, 120, 96), (196, 176, 160))
            p.ellipse(c - 4.0, 15.5, 5.0, 3.6, (120, 168, 210))
            p.ellipse(c + 4.5, 13.0, 3.2, 2.5, (90, 110, 160))
            p.gradient(c - 19.5, FLOOR_EL, c + 19.5, -5.4, WALNUT, (30, 48, 72))
            p.rect(c - 19.5, -5.6, c + 19.5, -5.2, BRASS)
            p.rect(c - 19.2, -5.2, c + 19.2, -4.9, (210, 218, 226))
            for dx in (-19.2, 19.2):
                p.line(c + dx, -5.2, c + dx, 5.2, BRASS, 0.18)
            p.line(c - 19.2, 5.2, c + 19.2, 5.2, BRASS, 0.18)

    def _draw_plinth(self, p: _Painter, az: float) -> None:
        p.gradient(az - 4.2, FLOOR_EL, az - 1.4, -2.6, LACQUER, (222, 227, 232))
        p.gradient(az - 1.4, FLOOR_EL, az + 4.2, -2.6, (226, 231, 236), LACQUER_SIDE)
        p.rect(az - 4.2, -2.6, az + 4.2, -2.0, (246, 248, 250))
        p.line(az - 4.2, -2.6, az + 4.2, -2.6, (190, 196, 202), 0.05)
        p.ellipse(az, FLOOR_EL - 0.5, 5.5, 0.7, (134, 147, 162))

    def _draw_product(self, p: _Painter, placed: _Placed) -> None:
        a0, e0, a1, e1 = placed.box
        p.paste(a0, e0, a1, e1, placed.cutout)
        slot, product = placed.slot, placed.product
        half = slot.label_w / 2
        top = slot.label_el
        p.rect(slot.az - half, top - LABEL_H, slot.az + half, top, BRASS)
        p.rect(slot.az - half + 0.07, top - LABEL_H + 0.07, slot.az + half - 0.07, top - 0.07,
               CARD)  # fmt: skip
        inner = slot.label_w - 0.6
        p.text(slot.az, top - 0.45, product.brand.upper(), 0.22, INK_SOFT, max_width_deg=inner)
        p.text(slot.az, top - 0.95, product.name, 0.3, INK, bold=True, max_width_deg=inner)
        p.text(slot.az, top - 1.42, product.price_text, 0.26, INK, max_width_deg=inner)

    def _draw_decor(self, p: _Painter, slot: _Slot) -> None:
        """An empty place gets a vase, so that a sparse catalogue still looks dressed."""
        az, base = slot.az, slot.base_el
        h = min(slot.max_h, 6.0)
        p.ellipse(az, base + 0.1, 1.8, 0.3, SHADOW)
        p.poly(
            [(az - 0.9, base), (az + 0.9, base), (az + 1.6, base + h * 0.55),
             (az + 0.6, base + h), (az - 0.6, base + h), (az - 1.6, base + h * 0.55)],
            (172, 186, 150),
        )  # fmt: skip
        p.line(az - 0.4, base + h * 0.2, az - 0.9, base + h * 0.8, (200, 212, 186), 0.15)

    def _draw_glass(self, p: _Painter, c: float) -> None:
        p.veil(c - 19.2, -4.9, c + 19.2, 5.2, GLASS, 0.08)
        for dx, width in ((-12.0, 2.2), (-8.6, 0.6), (6.0, 1.6)):
            streak = [(c + dx, 5.1), (c + dx + width, 5.1), (c + dx + width - 4.7, -4.8),
                      (c + dx - 4.7, -4.8)]  # fmt: skip
            p.veil_poly(streak, (250, 252, 253), 0.22)
        p.veil(c - 19.2, 4.8, c + 19.2, 5.2, (255, 255, 255), 0.3)

    # --- viewing --------------------------------------------------------------------

    def _closeup(self, placed: _Placed, make: bool = True) -> np.ndarray | None:
        """The product's close-up from the cache, or rendered now if `make` (10–15 ms)."""
        sku = placed.product.sku
        with self._closeup_lock:
            cached = self._closeups.get(sku)
            if cached is not None:
                self._closeups.move_to_end(sku)
                return cached
        if not make:
            return None
        a0, e0, a1, e1 = placed.area
        ppd = self.closeup_ppd
        image = self.render_region(a0, e1, ppd, round((a1 - a0) * ppd), round((e1 - e0) * ppd))
        image.flags.writeable = False
        with self._closeup_lock:
            self._closeups[sku] = image
            while len(self._closeups) > CLOSEUP_CACHE:
                self._closeups.popitem(last=False)
        return image

    def render_view(
        self,
        pan_deg: float,
        tilt_deg: float,
        hfov_deg: float,
        width: int,
        height: int,
        *,
        closeups: bool = True,
        new_closeups: int | None = None,
    ) -> np.ndarray:
        """What a camera at this pose sees, as a new width×height BGR picture.

        Products framed close are drawn from their close-ups; `new_closeups` caps how many
        missing ones are rendered in this call (the rest show the panorama until a later
        call), which bounds the time of a frame when the camera zooms in on a crowd."""
        hfov = min(max(hfov_deg, 0.05), MAX_HFOV)
        pan = (pan_deg + 180.0) % 360.0 - 180.0
        out_ppd = width / hfov  # output pixels per degree
        view_az0 = pan - hfov / 2
        view_el_top = tilt_deg + (height / out_ppd) / 2
        step = self.ppd / out_ppd
        m = np.array(
            [
                [step, 0.0, (view_az0 - AZ_MIN) * self.ppd + 0.5 * step - 0.5],
                [0.0, step, (EL_MAX - view_el_top) * self.ppd + 0.5 * step - 0.5],
            ],
            np.float64,
        )
        frame = cv2.warpAffine(
            self.panorama, m, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REPLICATE,
        )  # fmt: skip
        if closeups and out_ppd > self.ppd * CLOSEUP_ABOVE:
            view_el_bottom = view_el_top - height / out_ppd
            budget = len(self._placed) if new_closeups is None else new_closeups
            for placed in self._placed:
                a0, e0, a1, e1 = placed.area
                shift = ((a0 - view_az0 + 180.0) % 360.0 - 180.0) - (a0 - view_az0)
                a0, a1 = a0 + shift, a1 + shift
                if a1 < view_az0 or a0 > view_az0 + hfov or e1 < view_el_bottom or e0 > view_el_top:
                    continue
                closeup = self._closeup(placed, make=False)
                if closeup is None and budget > 0:
                    budget -= 1
                    closeup = self._closeup(placed)
                if closeup is None:
                    continue
                self._draw_closeup(frame, closeup, a0, e1, view_az0, view_el_top, out_ppd)
        return frame

    def _draw_closeup(
        self,
        frame: np.ndarray,
        closeup: np.ndarray,
        az0: float,
        el_top: float,
        view_az0: float,
        view_el_top: float,
        out_ppd: float,
    ) -> None:
        ch, cw = closeup.shape[:2]
        h, w = frame.shape[:2]
        x0 = (az0 - view_az0) * out_ppd
        y0 = (view_el_top - el_top) * out_ppd
        x1 = x0 + cw / self.closeup_ppd * out_ppd
        y1 = y0 + ch / self.closeup_ppd * out_ppd
        c0, c1 = max(0, math.floor(x0)), min(w, math.ceil(x1))
        r0, r1 = max(0, math.floor(y0)), min(h, math.ceil(y1))
        if c1 <= c0 or r1 <= r0:
            return
        step = self.closeup_ppd / out_ppd
        m = np.array(
            [
                [step, 0.0, (c0 - x0 + 0.5) * step - 0.5],
                [0.0, step, (r0 - y0 + 0.5) * step - 0.5],
            ],
            np.float64,
        )
        roi = frame[r0:r1, c0:c1]
        cv2.warpAffine(
            closeup, m, (c1 - c0, r1 - r0), dst=roi,
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_TRANSPARENT,
        )  # fmt: skip

    def overview(self, width: int = 1440) -> np.ndarray:
        """The whole room, −180°..180° by −50°..40°, `width` pixels wide (for a map)."""
        x0 = round((-180.0 - AZ_MIN) * self.ppd)
        x1 = round((180.0 - AZ_MIN) * self.ppd)
        strip = self.panorama[:, x0:x1]
        height = round(width * strip.shape[0] / strip.shape[1])
        return cv2.resize(strip, (width, height), interpolation=cv2.INTER_AREA)


# --- the source -------------------------------------------------------------------------


class PtzView(Protocol):
    """What the showroom reads from a camera state (`camera.sim.CameraState` has it all).
    It also uses `focus` (0 far..1 near), `focus_auto`, `power` and `booting` if present."""

    @property
    def pan_deg(self) -> float: ...

    @property
    def tilt_deg(self) -> float: ...

    @property
    def hfov_deg(self) -> float: ...


class SyntheticSource(VideoSource):
    """The showroom filmed by a (simulated) PTZ camera: `ptz_state()` is read for every
    frame (e.g. `CameraSimulator.state`), the set rendered for that pose, paced on the
    monotonic clock at `fps`. A frame made after the next one was due counts in
    `frames_late`; when a whole period more has gone by, the frames that were due meanwhile
    are skipped (`frames_lost`, a gap in the index) instead of piling up.

    Life: a clock in the corner (`overlay`), faint sensor noise and a slow light flicker
    (`noise`), so no two frames are equal. Focus: in manual focus, a lens away from
    `in_focus_at` (0 far..1 near) blurs the picture, more when zoomed in. A camera in standby
    gives a dark picture.
    """

    kind = "synthetic"

    def __init__(
        self,
        products: Sequence[ShowroomProduct] = (),
        *,
        ptz_state: Callable[[], PtzView] | None = None,
        width: int = 1280,
        height: int = 720,
        fps: float = 30.0,
        showroom: ShowroomSet | None = None,
        overlay: bool = True,
        noise: bool = True,
        in_focus_at: float = 0.0,
        seed: int | None = None,
        name: str = "showroom",
    ) -> None:
        if width < 16 or height < 16 or width % 2 or height % 2:
            raise ValueError("width and height must be even and at least 16")
        if not 0 < fps <= 120:
            raise ValueError("fps must be in (0, 120]")
        super().__init__(name, width=width, height=height, fps=fps)
        self._products = tuple(products)
        self._showroom = showroom
        self._showroom_lock = threading.Lock()
        self.ptz_state: Callable[[], PtzView] = ptz_state or Pose
        self.overlay = overlay
        self.noise = noise
        self.in_focus_at = in_focus_at
        self._rng = np.random.default_rng(seed)
        self._grain: np.ndarray | None = None
        self.render_seconds = 0.0  # mean time to make a frame (exponential average)
        self.last_pose: Framing | None = None

    @property
    def showroom(self) -> ShowroomSet:
        """The set, built on first use (about a second; the capture thread builds it at
        start if nobody asked before)."""
        with self._showroom_lock:
            if self._showroom is None:
                self._showroom = ShowroomSet(self._products)
            return self._showroom

    def product_framing(self, sku: str) -> Framing:
        """The pose that frames a product in this source's pictures."""
        return self.showroom.product_framing(sku, self.width / self.height)

    def _blur_px(self, state: Any, hfov: float) -> float:
        if getattr(state, "focus_auto", True):
            return 0.0
        focus = float(getattr(state, "focus", self.in_focus_at))
        off = abs(focus - self.in_focus_at) - 0.04  # depth of field
        if off <= 0:
            return 0.0
        return min(24.0, off * 40.0 * math.sqrt(60.0 / max(hfov, 1.0)) * self.height / 720)

    def render(self, state: Any, now: float | None = None) -> np.ndarray:
        """One picture for a camera state (what the capture thread does per frame)."""
        w, h = self.width, self.height
        frame: np.ndarray
        if not getattr(state, "power", True) or getattr(state, "booting", False):
            frame = np.full((h, w, 3), 12, np.uint8)
            text = "starting" if getattr(state, "booting", False) else "standby"
            self._caption(frame, text, (w // 2 - 40 * h // 720, h // 2))
            return frame
        pan, tilt, hfov = float(state.pan_deg), float(state.tilt_deg), float(state.hfov_deg)
        self.last_pose = Framing(pan, tilt, hfov)
        blur = self._blur_px(state, hfov)
        if blur > 0.75:
            k = 1.0 + blur / 1.5
            sw, sh = max(16, round(w / k)), max(16, round(h / k))
            small = self.showroom.render_view(pan, tilt, hfov, sw, sh, new_closeups=1)
            # Soften at the small size (cheap), so that stretching it shows no blocks.
            cv2.GaussianBlur(small, (0, 0), 1.0, dst=small)
            frame = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
        else:
            frame = self.showroom.render_view(pan, tilt, hfov, w, h, new_closeups=1)
        t = time.monotonic() if now is None else now
        if self.noise:
            grain = self._grain_for(w, h)
            dx, dy = (int(v) for v in self._rng.integers(0, 16, 2))
            gain = 1.0 + 0.006 * math.sin(t * 2.3) + 0.003 * math.sin(t * 7.1)
            cv2.addWeighted(frame, gain, grain[dy : dy + h, dx : dx + w], 1.0, -3.0, dst=frame)
        if self.overlay:
            wall = time.time()
            stamp = (
                time.strftime("%H:%M:%S", time.localtime(wall)) + f".{int(wall * 100) % 100:02d}"
            )
            self._caption(frame, stamp, (w - round(150 * h / 720), h - round(16 * h / 720)))
        return frame

    def _grain_for(self, w: int, h: int) -> np.ndarray:
        if self._grain is None or self._grain.shape[:2] != (h + 16, w + 16):
            self._grain = self._rng.integers(0, 7, (h + 16, w + 16, 3), dtype=np.uint8)
        return self._grain

    @staticmethod
    def _caption(frame: np.ndarray, text: str, origin: tuple[int, int]) -> None:
        scale = 0.55 * frame.shape[0] / 720
        font = cv2.FONT_HERSHEY_SIMPLEX
        thick = max(1, round(2 * scale))
        cv2.putText(frame, text, origin, font, scale, (20, 20, 20), thick + 2, cv2.LINE_AA)
        cv2.putText(frame, text, origin, font, scale, (235, 235, 235), thick, cv2.LINE_AA)

    def _run(self) -> None:
        try:
            showroom = self.showroom
        except Exception as exc:
            self._set_status(
                SourceState.FAILED, f"cannot build the showroom: {exc}", error=str(exc)
            )
            return
        period = 1.0 / self.fps
        state: Any = Pose()
        state_error = ""
        due = time.monotonic()
        lost = 0
        announced = False
        while not self._stopping.is_set():
            now = time.monotonic()
            if now < due and self._stopping.wait(due - now):
                break
            try:
                state = self.ptz_state()
                if state_error:
                    state_error = ""
                    self._set_status(SourceState.LIVE, self._live_message(showroom))
            except Exception as exc:  # keep filming the last pose; say so
                if str(exc) != state_error:
                    state_error = str(exc)
                    self._set_status(
                        SourceState.LIVE,
                        f"{self.name}: camera state unavailable, holding the last pose",
                        error=state_error,
                    )
            t = time.monotonic()
            image = self.render(state, t)
            done = time.monotonic()
            self.render_seconds += (done - t - self.render_seconds) * 0.1
            if done > due + period:  # the next frame was due before this one was out
                self.frames_late += 1
            if self._publish(image, t, lost) is None:
                break
            if not announced:
                announced = True
                self._went_live(self._live_message(showroom), False)
            due += period
            lost = 0
            now = time.monotonic()
            if now - due >= period:  # whole periods went by: skip those frames
                skipped = int((now - due) / period)
                lost = skipped
                due += skipped * period

    def _live_message(self, showroom: ShowroomSet) -> str:
        return (
            f"{self.name}: {self.width}×{self.height} at {self.fps:g} fps, "
            f"{len(showroom.placed)} products on the set"
        )
