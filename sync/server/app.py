"""The central server's HTTP face (FastAPI). Stateless between requests: everything lives in
the database, so several processes can serve one PostgreSQL behind a load balancer.

Every request carries the wire schema version (header X-Vitrine-Schema); every device
request carries its token (Authorization: Bearer ...). The store a device acts for is the
one its token was enrolled to, never anything the request says.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from sync.protocol import MAX_PULL, MAX_PUSH, SCHEMA_HEADER, SCHEMA_VERSION
from sync.server.service import Device, ServiceError, SyncServer

_ACCEPTED_SCHEMAS = (SCHEMA_VERSION, SCHEMA_VERSION - 1)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EnrollIn(_Strict):
    code: str = Field(min_length=4, max_length=40)
    device_name: str = Field(min_length=1, max_length=120)


class EnrollOut(BaseModel):
    device_id: str
    store_id: str
    token: str


class HelloIn(_Strict):
    cursor: int = Field(ge=0, le=2**62)


class HelloOut(BaseModel):
    server_time_ms: int
    store_id: str
    head: int
    version: int
    max_hlc: str
    reset: bool


class MutationIn(_Strict):
    id: int = Field(ge=1, le=2**62)
    kind: str = Field(max_length=40)
    row_id: str = Field(max_length=40)
    op: str = Field(pattern="^(upsert|insert|erase)$")
    hlc: str = Field(max_length=80)
    fields: dict[str, Any] | None = None


class PushIn(_Strict):
    incarnation: str = Field(min_length=8, max_length=40)
    mutations: list[MutationIn] = Field(max_length=MAX_PUSH)


class PullIn(_Strict):
    cursor: int = Field(ge=0, le=2**62)
    limit: int = Field(default=MAX_PULL, ge=1, le=MAX_PULL)


class SnapshotIn(_Strict):
    phase: str = Field(pattern="^(global|store|clients)$")
    after: str | None = Field(default=None, max_length=80)
    hw: int | None = Field(default=None, ge=0, le=2**62)


def _schema(x_vitrine_schema: Annotated[int, Header(alias=SCHEMA_HEADER)]) -> int:
    if x_vitrine_schema not in _ACCEPTED_SCHEMAS:
        raise HTTPException(
            426,
            f"wire schema {x_vitrine_schema} is not served here (this server speaks "
            f"{SCHEMA_VERSION} and {SCHEMA_VERSION - 1}): update Vitrine",
        )
    return x_vitrine_schema


def _server(request: Request) -> SyncServer:
    server: SyncServer = request.app.state.server
    return server


def _device(request: Request, authorization: Annotated[str | None, Header()] = None) -> Device:
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(401, "a device token is required (Authorization: Bearer ...)")
    return _server(request).authenticate(authorization.removeprefix("Bearer ").strip())


DeviceDep = Annotated[Device, Depends(_device)]
SchemaDep = Annotated[int, Depends(_schema)]
ServerDep = Annotated[SyncServer, Depends(_server)]


def create_app(server: SyncServer) -> FastAPI:
    app = FastAPI(
        title="Vitrine sync server",
        version=str(SCHEMA_VERSION),
        description="Central server of the Vitrine client book: enrollment, push, pull.",
    )
    app.state.server = server

    @app.exception_handler(ServiceError)
    async def _service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=exc.status)

    @app.get("/v1/health")
    def health() -> dict[str, Any]:
        return {"ok": True, "schema": SCHEMA_VERSION}

    @app.post("/v1/enroll", response_model=EnrollOut)
    def enroll(body: EnrollIn, schema: SchemaDep) -> EnrollOut:
        dev, token = server.enroll(body.code, body.device_name)
        return EnrollOut(device_id=str(dev.id), store_id=str(dev.store_id), token=token)

    @app.post("/v1/hello", response_model=HelloOut)
    def hello(body: HelloIn, dev: DeviceDep, schema: SchemaDep) -> dict[str, Any]:
        return server.hello(dev, body.cursor)

    @app.post("/v1/push")
    def push(body: PushIn, dev: DeviceDep, schema: SchemaDep) -> dict[str, Any]:
        results = server.push(dev, body.incarnation, [m.model_dump() for m in body.mutations])
        return {"results": results}

    @app.post("/v1/pull")
    def pull(body: PullIn, dev: DeviceDep, schema: SchemaDep) -> Response:
        # Rows are passed through as stored: no decode and re-encode per row.
        return Response(server.pull(dev, body.cursor, body.limit), media_type="application/json")

    @app.post("/v1/snapshot")
    def snapshot(body: SnapshotIn, dev: DeviceDep, schema: SchemaDep) -> Response:
        # As pull: the page is JSON text with rows spliced in verbatim.
        return Response(
            server.snapshot(dev, body.phase, body.after, body.hw), media_type="application/json"
        )

    return app
