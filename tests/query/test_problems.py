"""Validation errors turned into problems: the field's name (never a location prefix or a
byte offset), the rule, and a message in each language with nothing left unfilled."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from query.problems import RULE_TEXTS, from_pydantic, from_validation_error

_CONTROL = st.sampled_from([chr(c) for c in range(32) if chr(c) not in "\t\n\r"])
_NAMES = st.from_regex(r"[a-z][a-z_]{0,15}", fullmatch=True)


def test_the_location_is_not_part_of_the_name() -> None:
    for location in ("body", "query", "path", "header"):
        found = from_pydantic({"type": "uuid_parsing", "loc": (location, "batch_id")})
        assert (found.field, found.rule) == ("batch_id", "must_be_uuid")


def test_one_bound_is_named_when_only_one_is_declared() -> None:
    low = from_pydantic({"type": "greater_than_equal", "loc": ("query", "n"), "ctx": {"ge": 3}})
    high = from_pydantic({"type": "less_than_equal", "loc": ("query", "n"), "ctx": {"le": 9}})
    assert (low.rule, low.message_en, low.message_vi) == (
        "minimum", "Must be at least 3.", "Phải lớn hơn hoặc bằng 3.")
    assert (high.rule, high.message_en) == ("maximum", "Must be at most 9.")


def test_allowed_values_are_listed_without_english_glue() -> None:
    found = from_pydantic({"type": "literal_error", "loc": ("body", "id_type"),
                           "ctx": {"expected": "'cmnd', 'cccd' or 'passport'"}})
    assert found.message_en == "Must be one of: cmnd, cccd, passport."
    assert found.message_vi == "Phải là một trong các giá trị: cmnd, cccd, passport."


def _json_invalid(body: str) -> list[dict[str, Any]]:
    return [{"type": "json_invalid", "loc": ("body", 7), "msg": "JSON decode error",
             "ctx": {"error": "Invalid control character"}}]


@given(st.dictionaries(_NAMES, st.text(max_size=8), max_size=3), _NAMES,
       st.text(max_size=5), _CONTROL, st.text(max_size=5))
def test_a_raw_control_character_is_the_field_s_problem(
        others: dict[str, str], name: str, before: str, control: str, after: str) -> None:
    clean = {k: v for k, v in others.items()
             if k != name and not any(ord(c) < 32 for c in v)}
    body = json.dumps({**clean, name: "@@"}).replace("@@", before.replace("\\", "")
                                                     .replace('"', "") + control
                                                     + after.replace("\\", "").replace('"', ""))
    problems = from_validation_error(_json_invalid(body), body)
    assert [(p.field, p.rule) for p in problems] == [(name, "no_control_characters")]


def test_json_that_cannot_be_read_is_the_body_s_problem() -> None:
    for body in ("{not json", '{"a": "b"', "[1, 2", b"\xff", None):
        problems = from_validation_error(_json_invalid(str(body)), body)
        assert [(p.field, p.rule) for p in problems] == [("body", "json_object")]


def test_every_rule_text_is_one_language_each() -> None:
    for rule, (vi, en) in RULE_TEXTS.items():
        assert vi != en, rule
        assert " or " not in vi and " and " not in vi, rule
