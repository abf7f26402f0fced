"""The client reference's rule (``core.client_reference``): examples and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import client_reference as rule

ALLOWED_REST = st.characters(categories=("L", "N"), include_characters=" -_./:#()")


@pytest.mark.parametrize("value, stored", [
    ("HĐ-2026/00123", "HĐ-2026/00123"),
    ("  LN 42  ", "LN 42"),
    ("Hợp đồng số 15 (chi nhánh Hà Nội)", "Hợp đồng số 15 (chi nhánh Hà Nội)"),
    ("", None), ("   ", None), (None, None),
    ("Ho\u0323p", "H\u1ecdp"),  # combining dot below: NFC
])
def test_good_references_are_stored_cleaned(value: str | None, stored: str | None) -> None:
    assert rule.clean(value) == stored


@pytest.mark.parametrize("value, broken", [
    ("=HYPERLINK(\"http://x\")", "client_reference_characters"),
    ("+84 912", "client_reference_characters"),
    ("-1", "client_reference_characters"),
    ("@SUM(A1)", "client_reference_characters"),
    ("LN\t42", "client_reference_characters"),
    ("LN,42", "client_reference_characters"),
    ("<b>x</b>", "client_reference_characters"),
    ("a\x00b", "client_reference_characters"),
    ("x" * 65, "max_length"),
])
def test_bad_references_name_the_rule(value: str, broken: str) -> None:
    with pytest.raises(rule.ClientReferenceError) as caught:
        rule.clean(value)
    assert caught.value.rule == broken


@given(st.text(max_size=100))
def test_whatever_is_kept_is_safe_in_a_spreadsheet_and_in_markup(value: str) -> None:
    try:
        kept = rule.clean(value)
    except rule.ClientReferenceError:
        return
    if kept is None:
        assert not value.strip()
        return
    assert 1 <= len(kept) <= rule.MAX_LENGTH
    assert kept[0] not in "=+-@\t\r "
    assert not set(kept) & set("<>&\"',;|\t\r\n=+@")
    assert rule.clean(kept) == kept  # cleaning is idempotent


@given(st.characters(categories=("L", "N")), st.text(ALLOWED_REST, max_size=40))
def test_a_letter_or_digit_then_allowed_characters_is_accepted(first: str, rest: str) -> None:
    import unicodedata

    value = unicodedata.normalize("NFC", first + rest).strip()
    if not value or unicodedata.category(value[0])[0] not in "LN":
        return  # normalisation changed the first character
    if any(unicodedata.category(ch)[0] not in "LN" and ch != " " and ch not in rule.PUNCTUATION
           for ch in value):
        return  # NFC composed into something else (rare)
    assert rule.clean(value) == value
