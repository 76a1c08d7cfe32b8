"""PTZ control latency: from a move request to its datagram on the wire, and STOP delivery
under loss, each against the loopback round-trip time as the baseline.

    python bench/ptz_latency.py [--moves 2000] [--stops 300] [--drop 0.2]

1. Request to wire: a `CameraController` drives a bare UDP peer that answers like a Sony
   camera (ACK, completion). Each `drive()` call is timed from the call until the peer's
   socket hands over the datagram. Goal: p99 <= 5 ms.
2. STOP under loss: the simulator (Sony profile, VISCA over IP) drops the given share of
   datagrams each way. The camera is driven, then stopped; the time from `stop()` until the
   simulated head has stopped is measured. Goal: p99 <= 100 ms at 20 % loss.

Baseline: a UDP ping-pong between two threads of this process over loopback (the same
interpreter, the same GIL), the least any request-to-wire path can cost.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import struct
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from camera.controller import CameraController
from camera.sim import CameraSimulator

GOAL_WIRE_P99_MS = 5.0
GOAL_STOP_P99_MS = 100.0


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))]


def loopback_rtt(rounds: int) -> list[float]:
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    b.bind(("127.0.0.1", 0))

    def echo() -> None:
        for _ in range(rounds):
            data, peer = b.recvfrom(64)
            b.sendto(data, peer)

    t = threading.Thread(target=echo, daemon=True)
    t.start()
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        a.sendto(b"\x81\x09\x04\x00\xff", b.getsockname())
        a.recvfrom(64)
        out.append(time.perf_counter() - start)
    t.join()
    a.close()
    b.close()
    return out


class Peer:
    """A Sony-speaking UDP peer that timestamps every datagram as it arrives."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.arrivals: list[tuple[float, bytes]] = []
        self.arrived = threading.Condition()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                data, peer = self.sock.recvfrom(64)
            except OSError:
                return
            now = time.perf_counter()
            with self.arrived:
                self.arrivals.append((now, data[8:]))
                self.arrived.notify_all()
            kind, _len, seq = struct.unpack(">HHI", data[:8])
            if kind == 0x0200:
                replies = [(0x0201, b"\x01")]
            elif data[9] == 0x09:
                replies = [(0x0111, b"\x90\x50\x02\xff")]
            else:
                replies = [(0x0111, b"\x90\x41\xff"), (0x0111, b"\x90\x51\xff")]
            for rtype, payload in replies:
                self.sock.sendto(struct.pack(">HHI", rtype, len(payload), seq) + payload, peer)

    def wait_for(self, count: int, timeout: float = 2.0) -> float:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.arrivals) >= count, timeout)
            return self.arrivals[count - 1][0]


def request_to_wire(moves: int) -> list[float]:
    peer = Peer()
    out = []
    with CameraController(f"visca+udp://127.0.0.1:{peer.port}?profile=sony", poll=False) as cam:
        deadline = time.monotonic() + 2
        while not cam.state.connected and time.monotonic() < deadline:
            time.sleep(0.01)
        for i in range(moves):
            count = len(peer.arrivals) + 1
            speed = 1 + i % 20
            start = time.perf_counter()
            cam.drive(speed if i % 2 else -speed, 0)
            arrived = peer.wait_for(count)
            out.append(arrived - start)
            time.sleep(0.002)  # a joystick sends a few dozen requests a second, not thousands
        cam.stop().result(2)
    peer.sock.close()
    return out


def stop_under_loss(stops: int, drop: float, seed: int) -> tuple[list[float], int]:
    out = []
    lost = 0
    faults = f"drop={drop},seed={seed}"
    with (
        CameraSimulator(profile="sony", transport="udp", faults=faults) as sim,
        CameraController(sim.url, poll=False) as cam,
    ):
        for _ in range(stops):
            cam.drive(6 if sim.state().pan_deg < 0 else -6, 0)
            deadline = time.monotonic() + 2
            while not sim.state().moving and time.monotonic() < deadline:
                time.sleep(0.001)
            time.sleep(0.02)
            start = time.perf_counter()
            cam.stop()
            deadline = time.monotonic() + 5
            while sim.state().moving and time.monotonic() < deadline:
                time.sleep(0.0005)
            if sim.state().moving:
                lost += 1
            else:
                out.append(time.perf_counter() - start)
            time.sleep(0.01)
    return out, lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=2000)
    parser.add_argument("--stops", type=int, default=300)
    parser.add_argument("--drop", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rtt = loopback_rtt(2000)
    rtt50, rtt99 = percentile(rtt, 50) * 1e3, percentile(rtt, 99) * 1e3
    print(f"baseline: loopback UDP round trip p50 {rtt50:.3f} ms, p99 {rtt99:.3f} ms")

    wire = request_to_wire(args.moves)
    w50, w99 = percentile(wire, 50) * 1e3, percentile(wire, 99) * 1e3
    verdict = "ok" if w99 <= GOAL_WIRE_P99_MS else "MISSED"
    print(
        f"move request to wire ({len(wire)} moves): p50 {w50:.3f} ms, p99 {w99:.3f} ms, "
        f"max {max(wire) * 1e3:.2f} ms; p99 / baseline p99 = {w99 / rtt99:.1f}x "
        f"(goal p99 <= {GOAL_WIRE_P99_MS:.0f} ms: {verdict})"
    )

    stops, lost = stop_under_loss(args.stops, args.drop, args.seed)
    if stops:
        s50, s99 = percentile(stops, 50) * 1e3, percentile(stops, 99) * 1e3
        verdict = "ok" if s99 <= GOAL_STOP_P99_MS and not lost else "MISSED"
        print(
            f"STOP landed at {args.drop:.0%} loss each way ({len(stops)} stops, {lost} never "
            f"landed): p50 {s50:.1f} ms, p99 {s99:.1f} ms, max {max(stops) * 1e3:.1f} ms, "
            f"mean {statistics.fmean(stops) * 1e3:.1f} ms; p99 / baseline p99 = "
            f"{s99 / rtt99:.0f}x (goal p99 <= {GOAL_STOP_P99_MS:.0f} ms: {verdict})"
        )


if __name__ == "__main__":
    main()
