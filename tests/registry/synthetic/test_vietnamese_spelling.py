"""Syllable structure, tone marks and the VNI legacy encoding used by the generator."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.synthetic import vni
from registry.synthetic.names import tables
from registry.synthetic.vietnamese import (
    fold,
    is_name_syllable,
    restyle_tone,
    retone,
    split_tone,
)


@pytest.mark.parametrize("word", ["Nguyễn", "Quỳnh", "Hòa", "Hoà", "Thủy", "Thuỷ", "Giang", "Gìn",
                                  "Trường", "Khuê", "Ý", "Út", "Quốc", "Huỳnh", "Đức", "Yến"])
def test_real_syllables_are_accepted(word: str) -> None:
    assert is_name_syllable(word)


@pytest.mark.parametrize("word", ["Hòang", "Hùynh", "Qúy", "Phứơc", "Qang", "HIếu", "ánh",
                                  "Student", "Buøi", "Thanh."])
def test_misspelt_or_broken_words_are_rejected(word: str) -> None:
    assert not is_name_syllable(word)


def test_tone_style_moves_only_where_both_places_are_accepted() -> None:
    assert restyle_tone("Hòa") == "Hoà"
    assert restyle_tone("Thuỷ") == "Thủy"
    assert restyle_tone("Hoàng") is None  # a coda fixes the place
    assert restyle_tone("Quý") is None  # qu + y: the u belongs to the onset


def test_retone_puts_the_new_tone_in_an_accepted_place() -> None:
    assert retone("Tú", "\u0323") == "Tụ"
    assert retone("Hoàng", "\u0301") == "Hoáng"
    assert retone("Văn", "\u0300") == "Vằn"


def test_fold_turns_d_bar_into_d() -> None:
    assert fold("Đặng Văn Đức") == "Dang Van Duc"


@pytest.mark.parametrize(("legacy", "unicode"), [
    ("Buøi", "Bùi"), ("Döông", "Dương"), ("Phöôùc", "Phước"), ("Nghò", "Nghị"),
    ("Vónh", "Vĩnh"), ("Myõ", "Mỹ"), ("UÙt", "Út"), ("Ñinh", "Đinh"), ("Nguyeãn", "Nguyễn"),
])
def test_vni_decoding_matches_the_source_data(legacy: str, unicode: str) -> None:
    assert vni.decode(legacy) == unicode


def test_unicode_text_is_not_read_as_vni() -> None:
    assert vni.decode("Lê") is None


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32), st.booleans(), st.booleans())
def test_generated_names_are_valid_syllables_and_survive_vni(seed: int, female: bool,
                                                             upper: bool) -> None:
    import random

    name = tables().full_name(random.Random(seed), female)
    assert unicodedata.is_normalized("NFC", name)
    assert all(is_name_syllable(w) for w in name.split())
    text = name.upper() if upper else name
    assert vni.decode(vni.encode(text)) == text
    for word in name.split():
        _, tone, index = split_tone(word)
        assert (index >= 0) == bool(tone)
