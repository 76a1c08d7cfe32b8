"""PostgreSQL for the sync tests: CI starts a server and exports its URL; elsewhere the
PostgreSQL tests skip, unless VITRINE_REQUIRE_POSTGRES=1 (set by CI) makes that a failure."""

from __future__ import annotations

import os

import pytest

PG_ENV = "VITRINE_TEST_POSTGRES_URL"
REQUIRE_ENV = "VITRINE_REQUIRE_POSTGRES"


def postgres_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if url:
        return url
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {PG_ENV} is not set: PostgreSQL tests cannot run")
    pytest.skip(f"no PostgreSQL: set {PG_ENV} (CI's .ci/run starts one and sets it)")
    return None


@pytest.fixture
def pg_url() -> str:
    url = postgres_url()
    assert url is not None
    from tests.sync.harness import reset_database

    reset_database(url)
    return url
