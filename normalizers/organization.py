"""Organisation names: legal form, branch marker and core name.

``Chi nhánh Công ty TNHH Thương mại Đông Á tại Hà Nội`` splits into the branch
marker, the legal form ``TNHH`` and the core ``thương mại đông á tại hà nội``.
Legal forms are recognised in full, abbreviated and English spellings, with or
without diacritics (matching is on N2), at the start of the name and, for the
forms that are written there (``Co., Ltd``, ``JSC``), at the end. The phrase
list and codes are in ``normalizers/data/legal_forms.json``.

The *expanded* core is what the close tier compares: trade-word abbreviations
(``TM`` → ``thuong mai``, from ``data/trade_words.json``) written out in N2,
and the connectors ``&`` / ``và`` / ``and`` left out. Expanded words have no N1
(``exact`` is None): like a query word without diacritics they match on N2.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from normalizers.data_files import read_json
from normalizers.person import NameToken, name_tokens
from normalizers.text import fold


@dataclass(frozen=True, slots=True)
class CoreWord:
    """One word of an expanded core: N1 (None when written out from an
    abbreviation) and N2."""

    exact: str | None
    folded: str


@dataclass(frozen=True, slots=True)
class OrganizationName:
    legal_form: str | None
    branch: bool
    core: tuple[NameToken, ...]
    expanded: tuple[CoreWord, ...]

    @property
    def has_designation(self) -> bool:
        """True when the name gives a legal form or a branch marker."""
        return self.legal_form is not None or self.branch

    @property
    def core_folded(self) -> tuple[str, ...]:
        return tuple(token.folded for token in self.core)

    @property
    def expanded_folded(self) -> tuple[str, ...]:
        return tuple(word.folded for word in self.expanded)

    @property
    def abbreviated(self) -> bool:
        """True when expanding abbreviations or dropping connectors changed the core."""
        return len(self.expanded) != len(self.core) or any(
            word.exact is None for word in self.expanded
        )


@dataclass(frozen=True, slots=True)
class _Phrase:
    words: tuple[str, ...]
    tags: frozenset[str]


def _load_legal_forms() -> tuple[
    tuple[_Phrase, ...], tuple[_Phrase, ...], tuple[tuple[frozenset[str], str], ...],
    dict[str, frozenset[str]],
]:
    data = read_json("legal_forms.json")
    start: list[_Phrase] = []
    end: list[_Phrase] = []
    for entry in data["phrases"]:
        phrase = _Phrase(tuple(entry["words"].split()), frozenset(entry["tags"]))
        if "start" in entry["at"]:
            start.append(phrase)
        if "end" in entry["at"]:
            end.append(phrase)
    start.sort(key=lambda phrase: -len(phrase.words))
    end.sort(key=lambda phrase: -len(phrase.words))
    codes = tuple((frozenset(entry["tags"]), entry["code"]) for entry in data["codes"])
    covers = {code: frozenset(covered) for code, covered in data["covers"].items()}
    return tuple(start), tuple(end), codes, covers


_START_PHRASES, _END_PHRASES, _CODES, COVERS = _load_legal_forms()


def _by_word(phrases: tuple[_Phrase, ...], first: bool) -> dict[str, tuple[_Phrase, ...]]:
    """Phrases indexed by their first (or last) word, longest first."""
    index: dict[str, list[_Phrase]] = {}
    for phrase in phrases:
        index.setdefault(phrase.words[0 if first else -1], []).append(phrase)
    return {word: tuple(found) for word, found in index.items()}


_START_INDEX: Final = _by_word(_START_PHRASES, first=True)
_END_INDEX: Final = _by_word(_END_PHRASES, first=False)
_TRADE: Final = read_json("trade_words.json")
#: Abbreviation (N2) -> its words written out (N2).
ABBREVIATIONS: Final[dict[str, tuple[str, ...]]] = {
    key: tuple(value.split()) for key, value in _TRADE["abbreviations"].items()
}
CONNECTORS: Final = frozenset(_TRADE["connectors"])
BRANCH_TAG: Final = "branch"
#: N2 words that expansion may change: abbreviations and connectors.
_EXPANDABLE: Final = frozenset(ABBREVIATIONS) | frozenset(fold(word) for word in CONNECTORS)


def _match_at(folded: tuple[str, ...], position: int, from_end: bool) -> _Phrase | None:
    if from_end:
        phrases = _END_INDEX.get(folded[position - 1], ()) if position > 0 else ()
    else:
        phrases = _START_INDEX.get(folded[position], ()) if position < len(folded) else ()
    for phrase in phrases:
        size = len(phrase.words)
        if from_end:
            if position - size >= 0 and folded[position - size:position] == phrase.words:
                return phrase
        elif folded[position:position + size] == phrase.words:
            return phrase
    return None


def legal_form_code(tags: frozenset[str]) -> str | None:
    """Canonical legal-form code for the tags found, or None."""
    for required, code in _CODES:
        if required <= tags:
            return code
    return None


def _is_connector(token: NameToken) -> bool:
    return token.exact in CONNECTORS or (not token.accented and token.folded in CONNECTORS)


@lru_cache(maxsize=65536)
def _core_word(token: NameToken) -> CoreWord:
    return CoreWord(token.exact, token.folded)


def expand_core(core: tuple[NameToken, ...]) -> tuple[CoreWord, ...]:
    """Core with trade-word abbreviations written out and connectors dropped. A core of
    connectors only keeps them: dropping them would make every such name equal to every
    other (and leave no candidate key)."""
    if not any(token.folded in _EXPANDABLE for token in core) or all(
            _is_connector(token) for token in core):
        return tuple(_core_word(token) for token in core)
    words: list[CoreWord] = []
    for token in core:
        if _is_connector(token):
            continue
        expansion = ABBREVIATIONS.get(token.folded)
        if expansion is not None and (not token.accented or token.folded == "dt"):
            words.extend(CoreWord(None, word) for word in expansion)
        else:
            words.append(CoreWord(token.exact, token.folded))
    return tuple(words)


@lru_cache(maxsize=65536)
def parse_organization(name: str) -> OrganizationName:
    """Split an organisation name into legal form, branch marker and core."""
    tokens = name_tokens(name)
    folded = tuple(token.folded for token in tokens)
    if not folded or (folded[0] not in _START_INDEX and folded[-1] not in _END_INDEX):
        return OrganizationName(None, False, tokens, expand_core(tokens))
    tags: set[str] = set()
    start, end = 0, len(tokens)
    while start < end:
        phrase = _match_at(folded[:end], start, from_end=False)
        if phrase is None:
            break
        tags |= phrase.tags
        start += len(phrase.words)
    while end > start:
        phrase = _match_at(folded, end, from_end=True)
        if phrase is None or end - len(phrase.words) < start:
            break
        tags |= phrase.tags
        end -= len(phrase.words)
    core = tokens[start:end]
    branch = BRANCH_TAG in tags
    tags.discard(BRANCH_TAG)
    return OrganizationName(legal_form_code(frozenset(tags)), branch, core, expand_core(core))


def legal_forms_compatible(registered: str | None, query: str | None) -> bool:
    """True when the query's legal form stands for the registered one
    (equal, or a generic form such as ``Công ty`` covering ``TNHH``)."""
    if registered == query:
        return True
    return query is not None and registered in COVERS.get(query, frozenset())
