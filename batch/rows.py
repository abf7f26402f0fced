"""Check one row of a batch file against the rules of a single search.

A row may carry several criteria (a name with its party type, ID numbers,
chassis, engine and plate numbers, a registration number); each is checked as
``POST /v1/search`` checks its one criterion (``query.request.SearchRequest``:
not empty, at most 200 characters, no control characters) and must leave
something to search once normalised. A row with any problem is not searched at
all, so that a bank never reads "no match" for a criterion that was not run.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import ValidationError

from batch.cells import cell_text
from batch.columns import CLIENT_REFERENCE, PARTY_TYPE
from batch.messages import Message
from batch.parse import Record
from core import client_reference
from normalizers import n1, n2
from normalizers.legacy import repair_legacy
from query.candidates import plan
from query.problems import Problem, from_pydantic, problem
from query.request import SearchRequest

_PARTY_TYPES: Final = {
    "ca nhan": "individual", "individual": "individual", "person": "individual",
    "to chuc": "organization", "organization": "organization", "organisation": "organization",
    "phap nhan": "organization", "doanh nghiep": "organization",
}


@dataclass(frozen=True)
class RowCriterion:
    """One criterion of a file row: which (a ``query.criteria.CriterionName``), the value
    as written, the column it came from and the row's party type; searched on its own, as
    a single search would be."""

    criterion: str
    value: str
    column: str
    party_type: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"criterion": self.criterion, "value": self.value, "column": self.column,
                "party_type": self.party_type}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RowCriterion:
        return cls(data["criterion"], data["value"], data["column"], data.get("party_type"))


@dataclass
class CheckedRow:
    row: int
    criteria: list[RowCriterion] = field(default_factory=list)
    problems: list[Message] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)
    duplicate_of: int | None = None
    chunk: int | None = None
    #: The row's ``client_reference`` column as ``core.client_reference.clean`` leaves it
    #: (watch lists keep it with their entries; a batch carries it into its results). One
    #: that breaks the rule is a problem of the row and kept as entered (NFC, trimmed), so
    #: the results can echo it beside the problem; only valid rows' references are used.
    client_reference: str | None = None

    @property
    def valid(self) -> bool:
        return not self.problems

    def duplicate_key(self) -> tuple[tuple[str, str, str], ...]:
        """Rows with the same key get the same answer: same criteria, values and types."""
        return tuple(sorted((c.criterion, c.value, c.party_type or "") for c in self.criteria))


def _message(found: Problem, column: str) -> Message:
    return Message(found.rule, found.message_vi, found.message_en, column)


def _party_type(record: Record, checked: CheckedRow) -> str | None:
    found: str | None = None
    for column, value in record.cells:
        if column.field != PARTY_TYPE:
            continue
        text = cell_text(value, PARTY_TYPE, column.header).text
        if text is None:
            continue
        mapped = _PARTY_TYPES.get(n2(text).strip())
        if mapped is None:
            checked.problems.append(Message.of("unknown_party_type", column.header, value=text))
        found = found or mapped
    return found


def _check_criterion(criterion: str, value: str, column: str,
                     party_type: str | None) -> list[Message]:
    body: dict[str, Any] = {criterion: value}
    if criterion == "debtor_name" and party_type is not None:
        body["party_type"] = party_type
    try:
        SearchRequest.model_validate(body)
    except ValidationError as exc:
        return [_message(from_pydantic(dict(error)), column) for error in exc.errors()]
    if not _normalised(criterion, value):
        return [_message(problem(column, "no_searchable_characters"), column)]
    return []


def _normalised(criterion: str, value: str) -> str:
    """The form ``query.candidates.plan`` calls ``normalised`` (empty: nothing to search,
    the single search's 422), without building all the candidate keys of a name."""
    if criterion == "debtor_name":
        return n1(value)
    return plan(criterion, value, None).normalised


def _note_legacy(value: str, column: str, checked: CheckedRow) -> None:
    """The normaliser repairs legacy-encoded names when searching; say what it read."""
    text = unicodedata.normalize("NFC", value)
    repaired = repair_legacy(text)
    if repaired != text:
        checked.notes.append(Message.of("legacy_encoding", column, value=repaired))


def _client_reference(text: str | None, column: str, checked: CheckedRow) -> None:
    """The row's own reference, under ``core.client_reference``'s rule (one that breaks it
    is kept as entered, and the row is invalid)."""
    try:
        checked.client_reference = client_reference.clean(text)
    except client_reference.ClientReferenceError as exc:
        checked.client_reference = unicodedata.normalize("NFC", text or "").strip()
        checked.problems.append(_message(problem(column, exc.rule,
                                                 limit=client_reference.MAX_LENGTH), column))


def check_row(record: Record) -> CheckedRow:
    """The row's criteria, problems and notes."""
    checked = CheckedRow(record.row)
    if record.problem is not None:
        checked.problems.append(record.problem)
        return checked
    party_type = _party_type(record, checked)
    for column, value in record.cells:
        if column.field == PARTY_TYPE:
            continue
        if column.field == CLIENT_REFERENCE:
            _client_reference(cell_text(value, CLIENT_REFERENCE, column.header).text,
                              column.header, checked)
            continue
        cell = cell_text(value, column.field, column.header)
        if cell.not_text:
            checked.problems.append(_message(problem(column.header, "must_be_string"),
                                             column.header))
            continue
        if cell.text is None:
            continue
        if cell.note is not None:
            checked.notes.append(cell.note)
        is_name = column.field == "debtor_name"
        criterion = RowCriterion(column.field, cell.text, column.header,
                                 party_type if is_name else None)
        checked.problems += _check_criterion(criterion.criterion, criterion.value,
                                             column.header, criterion.party_type)
        if is_name:
            _note_legacy(cell.text, column.header, checked)
        checked.criteria.append(criterion)
    if not checked.criteria and not checked.problems:
        checked.problems.append(Message.of("no_criterion"))
    if party_type is not None and not any(c.criterion == "debtor_name" for c in checked.criteria):
        checked.notes.append(Message.of("party_type_ignored"))
    return checked
