"""Person names: tokens in N1 and N2, honorifics, the y/i spelling variant.

A name's tokens are the words of its N1 form, each with its N2 twin. An
honorific (``Ông``, ``Bà``, ``Anh``, ``Chị``, ``Mr``, ``Mrs``, ``Ms``) at the
start of a *query* is read both ways: :func:`query_readings` returns the name
as written and, when the first word is an honorific and more words follow,
the name without it (``Ông Ích Khiêm`` keeps both readings).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from normalizers.data_files import read_json
from normalizers.syllables import parse
from normalizers.text import fold, n1


@dataclass(frozen=True, slots=True)
class NameToken:
    """One word of a name: ``exact`` is N1, ``folded`` is N2, ``accented`` says
    whether it carries any diacritic (N1 differs from N2)."""

    exact: str
    folded: str
    accented: bool


@dataclass(frozen=True, slots=True)
class PersonName:
    tokens: tuple[NameToken, ...]

    @property
    def folded(self) -> tuple[str, ...]:
        return tuple(token.folded for token in self.tokens)

    @property
    def exact(self) -> tuple[str, ...]:
        return tuple(token.exact for token in self.tokens)


def _load_honorifics() -> frozenset[str]:
    return frozenset(read_json("honorifics.json")["honorifics"])


#: Honorifics in N1.
HONORIFICS: Final = _load_honorifics()
_HONORIFICS_FOLDED: Final = frozenset(fold(word) for word in HONORIFICS)


@lru_cache(maxsize=65536)
def name_tokens(text: str) -> tuple[NameToken, ...]:
    """Tokens of any name (person or organisation), N1 with N2 twins."""
    exact = n1(text)
    if not exact:
        return ()
    return tuple(_token(word) for word in exact.split(" "))


@lru_cache(maxsize=65536)
def _token(word: str) -> NameToken:
    folded = fold(word)
    return NameToken(word, folded, word != folded)


def parse_person(name: str) -> PersonName:
    """A registered (or query) person name as it stands."""
    return PersonName(name_tokens(name))


def is_honorific(token: NameToken) -> bool:
    """Token rule: with diacritics it must equal an honorific in N1, without
    diacritics in N2 (so ``ONG`` is ``Ông`` but ``Bá`` is not ``Bà``)."""
    if token.accented:
        return token.exact in HONORIFICS
    return token.folded in _HONORIFICS_FOLDED


@lru_cache(maxsize=65536)
def query_readings(query: str) -> tuple[PersonName, ...]:
    """The query as written, then without its leading honorific if it has one."""
    tokens = name_tokens(query)
    readings = [PersonName(tokens)]
    if len(tokens) >= 2 and is_honorific(tokens[0]):
        readings.append(PersonName(tokens[1:]))
    return tuple(readings)


@lru_cache(maxsize=65536)
def y_i_folded(folded_token: str) -> str:
    """N2 token with ``y`` written ``i`` where ``y`` is the whole vowel of the
    syllable after a consonant (``ly`` → ``li``, ``quy`` → ``qui``); ``huy``,
    ``tuy``, ``hay`` and ``y`` stay as they are."""
    if "y" not in folded_token:
        return folded_token
    syllable = parse(folded_token)
    if syllable is None or not syllable.initial or syllable.nucleus != "y":
        return folded_token
    return syllable.initial + "i" + syllable.final


def has_y_i_syllable(folded_token: str) -> bool:
    """True when the token's vowel is a lone ``y`` or ``i`` after a consonant."""
    syllable = parse(folded_token)
    return (syllable is not None and bool(syllable.initial)
            and syllable.nucleus in ("y", "i"))
