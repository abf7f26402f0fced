"""Vietnamese spelling for the benchmarks: folding, tone marks, syllable structure.

Deliberately independent of ``normalizers/``: the benchmarks check the engine against the
matching contract, so they must not borrow the engine's own reading of the text.

A syllable is read as onset + rhyme, the rhyme as vowels + coda. Tone marks are the five
combining marks below; vowel quality marks (circumflex, breve, horn) are part of the letter.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

TONES: Final = ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # sắc huyền hỏi ngã nặng
_TONE_SET: Final = frozenset(TONES)
_QUALITY_LETTERS: Final = frozenset("ăâêôơư")
VOWELS: Final = frozenset("aăâeêioôơuưy")


def _words(text: str) -> set[str]:
    return set(text.split())


# Longest first, so that "ngh" wins over "ng" and "n".
_ONSETS: Final = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)
_OPEN_RHYMES: Final = frozenset(
    _words("a e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iu iêu oa oai oao oay oe oeo oi ôi ơi")
    | _words("ua uây uê ui uôi uơ uy uya uyu ưa ưi ưu ươi ươu yêu")
)
_CODAS_BY_NUCLEUS: Final = {
    "a": "c ch m n ng nh p t", "ă": "c m n ng p t", "â": "c m n ng p t",
    "e": "c m n ng p t", "ê": "ch m n nh p t", "i": "ch m n nh p t",
    "iê": "c m n ng p t", "yê": "m n ng t", "o": "c m n ng p t", "ô": "c m n ng p t",
    "ơ": "m n p t", "u": "c m n ng p t", "ư": "c m n ng t", "uô": "c m n ng t",
    "ươ": "c m n ng p t", "oa": "c ch m n ng nh p t", "oă": "c m n ng t", "oe": "n t",
    "uâ": "n ng t", "uy": "ch n nh p t", "uyê": "n t", "uê": "ch nh",
}
_CLOSED_RHYMES: Final = frozenset(
    nucleus + coda for nucleus, codas in _CODAS_BY_NUCLEUS.items() for coda in _words(codas)
)
VALID_RHYMES: Final = _OPEN_RHYMES | _CLOSED_RHYMES
HONORIFICS: Final = frozenset({"ong", "ba", "anh", "chi", "mr", "mrs", "ms"})


def fold(text: str) -> str:
    """Remove every diacritic, and turn đ/Đ into d/D (NFKD alone does not)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def folded_key(text: str) -> str:
    """Lower-case folded form of a single word (the N2 twin of a token)."""
    return fold(text).lower()


def has_diacritic(text: str) -> bool:
    return fold(text) != text


def split_tone(word: str) -> tuple[str, str, int]:
    """Return (word without tone mark, the tone mark or "", index of the toned letter or -1).

    The index counts letters of the NFC toneless word. A word with several tone marks keeps
    the first and reports the rest as part of the letters (callers treat it as invalid).
    """
    letters: list[str] = []
    tone, index = "", -1
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONE_SET and letters and not tone:
            tone, index = ch, len(letters) - 1
        elif unicodedata.combining(ch) and letters:
            letters[-1] += ch
        else:
            letters.append(ch)
    return "".join(unicodedata.normalize("NFC", letter) for letter in letters), tone, index


def apply_tone(toneless: str, tone: str, index: int) -> str:
    """Put ``tone`` on the letter at ``index`` of an NFC toneless word."""
    if not tone:
        return toneless
    return unicodedata.normalize("NFC", toneless[:index + 1] + tone + toneless[index + 1:])


@dataclass(frozen=True)
class Syllable:
    """A parsed syllable; indices are letter positions in the word."""

    onset: str
    rhyme: str
    vowel_start: int  # first letter of the vowel group that can carry the tone
    vowel_end: int  # one past its last vowel
    coda: str


@lru_cache(maxsize=1 << 14)
def parse(word: str) -> Syllable | None:
    """Parse a lower-case toneless syllable; None when it is not Vietnamese spelling."""
    for onset in _ONSETS:
        if not word.startswith(onset):
            continue
        rest = word[len(onset):]
        rhyme = rest
        if onset == "qu" and rest not in VALID_RHYMES:
            rhyme = "u" + rest  # qu + ynh: the u is the glide of the rhyme uynh
        if rhyme not in VALID_RHYMES:
            continue
        vowels = len(rest) - len(rest.lstrip("aăâeêioôơuưy"))
        if vowels == 0:
            continue
        return Syllable(onset, rhyme, len(onset), len(onset) + vowels, rest[vowels:])
    return None


def tone_positions(syllable: Syllable, word: str) -> frozenset[int]:
    """Letter positions where the tone mark may sit (old and new styles both allowed)."""
    start, end = syllable.vowel_start, syllable.vowel_end
    vowels = word[start:end]
    quality = [i for i, v in enumerate(vowels) if v in _QUALITY_LETTERS]
    if quality:
        return frozenset({start + quality[-1]})
    if syllable.coda or len(vowels) == 1:
        return frozenset({end - 1})
    if syllable.onset != "qu" and vowels in ("oa", "oe", "uy"):
        return frozenset({start, start + 1})  # hòa / hoà, thủy / thuỷ
    if len(vowels) == 3:
        return frozenset({start + 1})  # oai, oay, uya, uyu, oeo, oao
    return frozenset({start})  # ai, ao, au, ay, eo, ia, iu, oi, ua, ui


def is_name_syllable(word: str) -> bool:
    """True for a capitalised Vietnamese syllable with its tone mark in an accepted place."""
    if not word or not word[0].isupper() or word[1:] != word[1:].lower():
        return False
    toneless, tone, index = split_tone(word.lower())
    if any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", toneless)
           if ch not in "\u0302\u0306\u031b"):
        return False  # a second tone mark
    syllable = parse(toneless)
    if syllable is None:
        return False
    return not tone or index in tone_positions(syllable, toneless)


def restyle_tone(word: str) -> str | None:
    """The same word with the tone in the other accepted place (Hòa ⇄ Hoà), if it has one."""
    toneless, tone, index = split_tone(word)
    syllable = parse(toneless.lower())
    if not tone or syllable is None:
        return None
    places = tone_positions(syllable, toneless.lower())
    if len(places) != 2:
        return None
    (other,) = places - {index}
    return apply_tone(toneless, tone, other)


def retone(word: str, tone: str) -> str | None:
    """The word with ``tone`` ("" for none) instead of its own tone, in an accepted place."""
    toneless, _, index = split_tone(word)
    syllable = parse(toneless.lower())
    if syllable is None:
        return None
    places = tone_positions(syllable, toneless.lower())
    place = index if index in places else min(places)
    return apply_tone(toneless, tone, place)


def tone_of(word: str) -> str:
    return split_tone(word)[1]
