"""``watch.entries.identity``: what a bulk removal compares. A name without its diacritics,
in capitals or with other spacing, an ID number that lost its leading zeros, a serial
number between ``*`` or with dashes are the entry added as written."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from normalizers import n2
from watch.entries import NewEntry, identity, prepare

SYLLABLES = ["Nguyễn", "Trần", "Lê", "Đặng", "Văn", "Thị", "Hùng", "Hương", "Ánh", "Ðức",
             "Quỳnh", "Bảo", "Công", "ty", "TNHH"]


def _identity(criterion: str, value: str, party_type: str | None = None) -> str:
    p = prepare(NewEntry(criterion, value, party_type))
    return identity(criterion, p.normalised)


@given(st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=5))
def test_a_name_without_diacritics_is_the_same_entry(words: list[str]) -> None:
    written = " ".join(words)
    assert _identity("debtor_name", n2(written).upper()) == _identity("debtor_name", written)
    assert _identity("debtor_name", "  " + written.lower() + " ") == _identity(
        "debtor_name", written)


@given(st.integers(min_value=1, max_value=10**11), st.integers(min_value=1, max_value=3))
def test_an_id_number_that_lost_its_leading_zeros_is_the_same_entry(number: int,
                                                                    zeros: int) -> None:
    assert _identity("id_number", str(number)) == _identity("id_number",
                                                            "0" * zeros + str(number))


@given(st.from_regex(r"[A-HJ-NPR-Z0-9]{10,17}", fullmatch=True))
def test_a_serial_number_between_stars_or_dashes_is_the_same_entry(serial: str) -> None:
    for criterion in ("chassis_number", "engine_number"):
        plain = _identity(criterion, serial)
        assert _identity(criterion, f"*{serial}*") == plain
        assert _identity(criterion, f"{serial[:3]}-{serial[3:]}".lower()) == plain


def test_different_values_stay_different() -> None:
    assert _identity("debtor_name", "Nguyễn Văn An") != _identity("debtor_name", "Nguyễn Văn Anh")
    assert _identity("id_number", "001234567890") != _identity("id_number", "001234567891")
    assert _identity("chassis_number", "RLHJC4530JY123456") != _identity(
        "chassis_number", "RLHJC4530JY123457")
