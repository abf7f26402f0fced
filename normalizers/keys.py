"""Candidate keys: what the indexer stores as keyword fields and what the query looks up.

The indexer and the query side call the functions here on registered values and on
query values; the keys are built by the same code, so they agree. Candidate retrieval
only has to be *complete*; the pair classifier (``query.classify``) decides the tier.

Guarantees (proved by property tests in ``tests/normalizers/test_keys_properties.py``):

* **exact**: for every (registered, query) pair that ``classify`` calls ``exact``,
  ``index.exact`` and ``query.exact`` share a key.
* **close**: for every pair it calls ``close``, ``index.exact | index.close`` and
  ``query.exact | query.close`` share a key, or the Elasticsearch query named below
  matches.

Scheme
------
Names (``name_exact`` and ``name_close`` keyword fields). All keys are built from N2
tokens (diacritics folded), joined by one space.

* exact: N2 of the whole person name, and N2 of the organisation core (legal form and
  branch marker removed). The query side adds the reading without a leading honorific.
* close, ``t:`` the token sequence: the whole name, the name with ``y`` folded to ``i``
  where the y/i rule allows (``y_i_variant``), all tokens concatenated with no space
  (``joined_syllables``), the organisation core as written and with trade-word
  abbreviations written out and connectors dropped (``abbreviation``,
  ``legal_form_differs``). The query side
  also emits its sequences with one middle token removed (``extra_token``).
* close, ``m:`` missing token: the index side emits the name with one middle token
  removed; the query side its whole name (``missing_token``).
* close, ``s:`` the tokens sorted (``token_order``), for the person name and both
  forms of the organisation core.
* close, ``e:`` one edit: the token sequence itself and every sequence with one letter
  deleted from one token of 4 or more letters. One insertion, deletion, substitution or
  adjacent swap leaves two sequences with a shared deletion variant (``edit_distance``).

The index side always emits the person and the organisation readings (they coincide
for names without legal-form words), so the guarantees hold whatever party type the
classifier is later given. A name of n tokens gives about ``n + sum(len(token))`` keys:
tens, not thousands. Names of more than ``MAX_VARIANT_TOKENS`` (32) tokens get no
one-edit or missing/extra-token keys (a bound on pathological input; the close tier
may be capped).

Identity numbers (``id_exact``, ``id_close``):

* exact: identifier form; a 13-digit branch tax code is also keyed by its 10-digit
  parent (``branch_of``).
* close, ``z:`` the identifier form without leading zeros, for numbers of 8 or more
  characters (``leading_zeros``).
* close, ``d:`` deletion keys (``edit_distance``: one substitution or adjacent swap):
  every form with one character deleted, for each exact form (index side) or the
  query's identifier form (query side) of 8 or more characters. A substitution or an
  adjacent swap at position i leaves both sides the same form without character i.
  (Versions before mapping v5 ran Elasticsearch's ``fuzzy`` query instead, which cost
  most of an ID search: about 1.5 ms of 2 per lookup on 1M registrations.)

Serial numbers (``<field>_exact``, ``<field>_close``, ``<field>_reversed`` per
chassis/engine/plate):

* exact: serial form.
* close, ``d:`` (``edit_distance``, one insertion, deletion, substitution or adjacent
  swap; queries of 6 or more characters): the serial form itself and every form with
  one character deleted (index side: forms of 5 or more characters). Two forms one
  edit apart share one of these keys (an insertion: the longer one without the
  inserted character is the shorter one).
* ``suffix_match``, query is the tail of the registered number: ``prefix`` on
  ``<field>_reversed`` with the reversed query (query of 8 or more characters).
* ``suffix_match``, registered is the tail of the query: ``terms`` on ``<field>_exact``
  with ``SerialKeys.tails`` (the query's tails of 8 or more characters).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from normalizers.identifiers import identifier_form, tax_parent
from normalizers.organization import OrganizationName, parse_organization
from normalizers.person import PersonName, parse_person, query_readings, y_i_folded
from normalizers.serials import serial_form
from normalizers.text import n1

#: Shortest token (in letters) that the one-edit rule applies to.
MIN_EDIT_TOKEN = 4
#: Names longer than this (in tokens) get no one-edit and missing/extra-token keys,
#: so that a pathological input cannot produce a quadratic number of key bytes. The
#: contract lets the close tier be capped; real names are far shorter.
MAX_VARIANT_TOKENS = 32
#: Shortest identity number with a close tier.
MIN_CLOSE_ID = 8
#: Shortest serial query with a close tier, and shortest tail for ``suffix_match``.
MIN_CLOSE_SERIAL = 6
MIN_SUFFIX = 8

INDIVIDUAL = "individual"
ORGANIZATION = "organization"


@dataclass(frozen=True, slots=True)
class NameKeys:
    """Keys for a name. ``normalised`` is the N1 form, for display and logs."""

    exact: frozenset[str]
    close: frozenset[str]
    normalised: str


@dataclass(frozen=True, slots=True)
class IdKeys:
    exact: frozenset[str]
    close: frozenset[str]
    normalised: str


def deletion_keys(form: str, *, with_itself: bool) -> set[str]:
    """``d:`` keys: ``form`` with one character deleted, at each position (and ``form``
    itself when ``with_itself``)."""
    found = {"d:" + form[:i] + form[i + 1:] for i in range(len(form))}
    if with_itself:
        found.add("d:" + form)
    return found


@dataclass(frozen=True, slots=True)
class SerialKeys:
    """``reversed`` holds the reversed serial form (index side, for ``prefix``);
    ``tails`` the query's own tails of 8 or more characters (query side)."""

    exact: frozenset[str]
    close: frozenset[str]
    reversed: tuple[str, ...]
    tails: tuple[str, ...]
    normalised: str


# --- names ---------------------------------------------------------------------------

def _joined(words: Iterable[str]) -> str:
    return " ".join(words)


def _edit_keys(words: tuple[str, ...]) -> set[str]:
    keys = {"e:" + _joined(words)}
    if len(words) > MAX_VARIANT_TOKENS:
        return keys
    for position, word in enumerate(words):
        if len(word) < MIN_EDIT_TOKEN:
            continue
        head = words[:position]
        tail = words[position + 1:]
        for cut in range(len(word)):
            shorter = word[:cut] + word[cut + 1:]
            keys.add("e:" + _joined((*head, shorter, *tail)))
    return keys


def _sequence_keys(words: tuple[str, ...]) -> set[str]:
    """Keys shared by the person and organisation readings of a token sequence."""
    if not words:
        return set()
    keys = {"t:" + _joined(words), "s:" + _joined(sorted(words))}
    keys |= _edit_keys(words)
    return keys


def _without_one_middle(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    if len(words) > MAX_VARIANT_TOKENS:
        return []
    return [words[:i] + words[i + 1:] for i in range(1, len(words) - 1)]


def _person_close(person: PersonName, side: str) -> set[str]:
    words = person.folded
    if not words:
        return set()
    keys = _sequence_keys(words)
    keys.add("t:" + _joined(y_i_folded(word) for word in words))
    keys.add("t:" + "".join(words))
    if side == "index":
        keys |= {"m:" + _joined(shorter) for shorter in _without_one_middle(words)}
    else:
        keys.add("m:" + _joined(words))
        keys |= {"t:" + _joined(shorter) for shorter in _without_one_middle(words)}
    return keys


def _organization_close(organization: OrganizationName) -> set[str]:
    keys = _sequence_keys(organization.expanded_folded)
    if organization.abbreviated:
        keys |= _sequence_keys(organization.core_folded)
    return keys


def _person_exact(person: PersonName) -> set[str]:
    return {_joined(person.folded)} if person.tokens else set()


def _organization_exact(organization: OrganizationName) -> set[str]:
    return {_joined(organization.core_folded)} if organization.core else set()


@lru_cache(maxsize=262_144)
def name_index_keys(name: str, party_type: str | None = None) -> NameKeys:
    """Keys of a registered name. Both readings are always emitted (``party_type``
    is accepted for symmetry with :func:`name_query_keys`)."""
    del party_type  # both readings, whatever the registered party type
    person = parse_person(name)
    organization = parse_organization(name)
    exact = _person_exact(person) | _organization_exact(organization)
    close = _person_close(person, "index") | _organization_close(organization)
    return NameKeys(frozenset(exact), frozenset(close), n1(name))


def name_query_keys(query: str, party_type: str | None = None) -> NameKeys:
    """Keys of a name query: person readings (as written and without a leading
    honorific) for ``individual``, the organisation reading for ``organization``,
    both when the party type is not given."""
    exact: set[str] = set()
    close: set[str] = set()
    if party_type != ORGANIZATION:
        for reading in query_readings(query):
            exact |= _person_exact(reading)
            close |= _person_close(reading, "query")
    if party_type != INDIVIDUAL:
        organization = parse_organization(query)
        exact |= _organization_exact(organization)
        close |= _organization_close(organization)
    return NameKeys(frozenset(exact), frozenset(close), n1(query))


# --- identity numbers ------------------------------------------------------------------

def _id_keys(value: str, *, index_side: bool) -> IdKeys:
    form = identifier_form(value)
    if not form:
        return IdKeys(frozenset(), frozenset(), form)
    exact = {form}
    if index_side:
        parent = tax_parent(form)
        if parent is not None:
            exact.add(parent)
    close: set[str] = set()
    if len(form) >= MIN_CLOSE_ID:
        close.add("z:" + form.lstrip("0"))
    for edited in (exact if index_side else {form}):
        if len(edited) >= MIN_CLOSE_ID:
            close |= deletion_keys(edited, with_itself=False)
    return IdKeys(frozenset(exact), frozenset(close), form)


def id_index_keys(value: str) -> IdKeys:
    """Keys of a registered identity, tax or registration number."""
    return _id_keys(value, index_side=True)


def id_query_keys(value: str) -> IdKeys:
    """Keys of a queried identity, tax or registration number."""
    return _id_keys(value, index_side=False)


# --- serial numbers -------------------------------------------------------------------

def serial_index_keys(value: str) -> SerialKeys:
    """Keys of a registered chassis, engine or plate number."""
    form = serial_form(value)
    if not form:
        return SerialKeys(frozenset(), frozenset(), (), (), form)
    close = deletion_keys(form, with_itself=True) if len(form) >= MIN_CLOSE_SERIAL - 1 \
        else set()
    return SerialKeys(frozenset({form}), frozenset(close), (form[::-1],), (), form)


def serial_query_keys(value: str) -> SerialKeys:
    """Keys of a queried serial number: ``tails`` are its proper tails of 8 or
    more characters, to look up in ``<field>_exact``."""
    form = serial_form(value)
    if not form:
        return SerialKeys(frozenset(), frozenset(), (), (), form)
    tails = tuple(form[start:] for start in range(1, len(form) - MIN_SUFFIX + 1))
    close = deletion_keys(form, with_itself=True) if len(form) >= MIN_CLOSE_SERIAL else set()
    return SerialKeys(frozenset({form}), frozenset(close), (form[::-1],), tails, form)
