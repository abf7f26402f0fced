"""Plain, bilingual descriptions of what is wrong with a request.

Every problem names the field and the rule; the wording is Vietnamese with
English alongside, because searchers read it.
"""

from __future__ import annotations

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
    "unknown_field": ("Trường không được hỗ trợ.", "Unknown field."),
    "json_object": (
        "Nội dung yêu cầu phải là một đối tượng JSON hợp lệ.",
        "The request body must be a valid JSON object."),
    "invalid": ("Giá trị không hợp lệ.", "Invalid value."),
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
    "literal_error": "one_of",
    "enum": "one_of",
    "extra_forbidden": "unknown_field",
    "model_attributes_type": "json_object",
    "dict_type": "json_object",
    "json_invalid": "json_object",
    "greater_than_equal": "range",
    "less_than_equal": "range",
}


def from_pydantic(error: dict[str, Any]) -> Problem:
    """Turn one pydantic/FastAPI validation error into a named-field, named-rule problem."""
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body",)]
    field = ".".join(loc) or "body"
    kind = str(error.get("type", ""))
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if kind in RULE_TEXTS:  # our own PydanticCustomError types
        return problem(str(ctx.pop("field", field)), kind, **ctx)
    rule = _PYDANTIC_RULES.get(kind, "invalid")
    if rule == "max_length":
        ctx.setdefault("limit", ctx.get("max_length", ""))
    if rule == "one_of":
        ctx.setdefault("allowed", ctx.get("expected", ""))
    return problem(field, rule, **ctx)
