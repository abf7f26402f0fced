"""Vietnamese syllable structure: initial consonant, vowel nucleus, final consonant.

Used to place tone marks canonically, to check that a repaired legacy-encoded
word is real Vietnamese, and to find the ``y``/``i`` syllables of the
``y_i_variant`` rule. Works on one lower-case word without tone marks.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final, NamedTuple

_VOWELS: Final = frozenset("aăâeêioôơuưy")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())



#: Initial consonants, longest first so that "ngh" wins over "ng" and "n".
INITIALS: Final = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "q", "r", "s", "t", "v", "x",
)
FINALS: Final = frozenset({"", "c", "ch", "m", "n", "ng", "nh", "p", "t"})
NUCLEI: Final = _word_set(
    "a ă â e ê i o ô ơ u ư y "
    "ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê "
    "iêu yêu oai oay oao oeo uây uôi uya uyê uyu ươi ươu"
)
#: Nuclei that end in a glide (or are ``ia``/``ua``/``ưa``) take no final consonant.
OPEN_ONLY_NUCLEI: Final = _word_set(
    "ai ao au ay âu ây eo êu iu oi ôi ơi ui ưi ưu ia ua ưa "
    "iêu yêu oai oay oao oeo uây uôi uya uyu ươi ươu"
)

#: The finals ``ch`` and ``nh`` follow only these nuclei (``anh``, ``ênh``, ``inh``, ``oanh``…).
PALATAL_NUCLEI: Final = _word_set("a ê i y oa uê uy")


class Syllable(NamedTuple):
    """A parsed syllable: ``word[:nucleus_start]`` is the initial consonant,
    ``word[nucleus_start:nucleus_end]`` the vowel nucleus, the rest the final."""

    initial: str
    nucleus: str
    final: str
    nucleus_start: int
    nucleus_end: int


@lru_cache(maxsize=65536)
def parse(word: str) -> Syllable | None:
    """Split a lower-case, toneless word into its parts, or None when it has no
    vowel, vowels after its final consonant, or an unknown initial. The nucleus
    and final are *not* checked against the lists (see :func:`is_valid`)."""
    start = 0
    length = len(word)
    while start < length and word[start] not in _VOWELS:
        start += 1
    if start == length:
        return None
    initial = word[:start]
    if initial == "q" and word[start] == "u" and start + 1 < length and word[start + 1] in _VOWELS:
        start += 1
        initial = "qu"
    elif (initial == "g" and word[start] == "i" and start + 1 < length
          and word[start + 1] in _VOWELS):
        start += 1
        initial = "gi"
    end = start
    while end < length and word[end] in _VOWELS:
        end += 1
    final = word[end:]
    if any(letter in _VOWELS for letter in final):
        return None
    if initial and initial not in INITIALS:
        return None
    return Syllable(initial, word[start:end], final, start, end)


def is_valid(word: str) -> bool:
    """True when a lower-case, toneless word is a well-formed Vietnamese syllable."""
    syllable = parse(word)
    return (syllable is not None and syllable.nucleus in NUCLEI
            and syllable.final in FINALS
            and not (syllable.final and syllable.nucleus in OPEN_ONLY_NUCLEI)
            and not (syllable.final in ("ch", "nh") and syllable.nucleus not in PALATAL_NUCLEI))
