"""Classifier API: results, scores, the prepared matcher, errors."""

from __future__ import annotations

import dataclasses

import pytest

from query.classify import NO_MATCH, Classification, classify, matcher
from query.reasons import REASON_CODES, ordered, score


def test_exact_without_reasons_scores_one() -> None:
    assert classify("debtor_name", "Nguyễn Văn Tú", "nguyen van tu") == Classification(
        "exact", (), 1.0)


def test_score_falls_as_reasons_pile_up() -> None:
    one = classify("debtor_name", "Nguyễn Văn Tú", "Văn Tú Nguyễn", "individual")
    two = classify("debtor_name", "Nguyễn Văn Tú", "Văn Tư Nguyễn", "individual")
    assert one.reasons == ("token_order",)
    assert two.reasons == ("diacritics_differ", "token_order")
    assert 0 < two.score < one.score < 1


def test_reasons_come_in_the_contract_order() -> None:
    assert ordered(["suffix_match", "diacritics_differ", "suffix_match"]) == (
        "diacritics_differ", "suffix_match")
    assert score([]) == 1.0
    assert 0 <= score(REASON_CODES) < 0.2


def test_classification_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        NO_MATCH.tier = "exact"  # type: ignore[misc]


def test_matcher_classifies_many_registered_values() -> None:
    prepared = matcher("debtor_name", "Ông Nguyễn Văn Tú", "individual")
    registered = ["Nguyễn Văn Tú", "Nguyễn Văn Tư", "Nguyễn Tú", "Trần Văn Tú"]
    assert [prepared.classify(value).reasons for value in registered] == [
        (), ("diacritics_differ",), ("extra_token",), ()]
    assert [prepared.classify(value).tier for value in registered] == [
        "exact", "close", "close", None]
    for value in registered:
        assert prepared.classify(value) == classify(
            "debtor_name", value, "Ông Nguyễn Văn Tú", "individual")


def test_unknown_criterion_or_party_type_is_an_error() -> None:
    with pytest.raises(ValueError, match="criterion"):
        classify("colour", "a", "a")
    with pytest.raises(ValueError, match="party_type"):
        classify("debtor_name", "a", "a", "robot")


@pytest.mark.parametrize("criterion", ["debtor_name", "id_number", "chassis_number",
                                       "registration_number"])
def test_empty_values_never_match(criterion: str) -> None:
    assert classify(criterion, "", "") == NO_MATCH
    assert classify(criterion, "--", "abc") == NO_MATCH


def test_party_type_none_prefers_organisation_rules_with_a_legal_form() -> None:
    # As a person name this would be missing_token; organisations have no such rule.
    verdict = classify("debtor_name", "Công ty TNHH Thương mại Dịch vụ Đông Á",
                       "Công ty TNHH Thương mại Đông Á")
    assert verdict.tier is None
    # Without legal forms both readings are tried.
    assert classify("debtor_name", "Nguyễn Văn Tú", "Nguyễn Tú").reasons == ("missing_token",)
    assert classify("debtor_name", "Thương mại Đông Á", "TM Đông Á").reasons == (
        "abbreviation",)


def test_party_type_decides_the_rules() -> None:
    assert classify("debtor_name", "Nguyễn Văn Tú", "Nguyễn Tú", "organization").tier is None
    assert classify("debtor_name", "Thương mại Đông Á", "TM Đông Á", "individual").tier is None
