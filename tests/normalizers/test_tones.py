"""Canonical tone-mark placement (old style)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from normalizers.tones import canonical_tones, canonical_word
from tests.normalizers.strategies import syllables


@pytest.mark.parametrize(("word", "canonical"), [
    ("Hoà", "Hòa"), ("Hòa", "Hòa"), ("Thuỷ", "Thủy"), ("Thủy", "Thủy"),
    ("hoè", "hòe"), ("Quí", "Quí"), ("Qúy", "Quý"), ("Hòang", "Hoàng"),
    ("Thọai", "Thoại"), ("gìa", "già"), ("gì", "gì"), ("HOÀ", "HÒA"),
    ("khủyu", "khuỷu"), ("Hùynh", "Huỳnh"), ("ương", "ương"), ("Phứơc", "Phước"),
    ("thuở", "thuở"), ("José", "José"), ("Nguyễn", "Nguyễn"), ("mía", "mía"),
    ("túi", "túi"), ("xoóng", "xoóng"),
])
def test_canonical_word(word: str, canonical: str) -> None:
    assert canonical_word(word) == canonical


def test_words_with_two_tone_marks_are_left_alone() -> None:
    assert canonical_word("áá") == "áá"


def test_canonical_tones_in_text() -> None:
    assert canonical_tones("Lê Thị Hoà, Thuỷ!") == "Lê Thị Hòa, Thủy!"


@settings(max_examples=300, deadline=None)
@given(syllables())
def test_canonical_placement_is_idempotent(word: str) -> None:
    assert canonical_word(canonical_word(word)) == canonical_word(word)
    assert canonical_word(word.upper()) == canonical_word(word).upper()
