"""HTTP transport of the sync protocol (httpx), mapping failures to the engine's errors."""

from __future__ import annotations

from typing import Any

import httpx

from sync.engine import (
    AuthRefused,
    IncarnationStale,
    ServerFailed,
    ServerUnreachable,
    SyncError,
)
from sync.protocol import SCHEMA_HEADER, SCHEMA_VERSION


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    detail = body.get("detail") if isinstance(body, dict) else None
    return str(detail)[:300] if detail else response.text[:200]


class HttpTransport:
    """POSTs JSON to the central server. `client` may be any httpx.Client (tests hand in
    one bound to the server app in-process)."""

    def __init__(
        self, base_url: str, client: httpx.Client | None = None, timeout: float = 30.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = client or httpx.Client(timeout=timeout)

    def post(self, path: str, body: dict[str, Any], token: str | None) -> Any:
        headers = {SCHEMA_HEADER: str(SCHEMA_VERSION)}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = self.client.post(self.base_url + path, json=body, headers=headers)
        except httpx.TransportError as exc:
            raise ServerUnreachable(
                f"the server at {self.base_url} cannot be reached: {exc}"
            ) from exc
        status = response.status_code
        if status == 200:
            return response.text
        if status in (401, 403):
            raise AuthRefused(f"the server refused this workstation: {_detail(response)}")
        if status == 409:
            raise IncarnationStale(_detail(response))
        if status == 426:
            raise ServerFailed(f"the server speaks another version: {_detail(response)}")
        if status >= 500:
            raise ServerFailed(f"the server failed ({status}); try again later")
        raise SyncError(f"the server refused the request ({status}): {_detail(response)}")

    def close(self) -> None:
        self.client.close()
