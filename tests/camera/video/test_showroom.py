"""The showroom set: layout, the pose → picture mapping, product framings, close-ups."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from camera.video import ShowroomProduct, ShowroomSet, zoom_for_hfov
from camera.video.showroom import cut_out
from tests.camera.video.conftest import COLOURS
from tests.camera.video.media import product_shot

W, H = 640, 360


def grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float32)


def shift(before: np.ndarray, after: np.ndarray) -> tuple[float, float]:
    """How far the content moved from `before` to `after`, in pixels (x right, y down)."""
    window = cv2.createHanningWindow((before.shape[1], before.shape[0]), cv2.CV_32F)
    (dx, dy), _response = cv2.phaseCorrelate(grey(before), grey(after), window)
    return dx, dy


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(cv2.matchTemplate(grey(a), grey(b), cv2.TM_CCOEFF_NORMED)[0, 0])


def test_panning_right_moves_the_content_left_by_the_angle(showroom: ShowroomSet) -> None:
    hfov = 40.0
    before = showroom.render_view(10.0, 0.0, hfov, W, H)
    after = showroom.render_view(13.0, 0.0, hfov, W, H)
    dx, dy = shift(before, after)
    assert dx == pytest.approx(-3.0 * W / hfov, rel=0.05)  # 48 px to the left
    assert abs(dy) < 1.0


def test_tilting_up_moves_the_content_down(showroom: ShowroomSet) -> None:
    hfov = 40.0
    dx, dy = shift(
        showroom.render_view(0.0, 0.0, hfov, W, H), showroom.render_view(0.0, 2.0, hfov, W, H)
    )
    assert dy == pytest.approx(2.0 * W / hfov, rel=0.05)
    assert abs(dx) < 1.0


def test_zooming_in_shows_the_middle_of_the_wide_picture(showroom: ShowroomSet) -> None:
    wide = showroom.render_view(0.0, 2.0, 60.0, W, H)
    narrow = showroom.render_view(0.0, 2.0, 30.0, W, H)
    middle = cv2.resize(wide[H // 4 : 3 * H // 4, W // 4 : 3 * W // 4], (W, H))
    assert similarity(middle, narrow) > 0.9
    assert similarity(wide, narrow) < 0.6
    off_centre = cv2.resize(wide[: H // 2, : W // 2], (W, H))
    assert similarity(off_centre, narrow) < 0.6


def test_the_room_goes_all_the_way_round(showroom: ShowroomSet) -> None:
    a = showroom.render_view(179.0, 0.0, 50.0, W, H)
    b = showroom.render_view(-181.0, 0.0, 50.0, W, H)
    assert np.array_equal(a, b)
    # Looking straight up or down past the set's edges still gives a picture.
    assert showroom.render_view(0.0, 90.0, 60.0, W, H).shape == (H, W, 3)
    assert showroom.render_view(0.0, -60.0, 60.0, W, H).shape == (H, W, 3)


def test_views_change_with_the_pose_and_not_otherwise(showroom: ShowroomSet) -> None:
    a = showroom.render_view(45.0, -3.0, 20.0, W, H)
    assert np.array_equal(a, showroom.render_view(45.0, -3.0, 20.0, W, H))
    assert not np.array_equal(a, showroom.render_view(45.2, -3.0, 20.0, W, H))


def colour_share(image: np.ndarray, colour: tuple[int, int, int]) -> float:
    """The share of the picture's middle within 40 levels of a colour."""
    h, w = image.shape[:2]
    middle = image[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4].astype(np.int16)
    close = np.abs(middle - np.array(colour, np.int16)).max(axis=2) < 40
    return float(close.mean())


@pytest.mark.parametrize("sku", list(COLOURS))
def test_a_product_framing_shows_that_product(showroom: ShowroomSet, sku: str) -> None:
    pan, tilt, hfov = showroom.product_framing(sku)
    assert -180 <= pan <= 180 and -20 <= tilt <= 20 and 5 < hfov < 60
    view = showroom.render_view(pan, tilt, hfov, W, H)
    for other, colour in COLOURS.items():
        share = colour_share(view, colour)
        if other == sku:
            assert share > 0.08, (sku, share)
        elif other != "BLACK-4" and sku != "BLACK-4":
            assert share < 0.01, (sku, other, share)


def test_framings_cover_every_placed_product_and_refuse_others(showroom: ShowroomSet) -> None:
    framings = showroom.framings()
    assert list(framings) == list(showroom.placed)
    assert len({(f.pan_deg, f.tilt_deg) for f in framings.values()}) == len(framings)
    with pytest.raises(KeyError, match="NOT-THERE"):
        showroom.product_framing("NOT-THERE")
    # A taller picture needs a wider lens to show the same product.
    square = showroom.product_framing("RED-1", aspect=1.0)
    assert square.hfov_deg <= showroom.product_framing("RED-1").hfov_deg


def test_zoom_for_hfov_inverts_the_lens_model() -> None:
    assert zoom_for_hfov(63.7, 63.7, 2.3) == pytest.approx(0.0)
    assert zoom_for_hfov(2.3, 63.7, 2.3) == pytest.approx(1.0)
    mid = 63.7 * (2.3 / 63.7) ** 0.4
    assert zoom_for_hfov(mid, 63.7, 2.3) == pytest.approx(0.4)
    assert zoom_for_hfov(200.0, 63.7, 2.3) == 0.0


def sharpness(image: np.ndarray) -> float:
    return float(cv2.Laplacian(grey(image), cv2.CV_32F).var())


def test_close_ups_keep_framed_products_sharp_and_in_place(showroom: ShowroomSet) -> None:
    pan, tilt, hfov = showroom.product_framing("GREEN-2")
    sharp = showroom.render_view(pan, tilt, hfov, 1280, 720)
    soft = showroom.render_view(pan, tilt, hfov, 1280, 720, closeups=False)
    assert similarity(sharp, soft) > 0.9  # the same scene, drawn finer
    assert sharpness(sharp) > 1.5 * sharpness(soft)
    dx, dy = shift(soft, sharp)
    assert abs(dx) < 1.5 and abs(dy) < 1.5


def test_the_set_places_each_sku_once_and_says_what_did_not_fit() -> None:
    items = [ShowroomProduct(f"SKU-{n}", f"Thing {n}") for n in range(50)]
    items.insert(3, ShowroomProduct("SKU-0", "Thing 0 again"))
    room = ShowroomSet(items)
    assert room.capacity == 43
    assert room.placed == tuple(f"SKU-{n}" for n in range(43))
    assert room.unplaced == tuple(f"SKU-{n}" for n in range(43, 50))
    # Products without pictures get a card with their name, and the set still renders.
    assert room.render_view(*room.product_framing("SKU-0"), W, H).std() > 10


def test_an_unreadable_image_file_gets_a_card(tmp_path) -> None:
    missing = ShowroomProduct("GONE-1", "Gone", image=tmp_path / "nope.jpg")
    room = ShowroomSet([missing])
    assert room.placed == ("GONE-1",)


def test_cut_out_keeps_the_object_and_drops_the_backdrop_and_small_print() -> None:
    shot = product_shot((20, 20, 230), shape="disc")
    cut = cut_out(shot)
    h, w = cut.alpha.shape
    assert w < 360 and h < 380  # cropped to the object and its shadow
    assert cut.alpha[h // 3, w // 2] > 0.99
    assert cut.alpha[1:4, 1:4].max() < 0.05  # backdrop corner
    assert cut.alpha[-2:].max() < 0.2  # the SKU line at the bottom is gone
    # An alpha channel is taken as it is.
    bgra = np.dstack([shot, np.zeros(shot.shape[:2], np.uint8)])
    bgra[100:200, 150:300, 3] = 255
    cut = cut_out(bgra)
    assert cut.alpha.shape == (100 + 4, 150 + 4)
    # A photograph with no plain backdrop is kept whole.
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 255, (200, 300, 3), dtype=np.uint8)
    assert cut_out(noise).alpha.min() == 1.0


def test_overview_is_the_whole_room(showroom: ShowroomSet) -> None:
    overview = showroom.overview(720)
    assert overview.shape == (180, 720, 3)
