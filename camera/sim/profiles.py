"""Per-brand camera profiles: what differs between the cameras the simulator imitates.

Figures come from makers' manuals and the control software that drives these cameras (the
research notes cite each one). Where no source gives a figure the profile says so: speed tables
between the documented slowest and fastest speeds are geometric, and the version ids of
non-Sony makers are the simulator's own.

    sony           Sony SRG-300H class: UDP 52381 with the 8-byte header, 4+4 nibble positions,
                   pan/tilt speeds 01–18h/01–17h, presets 0–F.
    sony-5nibble   the same camera with the BRC-H700/BRC-300 layout: 5 pan nibbles in
                   absolute/relative moves and the position answer, `VV 00` speeds.
    ptzoptics      PTZOptics G2: raw VISCA on TCP 5678 (and UDP 1259), tilt speed 01–14h,
                   about 14.4 units per degree, presets 0–254 where 5Fh toggles the OSD menu.
    ptzoptics-g3   PTZOptics G3 firmware that acknowledges with `A0 4z FF` instead of `90 4z FF`.
    birddog        BirdDog P200: Sony header on UDP 52381, tilt speed 01–14h, pan ±175° in
                   0x067B units, tilt −30°..+90°, presets 0–3Fh (64, shown as 1–64).
    raw            a generic bare-VISCA camera (AVKANS, Marshall, LinkPi) on UDP 1259: Sony units
                   and speeds with tilt 01–14h, presets 0–7Fh.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

TRANSPORTS = ("udp", "raw-udp", "tcp", "serial")


@dataclass(frozen=True)
class Version:
    """The answer to CAM_VersionInq: `GG GG HH HH JJ JJ KK` (vendor, model, ROM, max socket)."""

    vendor: int
    model: int
    rom: int
    max_socket: int = 2

    def answer(self) -> bytes:
        return (
            self.vendor.to_bytes(2, "big")
            + self.model.to_bytes(2, "big")
            + bytes((self.rom >> 8, self.rom & 0xFF, self.max_socket))
        )


def _geometric(slowest: float, fastest: float, steps: int, value: int) -> float:
    """Speed `value` (1..steps) between the documented slowest and fastest speeds."""
    value = min(max(value, 1), steps)
    if steps == 1:
        return fastest
    return float(slowest * (fastest / slowest) ** ((value - 1) / (steps - 1)))


@dataclass(frozen=True)
class Profile:
    name: str
    dialect: str  # the profile name a client puts in the camera URL
    summary: str
    transport: str  # the maker's usual link: udp (Sony header), raw-udp, tcp or serial
    port: int
    # Pan/tilt: speed bytes, their speeds in degrees per second, positions in camera units.
    pan_speed_max: int
    tilt_speed_max: int
    pan_slowest_dps: float
    pan_fastest_dps: float
    tilt_slowest_dps: float
    tilt_fastest_dps: float
    pan_units_per_degree: float
    tilt_units_per_degree: float
    pan_min: int
    pan_max: int
    tilt_min: int
    tilt_max: int
    pan_nibbles: int = 4  # 5 on BRC-H700/BRC-300 class models
    absolute_tilt_speed: bool = True  # False: absolute/relative moves send `VV 00`
    # Lens: zoom and focus positions, and the time a full travel takes at the slowest (p=0)
    # and fastest (p=7) variable speeds. Direct moves run at the fastest speed.
    zoom_max: int = 0x4000
    zoom_slowest_s: float = 16.0
    zoom_fastest_s: float = 2.0
    zoom_standard: int = 3  # the p of plain tele/wide (`07 02`/`07 03`)
    focus_far: int = 0x1000
    focus_near: int = 0xF000
    focus_slowest_s: float = 12.0
    focus_fastest_s: float = 1.5
    hfov_wide_deg: float = 63.7
    hfov_tele_deg: float = 2.3
    # Presets: the first and last number, a number reserved for another function, the answer
    # to the last-preset inquiry when none was recalled.
    preset_first: int = 0
    preset_last: int = 0x0F
    menu_preset: int | None = None  # PTZOptics: recalling 5Fh toggles the on-screen menu
    no_preset: int = 0x7F
    preset_speed_0601: bool = False  # older PTZOptics firmware: `81 01 06 01 pp FF`
    # Replies and quirks.
    version: Version = Version(0x0001, 0x0513, 0x0100)
    ack_header_a0: bool = False  # PTZOptics G3: ACK as `A0 4z FF`
    strict_inquiry_type: bool = False  # refuse inquiries sent as payload type 0100 (and back)
    sequence_check: bool = True  # Sony: a number already executed gets `0F 01`
    reply_port: int | None = None  # reply to this UDP port instead of the source port
    coalesce: bool = True  # TCP: ACK and an instant completion in one segment
    drive_completion: str = "stop"  # "stop": a drive completes when it stops; "immediate"
    power_on_seconds: float = 1.0  # standby to on
    sockets: int = 2

    def pan_dps(self, speed: int) -> float:
        return _geometric(
            self.pan_slowest_dps, self.pan_fastest_dps, self.pan_speed_max, min(speed, 0xFF)
        )

    def tilt_dps(self, speed: int) -> float:
        return _geometric(
            self.tilt_slowest_dps, self.tilt_fastest_dps, self.tilt_speed_max, min(speed, 0xFF)
        )

    def zoom_units_per_s(self, p: int) -> float:
        seconds = self.zoom_slowest_s * (self.zoom_fastest_s / self.zoom_slowest_s) ** (p / 7)
        return float(self.zoom_max / seconds)

    def focus_units_per_s(self, p: int) -> float:
        seconds = self.focus_slowest_s * (self.focus_fastest_s / self.focus_slowest_s) ** (p / 7)
        return float(abs(self.focus_near - self.focus_far) / seconds)

    def has_preset(self, number: int) -> bool:
        return self.preset_first <= number <= self.preset_last

    def hfov_deg(self, zoom_fraction: float) -> float:
        """Horizontal field of view at a zoom position (0 wide .. 1 tele), interpolated
        geometrically between the two documented ends: an approximation."""
        z = min(max(zoom_fraction, 0.0), 1.0)
        return float(self.hfov_wide_deg * (self.hfov_tele_deg / self.hfov_wide_deg) ** z)


_SONY = Profile(
    name="sony",
    dialect="sony",
    summary="Sony SRG-300H class, VISCA over IP with the 8-byte header",
    transport="udp",
    port=52381,
    pan_speed_max=0x18,
    tilt_speed_max=0x17,
    pan_slowest_dps=1.1,
    pan_fastest_dps=101.0,
    tilt_slowest_dps=1.1,
    tilt_fastest_dps=91.0,
    pan_units_per_degree=51.2,  # DE00..2200 is −170°..+170°
    tilt_units_per_degree=51.2,  # FC00..1200 is −20°..+90° (image flip off)
    pan_min=-0x2200,
    pan_max=0x2200,
    tilt_min=-0x0400,
    tilt_max=0x1200,
)

_PTZOPTICS = Profile(
    name="ptzoptics",
    dialect="ptzoptics",
    summary="PTZOptics G2, bare VISCA over TCP 5678 or UDP 1259",
    transport="tcp",
    port=5678,
    pan_speed_max=0x18,
    tilt_speed_max=0x14,
    pan_slowest_dps=0.3,
    pan_fastest_dps=120.0,
    tilt_slowest_dps=0.3,
    tilt_fastest_dps=80.0,
    pan_units_per_degree=14.4,  # F670..0990 is −170°..+170°
    tilt_units_per_degree=14.4,  # FE50..0510 is −30°..+90°
    pan_min=-0x0990,
    pan_max=0x0990,
    tilt_min=-0x01B0,
    tilt_max=0x0510,
    hfov_wide_deg=60.7,
    hfov_tele_deg=3.36,
    preset_first=0,
    preset_last=0xFE,
    menu_preset=0x5F,
    preset_speed_0601=True,
    version=Version(0x0000, 0x5650, 0x0100),  # the simulator's own ids
    sequence_check=False,
)

PROFILES: dict[str, Profile] = {
    "sony": _SONY,
    "sony-5nibble": replace(
        _SONY,
        name="sony-5nibble",
        summary="Sony with BRC-H700/BRC-300 layout: 5 pan nibbles, `VV 00` move speeds",
        pan_nibbles=5,
        absolute_tilt_speed=False,
    ),
    "ptzoptics": _PTZOPTICS,
    "ptzoptics-g3": replace(
        _PTZOPTICS,
        name="ptzoptics-g3",
        summary="PTZOptics G3 firmware that acknowledges with A0 4z FF",
        ack_header_a0=True,
    ),
    "birddog": Profile(
        name="birddog",
        dialect="birddog",
        summary="BirdDog P200, VISCA over IP with the 8-byte header",
        transport="udp",
        port=52381,
        pan_speed_max=0x18,
        tilt_speed_max=0x14,
        pan_slowest_dps=0.5,
        pan_fastest_dps=100.0,
        tilt_slowest_dps=0.5,
        tilt_fastest_dps=80.0,
        pan_units_per_degree=0x067B / 175,  # ±175° is ±067Bh
        tilt_units_per_degree=0x049D / 90,  # +90° is 049Dh, down to −30°
        pan_min=-0x067B,
        pan_max=0x067B,
        tilt_min=-0x0189,
        tilt_max=0x049D,
        preset_first=0,
        preset_last=0x3F,
        version=Version(0x0000, 0x5620, 0x0100),  # the simulator's own ids
    ),
    "raw": Profile(
        name="raw",
        dialect="raw",
        summary="a generic bare-VISCA camera on UDP 1259",
        transport="raw-udp",
        port=1259,
        pan_speed_max=0x18,
        tilt_speed_max=0x14,
        pan_slowest_dps=1.0,
        pan_fastest_dps=100.0,
        tilt_slowest_dps=1.0,
        tilt_fastest_dps=80.0,
        pan_units_per_degree=51.2,
        tilt_units_per_degree=51.2,
        pan_min=-0x2200,
        pan_max=0x2200,
        tilt_min=-0x0400,
        tilt_max=0x1200,
        hfov_wide_deg=60.0,
        hfov_tele_deg=3.4,
        preset_last=0x7F,
        version=Version(0x0000, 0x5610, 0x0100),  # the simulator's own ids
        sequence_check=False,
    ),
}


def get_profile(name: str, **overrides: Any) -> Profile:
    """A named profile, optionally with fields replaced: `get_profile("sony", reply_port=52381)`."""
    try:
        profile = PROFILES[name]
    except KeyError:
        known = ", ".join(PROFILES)
        raise ValueError(f"unknown camera profile {name!r} (known: {known})") from None
    return replace(profile, **overrides) if overrides else profile
