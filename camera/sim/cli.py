"""`vitrine camera-sim`: run a simulated PTZ camera until interrupted, printing the URL a
client connects to.

    vitrine camera-sim --profile ptzoptics --transport tcp --bind 127.0.0.1:5678
    vitrine camera-sim --profile sony --bind 127.0.0.2:52381 --faults drop=0.1,delay=20ms -v

Exit codes: 0 after SIGINT/SIGTERM, 1 when the link cannot be opened, 2 for a bad option.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from types import FrameType
from typing import Any

from camera.sim.faults import Faults, FaultSpecError
from camera.sim.profiles import PROFILES, TRANSPORTS, get_profile
from camera.sim.simulator import BAUD_RATES, CameraSimulator, parse_bind

_PORTS = {"udp": 52381, "raw-udp": 1259, "tcp": 5678}


def add_parser(verbs: Any) -> None:
    sim = verbs.add_parser(
        "camera-sim",
        help="run a simulated VISCA PTZ camera",
        description="Run a simulated VISCA PTZ camera until interrupted (Ctrl-C or SIGTERM).",
    )
    sim.add_argument("--profile", choices=sorted(PROFILES), default="sony")
    sim.add_argument(
        "--transport", choices=TRANSPORTS, default=None, help="default: the profile's usual link"
    )
    sim.add_argument(
        "--bind",
        default=None,
        metavar="ADDR",
        help="HOST:PORT to listen on (default: 127.0.0.1 and the link's usual port; "
        "port 0 picks a free one; clients that bind local port 52381 themselves need the "
        "simulator on another address, e.g. 127.0.0.2:52381)",
    )
    sim.add_argument("--faults", default="", metavar="SPEC", help="e.g. drop=0.1,delay=20ms")
    sim.add_argument("--seed", type=int, default=None, help="make injected faults repeatable")
    sim.add_argument("--address", type=int, default=1, choices=range(1, 8), metavar="1-7")
    sim.add_argument("--baud", type=int, default=9600, choices=BAUD_RATES)
    sim.add_argument(
        "--reply-port", type=int, default=None, help="UDP: reply to this port, not the source's"
    )
    sim.add_argument(
        "-v", "--verbose", dest="sim_verbose", action="store_true", help="log every message"
    )


def run(args: argparse.Namespace) -> int:
    try:
        faults = Faults.parse(args.faults, args.seed)
    except FaultSpecError as exc:
        print(f"vitrine camera-sim: bad --faults: {exc}", file=sys.stderr)
        return 2
    overrides = {"reply_port": args.reply_port} if args.reply_port else {}
    profile = get_profile(args.profile, **overrides)
    transport = args.transport or profile.transport
    if args.sim_verbose:
        logger = logging.getLogger("camera.sim")
        logger.setLevel(logging.DEBUG)
        if not logging.getLogger().handlers:
            logging.basicConfig(format="%(asctime)s %(name)s: %(message)s")
    bind = args.bind or f"127.0.0.1:{_PORTS.get(transport, 0)}"
    try:
        parse_bind(bind)
        simulator = CameraSimulator(profile, transport, bind, faults, args.address, baud=args.baud)
    except ValueError as exc:
        print(f"vitrine camera-sim: {exc}", file=sys.stderr)
        return 2
    try:
        simulator.start()
    except OSError as exc:
        print(
            f"vitrine camera-sim: cannot open {transport} on {bind}: {exc.strerror or exc} "
            "(try --bind 127.0.0.1:0)",
            file=sys.stderr,
        )
        return 1
    finished = threading.Event()

    def finish(signum: int, frame: FrameType | None) -> None:
        finished.set()

    previous = {sig: signal.signal(sig, finish) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(simulator.url, flush=True)
        note = f" with faults {faults.spec()}" if faults.active else ""
        print(f"{profile.summary}{note}; Ctrl-C stops it.", file=sys.stderr, flush=True)
        while not finished.wait(0.5):
            pass
    finally:
        simulator.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
