"""POST /v1/search: exact and close matches for one criterion, explained."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

import accounts
from api import errors
from api.audit import Searched
from api.auth import caller_of, client_address
from api.deps import OPTIONAL_KEY, ApiKey, ResourcesDep
from api.models import (
    MatchedField,
    PartLabels,
    SearchRequest,
    SearchResponse,
    SearchResult,
)
from api.openapi import refusals
from api.privacy import anonymous_view
from api.problems import problem
from api.resources import Resources
from api.result_values import part_labels, result_values
from freshness import watermark
from freshness.watermark import Watermark
from query import grouped
from query.candidates import CandidatePlan, plan
from query.search import Match, SearchOutcome, hydrate, search

router = APIRouter()


def result_model(match: Match) -> SearchResult:
    return SearchResult(
        tier=match.tier,  # type: ignore[arg-type]
        score=round(match.score, 4),
        reasons=list(match.reasons),
        matched=MatchedField(role=match.role, position=match.position,  # type: ignore[arg-type]
                             field=match.field, value_as_registered=match.value_as_registered),
        labels=PartLabels.model_validate(
            part_labels(str(match.registration.get("kind") or ""), match.role)),
        registration=match.registration,
    )


def searchable_plan(request: SearchRequest) -> CandidatePlan:
    """The candidate plan; a 422 when nothing is left to search after normalisation."""
    criterion, value = request.criterion
    candidate_plan = plan(criterion, value, request.party_type)
    if not candidate_plan.normalised:
        raise errors.InvalidQueryError(problem(criterion, "no_searchable_characters"))
    return candidate_plan


def run_search(resources: Resources, request: SearchRequest,
               candidate_plan: CandidatePlan) -> SearchOutcome:
    criterion, value = request.criterion
    return search(resources.es, resources.settings.index_alias, criterion, value,
                  party_type=request.party_type, include_deleted=request.include_deleted,
                  close_cap=request.close_limit or resources.settings.close_tier_cap,
                  candidate_plan=candidate_plan, close_offset=request.close_offset,
                  close_candidate_limit=resources.settings.close_candidate_limit)


def whole_registrations(resources: Resources, request: SearchRequest, outcome: SearchOutcome,
                        matches: list[Match]) -> list[Match]:
    """The matches to show, each with its whole registration."""
    _, value = request.criterion
    return hydrate(resources.es, resources.settings.index_alias, outcome, matches,
                   request.include_deleted, value, request.party_type)


def shown_page(resources: Resources, request: SearchRequest,
               candidate_plan: CandidatePlan) -> grouped.Page:
    """The page of each tier the request asks for, every match read whole."""
    criterion, value = request.criterion
    close_cap = request.close_limit or resources.settings.close_tier_cap
    if criterion == "debtor_name" and resources.settings.grouped_name_search:
        found = grouped.search_page(
            resources.es, resources.settings.index_alias, value, request.party_type,
            candidate_plan, include_deleted=request.include_deleted,
            exact_offset=request.exact_offset, exact_limit=request.exact_limit,
            close_offset=request.close_offset, close_cap=close_cap)
        if found is not None:
            return found
    outcome = run_search(resources, request, candidate_plan)
    exact_page = outcome.exact[request.exact_offset: request.exact_offset + request.exact_limit]
    shown = whole_registrations(resources, request, outcome, exact_page + outcome.close)
    return grouped.Page(
        normalised=outcome.normalised, exact_count=len(outcome.exact),
        exact=[m for m in shown if m.tier == "exact"],
        close_count=outcome.close_before + len(outcome.close) + outcome.close_left_out,
        close=[m for m in shown if m.tier == "close"], close_before=outcome.close_before,
        close_left_out=outcome.close_left_out, close_complete=outcome.close_complete,
        hashes=outcome.hashes)


@router.post("/v1/search", response_model=SearchResponse, openapi_extra=OPTIONAL_KEY,
             responses=refusals(400, 401, 413, 422, 429, 503))
def search_registrations(body: SearchRequest, http: Request, resources: ResourcesDep,
                         _key: ApiKey) -> Response:
    """Tra cứu theo một tiêu chí / search by exactly one criterion."""
    return search_as(body, http, resources, caller_of(http, resources))


def search_as(body: SearchRequest, http: Request, resources: Resources,
              caller: accounts.Caller) -> Response:
    """The search use case for a caller already known (by key here; by the signed-in
    session on the pages): ledger, metrics and what the caller may see."""
    started = time.perf_counter()
    criterion, _ = body.criterion
    candidate_plan = searchable_plan(body)
    mark, _ = watermark.read(resources.es, resources.settings)
    page = shown_page(resources, body, candidate_plan)
    fee = accounts.fee_for(caller, "search", resources.settings)
    try:
        resources.search_ledger.record(caller, fee, criterion, client_address(http),
                                       Searched.of(body, page.exact_count, page.close_count))
    except Exception as exc:
        raise errors.ServiceUnavailableError(
            "Không ghi được nhật ký sử dụng; vui lòng thử lại.",
            "The usage ledger could not be written; please retry.") from exc
    resources.metrics.search_seconds.labels(criterion).observe(time.perf_counter() - started)
    resources.metrics.searches.labels(criterion, "200").inc()
    return Response(content=response_body(body, page, mark, anonymous=caller.is_public),
                    media_type="application/json")


def _shown(match: Match, anonymous: bool) -> dict[str, Any]:
    if not anonymous:
        return result_values(match, match.registration)
    view = anonymous_view(match)
    return result_values(replace(match, value_as_registered=view.value_as_registered),
                         view.registration)


def response_body(request: SearchRequest, page: grouped.Page, mark: Watermark,
                  anonymous: bool = False) -> bytes:
    """The ``SearchResponse`` as JSON, written by orjson from plain values: building and
    serialising the pydantic models cost about a sixth of a name search's CPU in the API
    (up to 150 whole registrations). ``tests/api/test_search_body.py`` holds it equal to
    the model's own JSON. ``anonymous``: individuals' ID numbers masked and addresses
    left out (``api.privacy``)."""
    criterion, value = request.criterion
    return orjson.dumps({
        "criterion": {"name": criterion, "value": value, "normalised": page.normalised,
                      "party_type": request.party_type},
        "include_deleted": request.include_deleted,
        "watermark": mark.model_dump(),
        "exact": {"count": page.exact_count, "offset": request.exact_offset,
                  "results": [_shown(m, anonymous) for m in page.exact]},
        "close": {"count": page.close_count, "offset": request.close_offset,
                  "shown": len(page.close), "left_out": page.close_left_out,
                  "complete": page.close_complete,
                  "results": [_shown(m, anonymous) for m in page.close]},
    })
