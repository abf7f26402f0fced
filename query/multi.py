"""Many searches in few Elasticsearch round trips, each with the single search's answer.

Batch lookups send the exact and the close candidate query of every lookup
(``query.candidates.plan``) in one ``msearch``, then classify and rank the hits
exactly as ``query.search.search`` does: exact candidates first, then close
candidates not already seen, each classified with ``best_match``, sorted by
``Match.sort_key``, the close tier capped. The answer is therefore the single
search's answer, as long as every candidate the single search would have
classified came back:

* exact candidates: one page of ``EXACT_PAGE`` hits; a lookup whose page is
  full (there may be more) is answered by the single search, which pages with
  ``search_after`` and never cuts the exact tier short;
* close candidates: the single search classifies the first
  ``close_candidate_limit`` close candidates (by registration id) that were not
  exact candidates. Asking for ``close_candidate_limit + EXACT_PAGE`` hits in the
  same order always covers them, since fewer than ``EXACT_PAGE`` can be exact
  candidates; should it not, the lookup falls back to the single search too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch

from query.candidates import CandidatePlan, plan
from query.search import Match, SearchOutcome, _status_filter, best_match, search

#: Exact candidates fetched per lookup in the multi-search (the single search's page).
EXACT_PAGE = 1000
#: Lookups per ``msearch`` request (each is one or two searches).
LOOKUPS_PER_REQUEST = 100

Hit = tuple[int, dict[str, Any]]


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
    exact_slot: int | None = None
    close_slot: int | None = None


def _body(clauses: list[dict[str, Any]], include_deleted: bool, size: int) -> dict[str, Any]:
    """The request ``query.search._fetch`` sends, as one page of ``size`` hits."""
    return {"query": {"bool": {"filter": _status_filter(include_deleted),
                               "should": clauses, "minimum_should_match": 1}},
            "size": size, "sort": [{"registration_id": "asc"}],
            "_source": ["registration_id", "registration"], "track_total_hits": False}


def _hits(response: dict[str, Any]) -> list[Hit] | None:
    """The hits of one msearch response; None when that search failed."""
    if "error" in response:
        return None
    return [(int(hit["_source"]["registration_id"]), hit["_source"]["registration"])
            for hit in response["hits"]["hits"]]


def _rank(normalised: str, found: list[Match], close_cap: int) -> SearchOutcome:
    found.sort(key=Match.sort_key)
    close = [m for m in found if m.tier == "close"]
    return SearchOutcome(normalised=normalised,
                         exact=[m for m in found if m.tier == "exact"],
                         close=close[:close_cap],
                         close_left_out=max(0, len(close) - close_cap))


def _classified(lookup: Lookup, hits: Iterator[Hit]) -> Iterator[Match]:
    for reg_id, registration in hits:
        match = best_match(lookup.criterion, lookup.value, lookup.party_type, reg_id,
                           registration)
        if match is not None:
            yield match


def _close_candidates(close_hits: list[Hit], seen: set[int], limit: int) -> Iterator[Hit]:
    taken = 0
    for reg_id, registration in close_hits:
        if taken >= limit:
            return
        if reg_id in seen:
            continue
        seen.add(reg_id)
        taken += 1
        yield reg_id, registration


def _outcome(pending: _Pending, exact_hits: list[Hit], close_hits: list[Hit],
             close_cap: int, close_candidate_limit: int, exact_page: int
             ) -> SearchOutcome | None:
    """The single search's outcome from one page of each kind; None if a page may be short."""
    if len(exact_hits) >= exact_page:
        return None
    seen = {reg_id for reg_id, _ in exact_hits}
    fresh_close = sum(1 for reg_id, _ in close_hits if reg_id not in seen)
    if (len(close_hits) >= close_candidate_limit + exact_page
            and fresh_close < close_candidate_limit):
        return None
    found = list(_classified(pending.lookup, iter(exact_hits)))
    found.extend(_classified(pending.lookup,
                             _close_candidates(close_hits, seen, close_candidate_limit)))
    return _rank(pending.plan.normalised, found, close_cap)


def _groups(items: Sequence[Lookup], size: int) -> Iterator[Sequence[Lookup]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass(frozen=True)
class _Options:
    include_deleted: bool
    close_cap: int
    close_candidate_limit: int
    exact_page: int


def search_many(es: Elasticsearch, index: str, lookups: Sequence[Lookup],
                include_deleted: bool = False, close_cap: int = 50,
                close_candidate_limit: int = 2000, exact_page: int = EXACT_PAGE
                ) -> MultiSearchResult:
    """The outcome of every distinct lookup, equal to ``query.search.search`` for each."""
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
        if item.plan.exact:
            item.exact_slot = len(searches) // 2
            searches += [{}, _body(item.plan.exact, options.include_deleted,
                                   options.exact_page)]
        if item.plan.close:
            item.close_slot = len(searches) // 2
            searches += [{}, _body(item.plan.close, options.include_deleted,
                                   options.close_candidate_limit + options.exact_page)]
        pending.append(item)
    responses: list[dict[str, Any]] = (
        es.msearch(index=index, searches=searches)["responses"] if searches else [])
    for item in pending:
        exact = [] if item.exact_slot is None else _hits(responses[item.exact_slot])
        close = [] if item.close_slot is None else _hits(responses[item.close_slot])
        outcome = None
        if exact is not None and close is not None:
            outcome = _outcome(item, exact, close, options.close_cap,
                               options.close_candidate_limit, options.exact_page)
        if outcome is None:  # a page may be short, or a search failed: the single path
            result.fallbacks += 1
            lookup = item.lookup
            outcome = search(es, index, lookup.criterion, lookup.value,
                             party_type=lookup.party_type,
                             include_deleted=options.include_deleted,
                             close_cap=options.close_cap,
                             close_candidate_limit=options.close_candidate_limit,
                             candidate_plan=item.plan)
        result.outcomes[item.lookup] = outcome
