"""Hypothesis strategies: well-formed Vietnamese syllables, names and numbers."""

from __future__ import annotations

import unicodedata

from hypothesis import strategies as st

from normalizers.alphabet import COMPOSE
from normalizers.syllables import is_valid
from normalizers.tones import canonical_word

INITIALS = ("", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n",
            "ng", "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x")
NUCLEI = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay",
          "âu", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oe", "oi", "ôi", "ơi", "ua", "uô",
          "ui", "uy", "ưa", "ưi", "ươ", "ưu", "yê", "iêu", "oai", "oay", "uôi", "uyê", "ươi",
          "ươu")
FINALS = ("", "", "", "c", "ch", "m", "n", "ng", "nh", "p", "t")
VOWELS = "aăâeêioôơuưy"
HONORIFICS = ("Ông", "Bà", "Anh", "Chị", "Mr", "Mrs", "Ms")
#: Real name syllables, among them the y/i ones and the uy/ay ones that are not.
COMMON_SYLLABLES = ("nguyễn", "trần", "lê", "phạm", "văn", "thị", "lý", "lí", "mỹ", "mĩ", "kỳ",
                    "kì", "sỹ", "sĩ", "thy", "thi", "quý", "quí", "huy", "duy", "thúy", "hải",
                    "tú", "tư", "hoàng", "ngọc", "anh", "quỳnh", "như", "đức", "ông", "bà")


def _place_tone(toneless: str, tone: int) -> str:
    if tone == 0:
        return toneless
    for index, letter in enumerate(toneless):
        if letter in VOWELS:
            toned = toneless[:index] + COMPOSE[(letter, tone)] + toneless[index + 1:]
            return canonical_word(toned)
    return toneless


def syllables() -> st.SearchStrategy[str]:
    """One well-formed lower-case syllable with its tone mark in canonical place."""
    return st.one_of(_generated_syllables(), st.sampled_from(COMMON_SYLLABLES))


@st.composite
def _generated_syllables(draw: st.DrawFn) -> str:
    while True:
        initial = draw(st.sampled_from(INITIALS))
        nucleus = draw(st.sampled_from(NUCLEI))
        final = draw(st.sampled_from(FINALS))
        if initial == "qu" and nucleus.startswith("u"):
            continue
        if initial == "gi" and nucleus.startswith("i"):
            continue
        word = initial + nucleus + final
        if is_valid(word):
            break
    return _place_tone(word, draw(st.integers(0, 5)))


def capitalised(word: str) -> str:
    return word[:1].upper() + word[1:]


@st.composite
def person_names(draw: st.DrawFn, min_size: int = 2, max_size: int = 5) -> list[str]:
    """A person name as a list of capitalised syllables."""
    words = draw(st.lists(syllables(), min_size=min_size, max_size=max_size))
    return [capitalised(word) for word in words]


def vietnamese_text() -> st.SearchStrategy[str]:
    """Syllables with spaces and punctuation between them, in any case."""
    separator = st.sampled_from([" ", "  ", "-", ", ", ". ", "\t", " & ", "/"])
    word = st.tuples(syllables(), st.sampled_from(["lower", "upper", "title"])).map(
        lambda pair: pair[0].upper() if pair[1] == "upper"
        else capitalised(pair[0]) if pair[1] == "title" else pair[0])
    return st.lists(st.tuples(word, separator), min_size=1, max_size=6).map(
        lambda items: "".join(w + s for w, s in items).strip())


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)
