"""Named presets: saved in the camera and in the presets file, recalled, marked off."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from camera import visca
from camera.controller import CameraController
from camera.presets import PresetBook, PresetError
from camera.sim import CameraSimulator


def test_save_name_link_and_recall_a_preset(tmp_path: Path) -> None:
    book = PresetBook(tmp_path / "presets.json")
    with (
        CameraSimulator(profile="ptzoptics", transport="tcp") as sim,
        CameraController(sim.url) as cam,
    ):
        cam.move_to(300, 120).result(5)
        cam.zoom_to(0x1800).result(5)
        saved = book.save(cam, 7, "Watch case", sku="WT-4410", thumbnail=b"\xff\xd8jpeg")
        assert (saved.pan, saved.tilt, saved.zoom) == (300, 120, 0x1800)
        assert (tmp_path / str(saved.thumbnail)).read_bytes() == b"\xff\xd8jpeg"
        cam.home().result(5)
        assert not saved.holds(cam.refresh())
        cam.preset_recall(7).result(10)
        assert saved.holds(cam.refresh())
        assert (cam.state.preset, cam.state.off_preset) == (7, False)
        cam.drive(5, 0)
        time.sleep(0.1)
        cam.stop().result(2)
        assert cam.state.off_preset
        # Saving again keeps the name and product unless told otherwise.
        again = book.save(cam, 7)
        assert (again.name, again.sku) == ("Watch case", "WT-4410")
    # Another book object (another process) reads the same file; URL options do not matter.
    other = PresetBook(tmp_path / "presets.json")
    assert [p.name for p in other.presets(sim.url.split("?")[0] + "?profile=sony")] == [
        "Watch case"
    ]
    other.edit(sim.url, 7, name="Watch case, left")
    assert book.get(sim.url, 7).name == "Watch case, left"  # type: ignore[union-attr]
    book.forget(sim.url, 7)
    assert book.presets(sim.url) == []
    assert not (tmp_path / str(saved.thumbnail)).exists()


def test_a_damaged_presets_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "presets.json"
    path.write_text("{not json", encoding="utf-8")
    book = PresetBook(path)
    with pytest.raises(PresetError, match="cannot read"):
        book.presets("visca+udp://10.0.0.5")
    assert path.read_text(encoding="utf-8") == "{not json"


def test_a_refused_save_writes_nothing(tmp_path: Path) -> None:
    book = PresetBook(tmp_path / "presets.json")
    with (
        CameraSimulator(profile="sony", transport="udp") as sim,
        CameraController(sim.url) as cam,
    ):
        cam.submit(visca.power(cam.dialect, False))
        time.sleep(0.3)
        with pytest.raises(PresetError):
            book.save(cam, 2, "Standby")
    assert not (tmp_path / "presets.json").exists()
