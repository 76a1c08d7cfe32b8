"""Test media: small H.264 clips made with PyAV, product shots, and a minimal RTSP server
(RTP/H.264 interleaved over the RTSP TCP connection, RFC 2326 and RFC 6184) that an IP
camera's stream can be played from, stalled and dropped."""

from __future__ import annotations

import base64
import contextlib
import socket
import struct
import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np


def clip_frames(count: int, width: int = 160, height: int = 120) -> list[np.ndarray]:
    """Frames whose picture says their number: a bar at x = 4·n and a grey level of 4·n."""
    frames = []
    for n in range(count):
        image = np.full((height, width, 3), (4 * n) % 256, np.uint8)
        x = (4 * n) % (width - 8)
        image[:, x : x + 8] = (0, 0, 255)
        frames.append(image)
    return frames


def encode_h264(frames: list[np.ndarray], fps: int = 30, gop: int = 10) -> list[bytes]:
    """Annex B access units, SPS/PPS repeated at every keyframe."""
    height, width = frames[0].shape[:2]
    codec = av.CodecContext.create("libx264", "w")
    codec.width, codec.height = width, height
    codec.pix_fmt = "yuv420p"
    codec.time_base = Fraction(1, fps)
    codec.framerate = Fraction(fps, 1)
    codec.options = {
        "preset": "ultrafast",
        "tune": "zerolatency",
        "g": str(gop),
        "x264-params": "repeat-headers=1",
    }
    units: list[bytes] = []
    for n, image in enumerate(frames):
        frame = av.VideoFrame.from_ndarray(image, format="bgr24")
        frame.pts = n
        units += [bytes(p) for p in codec.encode(frame)]
    units += [bytes(p) for p in codec.encode(None)]
    return units


def write_clip(path: Path, count: int = 30, fps: int = 30, size: tuple[int, int] = (160, 120)):
    """An MP4 of `count` numbered frames; returns the path."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast", "g": "10"}
        for n, image in enumerate(clip_frames(count, *size)):
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts = n
            frame.time_base = Fraction(1, fps)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def product_shot(colour: tuple[int, int, int], size: int = 480, shape: str = "disc") -> np.ndarray:
    """A studio shot like the demo catalogue's: a light gradient backdrop, an object, a
    shadow, and small print at the bottom."""
    y = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None]
    backdrop = (238 - 34 * y) * np.ones((1, size), np.float32)
    img = np.dstack([backdrop, backdrop - 4, backdrop - 10]).clip(0, 255).astype(np.uint8)
    c = size // 2
    cv2.ellipse(img, (c, size - 110), (150, 18), 0, 0, 360, (185, 185, 190), -1, cv2.LINE_AA)
    if shape == "disc":
        cv2.circle(img, (c, c - 20), 120, colour, -1, cv2.LINE_AA)
    else:
        cv2.rectangle(img, (c - 110, c - 140), (c + 110, c + 100), colour, -1, cv2.LINE_AA)
    cv2.putText(img, "SKU-0001", (c - 50, size - 24), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (110,) * 3)
    return img


def _nal_units(unit: bytes) -> list[bytes]:
    parts = []
    i = 0
    starts = []
    while True:
        j = unit.find(b"\x00\x00\x01", i)
        if j < 0:
            break
        starts.append(j + 3)
        i = j + 3
    for k, start in enumerate(starts):
        end = starts[k + 1] - 3 if k + 1 < len(starts) else len(unit)
        nal = unit[start:end].rstrip(b"\x00") if k + 1 < len(starts) else unit[start:end]
        if nal:
            parts.append(nal)
    return parts


class RtspServer:
    """Serves one looping H.264 stream at rtsp://127.0.0.1:PORT/live to any number of clients,
    over TCP only. `stall()` keeps connections open but sends nothing; `drop()` closes every
    client connection; `close()` stops listening; `skip_gops` leaves pictures out (their
    time passes); `hold_until` delays pictures and then sends them in one burst."""

    def __init__(self, units: list[bytes], fps: int = 30, gop: int = 10) -> None:
        self.units = [_nal_units(u) for u in units]
        self.fps = fps
        sps = next(n for au in self.units for n in au if n[0] & 0x1F == 7)
        pps = next(n for au in self.units for n in au if n[0] & 0x1F == 8)
        self.sprop = b",".join(base64.b64encode(x) for x in (sps, pps)).decode()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"rtsp://127.0.0.1:{self.port}/live"
        self._clients: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stalled = threading.Event()
        self._closed = threading.Event()
        self.sessions = 0  # PLAY requests served
        self.gop = gop
        self.skip_gops = 0  # GOPs to leave out, as if the network lost them
        self.hold_until = 0.0  # pictures are held back until then, then sent at once
        threading.Thread(target=self._accept, daemon=True).start()

    def stall(self, on: bool = True) -> None:
        if on:
            self._stalled.set()
        else:
            self._stalled.clear()

    def drop(self) -> None:
        with self._lock:
            clients, self._clients = self._clients, []
        for conn in clients:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def close(self) -> None:
        self._closed.set()
        _close_listener(self._listener)
        self.drop()

    def __enter__(self) -> RtspServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._clients.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buffer = b""
        sender: threading.Thread | None = None
        send_lock = threading.Lock()
        try:
            while not self._closed.is_set():
                data = conn.recv(65536)
                if not data:
                    return
                buffer += data
                while buffer:
                    if buffer[:1] == b"$":  # the client's RTCP, interleaved
                        if len(buffer) < 4:
                            break
                        size = struct.unpack(">H", buffer[2:4])[0]
                        if len(buffer) < 4 + size:
                            break
                        buffer = buffer[4 + size :]
                        continue
                    end = buffer.find(b"\r\n\r\n")
                    if end < 0:
                        break
                    head = buffer[:end].decode("latin-1")
                    headers = {}
                    for line in head.split("\r\n")[1:]:
                        key, _, value = line.partition(":")
                        headers[key.strip().lower()] = value.strip()
                    body_len = int(headers.get("content-length", "0"))
                    if len(buffer) < end + 4 + body_len:
                        break
                    buffer = buffer[end + 4 + body_len :]
                    method = head.split(" ", 1)[0]
                    reply = self._answer(method, headers)
                    with send_lock:
                        conn.sendall(reply)
                    if method == "PLAY" and sender is None:
                        self.sessions += 1
                        sender = threading.Thread(
                            target=self._send, args=(conn, send_lock), daemon=True
                        )
                        sender.start()
                    if method == "TEARDOWN":
                        return
        except OSError:
            return
        finally:
            conn.close()

    def _answer(self, method: str, headers: dict[str, str]) -> bytes:
        cseq = headers.get("cseq", "0")
        extra = ""
        body = ""
        if method == "OPTIONS":
            extra = "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n"
        elif method == "DESCRIBE":
            body = (
                "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=test\r\nt=0 0\r\nc=IN IP4 0.0.0.0\r\n"
                "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                f"a=fmtp:96 packetization-mode=1;sprop-parameter-sets={self.sprop}\r\n"
                f"a=framerate:{self.fps}\r\na=control:track1\r\n"
            )
            extra = f"Content-Base: {self.url}/\r\nContent-Type: application/sdp\r\n"
        elif method == "SETUP":
            transport = headers.get("transport", "")
            if "TCP" not in transport.upper():
                return f"RTSP/1.0 461 Unsupported Transport\r\nCSeq: {cseq}\r\n\r\n".encode()
            extra = "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nSession: 4242\r\n"
        elif method == "PLAY":
            extra = "Session: 4242\r\nRange: npt=0.000-\r\n"
        body_bytes = body.encode()
        length = f"Content-Length: {len(body_bytes)}\r\n" if body_bytes else ""
        return (f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n{extra}{length}\r\n").encode() + body_bytes

    def _send(self, conn: socket.socket, lock: threading.Lock) -> None:
        seq = 0
        n = 0
        held = b""
        period = 1.0 / self.fps
        due = time.monotonic()
        while not self._closed.is_set():
            if self._stalled.is_set():
                time.sleep(0.01)
                due = time.monotonic()
                continue
            if self.skip_gops and n % self.gop == 0:  # a camera losing a whole GOP
                self.skip_gops -= 1
                n += self.gop
                due += self.gop * period
                time.sleep(max(0.0, due - time.monotonic()))
            nals = self.units[n % len(self.units)]
            stamp = (n * 90000 // self.fps) & 0xFFFFFFFF
            packets = []
            for i, nal in enumerate(nals):
                last_nal = i == len(nals) - 1
                if len(nal) <= 1400:
                    packets.append((nal, last_nal))
                    continue
                head, rest = nal[0], nal[1:]
                chunks = [rest[k : k + 1400] for k in range(0, len(rest), 1400)]
                for k, chunk in enumerate(chunks):
                    fu_header = (head & 0x1F) | (0x80 if k == 0 else 0)
                    if k == len(chunks) - 1:
                        fu_header |= 0x40
                    payload = bytes([(head & 0xE0) | 28, fu_header]) + chunk
                    packets.append((payload, last_nal and k == len(chunks) - 1))
            data = b""
            for payload, marker in packets:
                rtp = struct.pack(">BBHII", 0x80, (0x80 if marker else 0) | 96, seq, stamp, 0x1234)
                seq = (seq + 1) & 0xFFFF
                packet = rtp + payload
                data += b"$\x00" + struct.pack(">H", len(packet)) + packet
            held += data
            if time.monotonic() >= self.hold_until:
                try:
                    with lock:
                        conn.sendall(held)
                except OSError:
                    return
                held = b""
            n += 1
            due += period
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)


class SilentServer:
    """Accepts TCP connections and never says a word."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._conns: list[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self._conns.append(conn)

    @property
    def connections(self) -> int:
        return len(self._conns)

    def close(self) -> None:
        self._closed = True
        _close_listener(self._listener)
        for conn in self._conns:
            conn.close()


def _close_listener(listener: socket.socket) -> None:
    """Close a listening socket another thread waits in accept() on: a plain close() leaves
    the kernel's socket listening until that accept() returns."""
    with contextlib.suppress(OSError):
        listener.shutdown(socket.SHUT_RDWR)
    listener.close()


def free_port() -> int:
    """A port nothing listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
