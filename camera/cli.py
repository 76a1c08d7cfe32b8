"""`vitrine camera --camera URL ACTION`: drive a PTZ camera from a shell.

    status                         connection, position, zoom, power, last preset
    move left|right|up|down [--speed N] [--seconds S]   drive, then stop
    move --to PAN TILT [--speed N]                      absolute, in the camera's units
    move --by PAN TILT [--speed N]                      relative
    stop                           stop pan/tilt and zoom
    zoom in|out [--speed N] [--seconds S] | zoom --to N
    home
    preset save N [--name NAME] [--sku SKU] | preset recall N | preset list

Exit codes: 0 done, 2 bad arguments, 5 the camera cannot be reached or did not answer,
6 the camera refused the command.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from platformdirs import user_data_path

from camera.address import CameraAddress
from camera.controller import CameraController, CameraError, CameraNoAnswer, CameraOffline
from camera.presets import PresetBook, PresetError
from camera.visca import ViscaError, power_inquiry

EXIT_UNREACHABLE = 5
EXIT_REFUSED = 6
DIRECTIONS = {"left": (-1, 0), "right": (1, 0), "up": (0, 1), "down": (0, -1)}


def default_presets_path() -> Path:
    return user_data_path("Vitrine", appauthor=False) / "camera" / "presets.json"


def add_parser(verbs: Any) -> None:
    cam = verbs.add_parser("camera", help="drive a PTZ camera over VISCA")
    cam.add_argument("--camera", required=True, metavar="URL", help="e.g. visca+udp://host:52381")
    cam.add_argument("--timeout", type=float, default=3.0, help="seconds to wait for answers")
    cam.add_argument("--presets", type=Path, default=None, help="the presets file")
    actions = cam.add_subparsers(dest="camera_verb", metavar="ACTION", required=True)
    status = actions.add_parser("status", help="connection, position, zoom, power")
    status.add_argument("--json", action="store_true")
    move = actions.add_parser("move", help="drive, or move to/by a position")
    move.add_argument("direction", nargs="?", choices=sorted(DIRECTIONS))
    move.add_argument("--to", nargs=2, type=int, metavar=("PAN", "TILT"))
    move.add_argument("--by", nargs=2, type=int, metavar=("PAN", "TILT"))
    move.add_argument("--speed", type=int, default=8, help="VISCA speed (1 slow – 24 fast)")
    move.add_argument("--seconds", type=float, default=0.5, help="how long to drive")
    actions.add_parser("stop", help="stop pan/tilt and zoom")
    zoom = actions.add_parser("zoom", help="zoom in or out, or to a position")
    zoom.add_argument("direction", nargs="?", choices=("in", "out"))
    zoom.add_argument("--to", type=int, metavar="N")
    zoom.add_argument("--speed", type=int, default=4, help="1 slow – 8 fast")
    zoom.add_argument("--seconds", type=float, default=0.5)
    actions.add_parser("home", help="back to the home position")
    preset = actions.add_parser("preset", help="save, recall or list presets")
    preset_actions = preset.add_subparsers(dest="preset_verb", metavar="ACTION", required=True)
    save = preset_actions.add_parser("save", help="store the current framing")
    save.add_argument("number", type=int)
    save.add_argument("--name")
    save.add_argument("--sku", help="the product this preset frames")
    recall = preset_actions.add_parser("recall", help="move to a stored framing")
    recall.add_argument("number", type=int)
    listing = preset_actions.add_parser("list", help="the presets saved for this camera")
    listing.add_argument("--json", action="store_true")


def _wait(future: Any, timeout: float) -> Any:
    try:
        return future.result(timeout)
    except TimeoutError:
        raise CameraNoAnswer("the camera did not answer in time") from None


def _connected(camera: CameraController, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if camera.state.connected:
            return True
        time.sleep(0.02)
    return camera.state.connected


def run(args: argparse.Namespace) -> int:
    try:
        address = CameraAddress.parse(args.camera)
    except ViscaError as exc:
        print(f"vitrine camera: {exc}", file=sys.stderr)
        return 2
    book = PresetBook(args.presets or default_presets_path())
    verb = args.camera_verb
    if verb == "preset" and args.preset_verb == "list":
        return _list_presets(book, address, args.json)
    camera = CameraController(address, poll=False).start()
    try:
        return _act(camera, book, args)
    except (ViscaError, PresetError) as exc:
        print(f"vitrine camera: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ViscaError) else EXIT_REFUSED
    except CameraError as exc:
        print(f"vitrine camera: {exc}", file=sys.stderr)
        unanswered = isinstance(exc, (CameraOffline, CameraNoAnswer))
        return EXIT_UNREACHABLE if unanswered or not camera.state.connected else EXIT_REFUSED
    finally:
        camera.close()


def _reach(camera: CameraController, timeout: float) -> None:
    """Make contact before acting: an unreachable camera is reported as such, not as a
    command that timed out. A camera that only ignores inquiries is given the benefit."""
    try:
        camera.submit(power_inquiry(camera.dialect)).result(timeout)
    except CameraOffline:
        raise
    except (CameraError, TimeoutError):
        return  # a camera that only ignores (or refuses) inquiries is given the benefit


def _act(camera: CameraController, book: PresetBook, args: argparse.Namespace) -> int:
    verb, timeout = args.camera_verb, args.timeout
    if verb != "status":
        _reach(camera, timeout)
    if verb == "status":
        state = camera.refresh(timeout)
        if not state.connected and not _connected(camera, 0.2):
            print(f"vitrine camera: no answer from {camera.address.label}", file=sys.stderr)
            return EXIT_UNREACHABLE
        if args.json:
            print(json.dumps(asdict(state), indent=2))
        else:
            d = camera.dialect
            print(f"{camera.address.label}: connected")
            if state.pan is not None and state.tilt is not None:
                print(
                    f"  pan {state.pan} ({state.pan / d.pan_per_degree:+.1f}°), "
                    f"tilt {state.tilt} ({state.tilt / d.tilt_per_degree:+.1f}°)"
                )
            else:
                print("  position: the camera does not answer inquiries")
            if state.zoom is not None:
                print(f"  zoom {state.zoom} of {d.zoom_max}")
            if state.power is not None:
                print(f"  power {'on' if state.power else 'standby'}")
        return 0
    if verb == "move":
        picked = [x for x in (args.direction, args.to, args.by) if x]
        if len(picked) != 1:
            print("vitrine camera move: give a direction, --to or --by", file=sys.stderr)
            return 2
        if args.to:
            pan, tilt = args.to
            _wait(camera.move_to(pan, tilt, speed=args.speed), max(timeout, 30.0))
        elif args.by:
            pan, tilt = args.by
            _wait(camera.move_by(pan, tilt, speed=args.speed), max(timeout, 30.0))
        else:
            dx, dy = DIRECTIONS[args.direction]
            camera.drive(dx * args.speed, dy * args.speed)
            time.sleep(max(0.0, args.seconds))
            _wait(camera.stop(), timeout)
        return 0
    if verb == "stop":
        _wait(camera.stop(), timeout)
        _wait(camera.zoom_stop(), timeout)
        return 0
    if verb == "zoom":
        if (args.direction is None) == (args.to is None):
            print("vitrine camera zoom: give in, out or --to", file=sys.stderr)
            return 2
        if args.to is not None:
            _wait(camera.zoom_to(args.to), max(timeout, 30.0))
        else:
            camera.zoom(args.speed if args.direction == "in" else -args.speed)
            time.sleep(max(0.0, args.seconds))
            _wait(camera.zoom_stop(), timeout)
        return 0
    if verb == "home":
        _wait(camera.home(), max(timeout, 30.0))
        return 0
    if args.preset_verb == "save":
        preset = book.save(camera, args.number, args.name, args.sku, timeout=timeout)
        print(f"saved preset {preset.number} “{preset.name}”")
        return 0
    _wait(camera.preset_recall(args.number), max(timeout, 30.0))
    print(f"at preset {args.number}")
    return 0


def _list_presets(book: PresetBook, address: CameraAddress, as_json: bool) -> int:
    try:
        presets = book.presets(address.url)
    except PresetError as exc:
        print(f"vitrine camera: {exc}", file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps([asdict(p) for p in presets], indent=2, ensure_ascii=False))
        return 0
    if not presets:
        print("no presets saved for this camera")
    for p in presets:
        product = f"  [{p.sku}]" if p.sku else ""
        print(f"{p.number:3d}  {p.name}{product}")
    return 0
