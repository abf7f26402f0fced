"""Classifier properties (hypothesis)."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from normalizers.text import n2
from query.classify import CRITERIA, classify, matcher
from query.reasons import REASON_CODES
from tests.normalizers.strategies import capitalised, person_names, syllables

_PARTY = st.sampled_from([None, "individual"])


def _forms(name: str) -> list[str]:
    return [name, name.upper(), name.lower(), n2(name), unicodedata.normalize("NFD", name),
            unicodedata.normalize("NFD", name.upper()), "  " + name.replace(" ", "  ") + " "]


@settings(max_examples=200, deadline=None)
@given(person_names(min_size=1), _PARTY)
def test_a_person_name_is_exact_against_its_own_forms(words: list[str],
                                                      party: str | None) -> None:
    name = " ".join(words)
    for form in _forms(name):
        verdict = classify("debtor_name", name, form, party)
        assert verdict.tier == "exact", (name, form, verdict)
        assert verdict.reasons == () and verdict.score == 1.0


_LEGAL = st.sampled_from(["Công ty TNHH", "Công ty Cổ phần", "Doanh nghiệp tư nhân",
                          "Hợp tác xã", "Chi nhánh Công ty TNHH", "CTCP", ""])


@settings(max_examples=150, deadline=None)
@given(_LEGAL, st.lists(syllables(), min_size=1, max_size=4),
       st.sampled_from([None, "organization"]))
def test_an_organisation_name_is_exact_against_its_own_forms(
        legal: str, core: list[str], party: str | None) -> None:
    name = (legal + " " + " ".join(capitalised(w) for w in core)).strip()
    for form in _forms(name):
        verdict = classify("debtor_name", name, form, party)
        assert verdict.tier == "exact", (name, form, verdict)


_ANY_TEXT = st.text(max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CRITERIA), _ANY_TEXT, _ANY_TEXT,
       st.sampled_from([None, "individual", "organization"]))
def test_results_are_well_formed_and_deterministic(criterion: str, registered: str, query: str,
                                                   party: str | None) -> None:
    first = classify(criterion, registered, query, party)
    matcher.cache_clear()
    assert classify(criterion, registered, query, party) == first
    assert 0.0 <= first.score <= 1.0
    assert set(first.reasons) <= set(REASON_CODES)
    assert list(first.reasons) == sorted(first.reasons, key=REASON_CODES.index)
    if first.tier is None:
        assert first.reasons == () and first.score == 0.0
    elif first.tier == "close":
        assert first.score < 1.0
    elif not first.reasons:
        assert first.score == 1.0


@settings(max_examples=200, deadline=None)
@given(person_names(), person_names(), _PARTY)
def test_score_is_in_range_for_name_pairs(a: list[str], b: list[str],
                                          party: str | None) -> None:
    verdict = classify("debtor_name", " ".join(a), " ".join(b), party)
    assert 0.0 <= verdict.score <= 1.0


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789ABCOQI -.*#", min_size=1, max_size=20),
       st.sampled_from(["id_number", "chassis_number", "engine_number", "plate_number",
                        "registration_number"]))
def test_a_number_is_exact_against_itself_and_its_case(value: str, criterion: str) -> None:
    verdict = classify(criterion, value, value.lower())
    if any(c.isalnum() for c in value):
        assert verdict.tier == "exact"
    else:
        assert verdict.tier is None
