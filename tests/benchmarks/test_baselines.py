"""The baselines' key functions (benchmarks/baselines): pure, no services."""

from __future__ import annotations

import unicodedata

import pytest

from benchmarks.baselines.bc_ppr import (
    business_key,
    name_key,
    person_parts,
    serial_exact_key,
    serial_search_key,
)
from benchmarks.baselines.simple import identifier_key, simple_name_key, strip_diacritics


@pytest.mark.parametrize(("text", "key"), [
    ("Nguyễn Văn Tú", "nguyen van tu"),
    ("  ĐẶNG   Thị\tÁnh ", "dang thi anh"),
    ("Đoàn Thuỷ", "doan thuy"),
    (unicodedata.normalize("NFD", "Nguyễn Văn Tú"), "nguyen van tu"),
    ("Công ty TNHH A.B.C", "cong ty tnhh a.b.c"),  # punctuation is kept: equality of the name
])
def test_simple_name_key(text: str, key: str) -> None:
    assert simple_name_key(text) == key


def test_simple_name_key_does_not_join_or_reorder() -> None:
    assert simple_name_key("Nguyễn Văn Tú") != simple_name_key("Văn Tú Nguyễn")
    assert simple_name_key("Ngọc Anh") != simple_name_key("Ngocanh")


def test_strip_diacritics_turns_d_bar_into_d() -> None:
    assert strip_diacritics("Đặng đình") == "Dang dinh"


@pytest.mark.parametrize(("text", "key"), [
    ("0101234567-001", "0101234567001"),
    ("C 123.456-7", "C1234567"),
    ("rlhjc52*18#", "RLHJC5218"),
    ("41A-382.56", "41A38256"),
])
def test_identifier_key(text: str, key: str) -> None:
    assert identifier_key(text) == key


@pytest.mark.parametrize(("text", "key"), [
    ("RLSBG4E22HN827176", "827176"),  # the last 6 characters
    ("1HGCM82633A004352", "004352"),
    ("abc", "000086"),  # padded to 6; A→0, B→8, C→6
    ("XYZ-12L", "042121"),  # X→0, Y→4, Z→2, L→1
    ("IOSHGL", "105461"),  # I→1, O→0, S→5, H→4, G→6, L→1
    ("MNPQRT", "000000"),  # any other letter → 0
    ("--", ""),
])
def test_bc_serial_search_key(text: str, key: str) -> None:
    assert serial_search_key(text) == key


def test_bc_serial_search_key_joins_look_alikes() -> None:
    assert serial_search_key("ABC-12S0") == serial_search_key("abc125O")
    assert serial_search_key("XX123456") == serial_search_key("YY123456")


def test_bc_serial_exact_key() -> None:
    assert serial_exact_key("rlhj-c52 18") == "RLHJC5218"


def test_bc_name_key_removes_punctuation() -> None:
    assert name_key("Công ty TNHH Thương-mại A.B.C, Ltd.") == "CONG TY TNHH THUONGMAI ABC LTD"
    assert name_key("  Nguyễn   Văn\tTú ") == "NGUYEN VAN TU"


def test_bc_business_key_drops_legal_forms() -> None:
    assert business_key("Công ty TNHH MTV Thương mại Tín Nghĩa") == "THUONG MAI TIN NGHIA"
    assert business_key("CÔNG TY CỔ PHẦN ABC") == "ABC"
    assert business_key("ABC Co., Ltd") == "ABC"
    assert business_key("Công ty TNHH") == "CONG TY TNHH"  # nothing else left: kept whole


def test_bc_person_parts() -> None:
    assert person_parts("NGUYEN THI NHU QUYNH") == ("NGUYEN", "QUYNH")
    assert person_parts("TU") == ("TU", "TU")
    assert person_parts("") is None
