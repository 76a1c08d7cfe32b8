"""Camera addresses as URLs.

    visca+udp://10.0.0.5:52381?profile=sony          Sony VISCA over IP (8-byte header)
    visca+rawudp://10.0.0.6:1259?profile=raw         bare VISCA datagrams
    visca+tcp://10.0.0.7:5678?profile=ptzoptics      bare VISCA over a TCP stream
    visca+serial:///dev/ttyUSB0?baud=9600&address=1  RS-232/422 or USB-serial

`profile` picks the maker's dialect; each scheme has a sensible default.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from camera.visca import Dialect, ViscaError, dialect

_SCHEMES = {
    "visca+udp": ("udp", "sony", 52381),
    "visca+rawudp": ("rawudp", "raw", 1259),
    "visca+raw-udp": ("rawudp", "raw", 1259),
    "visca+tcp": ("tcp", "ptzoptics", 5678),
    "visca+serial": ("serial", "sony", 0),
}
BAUD_RATES = (2400, 4800, 9600, 19200, 38400, 115200)


@dataclass(frozen=True)
class CameraAddress:
    url: str
    transport: str  # udp | rawudp | tcp | serial
    dialect: Dialect
    host: str = ""
    port: int = 0
    device: str = ""
    baud: int = 9600
    address: int = 1  # VISCA camera address on a serial chain (1–7); 1 over IP

    @property
    def label(self) -> str:
        where = self.device if self.transport == "serial" else f"{self.host}:{self.port}"
        return f"{self.dialect.name} over {self.transport} at {where}"

    @classmethod
    def parse(cls, url: str) -> CameraAddress:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in _SCHEMES:
            known = ", ".join(s for s in _SCHEMES if s != "visca+raw-udp")
            raise ViscaError(f"not a camera address: {url!r} (schemes: {known})")
        transport, default_profile, default_port = _SCHEMES[scheme]
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        unknown = set(query) - {"profile", "baud", "address"}
        if unknown:
            raise ViscaError(f"unknown option(s) in {url!r}: {', '.join(sorted(unknown))}")
        d = dialect(query.get("profile", default_profile))
        try:
            address = int(query.get("address", "1"))
            baud = int(query.get("baud", "9600"))
        except ValueError as exc:
            raise ViscaError(f"{url!r}: {exc}") from None
        if not 1 <= address <= 7:
            raise ViscaError(f"{url!r}: address must be 1–7")
        if transport == "serial":
            if not parts.path:
                raise ViscaError(f"{url!r}: no serial device (visca+serial:///dev/ttyUSB0)")
            if baud not in BAUD_RATES:
                raise ViscaError(f"{url!r}: baud must be one of {BAUD_RATES}")
            return cls(url, transport, d, device=parts.path, baud=baud, address=address)
        if address != 1:
            raise ViscaError(f"{url!r}: over IP the camera address is always 1")
        if not parts.hostname:
            raise ViscaError(f"{url!r}: no host")
        try:
            port = parts.port or default_port
        except ValueError:
            raise ViscaError(f"{url!r}: bad port") from None
        return cls(url, transport, d, host=parts.hostname, port=port)
