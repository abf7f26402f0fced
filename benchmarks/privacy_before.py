"""The anonymous view as it was before it was made cheap (``api/privacy.py`` at 33d3ffd),
kept as the oracle of ``tests/api/test_privacy_equivalence.py`` and the "before" of
``benchmarks/bench_privacy.py``. Per match it compiled a regular expression for each
individual's number as written, its characters however separated, and its address, and
ran all of them over every string of the registration."""

from __future__ import annotations

import re
from typing import Any

from api.privacy import SHORTEST_PARTLY_SHOWN, WITHHELD, AnonymousView, mask_id
from query.search import Match

_SEPARATOR = r"[\s.\-/]?"


def _is_individual(party: Any) -> bool:
    return isinstance(party, dict) and party.get("party_type") == "individual"


def _secrets(registration: dict[str, Any]) -> list[tuple[re.Pattern[str], str]]:
    """Each individual's number (as written, and its digits however separated) and
    address, with what replaces it."""
    found: list[tuple[re.Pattern[str], str]] = []
    for role in ("grantors", "secured_parties"):
        for party in registration.get(role) or ():
            if not _is_individual(party):
                continue
            number = str(party.get("id_number") or "")
            if number:
                found.append((re.compile(re.escape(number)), mask_id(number)))
                digits = re.sub(r"\W", "", number)
                if len(digits) >= SHORTEST_PARTLY_SHOWN:
                    spread = _SEPARATOR.join(re.escape(ch) for ch in digits)
                    found.append((re.compile(spread, re.IGNORECASE), mask_id(digits)))
            address = str(party.get("address") or "").strip()
            if address:
                found.append((re.compile(re.escape(address)), WITHHELD))
    return found


def _scrub(value: Any, secrets: list[tuple[re.Pattern[str], str]]) -> Any:
    if isinstance(value, str):
        for pattern, replacement in secrets:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    return value


def _party(party: Any) -> Any:
    if not _is_individual(party):
        return party
    shown = {key: value for key, value in party.items() if key != "address"}
    if shown.get("id_number"):
        shown["id_number"] = mask_id(str(shown["id_number"]))
    return shown


def anonymous_view_before(match: Match) -> AnonymousView:
    """The match's registration and matched value as the public may see them."""
    registration = match.registration
    secrets = _secrets(registration)
    if not secrets:
        return AnonymousView(registration, match.value_as_registered)
    shown = dict(registration)
    for role in ("grantors", "secured_parties"):
        if isinstance(shown.get(role), list):
            shown[role] = [_party(party) for party in shown[role]]
    return AnonymousView(_scrub(shown, secrets), _scrub(match.value_as_registered, secrets))
