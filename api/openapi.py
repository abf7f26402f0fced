"""What the OpenAPI document says about refusals: the one error body, and the statuses
each route declares.

A route declares its refusals with ``responses=refusals(401, 404, 422)``; a status with a
description of its own is a pair, ``(404, "No such batch of this account")``. Every
route gets 500 (the format of anything unexpected) besides. Adding a status a route can
answer is one number in its decorator; ``tests/api/test_openapi_conformance.py`` fails
on any status or content type a route answers without declaring it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ProblemDetail(BaseModel):
    """One rule one field breaks."""

    field: str = Field(description="The field, parameter or header at fault")
    rule: str = Field(description="The rule it breaks (a stable code)")
    message_vi: str
    message_en: str


class ErrorDetail(BaseModel):
    """Every refusal: a stable code, the field and rule, one message in each language."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(description="Stable code of the refusal (e.g. invalid_request, "
                                  "key_unknown, certificate_not_found)")
    message_vi: str = Field(description="Tiếng Việt")
    message_en: str = Field(description="English")
    field: str | None = Field(description="The field, parameter or header at fault; null "
                                          "when the refusal is about no one field")
    rule: str = Field(description="The rule broken: for a 422 the first problem's, "
                                  "otherwise the code")
    problems: list[ProblemDetail] | None = Field(
        default=None, description="Every problem, field by field (422)")


class ErrorBody(BaseModel):
    """The body of every 4xx and 5xx answer."""

    error: ErrorDetail


DESCRIPTIONS: dict[int, str] = {
    400: "Nội dung không đọc được / The body cannot be read (not UTF-8 JSON, broken "
         "multipart)",
    401: "Thiếu khóa API, hoặc khóa không hợp lệ hay đã bị thu hồi / An API key is needed, "
         "or the key given is unknown or revoked",
    403: "Không có quyền / Not allowed for this caller",
    404: "Không tìm thấy / Not found",
    409: "Xung đột với trạng thái hiện tại / Conflicts with the current state",
    413: "Nội dung quá lớn / The body or file is larger than allowed",
    422: "Yêu cầu không hợp lệ: mỗi lỗi nêu trường và quy tắc / Invalid request: each "
         "problem names the field and the rule",
    429: "Quá nhiều yêu cầu, xem Retry-After / Too many requests: see Retry-After",
    500: "Lỗi hệ thống, kèm mã tham chiếu / Internal error, with a reference",
    503: "Dịch vụ tạm thời không sẵn sàng, xem Retry-After / A service the answer needs "
         "is unavailable: see Retry-After",
}


def refusals(*statuses: int | tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route for the refusals it can answer (500 included)."""
    declared: dict[int | str, dict[str, Any]] = {
        500: {"model": ErrorBody, "description": DESCRIPTIONS[500]}}
    for item in statuses:
        status, description = item if isinstance(item, tuple) else (item, DESCRIPTIONS[item])
        declared[status] = {"model": ErrorBody, "description": description}
    return declared


def binary(*media_types: str, description: str) -> dict[int | str, dict[str, Any]]:
    """A 200 whose body is a file in one of ``media_types`` (the route's
    ``response_class`` must be the plain ``Response``, so no JSON is declared for it)."""
    return {200: {"description": description, "content": {
        media_type: {"schema": {"type": "string", "format": "binary"}}
        for media_type in media_types}}}
