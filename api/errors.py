"""Error responses: 422 naming the field and the rule, 503 when a service is down.

Never a stack trace: anything unexpected is a plain 500 with a reference.
"""

from __future__ import annotations

import logging
import uuid

from elasticsearch import ApiError, TransportError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.problems import Problem, from_pydantic, problem
from freshness.errors import FreshnessError
from query.search import IndexOutdatedError

log = logging.getLogger("regsearch.api")


class InvalidQueryError(Exception):
    """A request that is well-formed but cannot be searched (e.g. nothing left to search)."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__(problems[0].message_en if problems else "invalid")
        self.problems = problems


class ApiProblemError(Exception):
    """Any refusal with its status, a code and a bilingual message."""

    def __init__(self, status: int, code: str, message_vi: str, message_en: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message_en)
        self.status, self.code = status, code
        self.message_vi, self.message_en = message_vi, message_en
        self.headers = headers or {}


class ServiceUnavailableError(Exception):
    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en


def invalid_response(problems: list[Problem]) -> JSONResponse:
    return JSONResponse(status_code=422, content={"error": {
        "code": "invalid_request",
        "message_vi": "Yêu cầu không hợp lệ: " + "; ".join(
            f"{p.field}: {p.message_vi}" for p in problems),
        "message_en": "Invalid request: " + "; ".join(
            f"{p.field}: {p.message_en}" for p in problems),
        "problems": [p.as_dict() for p in problems],
    }})


def unavailable_response(message_vi: str, message_en: str) -> JSONResponse:
    return JSONResponse(status_code=503, headers={"Retry-After": "5"}, content={"error": {
        "code": "service_unavailable", "message_vi": message_vi, "message_en": message_en}})


SEARCH_DOWN = (
    "Hệ thống tra cứu tạm thời không sẵn sàng, vui lòng thử lại sau ít phút.",
    "The search service is temporarily unavailable; please try again in a few minutes.",
)
INDEX_OUTDATED = ("Chỉ mục tra cứu cần được xây dựng lại cho phiên bản này; vui lòng thử lại sau.",
                  "The search index must be rebuilt for this version; please try again later.")


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [from_pydantic(dict(e)) for e in exc.errors()]
        if not problems:
            problems = [problem("body", "json_object")]
        return invalid_response(problems)

    @app.exception_handler(InvalidQueryError)
    async def _invalid(_: Request, exc: InvalidQueryError) -> JSONResponse:
        return invalid_response(list(exc.problems))

    @app.exception_handler(ApiProblemError)
    async def _problem(_: Request, exc: ApiProblemError) -> JSONResponse:
        return JSONResponse(status_code=exc.status, headers=exc.headers, content={"error": {
            "code": exc.code, "message_vi": exc.message_vi, "message_en": exc.message_en}})

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
    return JSONResponse(status_code=500, content={"error": {
        "code": "internal_error",
        "message_vi": f"Lỗi hệ thống, mã tham chiếu {reference}.",
        "message_en": f"Internal error, reference {reference}.",
    }})
