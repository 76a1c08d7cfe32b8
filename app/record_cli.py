"""`vitrine record`: record a studio session from the command line.

    vitrine record --camera sim --seconds 30 --out session.mp4
    vitrine record --camera visca+udp://10.0.0.5:52381 --video rtsp://10.0.0.5/live --seconds 60 \\
        --out s.mp4 --client 0193…-… [--db BOOK]

`--camera sim` films the synthetic showroom with a simulated camera (the catalog's products
when the book has them). With `--client`, the recording is stored as a session of that
client in the book, with the same consent check as the Studio page, and the file is copied
into the book's media folder. Exit codes: 0 recorded, 1 recording failed, 2 bad arguments,
3 no consent to recording, 5 the video source gave no picture.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from app.clients import NotFoundError
from app.context import open_context
from app.studio import STUDIO_FOLDER, ConsentRequired, StudioService
from app.studio_session import showroom_products
from app.validation import ValidationError
from camera.record_cli import record
from camera.recording import RecordingError
from camera.sim import CameraSimulator
from camera.video import SourceSpecError, VideoSource, open_source

EXIT_FAILED = 1
EXIT_NO_CONSENT = 3
EXIT_NO_PICTURE = 5


def add_parser(verbs: Any, db_option: Any) -> None:
    rec = verbs.add_parser("record", help="record a studio session to a file")
    db_option(rec)
    rec.add_argument("--camera", required=True, help="a camera URL, or sim for the showroom")
    rec.add_argument("--video", default="uvc:0", help="the picture of a real camera")
    rec.add_argument("--seconds", type=float, required=True)
    rec.add_argument("--out", type=Path, required=True, help="the recording, NAME.mp4")
    rec.add_argument("--client", help="store the session in this client's profile")
    rec.add_argument("--width", type=int, default=1280)
    rec.add_argument("--height", type=int, default=720)


def _source(args: argparse.Namespace, products: list[Any]) -> tuple[VideoSource, Any]:
    if args.camera == "sim":
        sim = CameraSimulator(profile="sony", transport="udp").start()
        source = open_source(
            "synthetic", ptz_state=sim.state, products=products,
            width=args.width, height=args.height,
        )  # fmt: skip
        return source, sim
    return open_source(args.video), None


def run(args: argparse.Namespace, db_path: Path | None) -> int:
    if args.seconds <= 0:
        print("vitrine record: --seconds must be positive", file=sys.stderr)
        return 2
    client_id: uuid.UUID | None = None
    if args.client:
        try:
            client_id = uuid.UUID(args.client)
        except ValueError:
            print(f"vitrine record: {args.client!r} is not a client id", file=sys.stderr)
            return 2
    ctx = open_context(db_path) if (client_id or args.camera == "sim") and db_path else None
    try:
        products = []
        if ctx is not None:
            with ctx.unit_of_work() as s:
                products = showroom_products(s, ctx.db.media_dir)
                if client_id is not None and not StudioService(s.session, ctx.actor).may_record(
                    client_id
                ):
                    print("vitrine record: the client has not agreed to session recording",
                          file=sys.stderr)  # fmt: skip
                    return EXIT_NO_CONSENT
        elif client_id is not None:
            print("vitrine record: --client needs a book (--db)", file=sys.stderr)
            return 2
        try:
            source, sim = _source(args, products)
        except SourceSpecError as exc:
            print(f"vitrine record: {exc}", file=sys.stderr)
            return 2
        source.start()
        try:
            deadline = time.monotonic() + 10
            while source.latest() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            if source.latest() is None:
                print(f"vitrine record: no picture from {args.camera}: {source.status.message}",
                      file=sys.stderr)  # fmt: skip
                return EXIT_NO_PICTURE
            with source.subscribe(maxsize=16) as frames:

                def next_frame() -> Any:
                    got = frames.get(timeout=2.0)
                    return None if got is None else (got.image, got.t)

                result = record(next_frame, args.seconds, args.out)
        finally:
            source.stop()
            if sim is not None:
                sim.stop()
        print(
            f"{result.path}: {result.duration:.1f} s, {result.frames} frames, "
            f"{result.dropped} dropped" + (f", {result.error}" if result.error else "")
        )
        if ctx is not None and client_id is not None:
            relative = f"{STUDIO_FOLDER}/{uuid.uuid4().hex}.mp4"
            target = ctx.db.media_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(result.path, target)
            with ctx.unit_of_work() as s:
                studio = StudioService(s.session, ctx.actor)
                sid = studio.start(client_id, relative, camera=args.camera)
                for m in result.markers:
                    studio.add_marker(sid, round(m.t * 1000), m.kind, m.label or m.kind,
                                      sku=m.data.get("sku"))  # fmt: skip
                studio.finish(sid, round(result.duration * 1000), result.dropped,
                              result.width, result.height, interrupted=result.interrupted,
                              error=result.error)  # fmt: skip
            print(f"stored as session {sid} of client {client_id}")
        return 0 if result.error is None else EXIT_FAILED
    except ConsentRequired as exc:
        print(f"vitrine record: {exc}", file=sys.stderr)
        return EXIT_NO_CONSENT
    except (NotFoundError, ValidationError, ValueError) as exc:
        print(f"vitrine record: {exc}", file=sys.stderr)
        return 2
    except RecordingError as exc:
        print(f"vitrine record: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if ctx is not None:
            ctx.db.close()
