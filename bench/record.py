"""Recording at 1080p30 and 720p30: dropped frames and encoder CPU, against the ffmpeg CLI.

    python bench/record.py [--seconds 120] [--sizes 1080p30,720p30] [--preset-1080 P]
                           [--preset-720 P] [--crf N] [--keep DIR]

For each size, three threads run as in the studio:
1. capture: a synthetic source paced at 30 fps. By default (`--scene showroom`) the studio's
   own synthetic showroom (the demo catalog's products on the virtual set) filmed along a
   fixed pan/tilt/zoom path; `--scene texture` is a noisier textured picture panned and
   zoomed with cv2.warpAffine. Every frame goes to `Recorder.submit()` and, as the latest
   frame, to the preview;
2. preview: converts each latest frame as a Qt preview would (scaled to the widget's size,
   converted to RGB32);
3. the recorder's encoder thread (and libx264's own threads).
Goal: 0 dropped frames over the whole run.

Encoder CPU per frame = the process's CPU (user + sys, all threads, from getrusage) less
what the capture, preview and main threads used (each measures its own RUSAGE_THREAD). It
therefore includes the encoding thread, libx264's worker threads and the fsync thread.

Baseline: the `ffmpeg` command line encoding the same frames (regenerated, piped as raw
bgr24) with the same settings (libx264, preset, tune zerolatency, crf, keyframe interval,
yuv420p, fragmented MP4 with the same flags), its user + sys CPU from wait4(). Goal: ratio
<= 1.2. The two use different builds of libx264 (the PyAV wheel's and the system's); the
x264 core of each is printed.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.demo.catalog import make_catalog, render_product_image
from camera.recording import PRESETS, EncoderSettings, Recorder
from camera.video import ShowroomProduct, ShowroomSet

# OpenCV's worker threads would run the source's and the preview's work outside their own
# threads, and the CPU they use would be counted as the encoder's.
cv2.setNumThreads(1)

GOAL_DROPPED = 0
GOAL_RATIO = 1.2
FPS = 30


class MovingSource:
    """Frame i of a deterministic moving scene, generated on demand."""

    def __init__(self, width: int, height: int, seed: int = 7) -> None:
        self.width, self.height = width, height
        rng = np.random.default_rng(seed)
        big_w, big_h = int(width * 1.6), int(height * 1.6)
        base = np.zeros((big_h, big_w, 3), np.float32)
        # Noise at several scales: colour at the largest, detail in luminance.
        for scale, amplitude, channels in ((96, 70, 3), (24, 30, 1), (6, 14, 1), (1, 5, 1)):
            small = rng.standard_normal(
                (max(2, big_h // scale), max(2, big_w // scale), channels)
            ).astype(np.float32)
            if channels == 1:
                small = np.repeat(small, 3, axis=2)
            base += cv2.resize(small, (big_w, big_h), interpolation=cv2.INTER_CUBIC) * amplitude
        base += 128
        for _ in range(60):  # "products": flat boxes with labels, sharp edges
            x, y = int(rng.integers(0, big_w)), int(rng.integers(0, big_h))
            colour = tuple(int(c) for c in rng.integers(0, 255, 3))
            w, h = int(rng.integers(20, big_w // 8)), int(rng.integers(20, big_h // 8))
            cv2.rectangle(base, (x, y), (x + w, y + h), colour, -1)
            cv2.putText(
                base,
                f"SKU-{int(rng.integers(1000, 9999))}",
                (x, y),
                cv2.FONT_HERSHEY_SIMPLEX,
                height / 400,
                tuple(255 - c for c in colour),
                max(1, height // 300),
            )
        self.base = np.clip(base, 0, 255).astype(np.uint8)
        self.big_w, self.big_h = big_w, big_h

    def frame(self, i: int) -> np.ndarray:
        t = i / FPS
        zoom = 1.0 + 0.125 * (1 + math.sin(t * 0.7))
        cx = self.big_w / 2 + (self.big_w - self.width) / 2 * 0.8 * math.sin(t * 0.43)
        cy = self.big_h / 2 + (self.big_h - self.height) / 2 * 0.8 * math.sin(t * 0.31)
        matrix = np.array(
            [[zoom, 0, self.width / 2 - zoom * cx], [0, zoom, self.height / 2 - zoom * cy]],
            np.float32,
        )
        out = cv2.warpAffine(
            self.base,
            matrix,
            (self.width, self.height),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REFLECT,
        )
        r = self.height // 10
        x = int((self.width - 2 * r) * (0.5 + 0.5 * math.sin(t * 1.9))) + r
        y = int((self.height - 2 * r) * (0.5 + 0.5 * math.cos(t * 1.3))) + r
        cv2.circle(out, (x, y), r, (40, 200, 240), -1)
        cv2.putText(
            out,
            f"{i:06d}",
            (self.width // 20, self.height // 8),
            cv2.FONT_HERSHEY_SIMPLEX,
            self.height / 360,
            (255, 255, 255),
            max(2, self.height // 200),
        )
        return out


class ShowroomFrames:
    """Frame i of the studio's own synthetic source: the demo catalog's products on the
    virtual showroom set, filmed by a camera that pans, tilts and zooms along a fixed path
    (what `camera.video.SyntheticSource` renders from the simulated camera's pose)."""

    _set: ShowroomSet | None = None

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        if ShowroomFrames._set is None:
            folder = Path(tempfile.mkdtemp(prefix="vitrine-showroom-"))
            products = []
            for n, item in enumerate(make_catalog(random.Random(7), 43)):
                image = folder / f"{n}.png"
                render_product_image(item, image)
                products.append(ShowroomProduct(item.sku, item.name, item.brand, image))
            ShowroomFrames._set = ShowroomSet(products)
        self.showroom = ShowroomFrames._set

    def frame(self, i: int) -> np.ndarray:
        t = i / FPS
        pan = 60 * math.sin(t * 0.21)
        tilt = 6 * math.sin(t * 0.37)
        hfov = 36 + 22 * math.sin(t * 0.29)
        out = self.showroom.render_view(pan, tilt, hfov, self.width, self.height)
        cv2.putText(
            out, f"{i:06d}", (self.width // 20, self.height // 8), cv2.FONT_HERSHEY_SIMPLEX,
            self.height / 360, (255, 255, 255), max(2, self.height // 200),
        )  # fmt: skip
        return out


SCENES = {"showroom": ShowroomFrames, "texture": MovingSource}


def thread_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_THREAD)
    return r.ru_utime + r.ru_stime


def process_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def x264_core(path: Path) -> str:
    """The x264 build named in the stream's first SEI ("x264 - core 164 r3108 ...")."""
    with open(path, "rb") as f:
        head = f.read(1 << 20)
    found = re.search(rb"x264 - core (\d+)( r\d+ \w+)?", head)
    return found.group(0).decode() if found else "unknown"


@dataclass
class RunFigures:
    label: str
    settings: EncoderSettings
    seconds: float
    submitted: int
    encoded: int
    dropped: int
    max_queued: int
    encoder_cpu: float
    encoder_thread_cpu: float
    source_cpu: float
    preview_cpu: float
    previewed: int
    size_bytes: int
    x264: str
    late_frames: int  # the source itself fell behind its 30 fps schedule by > 1 frame


def record_run(
    label: str, settings: EncoderSettings, seconds: float, folder: Path, scene: str = "showroom"
) -> RunFigures:
    source = SCENES[scene](settings.width, settings.height)
    total = int(seconds * FPS)
    preview_box = (settings.width // 2, settings.height // 2)
    latest: list[np.ndarray | None] = [None]
    fresh = threading.Condition()
    done = threading.Event()
    cpu: dict[str, float] = {}
    counts = {"previewed": 0, "submitted": 0, "late": 0}
    path = folder / f"{label}.mp4"
    for leftover in folder.glob(f"{label}.*"):
        leftover.unlink()
    recorder = Recorder(path, settings)

    def preview() -> None:
        start = thread_cpu()
        shown = 0
        while True:
            with fresh:
                while latest[0] is None and not done.is_set():
                    fresh.wait(0.5)
                image, latest[0] = latest[0], None
            if image is None:
                break
            scaled = cv2.resize(image, preview_box, interpolation=cv2.INTER_AREA)
            cv2.cvtColor(scaled, cv2.COLOR_BGR2BGRA)  # QImage.Format_RGB32's byte order
            shown += 1
        counts["previewed"] = shown
        cpu["preview"] = thread_cpu() - start

    def capture() -> None:
        start_cpu = thread_cpu()
        start = time.monotonic()
        for i in range(total):
            due = start + i / FPS
            now = time.monotonic()
            if now < due:
                time.sleep(due - now)
            elif now - due > 1 / FPS:
                counts["late"] += 1
            image = source.frame(i)
            recorder.submit(image, time.monotonic())
            counts["submitted"] += 1
            with fresh:
                latest[0] = image
                fresh.notify()
        cpu["source"] = thread_cpu() - start_cpu

    main_cpu = thread_cpu()
    process_start = process_cpu()
    recorder.start()
    threads = [
        threading.Thread(target=preview, name="preview"),
        threading.Thread(target=capture, name="capture"),
    ]
    for t in threads:
        t.start()
    max_queued = 0
    last_print = time.monotonic()
    while threads[1].is_alive():
        max_queued = max(max_queued, recorder.queued)
        if time.monotonic() - last_print >= 10:
            last_print = time.monotonic()
            print(
                f"  {label}: {recorder.elapsed:5.0f} s, {recorder.frames} encoded, "
                f"{recorder.dropped} dropped, queue {recorder.queued}",
                file=sys.stderr,
            )
        time.sleep(0.02)
    threads[1].join()
    result = recorder.stop()
    done.set()
    with fresh:
        fresh.notify()
    threads[0].join()
    process_used = process_cpu() - process_start
    main_used = thread_cpu() - main_cpu
    if result.error:
        print(f"  {label}: {result.error}", file=sys.stderr)
    return RunFigures(
        label=label,
        settings=settings,
        seconds=seconds,
        submitted=counts["submitted"],
        encoded=result.frames,
        dropped=result.dropped,
        max_queued=max_queued,
        encoder_cpu=process_used - cpu["source"] - cpu["preview"] - main_used,
        encoder_thread_cpu=recorder.encoder_cpu_seconds,
        source_cpu=cpu["source"],
        preview_cpu=cpu["preview"],
        previewed=counts["previewed"],
        size_bytes=result.size_bytes,
        x264=x264_core(result.path),
        late_frames=counts["late"],
    )


def ffmpeg_run(
    settings: EncoderSettings, frames: int, out: Path, paced: bool = False, scene: str = "showroom"
) -> tuple[float, str]:
    """The ffmpeg CLI's user + sys CPU to encode the same frames with the same settings.

    Frames are piped as fast as ffmpeg takes them, or with `paced` at 30 fps as a camera
    delivers them (libx264's threads then wake for every frame, as in the recorder).
    """
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise SystemExit("ffmpeg is needed for the baseline: apt-get install ffmpeg")
    s = settings
    command = [
        exe, "-v", "error", "-y", "-nostdin",
        "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{s.width}x{s.height}",
        "-framerate", str(s.fps), "-i", "-",
        "-c:v", "libx264", "-preset", s.preset, "-tune", s.tune, "-crf", str(s.crf),
        "-g", str(s.gop), "-pix_fmt", "yuv420p",
        "-colorspace", "smpte170m", "-color_range", "tv",
        "-movflags", "frag_keyframe+empty_moov+default_base_moof", "-flush_packets", "1",
        str(out),
    ]  # fmt: skip
    source = SCENES[scene](s.width, s.height)
    child = subprocess.Popen(command, stdin=subprocess.PIPE)
    assert child.stdin is not None
    start = time.monotonic()
    for i in range(frames):
        if paced:
            time.sleep(max(0.0, start + i / FPS - time.monotonic()))
        child.stdin.write(source.frame(i).tobytes())
    child.stdin.close()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"ffmpeg failed ({child.returncode}): {' '.join(command)}")
    return usage.ru_utime + usage.ru_stime, x264_core(out)


def report(run: RunFigures, ffmpeg_cpu: float, ffmpeg_x264: str, paced_cpu: float | None) -> None:
    s = run.settings
    per_frame = run.encoder_cpu / max(1, run.encoded) * 1000
    baseline = ffmpeg_cpu / max(1, run.encoded) * 1000
    ratio = per_frame / baseline if baseline else float("inf")
    rate = run.size_bytes * 8 / run.seconds / 1e6
    print(
        f"{run.label} ({s.width}x{s.height}, {s.preset}, tune {s.tune}, crf {s.crf}, "
        f"keyframe every {s.gop} frames), {run.seconds:.0f} s:"
    )
    print(
        f"  frames: {run.submitted} submitted, {run.encoded} encoded, {run.dropped} dropped "
        f"(goal {GOAL_DROPPED}: {'ok' if run.dropped <= GOAL_DROPPED else 'MISSED'}), "
        f"queue high-water {run.max_queued}, source late {run.late_frames} times"
    )
    print(
        f"  encoder CPU: {per_frame:.2f} ms/frame (encoding thread alone "
        f"{run.encoder_thread_cpu / max(1, run.encoded) * 1000:.2f} ms; "
        f"{run.encoder_cpu / run.seconds * 100:.0f}% of a core)"
    )
    print(f"  ffmpeg CLI, same frames and settings: {baseline:.2f} ms/frame user+sys")
    print(
        f"  ratio {ratio:.2f} (goal <= {GOAL_RATIO}: {'ok' if ratio <= GOAL_RATIO else 'MISSED'})"
    )
    if paced_cpu is not None:
        paced = paced_cpu / max(1, run.encoded) * 1000
        print(
            f"  ffmpeg CLI fed at 30 fps in real time: {paced:.2f} ms/frame "
            f"(recorder / paced ffmpeg {per_frame / paced:.2f})"
        )
    print(
        f"  capture source {run.source_cpu / max(1, run.submitted) * 1000:.2f} ms/frame, "
        f"preview {run.preview_cpu / max(1, run.previewed) * 1000:.2f} ms/frame "
        f"({run.previewed} shown); file {run.size_bytes / 1e6:.1f} MB ({rate:.1f} Mbit/s)"
    )
    print(f"  x264: recorder {run.x264}; ffmpeg CLI {ffmpeg_x264}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--sizes", default="1080p30,720p30", help="from: " + ", ".join(PRESETS))
    parser.add_argument("--preset-1080", help="x264 preset for 1080p30 (default: the recorder's)")
    parser.add_argument("--preset-720", help="x264 preset for 720p30 (default: the recorder's)")
    parser.add_argument("--crf", type=int, help="quality (default: the recorder's)")
    parser.add_argument("--keep", type=Path, help="keep the files in this folder")
    parser.add_argument(
        "--scene",
        choices=sorted(SCENES),
        default="showroom",
        help="showroom: the studio's synthetic showroom; texture: a noisier moving texture",
    )
    parser.add_argument(
        "--paced-baseline",
        action="store_true",
        help="also time the ffmpeg CLI fed at 30 fps in real time (as long again)",
    )
    args = parser.parse_args()
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    print(f"{os.cpu_count()} CPUs, load average {' '.join(load)} before the runs")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="vitrine-record-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for label in args.sizes.split(","):
            settings = PRESETS[label]
            override = args.preset_1080 if settings.height >= 1080 else args.preset_720
            if override:
                settings = replace(settings, preset=override)
            if args.crf is not None:
                settings = replace(settings, crf=args.crf)
            run = record_run(label, settings, args.seconds, folder, args.scene)
            baseline = folder / f"{label}.ffmpeg.mp4"
            ffmpeg_cpu, ffmpeg_x264 = ffmpeg_run(settings, run.encoded, baseline, scene=args.scene)
            paced_cpu = None
            if args.paced_baseline:
                paced_cpu, _ = ffmpeg_run(
                    settings, run.encoded, baseline, paced=True, scene=args.scene
                )
            report(run, ffmpeg_cpu, ffmpeg_x264, paced_cpu)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    print(f"load average {' '.join(load)} after the runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
