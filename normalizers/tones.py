"""Canonical tone-mark placement.

Vietnamese allows two placements of the tone mark in the open syllables
``oa``, ``oe`` and ``uy``: the "old style" (``hòa``, ``hòe``, ``thủy``) and the
"new style" (``hoà``, ``hoè``, ``thuỷ``). Typists also misplace marks
(``Hòang``, ``Qúy``, ``Thọai``). We put every tone mark where the **old style**
puts it, which is the placement most registry data already uses:

1. one vowel: on it;
2. a vowel with a quality mark (ă â ê ô ơ ư): on the last such vowel (``ương`` → ơ);
3. a final consonant follows: on the last vowel (``hoàng``, ``quýt``);
4. three vowels: on the middle one (``hoài``, ``khuỷu``);
5. two vowels: on the first (``hòa``, ``thủy``, ``mía``, ``túi``).

``qu`` and ``gi`` (before another vowel) count as consonants, so ``Quí`` stays
``Quí`` and ``già`` keeps its mark on ``a``. Words that are not a well-formed
Vietnamese syllable, or carry more than one tone mark, are left as they are.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from normalizers.alphabet import COMPOSE, DECOMPOSE, MARKED_VOWELS, NO_TONE
from normalizers.syllables import is_valid, parse

#: Runs of letters that contain at least one toned vowel are the only words we look at.
_TONED_LETTERS: Final = "".join(
    letter for letter, (_, tone) in DECOMPOSE.items() if tone != NO_TONE
)
#: A word as N1 splits words: letters and digits, not the underscore ``\w`` also holds
#: (``_OỈ`` is the word ``OỈ``, whose tone N1 would otherwise move only when run twice).
_TONED_WORD: Final = re.compile(rf"[^\W_]*[{_TONED_LETTERS}][^\W_]*")


def _tone_position(word: str) -> int | None:
    """Index where the tone mark belongs in a lower-case toneless word."""
    syllable = parse(word)
    if syllable is None or not is_valid(word):
        return None
    start, end = syllable.nucleus_start, syllable.nucleus_end
    size = end - start
    if size == 1:
        return start
    marked = [i for i in range(start, end) if word[i] in MARKED_VOWELS]
    if marked:
        return marked[-1]
    if syllable.final:
        return end - 1
    if size == 3:
        return start + 1
    if size == 2:
        return start
    return None


@lru_cache(maxsize=65536)
def canonical_word(word: str) -> str:
    """One word (NFC) with its tone mark moved to the canonical place."""
    tone = NO_TONE
    tone_at = -1
    bases: list[str] = []
    for i, letter in enumerate(word):
        parts = DECOMPOSE.get(letter)
        if parts is None:
            bases.append(letter)
            continue
        base, letter_tone = parts
        if letter_tone != NO_TONE:
            if tone != NO_TONE:
                return word  # two tone marks: not ours to fix
            tone, tone_at = letter_tone, i
        bases.append(base)
    if tone == NO_TONE:
        return word
    toneless = "".join(bases)
    target = _tone_position(toneless.lower())
    if target is None or target == tone_at:
        return word
    target_base = bases[target]
    moved = COMPOSE.get((target_base, tone))
    if moved is None:
        return word
    bases[target] = moved
    return "".join(bases)


def canonical_tones(text: str) -> str:
    """Text (NFC) with every word's tone mark in the canonical place."""
    return _TONED_WORD.sub(lambda match: canonical_word(match.group()), text)
