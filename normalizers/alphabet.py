"""The Vietnamese alphabet as lookup tables: vowels with their tone marks.

Every Vietnamese vowel letter is a *base* (one of ``a ă â e ê i o ô ơ u ư y``,
upper or lower case) plus at most one tone mark. These tables let the other
modules take a precomposed (NFC) letter apart and put it back together
without calling ``unicodedata`` on the hot path.
"""

from __future__ import annotations

import unicodedata
from typing import Final

#: Tone marks as combining characters, indexed by tone number (0 = no mark).
TONE_MARKS: Final = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
NO_TONE: Final = 0

#: Base vowels (lower case). The quality-marked ones carry ă â ê ô ơ ư.
BASE_VOWELS: Final = "aăâeêioôơuưy"
MARKED_VOWELS: Final = frozenset("ăâêôơư")

#: letter -> (toneless base letter, tone number), for every vowel letter in both cases.
DECOMPOSE: dict[str, tuple[str, int]] = {}
#: (toneless base letter, tone number) -> letter.
COMPOSE: dict[tuple[str, int], str] = {}

for _base in BASE_VOWELS + BASE_VOWELS.upper():
    for _tone, _mark in enumerate(TONE_MARKS):
        _letter = unicodedata.normalize("NFC", _base + _mark)
        DECOMPOSE[_letter] = (_base, _tone)
        COMPOSE[(_base, _tone)] = _letter

#: Every letter of Vietnamese written in Unicode (NFC), both cases, plus the
#: Latin letters f j w z that appear in foreign and ethnic-minority names.
VIETNAMESE_LETTERS: Final = frozenset(
    list(DECOMPOSE) + list("bcdđghklmnpqrstvxfjwz" + "bcdđghklmnpqrstvxfjwz".upper())
)

#: Lower-case letter -> ASCII letter without any diacritic (đ -> d).
FOLD_TO_ASCII: dict[str, str] = {
    letter: unicodedata.normalize("NFD", letter)[0].lower()
    for letter in DECOMPOSE
}
FOLD_TO_ASCII.update({"đ": "d", "Đ": "d"})
for _letter in list(FOLD_TO_ASCII):
    if _letter.isupper():
        FOLD_TO_ASCII[_letter] = FOLD_TO_ASCII[_letter].upper()
FOLD_TO_ASCII["Đ"] = "D"

VOWELS_LOWER: Final = frozenset(
    letter for letter in DECOMPOSE if letter.islower()
)


def is_vowel(letter: str) -> bool:
    """True for a Vietnamese vowel letter with or without a tone mark (any case)."""
    return letter in DECOMPOSE
