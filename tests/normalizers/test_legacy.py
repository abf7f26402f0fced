"""Legacy encodings: VNI-Windows, TCVN3 and UTF-8 read as a Windows code page."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizers.legacy import (
    decode_tcvn3,
    decode_vni,
    encode_tcvn3,
    encode_vni,
    is_vietnamese_text,
    repair_legacy,
)
from tests.normalizers.strategies import capitalised, syllables


@pytest.mark.parametrize(("broken", "repaired"), [
    ("Buøi Minh Hoaøng", "Bùi Minh Hoàng"),
    ("Buøi Minh Hoàng", "Bùi Minh Hoàng"),  # the Unicode word stays
    ("Nông Trung Haäu", "Nông Trung Hậu"),
    ("Löông Toaïi Nguyeän", "Lương Toại Nguyện"),
    ("Ñoã Nhaát Linh", "Đỗ Nhất Linh"),
    ("Ngoâ Thieân Töù", "Ngô Thiên Tứ"),
    ("Nguyễn Văn Myõ", "Nguyễn Văn Mỹ"),
    ("Võ Thị Như YÙ", "Võ Thị Như Ý"),
    ("NguyÔn V¨n Hïng", "Nguyễn Văn Hùng"),
    ("§Æng V¨n §øc", "Đặng Văn Đức"),
    ("BĂši Minh Anh TháşŁo", "Bùi Minh Anh Thảo"),
    ("Nguyễn Bắc ToĂ\u00a0n", "Nguyễn Bắc Toàn"),
    ("TrÆ°Æ¡ng VÄƒn Nam", "Trương Văn Nam"),
])
def test_repairs_real_examples(broken: str, repaired: str) -> None:
    assert repair_legacy(broken) == repaired


@pytest.mark.parametrize("valid", [
    "Nguyễn Văn Tú", "Hoà Bình", "Công ty TNHH Nestlé Việt Nam", "Café Sài Gòn",
    "Müller GmbH", "Søren", "H'Hen Niê", "Kbuôr", "Công ty ABC®", "MÃ”", "Tó",
])
def test_leaves_valid_or_unknown_text_alone(valid: str) -> None:
    assert repair_legacy(valid) == valid


def test_detects_vietnamese() -> None:
    assert is_vietnamese_text("Nguyễn Văn Tú")
    assert not is_vietnamese_text("Buøi")
    assert not is_vietnamese_text("Ngoâ")  # letters that make no syllable


_LETTERS = st.lists(syllables(), min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(_LETTERS, st.booleans())
def test_table_round_trips(words: list[str], upper: bool) -> None:
    text = " ".join(capitalised(w) if upper else w for w in words)
    assert decode_vni(encode_vni(text)) == text
    lower = text.lower()
    assert decode_tcvn3(encode_tcvn3(lower)) == lower


def _check_word(original: str, legacy: str, repaired: str, other_table: str) -> None:
    """Each word comes back as it was; or, when the legacy bytes are ambiguous,
    as the legacy text itself (valid Unicode too) or as the other table's
    reading (valid Vietnamese too); a lone symbol may stay a symbol."""
    allowed = {original}
    if is_vietnamese_text(legacy) or (len(legacy) == 1 and not legacy.isalpha()):
        allowed.add(legacy)
    if is_vietnamese_text(other_table):
        allowed.add(other_table)
    assert repaired in allowed, (original, legacy, repaired)


@settings(max_examples=300, deadline=None)
@given(_LETTERS, st.booleans())
def test_repair_gives_vni_text_back(words: list[str], upper: bool) -> None:
    words = [capitalised(w) if upper else w for w in words]
    encoded = [encode_vni(w) for w in words]
    repaired = repair_legacy(" ".join(encoded)).split(" ")
    for word, legacy, result in zip(words, encoded, repaired, strict=True):
        _check_word(word, legacy, result, decode_tcvn3(legacy))


@settings(max_examples=300, deadline=None)
@given(_LETTERS)
def test_repair_gives_tcvn3_text_back(words: list[str]) -> None:
    encoded = [encode_tcvn3(w) for w in words]
    repaired = repair_legacy(" ".join(encoded)).split(" ")
    for word, legacy, result in zip(words, encoded, repaired, strict=True):
        _check_word(word, legacy, result, decode_vni(legacy))


def test_the_table_most_words_need_wins() -> None:
    # "Î" alone reads as VNI "Ỵ" or TCVN3 "ẻ"; the other words are clearly TCVN3
    assert repair_legacy("§Æng Î V¨n") == "Đặng ẻ Văn"


@settings(max_examples=300, deadline=None)
@given(_LETTERS)
def test_valid_vietnamese_is_never_repaired(words: list[str]) -> None:
    text = " ".join(words)
    assert repair_legacy(text) == text
    assert repair_legacy(text.upper()) == text.upper()
