"""Criteria → candidates → classified, ranked, explained results.

Rules from the matching contract's "Results" section: exact matches first,
then close; within a tier by score, then newest registration first. The exact
tier is never capped and its count is always true: every exact candidate is
fetched (``search_after`` paging) and classified. The close tier is capped and
says how many it left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch

from query.candidates import SERIAL_FIELDS, CandidatePlan, plan
from query.classify import classify

_PAGE = 1000
_TIER_RANK = {"exact": 0, "close": 1}


@dataclass(frozen=True)
class Match:
    tier: str
    score: float
    reasons: tuple[str, ...]
    role: str
    position: int
    field: str
    value_as_registered: str
    registration_id: int
    registration: dict[str, Any]

    def sort_key(self) -> tuple[int, float, str]:
        # newest first: invert the ISO timestamp ordering via negative sort on the string
        return (_TIER_RANK[self.tier], -self.score, _negate(self.registration["registered_at"]))


def _negate(text: str) -> str:
    return "".join(chr(0x10FFFF - ord(ch)) for ch in text)


@dataclass
class SearchOutcome:
    normalised: str
    exact: list[Match] = field(default_factory=list)
    close: list[Match] = field(default_factory=list)
    close_left_out: int = 0
    #: Close matches before the shown page (``close_offset``).
    close_before: int = 0
    #: False when close-candidate retrieval stopped at its limit: the close count is then
    #: a lower bound. (The exact tier is always complete.)
    close_complete: bool = True


def registered_values(criterion: str, registration: dict[str, Any]
                      ) -> Iterator[tuple[str, int, str, str, str | None]]:
    """(role, position, field, value, party_type) the criterion is matched against."""
    if criterion in ("debtor_name", "id_number"):
        key = "name" if criterion == "debtor_name" else "id_number"
        for i, party in enumerate(registration.get("grantors", [])):
            value = party.get(key)
            if value:
                yield "grantor", i, key, value, party.get("party_type")
    elif criterion in SERIAL_FIELDS:
        for i, asset in enumerate(registration.get("assets", [])):
            value = asset.get(criterion)
            if value:
                yield "asset", i, criterion, value, None
    elif criterion == "registration_number":
        yield "registration", 0, "registration_number", registration["registration_number"], None


def best_match(criterion: str, query_value: str, party_type: str | None, reg_id: int,
               registration: dict[str, Any]) -> Match | None:
    best: Match | None = None
    for role, position, field_name, value, registered_type in registered_values(
            criterion, registration):
        if party_type is not None and registered_type is not None and registered_type != party_type:
            continue
        verdict = classify(criterion, value, query_value, registered_type or party_type)
        if verdict.tier is None:
            continue
        candidate = Match(verdict.tier, verdict.score, tuple(verdict.reasons), role, position,
                          field_name, value, reg_id, registration)
        if best is None or (_TIER_RANK[candidate.tier], -candidate.score) < (
                _TIER_RANK[best.tier], -best.score):
            best = candidate
    return best


def _status_filter(include_deleted: bool) -> list[dict[str, Any]]:
    return [] if include_deleted else [{"term": {"status": "in_force"}}]


def _fetch(es: Elasticsearch, index: str, clauses: list[dict[str, Any]], include_deleted: bool,
           limit: int | None, exclude: set[int]) -> Iterator[tuple[int, dict[str, Any]]]:
    if not clauses:
        return
    query = {"bool": {"filter": _status_filter(include_deleted),
                      "should": clauses, "minimum_should_match": 1}}
    after: list[Any] | None = None
    seen = 0
    while True:
        kwargs: dict[str, Any] = {"index": index, "query": query, "size": _PAGE,
                                  "sort": [{"registration_id": "asc"}],
                                  "_source": ["registration_id", "registration"],
                                  "track_total_hits": False}
        if after is not None:
            kwargs["search_after"] = after
        hits = es.search(**kwargs)["hits"]["hits"]
        for hit in hits:
            reg_id = int(hit["_source"]["registration_id"])
            if reg_id in exclude:
                continue
            yield reg_id, hit["_source"]["registration"]
            seen += 1
            if limit is not None and seen >= limit:
                return
        if len(hits) < _PAGE:
            return
        after = hits[-1]["sort"]


def search(es: Elasticsearch, index: str, criterion: str, value: str,
           party_type: str | None = None, include_deleted: bool = False,
           close_cap: int = 50, close_candidate_limit: int = 2000,
           candidate_plan: CandidatePlan | None = None, close_offset: int = 0) -> SearchOutcome:
    if candidate_plan is None:
        candidate_plan = plan(criterion, value, party_type)
    outcome = SearchOutcome(normalised=candidate_plan.normalised)
    seen: set[int] = set()
    found: list[Match] = []
    for reg_id, registration in _fetch(es, index, candidate_plan.exact, include_deleted,
                                       None, seen):
        seen.add(reg_id)
        match = best_match(criterion, value, party_type, reg_id, registration)
        if match is not None:
            found.append(match)
    fetched_close = 0
    for reg_id, registration in _fetch(es, index, candidate_plan.close, include_deleted,
                                       close_candidate_limit, seen):
        seen.add(reg_id)
        fetched_close += 1
        match = best_match(criterion, value, party_type, reg_id, registration)
        if match is not None:
            found.append(match)
    found.sort(key=Match.sort_key)
    outcome.exact = [m for m in found if m.tier == "exact"]
    close = [m for m in found if m.tier == "close"]
    outcome.close = close[close_offset:close_offset + close_cap]
    outcome.close_before = min(close_offset, len(close))
    outcome.close_left_out = max(0, len(close) - outcome.close_before - len(outcome.close))
    outcome.close_complete = fetched_close < close_candidate_limit
    return outcome
