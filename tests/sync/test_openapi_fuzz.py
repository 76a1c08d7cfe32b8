"""The server's OpenAPI, exercised with generated bad input: no request may make it fail
with a 5xx. Calls are made both anonymously and with a real device token."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from sync.protocol import SCHEMA_HEADER, SCHEMA_VERSION
from tests.sync.harness import ServerWorld

_folder = Path(tempfile.mkdtemp(prefix="vitrine-fuzz-"))
_world = ServerWorld(f"sqlite:///{_folder / 'server.db'}")
_world.server.add_store("PAR1", "Paris", country="FR", timezone="Europe/Paris")
_device, _token = _world.server.enroll(_world.server.create_enrollment("PAR1"), "fuzz")
schema = schemathesis.openapi.from_asgi("/openapi.json", _world.app)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_server_fail(case: schemathesis.Case) -> None:
    for headers in (
        {SCHEMA_HEADER: str(SCHEMA_VERSION), "Authorization": f"Bearer {_token}"},
        None,
    ):
        response = case.call(headers=headers)
        assert response.status_code < 500, (
            f"{case.method} {case.path} -> {response.status_code}: {response.text[:300]}"
        )
