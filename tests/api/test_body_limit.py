"""Bodies over a route's limit are refused with 413 before more is read (issue 19)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api.body_limit import MULTIPART_ROOM, BodyLimit, limit_for
from core.settings import Settings

SETTINGS = Settings(max_json_body_bytes=1000, batch_max_upload_bytes=5000,
                    verify_max_upload_bytes=3000)


def _app(seen: list[int]) -> Any:
    async def echo(request: Request) -> JSONResponse:
        body = await request.body()
        seen.append(len(body))
        return JSONResponse({"bytes": len(body)})

    inner = Starlette(routes=[Route("/v1/search", echo, methods=["POST"]),
                              Route("/v1/batches", echo, methods=["POST"])])
    return BodyLimit(inner, SETTINGS)


def _post(path: str, content: Any, headers: dict[str, str] | None = None
          ) -> tuple[httpx.Response, list[int]]:
    seen: list[int] = []

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=_app(seen))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.post(path, content=content, headers=headers)

    return anyio.run(go), seen


def test_limits_per_route() -> None:
    assert limit_for("POST", "/v1/batches", SETTINGS).max_bytes == 5000 + MULTIPART_ROOM
    assert limit_for("POST", "/v1/certificates/verify", SETTINGS).max_bytes == (
        3000 + MULTIPART_ROOM)
    assert limit_for("POST", "/v1/search", SETTINGS).max_bytes == 1000
    assert limit_for("POST", "/v1/certificates", SETTINGS).max_bytes == 1000


def test_a_body_within_the_limit_passes() -> None:
    response, seen = _post("/v1/search", b"x" * 1000)
    assert response.status_code == 200 and seen == [1000]


def test_a_declared_length_over_the_limit_is_refused_before_the_app_runs() -> None:
    response, seen = _post("/v1/search", b"x" * 1001)
    assert response.status_code == 413
    assert seen == []
    error = response.json()["error"]
    assert error["code"] == "body_too_large"
    assert "1000" in error["message_vi"] and "1000" in error["message_en"]
    assert error["problems"][0]["field"] == "body"
    assert error["problems"][0]["rule"] == "max_bytes"


def test_a_streamed_body_is_counted_and_cut_off_at_the_limit() -> None:
    pulled: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(1000):  # 1 MB offered, no Content-Length
            pulled.append(i)
            yield b"y" * 1000

    response, _ = _post("/v1/search", chunks())
    assert response.status_code == 413
    assert len(pulled) <= 3  # stopped reading just past the limit, not at the end


def test_a_lying_content_length_does_not_lift_the_limit() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):  # 100 KB, past the batch route's 5000 + MULTIPART_ROOM
            yield b"z" * 1000

    response, _ = _post("/v1/batches", chunks(), headers={"content-length": "10"})
    assert response.status_code == 413
