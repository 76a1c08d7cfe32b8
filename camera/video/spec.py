"""`open_source(spec, **options)`: one text names any source, for settings and the CLI."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from camera.video.showroom import SyntheticSource
from camera.video.source import VideoSource
from camera.video.stream import LIVE_SCHEMES, StreamSource, redact
from camera.video.uvc import UvcSource


class SourceSpecError(ValueError):
    """A source text or option that cannot work; the message says what is wrong."""


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{text!r} is not yes/no")


def _fourcc(text: str) -> str:
    if len(text) != 4 or not text.isascii():
        raise ValueError(f"{text!r} is not four characters")
    return text.upper()


# The options a spec's query string may carry, by kind, and how to read them from text.
# Keyword options are not limited to these (ptz_state, products… cannot be written in text).
_QUERY: dict[str, dict[str, Callable[[str], Any]]] = {
    "synthetic": {
        "width": int,
        "height": int,
        "fps": float,
        "overlay": _bool,
        "noise": _bool,
        "seed": int,
        "in_focus_at": float,
    },
    "uvc": {
        "width": int,
        "height": int,
        "fps": float,
        "fourcc": _fourcc,
        "buffer_size": int,
        "retry_first": float,
        "retry_limit": float,
    },
    "file": {
        "loop": _bool,
        "realtime": _bool,
        "width": int,
        "height": int,
    },
}
_KEYWORDS: dict[str, frozenset[str]] = {
    "synthetic": frozenset(_QUERY["synthetic"]) | {"products", "ptz_state", "showroom", "name"},
    "uvc": frozenset(_QUERY["uvc"]) | {"backend", "name"},
    "file": frozenset(_QUERY["file"]) | {"retry_first", "retry_limit", "name", "options"},
    "stream": frozenset(
        {
            "transport",
            "open_timeout",
            "read_timeout",
            "max_lag",
            "width",
            "height",
            "options",
            "retry_first",
            "retry_limit",
            "name",
        }
    ),
}
EXAMPLES = (
    "synthetic",
    "synthetic?width=1920&height=1080&fps=30",
    "uvc:0",
    "uvc:/dev/video0?width=1920&height=1080&fps=30&fourcc=MJPG",
    "rtsp://user:password@192.0.2.10:554/stream1",
    "file:/path/to/clip.mp4?loop=1",
)


def _split_query(kind: str, rest: str) -> tuple[str, dict[str, Any]]:
    target, _, query = rest.partition("?")
    parsed: dict[str, Any] = {}
    if not query:
        return target, parsed
    readers = _QUERY[kind]
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True, strict_parsing=False):
        reader = readers.get(key)
        if reader is None:
            known = ", ".join(sorted(readers))
            raise SourceSpecError(f"unknown option {key!r} for a {kind} source (known: {known})")
        try:
            parsed[key] = reader(value)
        except ValueError as exc:
            raise SourceSpecError(f"bad value for {key} in a {kind} source: {exc}") from None
    return target, parsed


def _check_keywords(kind: str, options: Mapping[str, Any]) -> None:
    unknown = sorted(set(options) - _KEYWORDS[kind])
    if unknown:
        known = ", ".join(sorted(_KEYWORDS[kind]))
        raise SourceSpecError(
            f"unknown option {', '.join(unknown)} for a {kind} source (known: {known})"
        )


def open_source(spec: str, **options: Any) -> VideoSource:
    """A source, not yet started, for one of:

    - `synthetic` (or `sim`, `showroom`): the virtual showroom; give `ptz_state` (e.g.
      `CameraSimulator.state`) and `products` as keywords;
    - `uvc:0`, `uvc:/dev/video0` (optionally `?width=…&height=…&fps=…&fourcc=MJPG`);
    - `rtsp://…` (and other network URLs FFmpeg reads: rtsps, rtmp, srt, http…); options
      as keywords only, since the query string belongs to the camera;
    - `file:PATH` (optionally `?loop=0&realtime=0`): a video file through the RTSP path.

    Keyword options override the query string. SourceSpecError says what is wrong.
    """
    text = spec.strip()
    if not text:
        raise SourceSpecError("empty video source; try one of: " + ", ".join(EXAMPLES))
    head = text.split("?", 1)[0]
    if head.lower() in ("synthetic", "sim", "showroom"):
        _, query = _split_query("synthetic", text[len(head) :])
        merged = {**query, **options}
        _check_keywords("synthetic", merged)
        return _build(SyntheticSource, merged, spec)
    scheme, colon, rest = text.partition(":")
    scheme = scheme.lower()
    if scheme == "uvc" and colon:
        target, query = _split_query("uvc", rest)
        if not target:
            raise SourceSpecError("uvc: needs a camera index or a device path, e.g. uvc:0")
        device: int | str = int(target) if target.isdigit() else target
        if isinstance(device, str) and not device.startswith("/"):
            raise SourceSpecError(f"uvc:{target} is neither a camera index nor a device path")
        merged = {**query, **options}
        _check_keywords("uvc", merged)
        return _build(UvcSource, merged, spec, device)
    if scheme == "file" and colon:
        path, query = _split_query("file", rest)
        if path.startswith("//"):  # file:///x and file://localhost/x
            path = urllib.parse.unquote(urllib.parse.urlsplit("file:" + path).path)
        if not path:
            raise SourceSpecError("file: needs a path, e.g. file:/videos/demo.mp4")
        merged = {**query, **options}
        _check_keywords("file", merged)
        return _build(StreamSource, {**merged, "live": False}, spec, path)
    if scheme in LIVE_SCHEMES and rest.startswith("//"):
        parts = urllib.parse.urlsplit(text)
        if not parts.hostname:
            raise SourceSpecError(f"{redact(text)} has no host")
        try:
            _ = parts.port
        except ValueError:
            raise SourceSpecError(f"{redact(text)} has a bad port") from None
        _check_keywords("stream", options)
        return _build(StreamSource, {**options, "live": True}, spec, text)
    raise SourceSpecError(
        f"unknown video source {redact(text)!r}; try one of: " + ", ".join(EXAMPLES)
    )


def _build(
    factory: Callable[..., VideoSource], options: dict[str, Any], spec: str, *args: Any
) -> VideoSource:
    try:
        return factory(*args, **options)
    except (TypeError, ValueError) as exc:
        raise SourceSpecError(f"{redact(spec)}: {exc}") from None
