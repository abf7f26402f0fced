"""A page of name-search results, found by registered value rather than by candidate.

Namesakes share a registered value, and a value's tier, score and reasons depend on the
value alone. So a name search first asks which distinct values its candidates hold (a
``terms`` aggregation on ``name_value``, no hits), classifies each value once, and then
asks for each tier's page of registrations holding its matching values, ranked by
Elasticsearch as ``query.search.ranked`` ranks (score, then newest, then registration
id), with the tier's true count (``track_total_hits``).

Two requests whatever the number of candidates: a name with thousands of namesakes or
close neighbours costs about what a rare one does, where reading every candidate cost
tens of milliseconds. The close tier is complete (no candidate limit): its count is
true and its page is the best of all close matches.

``search_page`` answers None when this way cannot answer exactly; the caller then uses
``query.search.search``, which reads every candidate:

* the candidates hold more distinct values than ``VALUE_LIMIT``;
* a page reaches past the index's result window (``MAX_WINDOW``);
* a registration in a page does not classify as its tier (it cannot, since the value
  was classified; it is checked all the same);
* a page's hits lack the doc values it reads (an index built by an earlier mapping);
* a page's search failed (the candidate-reading way then meets the same failure and it
  is answered as any Elasticsearch failure is, or it passes).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch

from core import elastic
from mappings.name_value import parse_name_value
from query.candidates import CandidatePlan
from query.classify import classify
from query.search import (
    WHOLE_FIELDS,
    Match,
    Verdicts,
    best_match,
    candidate_query,
    status_filter,
    whole_of,
)

#: Distinct registered values a search classifies at most (more: the candidate-reading way).
VALUE_LIMIT = 5000
#: The index's ``max_result_window``: ``from + size`` of a page may not pass it.
MAX_WINDOW = 10000
_CRITERION = "debtor_name"
log = logging.getLogger("regsearch.query")
_SORT = [{"_score": "desc"}, {"registered_at": "desc"}, {"registration_id": "asc"}]


@dataclass
class Page:
    """One page of each tier, every match with its whole registration."""

    normalised: str
    exact_count: int = 0
    exact: list[Match] = field(default_factory=list)
    close_count: int = 0
    close: list[Match] = field(default_factory=list)
    #: Close matches before the shown page and after it.
    close_before: int = 0
    close_left_out: int = 0
    #: False when the close count is a lower bound (the candidate-reading way stopped at
    #: its candidate limit); always True here.
    close_complete: bool = True
    #: Content hash of each shown registration as read.
    hashes: dict[int, str] = field(default_factory=dict)


def _values(by_score: dict[float, list[str]]) -> list[str]:
    return [value for group in by_score.values() for value in group]


@dataclass
class _Tiers:
    #: score → the values of that score, for each tier
    exact: dict[float, list[str]] = field(default_factory=lambda: defaultdict(list))
    close: dict[float, list[str]] = field(default_factory=lambda: defaultdict(list))


def value_request(candidate_plan: CandidatePlan, include_deleted: bool) -> dict[str, Any]:
    """The distinct values the candidates hold (``execution_hint: map``: no global
    ordinals, which a refreshing index would rebuild over every value it holds)."""
    return {"query": candidate_query(candidate_plan, include_deleted), "size": 0,
            "track_total_hits": False,
            "aggs": {"values": {"terms": {"field": "name_value", "size": VALUE_LIMIT,
                                          "execution_hint": "map"}}}}


def classify_values(values: list[str], query_value: str, party_type: str | None,
                    verdicts: Verdicts) -> _Tiers:
    """Each value's verdict (memoised in ``verdicts`` as ``best_match`` does), the matching
    values grouped by tier and score. A value of another party type than the one asked
    for does not match."""
    tiers = _Tiers()
    for value in values:
        registered_type, name = parse_name_value(value)
        if party_type is not None and registered_type is not None \
                and registered_type != party_type:
            continue
        memo_key = (name, registered_type or party_type)
        verdict = verdicts.get(memo_key)
        if verdict is None:
            verdict = classify(_CRITERION, name, query_value, registered_type or party_type)
            verdicts[memo_key] = verdict
        if verdict.tier == "exact":
            tiers.exact[verdict.score].append(value)
        elif verdict.tier == "close":
            tiers.close[verdict.score].append(value)
    return tiers


def tier_query(by_score: dict[float, list[str]], include_deleted: bool,
               excluded: list[str]) -> dict[str, Any]:
    """Registrations holding one of the values (none of ``excluded``), scored by the best
    value each holds: the distinct scores become weights 1, 2, … in their order, which
    float rounding cannot merge."""
    values = _values(by_score)
    base: dict[str, Any] = {"bool": {
        "filter": [*status_filter(include_deleted), {"terms": {"name_value": values}}]}}
    if excluded:
        base["bool"]["must_not"] = [{"terms": {"name_value": excluded}}]
    if len(by_score) == 1:
        return {"constant_score": {"filter": base}}
    scores = sorted(by_score)
    return {"function_score": {
        "query": base,
        "functions": [{"filter": {"terms": {"name_value": by_score[score]}}, "weight": rank}
                      for rank, score in enumerate(scores, start=1)],
        "score_mode": "max", "boost_mode": "replace"}}


def page_request(query: dict[str, Any], offset: int, size: int) -> dict[str, Any]:
    """A tier's page, each registration read from doc values (``packed`` for its id and
    content hash, ``registration_json`` for the registration): no stored fields, not even
    ``_id``, whose loading would decompress the block holding the hit's ``_source``."""
    return {"query": query, "from": offset, "size": size, "sort": _SORT,
            "track_total_hits": True, "stored_fields": "_none_",
            "docvalue_fields": WHOLE_FIELDS}


def _matches(response: dict[str, Any], tier: str, query_value: str, party_type: str | None,
             verdicts: Verdicts, hashes: dict[int, str]) -> list[Match] | None:
    found: list[Match] = []
    for hit in response["hits"]["hits"]:
        whole = whole_of(hit.get("fields", {}))
        if whole is None:
            return None  # an index of an earlier mapping: the candidate-reading way
        reg_id, content_hash, registration = whole
        match = best_match(_CRITERION, query_value, party_type, reg_id, registration,
                           verdicts)
        if match is None or match.tier != tier:
            return None
        found.append(match)
        hashes[reg_id] = content_hash
    return found


def search_page(es: Elasticsearch, index: str, value: str, party_type: str | None,
                candidate_plan: CandidatePlan, include_deleted: bool = False,
                exact_offset: int = 0, exact_limit: int = 100,
                close_offset: int = 0, close_cap: int = 50) -> Page | None:
    """The page of each tier of a name search, or None (see the module's text)."""
    page = Page(normalised=candidate_plan.normalised)
    if not (candidate_plan.exact or candidate_plan.close):
        return page
    if exact_offset + exact_limit > MAX_WINDOW or close_offset + close_cap > MAX_WINDOW:
        return None
    answer = elastic.search(es, index, value_request(candidate_plan, include_deleted),
                            filter_path=["aggregations"])
    values = answer.get("aggregations", {}).get("values", {})
    if values.get("sum_other_doc_count", 0) > 0:
        return None
    verdicts: Verdicts = {}
    tiers = classify_values([b["key"] for b in values.get("buckets", ())], value, party_type,
                            verdicts)
    searches: list[tuple[str, dict[str, Any]]] = []
    if tiers.exact:
        searches.append(("exact", page_request(
            tier_query(tiers.exact, include_deleted, []), exact_offset, exact_limit)))
    if tiers.close:
        searches.append(("close", page_request(
            tier_query(tiers.close, include_deleted, _values(tiers.exact)), close_offset,
            close_cap)))
    if not searches:
        return page
    body: list[dict[str, Any]] = []
    for _, request in searches:
        body.extend(({}, request))
    responses = elastic.msearch(es, index, body)["responses"]
    for (tier, _), response in zip(searches, responses, strict=True):
        if "error" in response:  # the candidate-reading way then meets it, or not
            log.warning("name search by value: the %s page failed: %s", tier,
                        response["error"])
            return None
        matches = _matches(response, tier, value, party_type, verdicts, page.hashes)
        if matches is None:
            return None
        total = int(response["hits"]["total"]["value"])
        if tier == "exact":
            page.exact_count, page.exact = total, matches
        else:
            page.close_count, page.close = total, matches
            page.close_before = min(close_offset, total)
            page.close_left_out = max(0, total - page.close_before - len(matches))
    return page
