"""The pair classifier: the matching contract as code.

``classify(criterion, registered, query, party_type)`` says whether a registered
value matches a query value exactly, closely or not at all, with every reason
that applies and a score. The rules are those of ``shared/spec/matching.md``;
``docs/matching-rules.md`` lists them with examples.

For the search re-ranker, :func:`matcher` prepares a query once and classifies
many registered values with it; registered values are parsed through caches in
``normalizers``, so a value seen before is not normalised again.

Resolved readings of the contract (also in ``docs/matching-rules.md``):

* No ``party_type``: when either name has a recognised legal form or branch
  marker, the organisation rules apply; otherwise both the person and the
  organisation rules are tried and the better result wins.
* ``edit_distance`` on a name token needs both tokens to have 4 or more letters.
* ``y_i_variant`` may apply to several tokens at once (it is one spelling
  convention); ``qu`` counts as a consonant, so ``Quý`` ~ ``Quí``.
* ``joined_syllables`` covers any regrouping of the same letters into words.
* A generic ``Công ty`` in a query stands for any company form (``TNHH``, ``CP``
  …) with ``legal_form_ignored``; the branch marker must agree unless the query
  gives no legal form and no branch marker at all.
* Connectors ``và``/``and`` (and ``&``, which N1 drops) may be exchanged or left
  out in organisation names (``abbreviation``).
* ``separators_ignored`` is reported when the separators of the two values
  differ; not for ``branch_of``, whose dash is the branch separator.
* Identity numbers: the close tier needs both numbers to have 8 or more
  characters; a parent tax code finds its branches, a branch does not find its
  parent; a 9-digit and a 12-digit number are never linked.
* N0 puts tone marks in the "old style" places (``Hòa``, ``Thủy``); both
  spellings reach the same N1.
* Legacy encodings are repaired word by word: a word that is already valid
  Vietnamese Unicode is kept even in a line whose other words are VNI or TCVN3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal, Protocol

from rapidfuzz.distance import OSA

from normalizers.identifiers import identifier_form, separator_pattern, tax_parent
from normalizers.keys import (
    INDIVIDUAL,
    MIN_CLOSE_ID,
    MIN_CLOSE_SERIAL,
    MIN_EDIT_TOKEN,
    MIN_SUFFIX,
    ORGANIZATION,
)
from normalizers.organization import (
    OrganizationName,
    legal_forms_compatible,
    parse_organization,
)
from normalizers.person import NameToken, PersonName, parse_person, query_readings, y_i_folded
from normalizers.serials import serial_from_identifier
from query import reasons as r
from query.criteria import CRITERIA, SERIAL_CRITERIA

Tier = Literal["exact", "close"]
PARTY_TYPES: Final = (INDIVIDUAL, ORGANIZATION)
_TIER_RANK: Final = {"exact": 0, "close": 1, None: 2}


@dataclass(frozen=True, slots=True)
class Classification:
    """Tier (None: no match), every reason that applies, and the score in [0, 1]."""

    tier: Tier | None
    reasons: tuple[str, ...]
    score: float

    def rank(self) -> tuple[int, float]:
        """Sort key: better results first."""
        return (_TIER_RANK[self.tier], -self.score)


NO_MATCH: Final = Classification(None, (), 0.0)


def _verdict(tier: Tier, codes: Sequence[str]) -> Classification:
    return _cached_verdict(tier, tuple(codes))


@lru_cache(maxsize=1024)
def _cached_verdict(tier: Tier, codes: tuple[str, ...]) -> Classification:
    return Classification(tier, r.ordered(codes), r.score(codes))


def _best(results: Sequence[Classification]) -> Classification:
    best = NO_MATCH
    for result in results:
        if result.rank() < best.rank():
            best = result
    return best


def _one_edit(a: str, b: str) -> bool:
    return OSA.distance(a, b, score_cutoff=1) <= 1


# --- words (person name tokens and organisation core words) -------------------------

class _Word(Protocol):
    @property
    def exact(self) -> str | None: ...

    @property
    def folded(self) -> str: ...


def _accented(word: _Word) -> bool:
    return word.exact is not None and word.exact != word.folded


def _diacritics_differ(registered: _Word, query: _Word) -> bool:
    """For words equal in N2: does the query's diacritic break the token rule?"""
    return (_accented(query) and registered.exact is not None
            and registered.exact != query.exact)


_Y_TO_I: Final = str.maketrans("yýỳỷỹỵ", "iíìỉĩị")


def _y_i_diacritics_differ(registered: _Word, query: _Word) -> bool:
    if not _accented(query) or registered.exact is None or query.exact is None:
        return False
    return registered.exact.translate(_Y_TO_I) != query.exact.translate(_Y_TO_I)


def _pairs_differ(registered: Sequence[_Word], query: Sequence[_Word]) -> bool:
    return any(_diacritics_differ(a, b) for a, b in zip(registered, query, strict=True))


def _reordered_diacritics_differ(registered: Sequence[_Word], query: Sequence[_Word]) -> bool:
    """Pair each query word with a registered word equal in N2 (preferring one
    that also passes the token rule) and say whether any pair's diacritics differ."""
    remaining = list(registered)
    differ = False
    for word in query:
        same = [c for c in remaining if c.folded == word.folded]
        exact = [c for c in same if not _diacritics_differ(c, word)]
        chosen = exact[0] if exact else same[0]
        differ = differ or not exact
        remaining.remove(chosen)
    return differ


def _joined_diacritics_differ(registered: Sequence[_Word], query: Sequence[_Word]) -> bool:
    """Diacritics of a regrouped name: each accented query word against the
    registered letters at the same place."""
    registered_exact = "".join(w.exact if w.exact is not None else w.folded for w in registered)
    if len(registered_exact) != sum(len(w.folded) for w in registered):
        return any(_accented(w) for w in query) and registered_exact != "".join(
            w.exact or w.folded for w in query)
    position = 0
    for word in query:
        exact = word.exact if word.exact is not None else word.folded
        if len(exact) != len(word.folded):
            return _accented(word)
        if _accented(word) and registered_exact[position:position + len(exact)] != exact:
            return True
        position += len(exact)
    return False


def _edit_position(registered: Sequence[_Word], query: Sequence[_Word]) -> int | None:
    """Index of the one word (4+ letters on both sides) that differs by one
    edit in N2, all other words equal in N2; else None."""
    differing = [i for i, (a, b) in enumerate(zip(registered, query, strict=True))
                 if a.folded != b.folded]
    if len(differing) != 1:
        return None
    index = differing[0]
    a, b = registered[index].folded, query[index].folded
    if min(len(a), len(b)) >= MIN_EDIT_TOKEN and _one_edit(a, b):
        return index
    return None


def _edit_verdict(registered: Sequence[_Word], query: Sequence[_Word]) -> list[str] | None:
    index = _edit_position(registered, query)
    if index is None:
        return None
    others_differ = any(_diacritics_differ(a, b) for i, (a, b)
                        in enumerate(zip(registered, query, strict=True)) if i != index)
    return [r.EDIT_DISTANCE] + ([r.DIACRITICS_DIFFER] if others_differ else [])


def _order_verdict(registered: Sequence[_Word], query: Sequence[_Word]) -> list[str] | None:
    if sorted(w.folded for w in registered) != sorted(w.folded for w in query):
        return None
    differ = _reordered_diacritics_differ(registered, query)
    return [r.TOKEN_ORDER] + ([r.DIACRITICS_DIFFER] if differ else [])


# --- person names -------------------------------------------------------------------

def _compare_person(registered: Sequence[NameToken], query: Sequence[NameToken]
                    ) -> Classification:
    size, query_size = len(registered), len(query)
    if size == 0 or query_size == 0:
        return NO_MATCH
    found: list[Classification] = []
    registered_folded = [t.folded for t in registered]
    query_folded = [t.folded for t in query]
    if size == query_size:
        if registered_folded == query_folded:
            if _pairs_differ(registered, query):
                return _verdict("close", [r.DIACRITICS_DIFFER])
            return _verdict("exact", [])
        edit = _edit_verdict(registered, query)
        if edit is not None:
            found.append(_verdict("close", edit))
        if [y_i_folded(w) for w in registered_folded] == [y_i_folded(w) for w in query_folded]:
            differ = any(
                _y_i_diacritics_differ(a, b) if a.folded != b.folded else _diacritics_differ(a, b)
                for a, b in zip(registered, query, strict=True))
            found.append(_verdict("close", [r.Y_I_VARIANT]
                                  + ([r.DIACRITICS_DIFFER] if differ else [])))
        order = _order_verdict(registered, query)
        if order is not None:
            found.append(_verdict("close", order))
    elif query_size == size - 1 and size >= 3:
        for i in range(1, size - 1):
            shorter = [*registered[:i], *registered[i + 1:]]
            if registered_folded[:i] + registered_folded[i + 1:] == query_folded:
                differ = _pairs_differ(shorter, query)
                found.append(_verdict("close", [r.MISSING_TOKEN]
                                      + ([r.DIACRITICS_DIFFER] if differ else [])))
                break
    elif query_size == size + 1 and query_size >= 3:
        for j in range(1, query_size - 1):
            if query_folded[:j] + query_folded[j + 1:] == registered_folded:
                differ = _pairs_differ(registered, [*query[:j], *query[j + 1:]])
                found.append(_verdict("close", [r.EXTRA_TOKEN]
                                      + ([r.DIACRITICS_DIFFER] if differ else [])))
                break
    if registered_folded != query_folded and "".join(registered_folded) == "".join(query_folded):
        differ = _joined_diacritics_differ(registered, query)
        found.append(_verdict("close", [r.JOINED_SYLLABLES]
                              + ([r.DIACRITICS_DIFFER] if differ else [])))
    return _best(found)


def classify_person(registered: PersonName, readings: Sequence[PersonName]) -> Classification:
    """Best result over the query's readings (with and without an honorific)."""
    return _best([_compare_person(registered.tokens, reading.tokens) for reading in readings])


# --- organisation names -------------------------------------------------------------

def _legal_reasons(registered: OrganizationName, query: OrganizationName) -> list[str] | None:
    """Reasons from the legal forms; None when they differ (close at best)."""
    if not query.has_designation:
        return [r.LEGAL_FORM_IGNORED] if registered.has_designation else []
    if registered.branch != query.branch:
        return None
    if query.legal_form is None:
        return [r.LEGAL_FORM_IGNORED] if registered.legal_form is not None else []
    if query.legal_form == registered.legal_form:
        return []
    if legal_forms_compatible(registered.legal_form, query.legal_form):
        return [r.LEGAL_FORM_IGNORED]
    return None


def _compare_core(registered: Sequence[_Word], query: Sequence[_Word]
                  ) -> tuple[Tier, list[str]] | None:
    if len(registered) == len(query):
        if [w.folded for w in registered] == [w.folded for w in query]:
            if _pairs_differ(registered, query):
                return "close", [r.DIACRITICS_DIFFER]
            return "exact", []
        edit = _edit_verdict(registered, query)
        if edit is not None:
            return "close", edit
        order = _order_verdict(registered, query)
        if order is not None:
            return "close", order
    return None


def classify_organization(registered: OrganizationName, query: OrganizationName
                          ) -> Classification:
    if not registered.core or not query.core:
        return NO_MATCH
    legal = _legal_reasons(registered, query)
    legal_codes = legal if legal is not None else [r.LEGAL_FORM_DIFFERS]
    found: list[Classification] = []
    raw = _compare_core(registered.core, query.core)
    if raw is not None:
        tier, codes = raw
        if tier == "exact" and legal is None:
            tier = "close"
        found.append(_verdict(tier, codes + legal_codes))
    if (raw is None or raw[0] != "exact") and (registered.abbreviated or query.abbreviated):
        expanded = _compare_core(registered.expanded, query.expanded)
        if expanded is not None:
            found.append(_verdict("close", expanded[1] + legal_codes + [r.ABBREVIATION]))
    return _best(found)


# --- numbers ------------------------------------------------------------------------

def _separators(registered: str, query: str) -> list[str]:
    if separator_pattern(registered) != separator_pattern(query):
        return [r.SEPARATORS_IGNORED]
    return []


def classify_id(registered: str, query: str) -> Classification:
    a, b = identifier_form(registered), identifier_form(query)
    if not a or not b:
        return NO_MATCH
    if a == b:
        return _verdict("exact", _separators(registered, query))
    if tax_parent(a) == b:
        return _verdict("exact", [r.BRANCH_OF])
    if a.isdigit() and b.isdigit() and {len(a), len(b)} == {9, 12}:
        return NO_MATCH  # CMND and CCCD cannot be linked from the numbers alone
    if len(a) < MIN_CLOSE_ID or len(b) < MIN_CLOSE_ID:
        return NO_MATCH
    codes: list[str] = []
    if a.lstrip("0") == b.lstrip("0"):
        codes.append(r.LEADING_ZEROS)
    elif len(a) == len(b) and _one_edit(a, b):
        codes.append(r.EDIT_DISTANCE)
    if not codes:
        return NO_MATCH
    return _verdict("close", codes + _separators(registered, query))


def _is_suffix(registered: str, query: str) -> bool:
    return ((len(query) >= MIN_SUFFIX and registered.endswith(query))
            or (len(registered) >= MIN_SUFFIX and query.endswith(registered)))


def classify_serial(registered: str, query: str) -> Classification:
    id_a, id_b = identifier_form(registered), identifier_form(query)
    a, b = serial_from_identifier(id_a), serial_from_identifier(id_b)
    if not a or not b:
        return NO_MATCH
    separators = _separators(registered, query)
    if a == b:
        return _verdict("exact", separators + ([r.CONFUSABLE_CHARS] if id_a != id_b else []))
    if len(b) < MIN_CLOSE_SERIAL:
        return NO_MATCH
    codes: list[str] = []
    if _one_edit(a, b):
        codes.append(r.EDIT_DISTANCE)
        if not _one_edit(id_a, id_b):
            codes.append(r.CONFUSABLE_CHARS)
    if _is_suffix(a, b):
        codes.append(r.SUFFIX_MATCH)
        if not _is_suffix(id_a, id_b):
            codes.append(r.CONFUSABLE_CHARS)
    if not codes:
        return NO_MATCH
    return _verdict("close", codes + separators)


def classify_registration_number(registered: str, query: str) -> Classification:
    a, b = identifier_form(registered), identifier_form(query)
    if a and a == b:
        return _verdict("exact", _separators(registered, query))
    return NO_MATCH


# --- entry points -------------------------------------------------------------------

class Matcher:
    """A query prepared once, to classify many registered values."""

    __slots__ = ("_organization", "_readings", "criterion", "party_type", "query")

    def __init__(self, criterion: str, query: str, party_type: str | None = None) -> None:
        if criterion not in CRITERIA:
            raise ValueError(f"unknown criterion {criterion!r}; expected one of {CRITERIA}")
        if party_type is not None and party_type not in PARTY_TYPES:
            raise ValueError(f"unknown party_type {party_type!r}; expected one of {PARTY_TYPES}")
        self.criterion = criterion
        self.query = query
        self.party_type = party_type
        self._readings: tuple[PersonName, ...] = ()
        self._organization: OrganizationName | None = None
        if criterion == "debtor_name":
            if party_type != ORGANIZATION:
                self._readings = query_readings(query)
            if party_type != INDIVIDUAL:
                self._organization = parse_organization(query)

    def classify(self, registered: str) -> Classification:
        criterion = self.criterion
        if criterion == "debtor_name":
            return self._classify_name(registered)
        if criterion == "id_number":
            return classify_id(registered, self.query)
        if criterion in SERIAL_CRITERIA:
            return classify_serial(registered, self.query)
        return classify_registration_number(registered, self.query)

    def _classify_name(self, registered: str) -> Classification:
        if self.party_type == INDIVIDUAL:
            return classify_person(parse_person(registered), self._readings)
        query_organization = self._organization
        assert query_organization is not None
        registered_organization = parse_organization(registered)
        if self.party_type == ORGANIZATION or (
                registered_organization.has_designation or query_organization.has_designation):
            return classify_organization(registered_organization, query_organization)
        as_person = classify_person(parse_person(registered), self._readings)
        if as_person.tier == "exact" or not (
                registered_organization.abbreviated or query_organization.abbreviated):
            # without legal forms and abbreviations the organisation rules are
            # a subset of the person rules
            return as_person
        return _best([as_person,
                      classify_organization(registered_organization, query_organization)])


@lru_cache(maxsize=4096)
def matcher(criterion: str, query: str, party_type: str | None = None) -> Matcher:
    """A prepared query (cached): ``matcher(c, q, p).classify(registered)``."""
    return Matcher(criterion, query, party_type)


def classify(criterion: str, registered: str, query: str,
             party_type: str | None = None) -> Classification:
    """Tier, reasons and score of one (registered, query) pair under ``criterion``.

    Raises ValueError for an unknown criterion or party type.
    """
    return matcher(criterion, query, party_type).classify(registered)
