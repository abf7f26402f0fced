"""Criteria → Elasticsearch candidate queries.

Candidate retrieval only has to be complete; the pair classifier decides. The
keys come from ``normalizers.keys``, the same functions the indexer used, so a
registration the contract calls exact shares an exact key with the query, and
one it calls close shares a close key or is reached by the listed server-side
query (``prefix`` on a reversed serial).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from normalizers import keys
from normalizers.identifiers import identifier_form
from query.criteria import SERIAL_CRITERIA

#: The index fields (their prefix) each serial criterion is matched against.
SERIAL_FIELDS: dict[str, str] = {name: name.removesuffix("_number") for name in SERIAL_CRITERIA}

MIN_SUFFIX = 8


@dataclass
class CandidatePlan:
    exact: list[dict[str, Any]] = field(default_factory=list)
    close: list[dict[str, Any]] = field(default_factory=list)
    normalised: str = ""


def _terms(field_name: str, values: object) -> list[dict[str, Any]]:
    found = sorted({str(v) for v in values})  # type: ignore[attr-defined]
    return [{"terms": {field_name: found}}] if found else []


def plan(criterion: str, value: str, party_type: str | None) -> CandidatePlan:
    if criterion == "debtor_name":
        name_keys = keys.name_query_keys(value, party_type)
        return CandidatePlan(
            exact=_terms("name_exact", name_keys.exact),
            close=_terms("name_close", name_keys.close),
            normalised=name_keys.normalised,
        )
    if criterion == "id_number":
        id_keys = keys.id_query_keys(value)
        close = _terms("id_close", id_keys.close)
        return CandidatePlan(exact=_terms("id_exact", id_keys.exact), close=close,
                             normalised=id_keys.normalised)
    if criterion in SERIAL_FIELDS:
        prefix = SERIAL_FIELDS[criterion]
        serial = keys.serial_query_keys(value)
        form = serial.normalised
        close = _terms(f"{prefix}_close", serial.close)
        if len(form) >= MIN_SUFFIX:
            close.append({"prefix": {f"{prefix}_reversed": form[::-1]}})
            close.extend(_terms(f"{prefix}_exact", serial.tails))
        return CandidatePlan(exact=_terms(f"{prefix}_exact", serial.exact), close=close,
                             normalised=form)
    if criterion == "registration_number":
        form = identifier_form(value)
        return CandidatePlan(exact=_terms("registration_key", [form]) if form else [],
                             normalised=form)
    raise ValueError(f"unknown criterion {criterion}")
