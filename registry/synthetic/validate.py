"""Check a registration against the JSON Lines interchange format.

``validate_registration(obj)`` returns a list of problems, each "<field path>: <rule>";
an empty list means the registration is valid. The rules are those of
docs/registration-format.md (the field names, the closed vocabularies, times
with their UTC offset, events in time order) plus the consistency the format implies:
a deleted registration has exactly one deletion event, the last one, and an in-force one
has none. Values are not normalised or judged (numbers are kept as declared), so a CCCD
with a wrong structure is still valid here; the generator's own tests check structure.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Final

KINDS: Final = frozenset({
    "mortgage", "retention_of_title", "lease", "financial_lease", "receivables_assignment",
    "seizure_notice", "enforcement_notice",
})
STATUSES: Final = frozenset({"in_force", "deleted"})
PARTY_TYPES: Final = frozenset({"individual", "organization"})
ID_TYPES: Final = frozenset({
    "cmnd", "cccd", "passport", "tax_code", "business_reg", "decision", "other",
})
ASSET_TYPES: Final = frozenset({
    "motor_vehicle", "inland_vessel", "fishing_vessel", "machinery", "goods", "receivables",
    "securities", "capital_contribution", "property_right", "other",
})
# The format names amendments, corrections and the deletion; an enforcement notice is
# recorded under the name of its kind.
EVENT_TYPES: Final = frozenset({"amendment", "correction", "enforcement_notice", "deletion"})

_TOP_REQUIRED: Final = ("registration_number", "kind", "registered_at", "status", "grantors",
                        "secured_parties", "assets")
_TOP_OPTIONAL: Final = ("obligation", "events")
_PARTY_REQUIRED: Final = ("party_type", "name", "id_type", "id_number")
_PARTY_OPTIONAL: Final = ("address",)
_ASSET_OPTIONAL: Final = ("chassis_number", "engine_number", "plate_number")
_OFFSET_TIME: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?[+-]\d{2}:\d{2}")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: Any, path: str, problems: list[str]) -> bool:
    if not isinstance(value, str):
        problems.append(f"{path}: must be a string")
        return False
    if not value.strip():
        problems.append(f"{path}: must not be empty")
        return False
    if _CONTROL.search(value):
        problems.append(f"{path}: must not contain control characters")
        return False
    return True


def _time(value: Any, path: str, problems: list[str]) -> datetime | None:
    if not _text(value, path, problems):
        return None
    if not _OFFSET_TIME.fullmatch(value):
        problems.append(f"{path}: must be an ISO 8601 date-time with a UTC offset")
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        problems.append(f"{path}: not a real date-time")
        return None


def _keys(obj: dict[str, Any], required: tuple[str, ...], optional: tuple[str, ...], path: str,
          problems: list[str]) -> None:
    for key in required:
        if key not in obj:
            problems.append(f"{path}{key}: required")
    for key in obj:
        if key not in required and key not in optional:
            problems.append(f"{path}{key}: unknown field")


def _one_of(value: Any, allowed: frozenset[str], path: str, problems: list[str]) -> None:
    if value not in allowed:
        problems.append(f"{path}: must be one of {', '.join(sorted(allowed))}")


def _parties(value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, list) or not value:
        problems.append(f"{path}: must be a non-empty list")
        return
    for n, party in enumerate(value):
        where = f"{path}[{n}]"
        if not isinstance(party, dict):
            problems.append(f"{where}: must be an object")
            continue
        _keys(party, _PARTY_REQUIRED, _PARTY_OPTIONAL, where + ".", problems)
        _one_of(party.get("party_type"), PARTY_TYPES, f"{where}.party_type", problems)
        _one_of(party.get("id_type"), ID_TYPES, f"{where}.id_type", problems)
        for key in ("name", "id_number", "address"):
            if key in party:
                _text(party[key], f"{where}.{key}", problems)


def _assets(value: Any, problems: list[str]) -> None:
    if not isinstance(value, list) or not value:
        problems.append("assets: must be a non-empty list")
        return
    for n, asset in enumerate(value):
        where = f"assets[{n}]"
        if not isinstance(asset, dict):
            problems.append(f"{where}: must be an object")
            continue
        _keys(asset, ("asset_type", "description"), _ASSET_OPTIONAL, where + ".", problems)
        _one_of(asset.get("asset_type"), ASSET_TYPES, f"{where}.asset_type", problems)
        for key in ("description", *_ASSET_OPTIONAL):
            if key in asset:
                _text(asset[key], f"{where}.{key}", problems)


def _obligation(value: Any, problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append("obligation: must be an object")
        return
    _keys(value, (), ("contract_number", "signed_at"), "obligation.", problems)
    if "contract_number" in value:
        _text(value["contract_number"], "obligation.contract_number", problems)
    if "signed_at" in value and _text(value["signed_at"], "obligation.signed_at", problems):
        try:
            date.fromisoformat(value["signed_at"])
        except ValueError:
            problems.append("obligation.signed_at: must be a date YYYY-MM-DD")


def _events(value: Any, registered: datetime | None, status: Any, problems: list[str]) -> None:
    if not isinstance(value, list):
        problems.append("events: must be a list")
        return
    previous = registered
    deletions = 0
    for n, event in enumerate(value):
        where = f"events[{n}]"
        if not isinstance(event, dict):
            problems.append(f"{where}: must be an object")
            continue
        _keys(event, ("type", "at"), ("summary",), where + ".", problems)
        _one_of(event.get("type"), EVENT_TYPES, f"{where}.type", problems)
        if "summary" in event:
            _text(event["summary"], f"{where}.summary", problems)
        moment = _time(event.get("at"), f"{where}.at", problems) if "at" in event else None
        if moment is not None and previous is not None and moment < previous:
            problems.append(f"{where}.at: events must be in time order, after registered_at")
        previous = moment or previous
        if event.get("type") == "deletion":
            deletions += 1
            if n != len(value) - 1:
                problems.append(f"{where}.type: the deletion must be the last event")
    if status == "deleted" and deletions != 1:
        problems.append("events: a deleted registration has exactly one deletion event")
    if status == "in_force" and deletions:
        problems.append("events: a registration in force has no deletion event")


def validate_registration(obj: Any) -> list[str]:
    """Problems with one registration (a decoded JSON line); empty when it is valid."""
    if not isinstance(obj, dict):
        return ["(registration): must be a JSON object"]
    problems: list[str] = []
    _keys(obj, _TOP_REQUIRED, _TOP_OPTIONAL, "", problems)
    if "registration_number" in obj:
        _text(obj["registration_number"], "registration_number", problems)
    _one_of(obj.get("kind"), KINDS, "kind", problems)
    _one_of(obj.get("status"), STATUSES, "status", problems)
    registered = _time(obj.get("registered_at"), "registered_at", problems) \
        if "registered_at" in obj else None
    if "grantors" in obj:
        _parties(obj["grantors"], "grantors", problems)
    if "secured_parties" in obj:
        _parties(obj["secured_parties"], "secured_parties", problems)
    if "assets" in obj:
        _assets(obj["assets"], problems)
    if "obligation" in obj:
        _obligation(obj["obligation"], problems)
    _events(obj.get("events", []), registered, obj.get("status"), problems)
    return problems
