"""Many searches in few Elasticsearch round trips, each with the single search's answer.

Batch lookups send the candidate query of every lookup (``query.search.request_body``:
exact and close candidates together, in registration-id order) in one ``msearch``,
then classify and rank the hits with the single search's ``Collector``. The answer
is the single search's answer whenever every candidate came back, i.e. the page of
``close_candidate_limit + EXACT_PAGE`` hits was not full; a lookup whose page is
full (there may be more) is answered by the single search, which pages with
``search_after`` and never cuts the exact tier short.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch

from core import elastic
from query.candidates import CandidatePlan, plan
from query.search import (
    HIT_PARTS,
    Collector,
    SearchOutcome,
    candidates_of,
    request_body,
    search,
)

#: Exact candidates one page may hold (the single search's page).
EXACT_PAGE = 1000
#: Lookups per ``msearch`` request (one search each).
LOOKUPS_PER_REQUEST = 100


@dataclass(frozen=True)
class Lookup:
    """One criterion to search, as for ``query.search.search``."""

    criterion: str
    value: str
    party_type: str | None = None


@dataclass
class MultiSearchResult:
    """One outcome per distinct lookup, and how many needed the single-search path."""

    outcomes: dict[Lookup, SearchOutcome] = field(default_factory=dict)
    fallbacks: int = 0


@dataclass
class _Pending:
    lookup: Lookup
    plan: CandidatePlan
    slot: int | None = None


@dataclass(frozen=True)
class _Options:
    include_deleted: bool
    close_cap: int
    close_candidate_limit: int
    exact_page: int

    @property
    def size(self) -> int:
        return self.close_candidate_limit + self.exact_page


def _outcome(item: _Pending, response: dict[str, Any], options: _Options
             ) -> SearchOutcome | None:
    """The single search's outcome from one page of candidates; None if it may be short."""
    if "error" in response:
        return None
    candidates = candidates_of(response)
    if len(candidates) >= options.size:
        return None
    lookup = item.lookup
    collector = Collector(lookup.criterion, lookup.value, lookup.party_type,
                          options.close_candidate_limit, whole=False)
    for candidate in candidates:
        collector.add(candidate)
    return collector.outcome(item.plan.normalised, options.close_cap)


def _groups(items: Sequence[Lookup], size: int) -> Iterator[Sequence[Lookup]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def search_many(es: Elasticsearch, index: str, lookups: Sequence[Lookup],
                include_deleted: bool = False, close_cap: int = 50,
                close_candidate_limit: int = 2000, exact_page: int = EXACT_PAGE
                ) -> MultiSearchResult:
    """The outcome of every distinct lookup, equal to ``query.search.search`` for each.

    Each match carries the registration's summary (``REGISTRATION_SUMMARY``) and the
    matched field, not the whole registration."""
    result = MultiSearchResult()
    options = _Options(include_deleted, close_cap, close_candidate_limit, exact_page)
    distinct = list(dict.fromkeys(lookups))
    for group in _groups(distinct, LOOKUPS_PER_REQUEST):
        _search_group(es, index, group, options, result)
    return result


def _search_group(es: Elasticsearch, index: str, group: Sequence[Lookup], options: _Options,
                  result: MultiSearchResult) -> None:
    searches: list[dict[str, Any]] = []
    pending: list[_Pending] = []
    for lookup in group:
        item = _Pending(lookup, plan(lookup.criterion, lookup.value, lookup.party_type))
        if item.plan.exact or item.plan.close:
            item.slot = len(searches) // 2
            searches += [{}, request_body(lookup.criterion, item.plan, options.include_deleted,
                                          options.size, whole=False)]
        pending.append(item)
    # ``status`` keeps every response in the list, also one without hits
    responses: list[dict[str, Any]] = (
        elastic.msearch(es, index, searches, filter_path=[
            "responses.status", "responses.error", *(f"responses.{p}" for p in HIT_PARTS)]
        )["responses"] if searches else [])
    if len(responses) != len(searches) // 2:
        raise RuntimeError(f"msearch answered {len(responses)} of {len(searches) // 2} searches")
    for item in pending:
        if item.slot is None:
            result.outcomes[item.lookup] = SearchOutcome(normalised=item.plan.normalised)
            continue
        outcome = _outcome(item, responses[item.slot], options)
        if outcome is None:  # the page may be short, or the search failed: the single path
            result.fallbacks += 1
            lookup = item.lookup
            outcome = search(es, index, lookup.criterion, lookup.value,
                             party_type=lookup.party_type,
                             include_deleted=options.include_deleted,
                             close_cap=options.close_cap,
                             close_candidate_limit=options.close_candidate_limit,
                             candidate_plan=item.plan, whole=False)
        result.outcomes[item.lookup] = outcome
