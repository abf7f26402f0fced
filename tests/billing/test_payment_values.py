"""What a payment's amount and reference may be (pure): whole đồng, positive."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.payments import PaymentProblem, amount_from, reference_from


@pytest.mark.parametrize(("value", "rule"), [
    (-5, "not_positive"), (0, "not_positive"), (-0.5, "not_positive"), ("0", "not_positive"),
    ("-30000", "not_positive"), (12.5, "not_whole_dong"), ("12.5", "not_whole_dong"),
    ("30000.01", "not_whole_dong"), ("ba mươi nghìn", "not_a_number"), ("", "not_a_number"),
    (None, "not_a_number"), (True, "not_a_number"), ([30000], "not_a_number"),
    (float("nan"), "not_a_number"), ("1e400", "too_large"), (10**16, "too_large"),
])
def test_bad_amounts_name_the_field_and_the_rule(value: object, rule: str) -> None:
    with pytest.raises(PaymentProblem) as caught:
        amount_from(value, "amount_vnd")
    assert (caught.value.field, caught.value.rule) == ("amount_vnd", rule)
    assert caught.value.message_vi and caught.value.message_en
    assert caught.value.message_vi != caught.value.message_en


@given(st.integers(min_value=1, max_value=10**15))
def test_a_positive_whole_amount_is_taken_as_it_is(amount: int) -> None:
    assert amount_from(amount) == amount
    assert amount_from(str(amount)) == amount
    assert amount_from(f" {amount} ") == amount


def test_a_json_number_with_no_fraction_is_whole() -> None:
    assert amount_from(250000.0) == 250000


def test_references() -> None:
    assert reference_from("  UNC   123  ") == "UNC 123"
    for bad, rule in (("", "reference_missing"), ("   ", "reference_missing"),
                      (None, "reference_missing"), ("x" * 201, "reference_too_long")):
        with pytest.raises(PaymentProblem) as caught:
            reference_from(bad)
        assert caught.value.rule == rule
