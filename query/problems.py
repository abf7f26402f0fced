"""Plain, bilingual descriptions of what is wrong with a request.

Every problem names the field and the rule; the wording is Vietnamese with
English alongside, because searchers read it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from query.criteria import CRITERIA

#: rule -> (Vietnamese, English); ``{limit}`` is filled from the error context.
RULE_TEXTS: dict[str, tuple[str, str]] = {
    "exactly_one_criterion": (
        "Phải nhập đúng một tiêu chí tra cứu (một trong: " + ", ".join(CRITERIA) + ").",
        "Give exactly one search criterion (one of: " + ", ".join(CRITERIA) + ").",
    ),
    "not_empty": ("Không được để trống.", "Must not be empty."),
    "max_length": ("Dài quá {limit} ký tự.", "Longer than {limit} characters."),
    "no_control_characters": (
        "Không được chứa ký tự điều khiển.", "Must not contain control characters."),
    "no_searchable_characters": (
        "Không còn chữ hoặc số nào để tra cứu sau khi chuẩn hóa.",
        "Nothing left to search for after normalisation (no letters or digits)."),
    "only_with_debtor_name": (
        "Chỉ dùng kèm tiêu chí debtor_name.", "Only allowed together with debtor_name."),
    "only_with_id_number": (
        "Chỉ dùng kèm tiêu chí id_number.", "Only allowed together with id_number."),
    "one_of": ("Phải là một trong các giá trị: {allowed}.", "Must be one of: {allowed}."),
    "must_be_string": ("Phải là chuỗi ký tự.", "Must be a string."),
    "must_be_boolean": ("Phải là true hoặc false.", "Must be true or false."),
    "must_be_integer": ("Phải là số nguyên.", "Must be an integer."),
    "range": ("Phải trong khoảng {ge} đến {le}.", "Must be between {ge} and {le}."),
    "must_be_uuid": ("Phải là một UUID.", "Must be a UUID."),
    "minimum": ("Phải lớn hơn hoặc bằng {ge}.", "Must be at least {ge}."),
    "maximum": ("Phải nhỏ hơn hoặc bằng {le}.", "Must be at most {le}."),
    "unknown_field": ("Trường không được hỗ trợ.", "Unknown field."),
    "json_object": (
        "Nội dung yêu cầu phải là một đối tượng JSON hợp lệ.",
        "The request body must be a valid JSON object."),
    "invalid": ("Giá trị không hợp lệ.", "Invalid value."),
    "not_https": ("Địa chỉ gọi lại phải dùng HTTPS.", "The callback URL must use HTTPS."),
    "invalid_url": (
        "Địa chỉ gọi lại không hợp lệ (chỉ http hoặc https, có tên máy chủ, không có"
        " khoảng trắng).",
        "The callback URL is not a valid URL (http or https only, with a host name, no"
        " white space)."),
    "credentials_in_url": (
        "Địa chỉ gọi lại không được chứa tên đăng nhập hoặc mật khẩu.",
        "The callback URL must not hold a user name or password."),
    "too_long": ("Địa chỉ gọi lại dài quá {limit} ký tự.",
                 "The callback URL is longer than {limit} characters."),
    "client_reference_characters": (
        "Mã tham chiếu phải bắt đầu bằng chữ hoặc số và chỉ gồm chữ, số, dấu cách và"
        " các ký tự - _ . / : # ( ).",
        "A client reference must start with a letter or digit and hold only letters,"
        " digits, spaces and - _ . / : # ( )."),
}


@dataclass(frozen=True)
class Problem:
    field: str
    rule: str
    message_vi: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule, "message_vi": self.message_vi,
                "message_en": self.message_en}


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def problem(field: str, rule: str, **context: Any) -> Problem:
    vi, en = RULE_TEXTS.get(rule, RULE_TEXTS["invalid"])
    values = _Blank(context)
    return Problem(field, rule, vi.format_map(values), en.format_map(values))


_PYDANTIC_RULES = {
    "missing": "not_empty",
    "string_too_short": "not_empty",
    "string_too_long": "max_length",
    "string_type": "must_be_string",
    "bool_type": "must_be_boolean",
    "bool_parsing": "must_be_boolean",
    "int_type": "must_be_integer",
    "int_parsing": "must_be_integer",
    "int_from_float": "must_be_integer",
    "literal_error": "one_of",
    "enum": "one_of",
    "extra_forbidden": "unknown_field",
    "model_attributes_type": "json_object",
    "model_type": "json_object",
    "dict_type": "json_object",
    "json_invalid": "json_object",
    "uuid_parsing": "must_be_uuid",
    "uuid_type": "must_be_uuid",
    # a bounded field names both bounds (``query.request._range_of``: rule ``range``); one
    # declared with ``Field(ge=…)`` alone names the bound it has
    "greater_than_equal": "minimum",
    "less_than_equal": "maximum",
}

#: Where FastAPI says a value came from: not part of the field's name.
_LOCATIONS = frozenset(("body", "query", "path", "header", "cookie"))
_QUOTED = re.compile(r"'([^']*)'")


def _allowed(expected: str) -> str:
    """pydantic's ``'a' or 'b'`` (English) as ``a, b``, fit for either language."""
    values = _QUOTED.findall(expected)
    return ", ".join(values) if values else expected


def from_pydantic(error: dict[str, Any]) -> Problem:
    """Turn one pydantic/FastAPI validation error into a named-field, named-rule problem."""
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] in _LOCATIONS:
        loc = loc[1:]
    field = ".".join(loc) or "body"
    kind = str(error.get("type", ""))
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if kind in RULE_TEXTS:  # our own PydanticCustomError types
        return problem(str(ctx.pop("field", field)), kind, **ctx)
    rule = _PYDANTIC_RULES.get(kind, "invalid")
    if rule == "max_length":
        ctx.setdefault("limit", ctx.get("max_length", ""))
    if rule == "one_of":
        ctx["allowed"] = _allowed(str(ctx.get("expected", "")))
    return problem(field, rule, **ctx)


def from_validation_error(errors: Sequence[Any], body: Any) -> list[Problem]:
    """The problems of FastAPI's ``RequestValidationError``.

    A body that is not JSON is the body's problem, not that of a byte offset; but JSON
    whose only fault is a control character inside a string (a NUL byte, say) is
    reported against the field whose value holds it, as the same character written
    ``\\u0000`` would be."""
    if any(dict(e).get("type") == "json_invalid" for e in errors):
        return _control_characters(body) or [problem("body", "json_object")]
    return [from_pydantic(dict(e)) for e in errors] or [problem("body", "json_object")]


def _control_characters(body: Any) -> list[Problem]:
    try:
        parsed = json.loads(body, strict=False)  # strict=False: control characters allowed
    except (TypeError, ValueError):
        return []
    if not isinstance(parsed, dict):
        return []
    return [problem(str(name), "no_control_characters") for name, value in parsed.items()
            if _holds_control(value)]


def _holds_control(value: Any) -> bool:
    if isinstance(value, str):
        return any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value)
    if isinstance(value, dict):
        return any(_holds_control(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_control(v) for v in value)
    return False
