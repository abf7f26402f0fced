"""The pair classifier: the matching contract as code.

``classify(criterion, registered, query, party_type)`` says whether a registered
value matches a query value exactly, closely or not at all, with every reason
that applies and a score. The rules are those of ``docs/matching-contract.md``;
``docs/matching-rules.md`` lists them with examples.

For the search re-ranker, :func:`matcher` prepares a query once and classifies
many registered values with it; registered values are parsed through caches in
``normalizers``, so a value seen before is not normalised again.

The rules themselves live beside this module: names in ``query.classify_names``,
numbers in ``query.classify_numbers``, the verdict they return in ``query.verdict``.

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

from functools import lru_cache
from typing import Final

from normalizers.keys import INDIVIDUAL, ORGANIZATION
from normalizers.organization import OrganizationName, parse_organization
from normalizers.person import PersonName, parse_person, query_readings
from query.classify_names import classify_organization, classify_person
from query.classify_numbers import classify_id, classify_registration_number, classify_serial
from query.criteria import CRITERIA, SERIAL_CRITERIA
from query.verdict import NO_MATCH, Classification, Tier, best

__all__ = ["CRITERIA", "NO_MATCH", "PARTY_TYPES", "SERIAL_CRITERIA", "Classification",
           "Matcher", "Tier", "classify", "classify_id", "classify_organization",
           "classify_person", "classify_registration_number", "classify_serial", "matcher"]

PARTY_TYPES: Final = (INDIVIDUAL, ORGANIZATION)


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
        return best([as_person,
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
