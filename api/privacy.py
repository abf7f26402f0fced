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
from functools import lru_cache
from typing import Any, NamedTuple

import orjson

from query.search import Match

KEEP = 4
SHORTEST_PARTLY_SHOWN = 8
WITHHELD = "[đã ẩn / withheld]"
_SEPARATOR = r"[\s.\-/]?"
_NOT_WORD = re.compile(r"\W")
_NOT_DIGIT = re.compile(r"[^0-9]+")
_NOT_DIGIT_BYTES = bytes(b for b in range(256) if not 0x30 <= b <= 0x39)


def mask_id(value: str) -> str:
    """All but the last four characters as ``*`` (all of them below 8 characters)."""
    keep = KEEP if len(value) >= SHORTEST_PARTLY_SHOWN else 0
    return "*" * (len(value) - keep) + value[len(value) - keep:]


@dataclass(frozen=True)
class AnonymousView:
    registration: dict[str, Any]
    value_as_registered: str


class _Secret(NamedTuple):
    """A value to hide from every string, and what replaces it.

    ``spread``: ``text`` is a number's word characters, found however separated (one of
    space, ``.``, ``-``, ``/`` between any two, any case); otherwise ``text`` is found as
    written. A string where a spread number occurs has the number's ASCII digits as a run
    of its own ASCII digits (a separator is no digit and a digit has no other case), so a
    string without that run is passed over without a regular expression: most are."""

    text: str
    replacement: str
    spread: bool = False
    #: What ``_may_hold`` looks for in the registration's JSON: the text's JSON (inside
    #: its quotes), the spread number's ASCII digits; empty (found in anything) when the
    #: text has no JSON.
    needle: bytes = b""
    #: A number's mask: replaced again until it no longer occurs (``_replace_all``). An
    #: address is replaced once: its replacement is text that may hold the address.
    masked: bool = False


def _literal(text: str, replacement: str, masked: bool) -> _Secret:
    try:
        return _Secret(text, replacement, needle=orjson.dumps(text)[1:-1], masked=masked)
    except TypeError:  # a lone surrogate
        return _Secret(text, replacement, masked=masked)


@lru_cache(maxsize=4096)
def _spread_pattern(text: str) -> re.Pattern[str]:
    """The number's characters however separated (compiled once per distinct number)."""
    return re.compile(_SEPARATOR.join(re.escape(ch) for ch in text), re.IGNORECASE)


def _is_individual(party: Any) -> bool:
    return isinstance(party, dict) and party.get("party_type") == "individual"


@lru_cache(maxsize=4096)
def _number_secrets(number: str) -> tuple[_Secret, ...]:
    """An individual's number as written and, from 8 word characters, however separated."""
    text = _NOT_WORD.sub("", number)
    if len(text) < SHORTEST_PARTLY_SHOWN:
        return (_literal(number, mask_id(number), masked=True),)
    return (_literal(number, mask_id(number), masked=True),
            _Secret(text, mask_id(text), spread=True, masked=True,
                    needle=_NOT_DIGIT.sub("", text).encode()))


@lru_cache(maxsize=4096)
def _address_secret(address: str) -> _Secret:
    return _literal(address, WITHHELD, masked=False)


def _secrets(registration: dict[str, Any]) -> list[_Secret]:
    """Each individual's number (as written, and its digits however separated) and
    address, with what replaces it, in the order they are hidden."""
    found: list[_Secret] = []
    for role in ("grantors", "secured_parties"):
        for party in registration.get(role) or ():
            if not _is_individual(party):
                continue
            number = str(party.get("id_number") or "")
            if number:
                found.extend(_number_secrets(number))
            address = str(party.get("address") or "").strip()
            if address:
                found.append(_address_secret(address))
    return found


def _hide(value: str, secrets: list[_Secret]) -> str:
    """``value`` with each secret replaced, one after the other."""
    digits: str | None = None  # the ASCII digits of ``value``, when first needed
    for secret in secrets:
        if not secret.spread:
            if secret.text in value:
                value = _replace_all(value, secret)
                digits = None
            continue
        if digits is None:
            digits = _NOT_DIGIT.sub("", value)
        if secret.needle.decode() in digits:
            value = _replace_all(value, secret)
            digits = None
    return value


def _replace_all(value: str, secret: _Secret) -> str:
    """``value`` with ``secret`` replaced until it no longer occurs.

    One pass is not enough: the kept last characters of a replaced occurrence and what
    follows it can make the number again (``1234.1234.1234.1234`` holds ``123412341234``
    twice, overlapping). Every pass that changes the text turns characters of the secret
    into ``*``, so the passes end. An address (not ``masked``) is replaced once: the text
    that replaces it may hold it again ("l" in "withheld"), and it keeps none of it."""
    while True:
        if secret.spread:
            replaced = _spread_pattern(secret.text).sub(secret.replacement, value)
        else:
            replaced = value.replace(secret.text, secret.replacement)
        if replaced == value or not secret.masked:
            return replaced
        value = replaced


def _may_hold(shown: dict[str, Any], secrets: list[_Secret]) -> bool:
    """False when no string of ``shown`` holds a secret, told from its JSON text at once.

    JSON escapes each character on its own, so a string holding a secret as written has
    the secret's JSON text in the registration's; and a string holding a spread number has
    the number's digits as a run of the registration's digits, unless an escape
    ``\\uXXXX`` (of a control character, some of them separators) put digits into it:
    then, as when ``shown`` is no JSON, every string is looked at."""
    try:
        text = orjson.dumps(shown)
    except TypeError:
        return True
    if any(secret.needle in text for secret in secrets if not secret.spread):
        return True
    spread = [secret.needle for secret in secrets if secret.spread]
    if not spread:
        return False
    if b"\\u" in text:
        return True
    digits = text.translate(None, _NOT_DIGIT_BYTES)
    return any(needle in digits for needle in spread)


def _scrub(value: Any, secrets: list[_Secret]) -> Any:
    if isinstance(value, str):
        return _hide(value, secrets)
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
    if _may_hold(shown, secrets):
        shown = _scrub(shown, secrets)
    return AnonymousView(shown, _scrub(match.value_as_registered, secrets))
