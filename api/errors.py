"""Error responses in one format: ``{"error": {code, message_vi, message_en, field, rule}}``
(``api.openapi.ErrorBody``), a 422's ``problems`` besides, for our own refusals and for
FastAPI's and Starlette's alike (400, 404, 405, 413, body-parse errors).

Never a stack trace: anything unexpected is a plain 500 with a reference.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from elasticsearch import ApiError, TransportError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from freshness.errors import FreshnessError
from query.problems import Problem, from_validation_error
from query.search import IndexOutdatedError

log = logging.getLogger("regsearch.api")


class InvalidQueryError(Exception):
    """A request that is well-formed but cannot be searched (e.g. nothing left to search)."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__(problems[0].message_en if problems else "invalid")
        self.problems = problems


class ApiProblemError(Exception):
    """Any refusal with its status, a code and a bilingual message; ``field`` names the
    field, parameter or header at fault (none when it is about no one field), ``rule``
    the rule broken (the code unless given)."""

    def __init__(self, status: int, code: str, message_vi: str, message_en: str,
                 headers: dict[str, str] | None = None, *, field: str | None = None,
                 rule: str | None = None) -> None:
        super().__init__(message_en)
        self.status, self.code = status, code
        self.message_vi, self.message_en = message_vi, message_en
        self.headers = headers or {}
        self.field, self.rule = field, rule or code


class ServiceUnavailableError(Exception):
    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en


def error_response(status: int, code: str, message_vi: str, message_en: str, *,
                   field: str | None = None, rule: str | None = None,
                   headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """The one error body; ``extra`` adds members (``problems``, a batch's ``report``)."""
    return JSONResponse(status_code=status, headers=headers, content={"error": {
        "code": code, "message_vi": message_vi, "message_en": message_en,
        "field": field, "rule": rule or code, **extra}})


def invalid_response(problems: list[Problem]) -> JSONResponse:
    return error_response(
        422, "invalid_request",
        "Yêu cầu không hợp lệ: " + "; ".join(f"{p.field}: {p.message_vi}" for p in problems),
        "Invalid request: " + "; ".join(f"{p.field}: {p.message_en}" for p in problems),
        field=problems[0].field, rule=problems[0].rule,
        problems=[p.as_dict() for p in problems])


def unavailable_response(message_vi: str, message_en: str) -> JSONResponse:
    return error_response(503, "service_unavailable", message_vi, message_en,
                          headers={"Retry-After": "5"})


SEARCH_DOWN = (
    "Hệ thống tra cứu tạm thời không sẵn sàng, vui lòng thử lại sau ít phút.",
    "The search service is temporarily unavailable; please try again in a few minutes.",
)
INDEX_OUTDATED = ("Chỉ mục tra cứu cần được xây dựng lại cho phiên bản này; vui lòng thử lại sau.",
                  "The search index must be rebuilt for this version; please try again later.")

def unavailable_message(exc: Exception) -> tuple[str, str] | None:
    """The words of the 503 the handlers below answer for ``exc`` (None: not a 503), for
    the pages, which answer the same refusal as a page."""
    if isinstance(exc, ServiceUnavailableError | FreshnessError):
        return exc.message_vi, exc.message_en
    if isinstance(exc, TransportError) or (
            isinstance(exc, ApiError) and exc.status_code in (429, 500, 502, 503, 504)):
        return SEARCH_DOWN
    if isinstance(exc, IndexOutdatedError):
        return INDEX_OUTDATED
    return None


#: FastAPI's and Starlette's own refusals: status -> (code, field, Vietnamese, English).
HTTP_TEXTS: dict[int, tuple[str, str | None, str, str]] = {
    400: ("unreadable_body", "body", "Không đọc được nội dung yêu cầu.",
          "The request body cannot be read."),
    404: ("not_found", "path", "Không có địa chỉ này.", "No such address."),
    405: ("method_not_allowed", "method", "Phương thức HTTP này không dùng được với địa chỉ này.",
          "This HTTP method is not allowed at this address."),
    413: ("body_too_large", "body", "Nội dung yêu cầu quá lớn.", "The request body is too large."),
}
BODY_UNREADABLE = {
    "multipart": ("Nội dung multipart/form-data không đọc được.",
                  "The multipart/form-data body cannot be read."),
    "json_object": ("Nội dung yêu cầu không phải JSON UTF-8 hợp lệ.",
                    "The request body is not valid UTF-8 JSON."),
}


def http_error_response(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """A refusal FastAPI or Starlette made (no route, wrong method, unreadable body)."""
    code, field, vi, en = HTTP_TEXTS.get(exc.status_code, (
        f"http_{exc.status_code}", None, f"Yêu cầu bị từ chối (HTTP {exc.status_code}).",
        f"The request was refused (HTTP {exc.status_code})."))
    rule = None
    if exc.status_code == 400:
        content_type = request.headers.get("content-type", "")
        rule = "multipart" if content_type.startswith("multipart/") else "json_object"
        vi, en = BODY_UNREADABLE[rule]
    return error_response(exc.status_code, code, vi, en, field=field, rule=rule,
                          headers=dict(exc.headers or {}))


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return http_error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return invalid_response(from_validation_error(exc.errors(), exc.body))

    @app.exception_handler(InvalidQueryError)
    async def _invalid(_: Request, exc: InvalidQueryError) -> JSONResponse:
        return invalid_response(list(exc.problems))

    @app.exception_handler(ApiProblemError)
    async def _problem(_: Request, exc: ApiProblemError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message_vi, exc.message_en,
                              field=exc.field, rule=exc.rule, headers=exc.headers)

    @app.exception_handler(ServiceUnavailableError)
    async def _unavailable(_: Request, exc: ServiceUnavailableError) -> JSONResponse:
        return unavailable_response(exc.message_vi, exc.message_en)

    @app.exception_handler(FreshnessError)
    async def _not_current(_: Request, exc: FreshnessError) -> JSONResponse:
        return unavailable_response(exc.message_vi, exc.message_en)

    @app.exception_handler(TransportError)
    async def _es_down(_: Request, exc: TransportError) -> JSONResponse:
        log.warning("elasticsearch unavailable: %s", exc)
        return unavailable_response(*SEARCH_DOWN)

    @app.exception_handler(ApiError)
    async def _es_error(_: Request, exc: ApiError) -> JSONResponse:
        if exc.status_code in (429, 500, 502, 503, 504):
            log.warning("elasticsearch error: %s", exc)
            return unavailable_response(*SEARCH_DOWN)
        return _internal(exc)

    @app.exception_handler(IndexOutdatedError)
    async def _index_outdated(_: Request, exc: IndexOutdatedError) -> JSONResponse:
        log.error("%s", exc)
        return unavailable_response(*INDEX_OUTDATED)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return _internal(exc)


def _internal(exc: Exception) -> JSONResponse:
    reference = uuid.uuid4().hex[:12]
    log.exception("unexpected error %s", reference, exc_info=exc)
    return error_response(500, "internal_error", f"Lỗi hệ thống, mã tham chiếu {reference}.",
                          f"Internal error, reference {reference}.")
