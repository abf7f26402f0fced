"""A batch row's match is the single search's result, with the registration summarised."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from api.search_routes import result_model
from batch.results import (
    expanded,
    lookup_key,
    lookup_of,
    lookup_refs,
    match_dict,
    row_result,
)
from batch.rows import RowCriterion
from query.multi import Lookup
from query.search import REGISTRATION_SUMMARY, Match

REGISTRATION = {"registration_number": "2024-0000000001", "kind": "mortgage",
                "status": "in_force", "registered_at": "2024-03-01T09:00:00+07:00",
                "grantors": [{"party_type": "individual", "name": "Nguyễn Văn Tú"}]}


@given(tier=st.sampled_from(["exact", "close"]),
       score=st.floats(min_value=0, max_value=1, allow_nan=False),
       reasons=st.lists(st.sampled_from(["exact", "diacritics", "one_edit", "token_order"]),
                        max_size=3, unique=True),
       position=st.integers(min_value=0, max_value=40))
def test_match_dict_is_the_search_result_with_the_summary(
        tier: str, score: float, reasons: list[str], position: int) -> None:
    match = Match(tier, score, tuple(reasons), "grantor", position, "name", "Nguyễn Văn Tú",
                  7, REGISTRATION)
    expected = result_model(match).model_dump()
    expected["registration"] = {key: REGISTRATION[key] for key in REGISTRATION_SUMMARY}
    assert match_dict(match) == expected


def _criterion(value: str, party_type: str | None = "individual") -> RowCriterion:
    return RowCriterion("debtor_name", value, "Họ và tên", party_type)


@given(st.text(max_size=30), st.text(max_size=30))
def test_lookup_keys_differ_exactly_when_the_lookups_differ(first: str, second: str) -> None:
    same = lookup_key(Lookup("debtor_name", first)) == lookup_key(Lookup("debtor_name", second))
    assert same == (first == second)


def test_lookup_keys_tell_criteria_and_party_types_apart() -> None:
    keys = {lookup_key(Lookup(c, "0123456789", p)) for c in ("id_number", "chassis_number")
            for p in (None, "individual", "organization")}
    assert len(keys) == 6


def test_a_stored_row_refers_to_its_lookups_and_expands_to_their_tiers() -> None:
    criteria = [_criterion("Nguyễn Văn Tú"), _criterion("NGUYỄN VĂN TÚ")]
    stored = row_result(criteria, {}, None)
    keys = lookup_refs(stored)
    assert keys == [lookup_key(lookup_of(c)) for c in criteria] and keys[0] != keys[1]
    tiers = {key: {"normalised": f"n{i}", "exact": {"count": i, "results": []},
                   "close": {"count": 0, "shown": 0, "left_out": 0, "results": []}}
             for i, key in enumerate(keys)}
    whole = expanded({**stored, "registry_current_as_of": "2026-11-23T07:00:00+00:00"}, tiers)
    assert whole["criteria"] == [{**c.as_dict(), **tiers[key]}
                                 for c, key in zip(criteria, keys, strict=True)]
    assert whole["registry_current_as_of"] == "2026-11-23T07:00:00+00:00"
    assert "lookup" in stored["criteria"][0]  # the stored result is left as it was


def test_a_failed_lookup_makes_the_row_an_error_without_references() -> None:
    criteria = [_criterion("Nguyễn Văn Tú"), _criterion("Trần Thị Bé")]
    stored = row_result(criteria, {lookup_of(criteria[1]): "abc123"}, 4)
    assert stored == {"criteria": [], "duplicate_of": 4, "error": {"reference": "abc123"}}
    assert lookup_refs(stored) == [] and expanded(stored, {}) is stored


def test_results_stored_whole_before_lookups_were_shared_read_as_they_are() -> None:
    old = {"criteria": [{**_criterion("Nguyễn Văn Tú").as_dict(), "normalised": "x",
                         "exact": {"count": 0, "results": []},
                         "close": {"count": 0, "shown": 0, "left_out": 0, "results": []}}],
           "duplicate_of": None, "registry_current_as_of": None, "error": None}
    assert expanded(old, {}) is old
