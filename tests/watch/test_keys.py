"""The reverse lookup agrees with the forward search on pairs.

For a (registered value, watched value) pair, the forward search finds the registration
when ``query.search.best_match`` classifies the pair exact or close (its keys are complete
by ``normalizers.keys``). The reverse lookup must find the entry exactly then: the
entry's keys and the registered value's keys meet in ``watch_keys``, and
``watch.match.hits`` gives the same tier, reasons and field. Checked on every case of the
contract's rule table and by property on generated pairs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from query.criteria import WATCHABLE_CRITERIA
from query.search import best_match
from tests.normalizers.strategies import person_names
from tests.normalizers.test_keys_properties import (
    _vary_number,
    _vary_serial,
    _vary_words,
    numbers,
    serials,
)
from watch.keys import entry_keys, registered_keys
from watch.match import Entry, hits, lookup_keys

_CASES = Path(__file__).resolve().parent.parent / "query" / "data" / "rule_cases.jsonl"


def _registration(criterion: str, value: str, party_type: str | None) -> dict[str, Any]:
    grantor: dict[str, Any] = {"name": "Zzz Qqq"}
    if party_type is not None:  # else as the rule table has it: the type is not known
        grantor["party_type"] = party_type
    asset: dict[str, Any] = {"asset_type": "motor_vehicle"}
    if criterion == "debtor_name":
        grantor["name"] = value
    elif criterion == "id_number":
        grantor["id_number"] = value
    else:
        asset[criterion] = value
    return {"registration_number": "2026-1", "kind": "mortgage", "status": "in_force",
            "registered_at": "2026-12-06T10:00:00+07:00", "grantors": [grantor],
            "assets": [asset], "events": []}


def _agree(criterion: str, registered: str, watched: str, party_type: str | None) -> str:
    """Assert the agreement for one pair; returns the forward tier (for ``event``)."""
    registration = _registration(criterion, registered, party_type)
    forward = best_match(criterion, watched, party_type, 1, registration)
    _normalised, keys = entry_keys(criterion, watched, party_type)
    shared = set(keys) & set(registered_keys(criterion, registered))
    assert shared <= lookup_keys(registration)
    entry = Entry(1, 1, criterion, watched, party_type, None, False)
    found = hits(1, registration, [entry]) if shared else []
    if forward is None:
        assert found == [], (registered, watched)
        return "none"
    assert found, (criterion, registered, watched, forward.tier, forward.reasons)
    (hit,) = found
    assert (hit.match.tier, hit.match.reasons, hit.match.field) == (
        forward.tier, forward.reasons, forward.field)
    return forward.tier


def test_every_rule_case_agrees() -> None:
    checked = 0
    for line in _CASES.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if case["criterion"] not in WATCHABLE_CRITERIA:
            continue
        tier = _agree(case["criterion"], case["registered"], case["query"],
                      case.get("party_type"))
        assert tier == (case["expect"] if case["expect"] != "none" else "none"), case
        checked += 1
    assert checked >= 100


@settings(max_examples=300, deadline=None)
@given(person_names(), st.sampled_from([None, "individual"]), st.data())
def test_person_names_agree(words: list[str], party_type: str | None,
                            data: st.DataObject) -> None:
    watched = " ".join(_vary_words(words, data))
    event(_agree("debtor_name", " ".join(words), watched, party_type))


@settings(max_examples=300, deadline=None)
@given(numbers(), st.data())
def test_id_numbers_agree(registered: str, data: st.DataObject) -> None:
    watched = _vary_number(registered, data)
    if data.draw(st.booleans()):
        registered, watched = watched, registered
    event(_agree("id_number", registered, watched, None))


@settings(max_examples=300, deadline=None)
@given(serials(), st.sampled_from(["chassis_number", "engine_number", "plate_number"]),
       st.data())
def test_serials_agree(registered: str, criterion: str, data: st.DataObject) -> None:
    watched = _vary_serial(registered, data)
    if data.draw(st.booleans()):
        registered, watched = watched, registered
    event(_agree(criterion, registered, watched, None))


def test_nothing_to_watch_has_no_keys() -> None:
    for criterion, value in (("debtor_name", "!!!"), ("id_number", "--"),
                             ("chassis_number", "* *")):
        normalised, keys = entry_keys(criterion, value, None)
        assert keys == [] and not normalised.strip()
