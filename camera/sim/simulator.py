"""`CameraSimulator`: a profile, a camera model and one transport, started and stopped together.

with CameraSimulator(profile="sony", transport="udp") as sim:
    connect_to(sim.url)          # visca+udp://127.0.0.1:41234?profile=sony
    frame_from(sim.state())      # cheap, any thread, never blocks on the network threads
"""

from __future__ import annotations

from dataclasses import replace
from types import TracebackType

from camera.sim.faults import Dice, Faults
from camera.sim.link import Transport
from camera.sim.model import CameraModel
from camera.sim.profiles import TRANSPORTS, Profile, get_profile
from camera.sim.state import CameraState

_SCHEMES = {"udp": "visca+udp", "raw-udp": "visca+rawudp", "tcp": "visca+tcp"}
BAUD_RATES = (2400, 4800, 9600, 19200, 38400)


def parse_bind(text: str, default_port: int = 0) -> tuple[str, int]:
    """`HOST:PORT`, `HOST`, `:PORT` or `[IPv6]:PORT`; the host defaults to 127.0.0.1."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest.removeprefix(":")
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    elif text.isdigit():
        host, port_text = "", text
    else:
        host, port_text = text, ""
    try:
        port = int(port_text) if port_text else default_port
    except ValueError:
        raise ValueError(f"bad port in {text!r}") from None
    if not 0 <= port <= 65535:
        raise ValueError(f"port out of range in {text!r}")
    return host or "127.0.0.1", port


class CameraSimulator:
    """A simulated PTZ camera on one link.

    `transport` is udp (Sony header), raw-udp, tcp or serial; None takes the profile's usual
    link. `bind` is ignored for serial, which opens a pty. Over IP the camera address is always
    1 (Sony: any other value counts as 1); on serial it is `address` until an Address Set.
    """

    def __init__(
        self,
        profile: str | Profile = "sony",
        transport: str | None = None,
        bind: str = "127.0.0.1:0",
        faults: str | Faults = "",
        address: int = 1,
        *,
        seed: int | None = None,
        baud: int = 9600,
    ) -> None:
        self.profile = get_profile(profile) if isinstance(profile, str) else profile
        kind = transport or self.profile.transport
        if kind not in TRANSPORTS:
            raise ValueError(f"unknown transport {kind!r} (known: {', '.join(TRANSPORTS)})")
        if baud not in BAUD_RATES:
            raise ValueError(f"baud must be one of {BAUD_RATES}")
        if isinstance(faults, str):
            self.faults = Faults.parse(faults, seed)
        else:
            self.faults = faults if seed is None else replace(faults, seed=seed)
        self.kind = kind
        self.baud = baud
        dice = Dice(self.faults)
        self.model = CameraModel(
            self.profile,
            address=address,
            over_ip=kind != "serial",
            faults=self.faults,
            dice=dice,
        )
        self._transport: Transport
        if kind == "serial":
            from camera.sim.pty_serial import SerialTransport  # POSIX only

            self._transport = SerialTransport(self.model, dice, baud)
        elif kind == "tcp":
            from camera.sim.tcp import TcpTransport

            host, port = parse_bind(bind)
            self._transport = TcpTransport(self.model, dice, host, port)
        else:
            from camera.sim.udp import UdpTransport

            host, port = parse_bind(bind)
            self._transport = UdpTransport(self.model, dice, host, port, header=kind == "udp")
        self._running = False

    def start(self) -> CameraSimulator:
        if not self._running:
            self.model.start()
            try:
                self._transport.start()
            except BaseException:
                self.model.stop()
                raise
            self._running = True
        return self

    def stop(self) -> None:
        """Close the link (its port is free again at once) and stop the camera's timers."""
        if self._running:
            self._running = False
            self.model.stop()  # first: no completion may fire into a closed link
            self._transport.stop()

    def __enter__(self) -> CameraSimulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def state(self) -> CameraState:
        return self.model.state()

    def network_change(self) -> None:
        """Send `y0 38 FF` to every controller the camera knows."""
        self._transport.announce(self.model.network_change())

    def power_cycle(self) -> None:
        """Mains off and on; a serial camera announces itself again."""
        self.model.power_cycle()
        if self.kind == "serial":
            self.network_change()

    @property
    def host(self) -> str:
        return str(getattr(self._transport, "host", ""))

    @property
    def port(self) -> int:
        return int(getattr(self._transport, "port", 0))

    @property
    def path(self) -> str:
        """The serial device to open (a pty), empty on IP links."""
        return str(getattr(self._transport, "path", ""))

    @property
    def url(self) -> str:
        dialect = self.profile.dialect
        if self.kind == "serial":
            return (
                f"visca+serial://{self.path}?baud={self.baud}"
                f"&address={self.model.address}&profile={dialect}"
            )
        host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        if ":" in host:
            host = f"[{host}]"
        return f"{_SCHEMES[self.kind]}://{host}:{self.port}?profile={dialect}"
