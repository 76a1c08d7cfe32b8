"""One showroom set for the module's tests (building one takes most of a second), products
with pictures that tests can recognise, and simulators stopped after each test."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from camera.sim import CameraSimulator
from camera.video import ShowroomProduct, ShowroomSet, VideoSource
from tests.camera.video.media import product_shot

# Pure colours for the first products, so a test can tell which one is in the picture.
COLOURS = {
    "RED-1": (20, 20, 230),
    "GREEN-2": (40, 200, 40),
    "BLUE-3": (220, 60, 20),
    "BLACK-4": (25, 25, 25),
}


def products(count: int = 12) -> list[ShowroomProduct]:
    items = []
    for n, (sku, colour) in enumerate(COLOURS.items()):
        image = product_shot(colour, shape="disc" if n % 2 else "box")
        items.append(ShowroomProduct(sku, f"Piece {n}", "Maison Test", image, "EUR 1 200"))
    for n in range(len(items), count):
        grey = 60 + 10 * n
        image = product_shot((grey, 120, 200 - grey // 2), shape="box")
        items.append(ShowroomProduct(f"ITEM-{n}", f"Item {n}", "Valcourt", image, "EUR 300"))
    return items


@pytest.fixture(scope="session")
def showroom() -> ShowroomSet:
    return ShowroomSet(products())


@pytest.fixture
def simulator() -> Iterator[CameraSimulator]:
    with CameraSimulator(profile="sony", transport="udp") as sim:
        yield sim


def until(check: Callable[[], bool], timeout: float = 5.0, step: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return check()


@pytest.fixture
def sources() -> Iterator[Callable[[VideoSource], VideoSource]]:
    """started(source) -> the source, started, and stopped after the test whatever happens."""
    running: list[VideoSource] = []

    def started(source: VideoSource) -> VideoSource:
        running.append(source)
        return source.start()

    yield started
    for source in running:
        assert source.stop(timeout=5.0), f"{source.name} did not stop"
