"""One registration against the watch entries its keys found: which entries match, how,
and whether this change is news to them.

Pure: the follower (``watch.follower``) finds the candidate entries by key and keeps the
marks; this module decides. Each (entry, registered value) pair is classified by
``query.search.best_match``, the function the search ranks its candidates with, so an
entry matches a registration exactly when a search for the entry's value would find it
(same tier, same reasons, same field).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from normalizers import identifier_form
from query.criteria import WATCHABLE_CRITERIA
from query.search import Match, best_match, registered_values
from watch.keys import registered_keys

#: Registration kinds that are notices in themselves (thông báo kê biên, Điều 63).
NOTICE_KINDS: Final = {"seizure_notice": "seizure_notice",
                       "enforcement_notice": "enforcement_notice"}
_TIER_RANK: Final = {"exact": 0, "close": 1}


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    account_id: int
    criterion: str
    value: str
    party_type: str | None
    client_reference: str | None
    alert_on_deletion: bool


@dataclass(frozen=True, slots=True)
class Mark:
    """What the follower last saw of a registration: notices and whether deleted."""

    notices: int
    deleted: bool


@dataclass(frozen=True, slots=True)
class Hit:
    """An entry's best match in a registration, and every value it matched there."""

    entry: Entry
    match: Match
    value_keys: frozenset[str]

    @property
    def field_path(self) -> str:
        m = self.match
        if m.role == "grantor":
            return f"grantors[{m.position}].{m.field}"
        if m.role == "asset":
            return f"assets[{m.position}].{m.field}"
        return m.field


def lookup_keys(registration: Mapping[str, Any]) -> set[str]:
    """Every key the registration's values are looked up by in ``watch_keys``."""
    found: set[str] = set()
    for criterion in WATCHABLE_CRITERIA:
        for _role, _position, _field, value, _type in registered_values(
                criterion, dict(registration)):
            found.update(registered_keys(criterion, value))
    return found


def value_key(criterion: str, value: str) -> str:
    """A registered value as ``watch_reported`` remembers it (separators ignored)."""
    return f"{criterion}:{identifier_form(value) if criterion != 'debtor_name' else value}"


def _better(a: Match, b: Match | None) -> bool:
    return b is None or (_TIER_RANK[a.tier], -a.score) < (_TIER_RANK[b.tier], -b.score)


#: A registered value as ``query.search.registered_values`` yields it.
Registered = tuple[str, int, str, str, str | None]


def hits(reg_id: int, registration: dict[str, Any], entries: Iterable[Entry],
         reported: Mapping[int, frozenset[str]] | None = None) -> list[Hit]:
    """The entries that match, each with its best match. With ``reported`` (per entry id,
    the value keys already alerted for this registration: an amendment), only values not
    among them make a hit; ``value_keys`` holds every value matched all the same.

    Entries watching the same value (namesakes across accounts: at 1,000,000 entries a
    common name's keys find hundreds) are classified once per registered value."""
    found: list[Hit] = []
    values: dict[str, list[Registered]] = {}
    verdicts: dict[tuple[str, str, str | None, Registered], Match | None] = {}
    keyed: dict[tuple[str, str], str] = {}
    for entry in entries:
        criterion = entry.criterion
        if criterion not in values:
            values[criterion] = list(registered_values(criterion, registration))
        done = reported.get(entry.id, frozenset()) if reported is not None else frozenset()
        best: Match | None = None
        matched: set[str] = set()
        for value in values[criterion]:
            memo = (criterion, entry.value, entry.party_type, value)
            if memo in verdicts:
                match = verdicts[memo]
            else:
                match = verdicts[memo] = best_match(criterion, entry.value, entry.party_type,
                                                    reg_id, registration, values=[value])
            if match is None:
                continue
            key = keyed.get((criterion, value[3]))
            if key is None:
                key = keyed[(criterion, value[3])] = value_key(criterion, value[3])
            matched.add(key)
            if key in done:
                continue
            if _better(match, best):
                best = match
        if best is not None:
            found.append(Hit(entry, best, frozenset(matched)))
    return found


def notices(registration: Mapping[str, Any]) -> int:
    """Seizure and enforcement notices the registration carries (its kind, its events)."""
    own = 1 if registration.get("kind") in NOTICE_KINDS else 0
    return own + sum(1 for e in registration.get("events", [])
                     if e.get("type") == "enforcement_notice")


def event_of(registration: Mapping[str, Any], mark: Mark | None, inserted: bool) -> str | None:
    """What this change is to a watcher: a new registration, an amendment, a notice, a
    deletion; None when it is nothing new (a deletion already reported)."""
    deleted = registration.get("status") == "deleted"
    if deleted:
        return None if mark is not None and mark.deleted else "deletion"
    if notices(registration) > (mark.notices if mark is not None else 0):
        return NOTICE_KINDS.get(str(registration.get("kind")), "enforcement_notice") \
            if inserted else "enforcement_notice"
    if inserted and mark is None:
        return "registration"
    return "amendment"


def mark_of(registration: Mapping[str, Any]) -> Mark:
    return Mark(notices(registration), registration.get("status") == "deleted")
