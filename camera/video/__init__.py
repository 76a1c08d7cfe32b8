"""Video sources for the studio: USB (UVC) cameras, RTSP IP cameras, video files and the
synthetic showroom filmed by the simulated PTZ camera, all behind one interface. No Qt here:
`ui/` wraps a source for the preview and the recorder subscribes to it.

    from camera.video import open_source

    with open_source("synthetic", ptz_state=sim.state, products=products) as source:
        frame = source.latest()          # newest Frame or None; never blocks (preview)
        with source.subscribe(maxsize=8) as queue:   # every frame from now on (encoder)
            frame = queue.get(timeout=1.0)           # Frame, or None on timeout / closed
            queue.dropped                            # frames that found the queue full
        source.status                    # SourceStatus(state, message, error, attempts…)

Specs (`open_source(spec, **options)`; keywords override the query string):

    synthetic | sim | showroom [?width=1280&height=720&fps=30&overlay=1&noise=1]
        keywords: ptz_state=callable returning pan_deg/tilt_deg/hfov_deg (CameraState does),
        products=[ShowroomProduct…], showroom=ShowroomSet (shared, prebuilt)
    uvc:0 | uvc:/dev/video0 [?width=1920&height=1080&fps=30&fourcc=MJPG&buffer_size=1]
    rtsp://[user:password@]host[:port]/path        keywords: transport="tcp", open_timeout=5,
        read_timeout=5, max_lag=0.5, width/height (scale), options={FFmpeg options}
    file:PATH [?loop=1&realtime=1]                 a video file, looping, at its own rate

Frames: `Frame(image, t, index)`: `image` is H×W×3 uint8 BGR, C-contiguous and read-only
(shared by the preview and every subscriber: copy before drawing on it), `t` the
`time.monotonic()` of capture (stamp recordings with it), `index` 0, 1, 2… per source,
where a gap is frames the source itself lost (`frames_lost`).

Threads: each source captures on its own daemon thread. `latest()` reads one reference.
A `Subscription` is a bounded queue: a frame that does not fit is counted in `dropped` and
not queued, so a slow consumer never slows the source or the other subscribers. `stop()`
closes every subscription (`get()` then returns what is queued, then None).

Status: `source.status` is a frozen `SourceStatus`; `state` is one of STOPPED, OPENING,
LIVE, RETRYING (lost or not there yet; `retry_at` says when it tries again, with back-off
from `retry_first` doubling to `retry_limit` seconds) and FAILED (will not retry: a missing
or broken file). `add_status_listener(callback)` calls back on the capture thread at each
change; no error from a device or stream is raised to the caller. Counters on the source:
`frames_seen`, `frames_lost`, `frames_late` (paced sources), `reconnects`.
`width`/`height`/`fps` are what was asked until the source is live, then what it gives.

The showroom (see `camera.video.showroom`): the set spans the full circle around the camera;
pan is azimuth and tilt elevation, one pixel per the same angle both ways, the view is hfov
wide and hfov·height/width tall. `product_framing(sku)` gives the (pan_deg, tilt_deg,
hfov_deg) that frames a product; `zoom_for_hfov` turns the hfov into a zoom position.

`fit(frame, width, height)` scales a picture to fit a preview box (aspect kept, no bars).
"""

from camera.video.preview import fit, fit_size
from camera.video.showroom import (
    Framing,
    Pose,
    PtzView,
    ShowroomProduct,
    ShowroomSet,
    SyntheticSource,
    zoom_for_hfov,
)
from camera.video.source import (
    Backoff,
    Frame,
    SourceState,
    SourceStatus,
    Subscription,
    VideoSource,
)
from camera.video.spec import EXAMPLES, SourceSpecError, open_source
from camera.video.stream import StreamSource, redact
from camera.video.uvc import UvcSource

__all__ = [
    "EXAMPLES",
    "Backoff",
    "Frame",
    "Framing",
    "Pose",
    "PtzView",
    "ShowroomProduct",
    "ShowroomSet",
    "SourceSpecError",
    "SourceState",
    "SourceStatus",
    "StreamSource",
    "Subscription",
    "SyntheticSource",
    "UvcSource",
    "VideoSource",
    "fit",
    "fit_size",
    "open_source",
    "redact",
    "zoom_for_hfov",
]
