"""Look at and measure the synthetic showroom.

    python -m camera.video snapshot --pan 45 --tilt 0 --hfov 30 --out view.png
    python -m camera.video bench --size 1920x1080 --seconds 10 [--no-encoder]

`bench` films a camera that sweeps the room and zooms in and out, at 30 fps, while a libx264
encoder (zerolatency; ultrafast at 1080p, veryfast below, as the studio records) takes every
frame from a subscription on its own thread, then prints the cost of a frame and what was
lost, late or dropped.
"""

from __future__ import annotations

import argparse
import math
import statistics
import threading
import time
from fractions import Fraction

import av
import cv2

from camera.video.showroom import Pose, ShowroomProduct, ShowroomSet, SyntheticSource
from camera.video.source import Subscription


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    return int(width), int(height)


def _dressed_set() -> ShowroomSet:
    """A set with one placeholder card per place: the cost does not depend on the pictures."""
    return ShowroomSet([ShowroomProduct(f"BENCH-{n:02d}", f"Piece {n}") for n in range(43)])


def _sweep(started: float) -> Pose:
    t = time.monotonic() - started
    hfov = 63.7 * (2.3 / 63.7) ** (0.35 + 0.35 * math.sin(t * 0.9))  # 63.7° … about 10°
    return Pose(60.0 * math.sin(t * 0.4), 4.0 * math.sin(t * 0.7), hfov)


def _encode(queue: Subscription, width: int, height: int, counts: dict[str, int]) -> None:
    codec = av.CodecContext.create("libx264", "w")
    codec.width, codec.height = width, height
    codec.pix_fmt = "yuv420p"
    codec.time_base = Fraction(1, 1000)
    codec.options = {
        "preset": "ultrafast" if width * height > 1280 * 720 else "veryfast",
        "tune": "zerolatency",
        "g": "30",
    }
    first: float | None = None
    for frame in queue:
        first = frame.t if first is None else first
        picture = av.VideoFrame.from_ndarray(frame.image, format="bgr24")
        picture.pts = round((frame.t - first) * 1000)
        counts["packets"] += len(codec.encode(picture))
        counts["encoded"] += 1
    codec.encode(None)


def bench(width: int, height: int, seconds: float, encoder: bool) -> None:
    room = _dressed_set()
    source = SyntheticSource(width=width, height=height, showroom=room)
    started = time.monotonic()
    source.ptz_state = lambda: _sweep(started)
    # The cost of a frame on this thread alone, over the same sweep, close-ups made (a first
    # close-up of a product costs 10–15 ms once).
    for n in range(0, 600, 3):
        source.render(_sweep(started - n / 30))
    costs = []
    for n in range(90):
        t = time.perf_counter()
        source.render(_sweep(started - n / 30))
        costs.append(time.perf_counter() - t)
    counts = {"encoded": 0, "packets": 0}
    queue = source.subscribe(maxsize=8)
    worker = threading.Thread(target=_encode, args=(queue, width, height, counts))
    if encoder:
        worker.start()
    with source:
        time.sleep(seconds)
        live_cost = source.render_seconds
    if encoder:
        worker.join()
    print(f"{width}×{height}: a frame alone {statistics.median(costs) * 1000:.1f} ms median, "
          f"{max(costs) * 1000:.1f} ms worst")  # fmt: skip
    print(f"  live at 30 fps for {seconds:g} s{' with the encoder' if encoder else ''}: "
          f"{source.frames_seen} frames, {source.frames_lost} lost, {source.frames_late} late, "
          f"{live_cost * 1000:.1f} ms a frame (average)")  # fmt: skip
    if encoder:
        print(f"  encoder: {counts['encoded']} encoded, {queue.dropped} dropped from its queue")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m camera.video", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    snap = commands.add_parser("snapshot", help="write one view of the set to a picture")
    snap.add_argument("--pan", type=float, default=0.0)
    snap.add_argument("--tilt", type=float, default=0.0)
    snap.add_argument("--hfov", type=float, default=63.7)
    snap.add_argument("--size", type=_size, default=(1280, 720))
    snap.add_argument("--out", required=True)
    run = commands.add_parser("bench", help="measure the showroom at 30 fps")
    run.add_argument("--size", type=_size, default=(1280, 720))
    run.add_argument("--seconds", type=float, default=10.0)
    run.add_argument("--no-encoder", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        width, height = args.size
        view = _dressed_set().render_view(args.pan, args.tilt, args.hfov, width, height)
        if not cv2.imwrite(args.out, view):
            parser.error(f"cannot write {args.out}")
        return 0
    width, height = args.size
    bench(width, height, args.seconds, not args.no_encoder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
