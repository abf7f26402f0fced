"""The search criteria, defined once: their names, and which part of a registration
(its role) and which field each is matched against.

The API's request model and its messages, the batch file's columns, the candidate plan,
the classification, the search and the certificates all read this module; a new criterion
starts here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

CriterionName = Literal[
    "debtor_name",
    "id_number",
    "chassis_number",
    "engine_number",
    "plate_number",
    "registration_number",
]
#: Every criterion, in the order forms, messages and certificates list them.
CRITERIA: Final[tuple[CriterionName, ...]] = get_args(CriterionName)

WatchableCriterion = Literal[
    "debtor_name",
    "id_number",
    "chassis_number",
    "engine_number",
    "plate_number",
]
#: The criteria a watch list entry may hold (``watch``, ``api.watch_routes``): every
#: criterion but the registration number, which names one registration rather than a
#: party or an asset later registrations may encumber; in ``CRITERIA`` order
#: (``tests/query/test_criteria.py`` holds the two together).
WATCHABLE_CRITERIA: Final[tuple[WatchableCriterion, ...]] = get_args(WatchableCriterion)

#: The part of a registration a criterion's value is found in.
Role = Literal["grantor", "asset", "registration"]


@dataclass(frozen=True)
class MatchedField:
    """Where a criterion's value is registered: the role and the field of that part."""

    role: Role
    field: str


#: Each criterion's registered field.
FIELDS: Final[dict[str, MatchedField]] = {
    "debtor_name": MatchedField("grantor", "name"),
    "id_number": MatchedField("grantor", "id_number"),
    "chassis_number": MatchedField("asset", "chassis_number"),
    "engine_number": MatchedField("asset", "engine_number"),
    "plate_number": MatchedField("asset", "plate_number"),
    "registration_number": MatchedField("registration", "registration_number"),
}

#: The criteria matched against an asset's serial numbers, in ``CRITERIA`` order.
SERIAL_CRITERIA: Final[tuple[CriterionName, ...]] = tuple(
    name for name in CRITERIA if FIELDS[name].role == "asset")
#: The criteria whose values are numbers or codes, never words.
NUMBER_CRITERIA: Final[frozenset[CriterionName]] = frozenset(
    name for name in CRITERIA if name != "debtor_name")

_OF_FIELD: Final = {spec.field: name for name, spec in FIELDS.items()}


def criterion_of_field(field: str) -> str:
    """The criterion that matches against a registered field (the field itself when none
    does)."""
    return _OF_FIELD.get(field, field)
