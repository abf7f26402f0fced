"""Reason codes in words beside the codes in every search result (``reasons_text``)."""

from __future__ import annotations

from certify.result_values import reasons_text
from certify.wording import reason
from query.reasons import REASON_CODES


def test_every_code_of_the_contract_is_worded_as_on_certificates() -> None:
    worded = reasons_text(list(REASON_CODES))
    assert [w["code"] for w in worded] == list(REASON_CODES)
    for entry in worded:
        assert (entry["vi"], entry["en"]) == tuple(reason(entry["code"]))
        assert entry["vi"] and entry["en"] and entry["vi"] != entry["en"]


def test_a_code_without_wording_is_shown_as_it_is_never_a_failure() -> None:
    assert reasons_text(["not_a_code"]) == [{"code": "not_a_code", "vi": "not_a_code",
                                             "en": "not_a_code"}]
    assert reasons_text([]) == []
