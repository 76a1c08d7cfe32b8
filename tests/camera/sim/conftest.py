"""Simulators and raw-byte peers that are stopped and closed after each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from camera.sim import CameraSimulator
from tests.camera.sim.peers import Peer, RawUdpPeer, SerialPeer, SonyPeer, TcpPeer

Start = Callable[..., CameraSimulator]


@pytest.fixture
def start() -> Iterator[Start]:
    """start(profile, transport, faults=..., ...) -> a running simulator, stopped afterwards."""
    running: list[CameraSimulator] = []

    def make(*args: Any, **kwargs: Any) -> CameraSimulator:
        sim = CameraSimulator(*args, **kwargs).start()
        running.append(sim)
        return sim

    yield make
    for sim in running:
        sim.stop()


@pytest.fixture
def connect() -> Iterator[Callable[[CameraSimulator], Peer]]:
    """connect(sim) -> a bare-VISCA peer on the simulator's link (raw UDP, TCP or serial)."""
    peers: list[Peer] = []

    def make(sim: CameraSimulator) -> Peer:
        peer: Peer
        if sim.kind == "tcp":
            peer = TcpPeer(sim.host, sim.port)
        elif sim.kind == "serial":
            peer = SerialPeer(sim.path, sim.baud)
        elif sim.kind == "raw-udp":
            peer = RawUdpPeer(sim.host, sim.port)
        else:
            raise ValueError("use the sony fixture for the Sony header")
        peers.append(peer)
        return peer

    yield make
    for peer in peers:
        peer.close()


@pytest.fixture
def sony() -> Iterator[Callable[..., SonyPeer]]:
    peers: list[SonyPeer] = []

    def make(sim: CameraSimulator, **kwargs: Any) -> SonyPeer:
        peer = SonyPeer(sim.host, sim.port, **kwargs)
        peers.append(peer)
        return peer

    yield make
    for peer in peers:
        peer.close()
