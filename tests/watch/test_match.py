"""``watch.match.hits`` classifies entries watching the same value once per registered
value (namesakes across accounts); the result must be what classifying each entry alone
gives, by property on generated names, ID numbers and serial numbers."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.normalizers.strategies import person_names
from tests.normalizers.test_keys_properties import (
    _vary_number,
    _vary_serial,
    _vary_words,
    numbers,
    serials,
)
from watch.match import Entry, hits


def _registration(names: list[str], ids: list[str], chassis: list[str]) -> dict[str, Any]:
    return {"registration_number": "2026-M1", "kind": "mortgage", "status": "in_force",
            "registered_at": "2026-12-06T10:00:00+07:00",
            "grantors": [{"party_type": "individual", "name": n,
                          **({"id_type": "cccd", "id_number": i} if i else {})}
                         for n, i in zip(names, ids + [""] * len(names), strict=False)],
            "assets": [{"asset_type": "motor_vehicle", "chassis_number": c}
                       for c in chassis], "events": []}


@st.composite
def _case(draw: st.DrawFn) -> tuple[dict[str, Any], list[Entry],
                                    dict[int, frozenset[str]] | None]:
    data = draw(st.data())
    names = [" ".join(draw(person_names())) for _ in range(draw(st.integers(1, 3)))]
    ids = [draw(numbers()) for _ in range(draw(st.integers(0, len(names))))]
    chassis = [draw(serials()) for _ in range(draw(st.integers(0, 2)))]
    watched: list[tuple[str, str]] = []
    for _ in range(draw(st.integers(1, 6))):
        pick = draw(st.sampled_from(["debtor_name", "id_number", "chassis_number"]))
        if pick == "debtor_name":
            base = draw(st.sampled_from(names)).split()
            watched.append((pick, " ".join(_vary_words(base, data)) or "An"))
        elif pick == "id_number":
            watched.append((pick, _vary_number(draw(st.sampled_from(ids)), data)
                            if ids else draw(numbers())))
        else:
            watched.append((pick, _vary_serial(draw(st.sampled_from(chassis)), data)
                            if chassis else draw(serials())))
    # every watched value by several accounts, some with another party type
    entries = [Entry(n, n % 5, criterion, value,
                     draw(st.sampled_from([None, "individual", "organization"]))
                     if criterion == "debtor_name" else None, f"R{n}", n % 2 == 0)
               for n, (criterion, value) in enumerate(
                   w for w in watched for _ in range(draw(st.integers(1, 4))))]
    reported = None
    if draw(st.booleans()):
        reported = {e.id: frozenset({f"{e.criterion}:{e.value}"}) for e in entries[::2]}
    return _registration(names, ids, chassis), entries, reported


@settings(max_examples=150, deadline=None)
@given(_case())
def test_namesakes_classified_once_match_as_if_alone(case: Any) -> None:
    registration, entries, reported = case
    together = hits(7, registration, entries, reported)
    alone = [h for e in entries for h in hits(7, registration, [e], reported)]
    assert together == alone
