"""A VISCA camera simulator: the camera's side of Sony VISCA over IP, bare VISCA over UDP and
TCP, and serial VISCA through a pty, with per-brand profiles, a timed motion model and fault
injection. It shares no code with the client in `camera/`, so a client that works against it
has been checked by an independent implementation.

    from camera.sim import CameraSimulator
    with CameraSimulator(profile="ptzoptics", transport="tcp", faults="drop=0.1,seed=3") as sim:
        print(sim.url)      # visca+tcp://127.0.0.1:40321?profile=ptzoptics
        sim.state().pan_deg
"""

from camera.sim.faults import Faults, FaultSpecError
from camera.sim.model import CameraModel
from camera.sim.profiles import PROFILES, TRANSPORTS, Profile, Version, get_profile
from camera.sim.simulator import CameraSimulator, parse_bind
from camera.sim.state import CameraState

__all__ = [
    "PROFILES",
    "TRANSPORTS",
    "CameraModel",
    "CameraSimulator",
    "CameraState",
    "FaultSpecError",
    "Faults",
    "Profile",
    "Version",
    "get_profile",
    "parse_bind",
]
