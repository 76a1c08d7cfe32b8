"""The Studio page against the camera simulator: the pad drives while held and STOPs on
release, keys do the same, presets save and recall, the off-preset mark shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from app.camera_link import CameraLink
from camera.presets import PresetBook
from camera.sim import CameraSimulator
from ui.pages.studio import StudioPage

TIMEOUT_MS = 5_000


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[CameraSimulator, StudioPage]]:
    with CameraSimulator(profile="sony", transport="udp") as sim:
        link = CameraLink(PresetBook(tmp_path / "presets.json"))
        page = StudioPage(link, [sim.url])
        qtbot.addWidget(page)
        page.resize(1200, 760)
        page.show()
        link.open(sim.url)
        qtbot.waitUntil(lambda: link.state is not None and link.state.connected, timeout=TIMEOUT_MS)
        yield sim, page
        link.shutdown()


def test_holding_the_pad_drives_and_letting_go_stops(
    qtbot: QtBot, rig: tuple[CameraSimulator, StudioPage]
) -> None:
    sim, page = rig
    button = page.pad_buttons["Right"]
    qtbot.mousePress(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sim.state().pan_tilt_moving, timeout=TIMEOUT_MS)
    qtbot.wait(150)
    qtbot.mouseRelease(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not sim.state().pan_tilt_moving, timeout=TIMEOUT_MS)
    assert sim.state().pan_deg > 0
    stopped = sim.state().pan
    qtbot.wait(200)
    assert sim.state().pan == stopped


def test_arrow_keys_drive_while_held_and_leaving_the_page_stops(
    qtbot: QtBot, rig: tuple[CameraSimulator, StudioPage]
) -> None:
    sim, page = rig
    page.setFocus()
    qtbot.keyPress(page, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: sim.state().pan_tilt_moving, timeout=TIMEOUT_MS)
    qtbot.keyRelease(page, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: not sim.state().pan_tilt_moving, timeout=TIMEOUT_MS)
    assert sim.state().tilt_deg > 0
    qtbot.keyPress(page, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: sim.state().pan_tilt_moving, timeout=TIMEOUT_MS)
    page.hide()  # the key is never released here: hiding the page must still stop
    qtbot.waitUntil(lambda: not sim.state().pan_tilt_moving, timeout=TIMEOUT_MS)
    qtbot.keyPress(page, Qt.Key.Key_Plus)
    qtbot.waitUntil(lambda: sim.state().zoom_moving, timeout=TIMEOUT_MS)
    qtbot.keyRelease(page, Qt.Key.Key_Plus)
    qtbot.waitUntil(lambda: not sim.state().zoom_moving, timeout=TIMEOUT_MS)


def test_presets_save_on_ctrl_click_recall_on_click_and_show_off_preset(
    qtbot: QtBot, rig: tuple[CameraSimulator, StudioPage]
) -> None:
    sim, page = rig
    link = page.link
    link.drive(1, 1)
    qtbot.waitUntil(lambda: sim.state().pan_tilt_moving, timeout=TIMEOUT_MS)
    qtbot.wait(200)
    link.stop()
    qtbot.waitUntil(lambda: not sim.state().pan_tilt_moving, timeout=TIMEOUT_MS)
    saved_at = (sim.state().pan, sim.state().tilt)

    def slot_rect(slot: int) -> QPoint:
        return page.preset_grid.visualItemRect(page.preset_grid.item(slot)).center()

    viewport = page.preset_grid.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     slot_rect(2))  # fmt: skip
    qtbot.waitUntil(lambda: 2 in page._presets, timeout=TIMEOUT_MS)
    assert "Empty" not in page.preset_grid.item(2).text()
    assert 2 in sim.state().presets
    link.home()
    qtbot.waitUntil(lambda: (sim.state().pan, sim.state().tilt) == (0, 0), timeout=TIMEOUT_MS)
    recalled: list[int] = []
    link.presetRecalled.connect(lambda n, _p: recalled.append(n))
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=slot_rect(2))
    qtbot.waitUntil(lambda: recalled == [2], timeout=TIMEOUT_MS)
    assert (sim.state().pan, sim.state().tilt) == saved_at
    qtbot.waitUntil(lambda: page.off_preset.text().startswith("At 3"), timeout=TIMEOUT_MS)
    link.drive(-1, 0)
    qtbot.waitUntil(lambda: page.off_preset.text().startswith("Off preset 3"), timeout=TIMEOUT_MS)
    link.stop()


def test_letting_go_of_a_moving_camera_stops_it_first(
    qtbot: QtBot, rig: tuple[CameraSimulator, StudioPage]
) -> None:
    sim, page = rig
    page.link.drive(1, 0)
    qtbot.waitUntil(lambda: sim.state().pan_tilt_moving, timeout=TIMEOUT_MS)
    page.link.shutdown()  # the window closing
    assert not sim.state().pan_tilt_moving


def test_a_preset_is_linked_to_a_product_picked_from_the_set(
    qtbot: QtBot, rig: tuple[CameraSimulator, StudioPage], monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QInputDialog

    _sim, page = rig
    page.set_products([("VC-WAT-0001", "Diver 300"), ("VC-RNG-0002", "Solitaire")])
    page.save_preset(0, "Left wall")
    qtbot.waitUntil(lambda: 0 in page._presets, timeout=TIMEOUT_MS)
    offered: list[list[str]] = []

    def pick(*args: object) -> tuple[str, bool]:
        choices = list(args[3])  # type: ignore[call-overload]
        offered.append(choices)
        return choices[2], True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(pick))
    page._link_product(page._presets[0])
    qtbot.waitUntil(lambda: page._presets[0].sku == "VC-RNG-0002", timeout=TIMEOUT_MS)
    assert offered == [["No product", "Diver 300 · VC-WAT-0001", "Solitaire · VC-RNG-0002"]]
    assert "VC-RNG-0002" in page.preset_grid.item(0).text()
