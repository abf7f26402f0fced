"""What an anonymous caller may see of a registration (docs/privacy.md).

Under Nghị định 13/2023/NĐ-CP on personal data protection, an individual's identity
number and home address are personal data; the register is public to search, but a
caller without an API key has no ground to be handed them. So, for the public:

- an individual's ID number (CCCD, CMND, passport, other) is masked but for its last four
  characters (``********2345``; a number shorter than 8 characters is masked whole);
- an individual's address is left out;
- organisations (their tax or registration codes and addresses are public registration
  data) and assets are shown whole;
- the number or address cannot come back through another field: every string of the
  answer (the matched value, event summaries, anything else the registration carries)
  has them replaced, the number also when written with spaces, dots or hyphens.

Account holders (customers, agencies) see everything; certificates are complete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from query.search import Match

KEEP = 4
SHORTEST_PARTLY_SHOWN = 8
WITHHELD = "[đã ẩn / withheld]"
_SEPARATOR = r"[\s.\-/]?"


def mask_id(value: str) -> str:
    """All but the last four characters as ``*`` (all of them below 8 characters)."""
    keep = KEEP if len(value) >= SHORTEST_PARTLY_SHOWN else 0
    return "*" * (len(value) - keep) + value[len(value) - keep:]


@dataclass(frozen=True)
class AnonymousView:
    registration: dict[str, Any]
    value_as_registered: str


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


def anonymous_view(match: Match) -> AnonymousView:
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
