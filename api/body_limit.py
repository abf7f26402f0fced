"""Request bodies refused with 413 before more than the route's limit is read.

A pure ASGI middleware: the declared ``Content-Length`` is checked first (nothing of a
body declared too big is read), then the bytes actually received are counted, so a
chunked or lying upload is cut off at the limit too. Once past the limit the app sees
the end of the body and whatever it answers is replaced by the 413 (it may have turned
the short body into a 400 or 422 of its own); nothing is stored for a refused request
because the handler only runs on a complete body.

Starlette/FastAPI have no per-route body limit (``Request.form`` limits form fields, not
files), and uvicorn none at all; the refusal must come before the multipart parser has
spooled the whole upload to disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import Settings

#: Room for the multipart envelope (boundaries, part headers) around an uploaded file.
MULTIPART_ROOM = 64 * 1024


#: Where a batch file is uploaded: the API's route and the account pages' form.
BATCH_UPLOADS = frozenset({"/v1/batches", "/tai-khoan/lo"})
#: Where a certificate's PDF is uploaded: the API's route and the verification page's form.
VERIFY_UPLOADS = frozenset({"/v1/certificates/verify", "/xac-minh"})


@dataclass(frozen=True)
class Limit:
    max_bytes: int
    field: str


def limit_for(method: str, path: str, settings: Settings) -> Limit:
    """The largest body accepted by ``method path``."""
    if method == "POST" and path.rstrip("/") in BATCH_UPLOADS:
        return Limit(settings.batch_max_upload_bytes + MULTIPART_ROOM, "file")
    if method == "POST" and path.rstrip("/") in VERIFY_UPLOADS:
        return Limit(settings.verify_max_upload_bytes + MULTIPART_ROOM, "file")
    return Limit(settings.max_json_body_bytes, "body")


def too_large_body(limit: Limit) -> bytes:
    vi = f"Nội dung yêu cầu lớn hơn giới hạn {limit.max_bytes} byte của địa chỉ này."
    en = f"The request body is larger than this route's limit of {limit.max_bytes} bytes."
    return orjson.dumps({"error": {
        "code": "body_too_large", "message_vi": vi, "message_en": en,
        "problems": [{"field": limit.field, "rule": "max_bytes", "limit": limit.max_bytes,
                      "message_vi": vi, "message_en": en}]}})


class BodyLimit:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["method"], scope["path"], self.settings)
        declared = _content_length(scope)
        if declared is not None and declared > limit.max_bytes:
            await _refuse(send, limit)
            return
        await _Guard(self.app, limit).run(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, limit: Limit) -> None:
    body = too_large_body(limit)
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class _Guard:
    """One request: counts what it receives, answers 413 once past the limit."""

    def __init__(self, app: ASGIApp, limit: Limit) -> None:
        self.app, self.limit = app, limit
        self.received = 0
        self.exceeded = False
        self.answered = False
        self.started = False  # the app's own response began before the limit was passed

    async def run(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted() -> Message:
            if self.exceeded:
                return {"type": "http.request", "body": b"", "more_body": False}
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                if self.received > self.limit.max_bytes:
                    self.exceeded = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def guarded(message: Message) -> None:
            if not self.exceeded or self.started:
                self.started = self.started or message["type"] == "http.response.start"
                await send(message)
            elif not self.answered:
                self.answered = True
                await _refuse(send, self.limit)

        await self.app(scope, counted, guarded)
        if self.exceeded and not self.answered and not self.started:
            self.answered = True
            await _refuse(send, self.limit)


def install(app: Any, settings: Settings) -> None:
    app.add_middleware(BodyLimit, settings=settings)
