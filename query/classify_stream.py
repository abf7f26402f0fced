"""JSON Lines in, classifications out (``regsearch classify``).

Each input line is ``{"criterion", "registered", "query", "party_type"?}``
(other fields, such as the eval files' ``expect`` and ``note``, are ignored).
Each gives one output line, in order: ``{"tier", "reasons", "score"}``, or
``{"error", "line"}`` naming the field and the rule it broke; the run goes on.
Error messages are in Vietnamese with English alongside.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from query.classify import PARTY_TYPES, Classification, classify
from query.criteria import CRITERIA


class LineError(ValueError):
    """A malformed input line."""


def _error(vi: str, en: str) -> LineError:
    return LineError(f"{vi} / {en}")


def _string_field(record: dict[str, Any], name: str) -> str:
    if name not in record:
        raise _error(f"thiếu trường \"{name}\"", f"field \"{name}\" is missing")
    value = record[name]
    if not isinstance(value, str):
        raise _error(f"trường \"{name}\" phải là chuỗi ký tự",
                     f"field \"{name}\" must be a string")
    return value


def parse_line(text: str) -> tuple[str, str, str, str | None]:
    """(criterion, registered, query, party_type) of one input line."""
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _error(f"dòng không phải JSON hợp lệ ({exc.msg})",
                     f"line is not valid JSON ({exc.msg})") from exc
    if not isinstance(record, dict):
        raise _error("mỗi dòng phải là một đối tượng JSON", "each line must be a JSON object")
    criterion = _string_field(record, "criterion")
    if criterion not in CRITERIA:
        allowed = ", ".join(CRITERIA)
        raise _error(f"trường \"criterion\" phải là một trong: {allowed}",
                     f"field \"criterion\" must be one of: {allowed}")
    registered = _string_field(record, "registered")
    query = _string_field(record, "query")
    party_type = record.get("party_type")
    if party_type is not None and party_type not in PARTY_TYPES:
        allowed = ", ".join(PARTY_TYPES)
        raise _error(f"trường \"party_type\" phải là null hoặc một trong: {allowed}",
                     f"field \"party_type\" must be null or one of: {allowed}")
    return criterion, registered, query, party_type


def to_json(result: Classification) -> dict[str, Any]:
    return {"tier": result.tier, "reasons": list(result.reasons), "score": result.score}


def run(stdin: TextIO, stdout: TextIO) -> None:
    """Classify every line of ``stdin`` and write one result line each to ``stdout``."""
    for number, text in enumerate(stdin, start=1):
        try:
            if not text.strip():
                raise _error("dòng trống", "empty line")
            criterion, registered, query, party_type = parse_line(text)
            output: dict[str, Any] = to_json(classify(criterion, registered, query, party_type))
        except LineError as exc:
            output = {"error": str(exc), "line": number}
        stdout.write(json.dumps(output, ensure_ascii=False) + "\n")
    stdout.flush()
