"""Certificate numbers: format, check digit, typo detection."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certify.errors import CertificateNumberError
from certify.numbering import CertificateNumber, check_digit, parse_number
from certify.snapshot import is_valid_number, new_number

seqs = st.integers(min_value=1, max_value=99_999_999)
years = st.integers(min_value=2000, max_value=9999)


def test_damm_reference_value() -> None:
    # The worked example of Damm's algorithm: 572 -> check digit 4.
    assert check_digit("572") == "4"
    assert check_digit("5724") == "0"


def test_format() -> None:
    number = new_number(1234, 2026)
    assert number.startswith("CN-2026-00001234-")
    assert len(number) == len("CN-2026-00001234-7")
    assert is_valid_number(number)


@pytest.mark.parametrize(("seq", "year"), [(0, 2026), (100_000_000, 2026), (1, 1999), (1, 10000)])
def test_out_of_range(seq: int, year: int) -> None:
    with pytest.raises(ValueError):
        new_number(seq, year)


@pytest.mark.parametrize(
    "text",
    ["", "CN-2026-00001234", "cn-2026-00001234-7x", "CN-2026-0001234-7", "XX-2026-00001234-7"],
)
def test_not_numbers(text: str) -> None:
    assert not is_valid_number(text)
    with pytest.raises(CertificateNumberError) as err:
        parse_number(text)
    assert "không hợp lệ" in err.value.vi and "Not a valid" in err.value.en


def test_parse_is_lenient_about_case_spaces_and_hyphens() -> None:
    number = new_number(42, 2027)
    compact = number.replace("-", "").lower()
    assert parse_number(f"  {compact[:6]} {compact[6:]} ") == CertificateNumber(2027, 42)
    assert str(parse_number(number)) == number


@given(seqs, years)
def test_round_trip(seq: int, year: int) -> None:
    number = new_number(seq, year)
    assert is_valid_number(number)
    assert parse_number(number) == CertificateNumber(year, seq)


def _digit_positions(number: str) -> list[int]:
    return [i for i, ch in enumerate(number) if ch.isdigit()]


@given(seqs, years, st.data())
def test_any_single_digit_typo_is_caught(seq: int, year: int, data: st.DataObject) -> None:
    number = new_number(seq, year)
    pos = data.draw(st.sampled_from(_digit_positions(number)))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != number[pos]]))
    typo = number[:pos] + wrong + number[pos + 1 :]
    assert not is_valid_number(typo)


@given(seqs, years, st.data())
def test_any_adjacent_swap_is_caught(seq: int, year: int, data: st.DataObject) -> None:
    number = new_number(seq, year)
    digits = "".join(ch for ch in number if ch.isdigit())
    swaps = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1]]
    if not swaps:
        return
    i = data.draw(st.sampled_from(swaps))
    swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
    typo = f"CN-{swapped[:4]}-{swapped[4:12]}-{swapped[12]}"
    assert not is_valid_number(typo)
