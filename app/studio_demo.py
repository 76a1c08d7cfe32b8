"""The embedded default studio: a simulated Sony camera in this process, so the Studio page
works on a machine with no camera at all."""

from __future__ import annotations

from camera.sim import CameraSimulator


def start_demo_camera() -> CameraSimulator:
    """A simulated camera on a free loopback port; the caller stops it on exit."""
    return CameraSimulator(profile="sony", transport="udp", bind="127.0.0.1:0").start()
