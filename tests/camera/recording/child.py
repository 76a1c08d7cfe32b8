"""A recording process for the crash and disk-full tests: python child.py MODE PATH [LIMIT].

crash       records at 30 fps in real time with a marker every second until it is killed;
            prints "first T" (the first frame's clock reading), then "marker T" after each
            marker is on disk.
disk-full   the same, under RLIMIT_FSIZE = LIMIT bytes, until the recorder reports a write
            error; then lifts the limit (room again), stops and prints the result as JSON.
still-full  like disk-full, but the limit drops to 1 kB before stop(): finishing fails too.
"""

from __future__ import annotations

import json
import resource
import signal
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from camera.recording import Recorder, RecordingError
from tests.camera.recording.helpers import SMALL, frame


def main() -> int:
    mode, path = sys.argv[1], sys.argv[2]
    if mode in ("disk-full", "still-full"):
        # A file may not grow past LIMIT: writes then fail with EFBIG, as on a full disk
        # they fail with ENOSPC. Ignore the signal, or the kernel kills the process instead.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = int(sys.argv[3])
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    recorder = Recorder(path, SMALL)
    recorder.start()
    start = time.monotonic()
    index = 0
    while True:
        due = start + index / 30
        time.sleep(max(0.0, due - time.monotonic()))
        now = time.monotonic()
        if not recorder.submit(frame(index), now) and recorder.error:
            break
        if index == 0:
            print(f"first {now!r}", flush=True)
        if index % 30 == 15:
            try:
                marker = recorder.mark("product", f"SKU-{index}", now, {"sku": f"SKU-{index}"})
            except RecordingError:
                break  # the write error came between submit() and mark()
            print(f"marker {marker.at!r}", flush=True)
        index += 1
        if mode != "crash" and index > 30 * 30:
            print("no error after 30 s", flush=True)
            return 1
    print(f"encoded {recorder.frames}", flush=True)
    if mode == "disk-full":
        resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,) * 2)
    elif mode == "still-full":
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, resource.RLIM_INFINITY))
    result = recorder.stop()
    data = asdict(result)
    data["path"] = str(result.path)
    data["sidecar"] = str(result.sidecar)
    print("result " + json.dumps(data), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
