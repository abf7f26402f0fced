"""The FastAPI application: search, health and readiness."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response

from api import errors
from api.metrics import Metrics
from api.models import (
    CloseTier,
    CriterionEcho,
    ExactTier,
    MatchedField,
    SearchRequest,
    SearchResponse,
    SearchResult,
    Watermark,
)
from api.problems import problem
from indexer import state as indexer_state
from query.candidates import plan
from query.search import Match, search
from regsearch.settings import Settings, get_settings


def _result(match: Match) -> SearchResult:
    return SearchResult(
        tier=match.tier,  # type: ignore[arg-type]
        score=round(match.score, 4),
        reasons=list(match.reasons),
        matched=MatchedField(role=match.role, position=match.position,  # type: ignore[arg-type]
                             field=match.field, value_as_registered=match.value_as_registered),
        registration=match.registration,
    )


def _watermark(es: Elasticsearch, settings: Settings) -> Watermark:
    current = indexer_state.load(es, settings.replication_slot)
    if current is None or not current.snapshot_done:
        raise errors.ServiceUnavailableError(
            "Chỉ mục tra cứu đang được xây dựng, vui lòng thử lại sau.",
            "The search index is being built; please try again shortly.")
    return Watermark(
        registry_current_as_of=(current.applied_commit_time.isoformat()
                                if current.applied_commit_time else None),
        applied_lsn=current.applied_lsn,
        checked_upto_lsn=current.checked_upto_lsn,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="regsearch",
        summary="Tra cứu giao dịch bảo đảm / Secured transactions registry search",
        version="0.1.0",
    )
    es = Elasticsearch(settings.es_url, request_timeout=10, max_retries=0)
    metrics = Metrics()
    errors.install(app)

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics() -> Response:
        body, content_type = metrics.render(es, settings)
        return Response(content=body, media_type=content_type)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        """Ready when Elasticsearch answers and the indexer is caught up."""
        try:
            es.cluster.health(timeout="2s")
            current = indexer_state.load(es, settings.replication_slot)
        except Exception:
            return errors.unavailable_response(*errors.SEARCH_DOWN)
        if current is None or current.checked_at is None:
            return errors.unavailable_response(
                "Chỉ mục tra cứu đang được xây dựng.", "The search index is being built.")
        lag = (datetime.now(UTC) - current.checked_at).total_seconds()
        body: dict[str, Any] = {"status": "ready", "lag_seconds": round(lag, 3),
                                "applied_lsn": current.applied_lsn,
                                "checked_upto_lsn": current.checked_upto_lsn}
        if lag > settings.ready_max_lag_s:
            body["status"] = "lagging"
            return JSONResponse(status_code=503, content=body)
        return JSONResponse(content=body)

    @app.post("/v1/search", response_model=SearchResponse)
    def search_registrations(request: SearchRequest) -> SearchResponse:
        """Tra cứu theo một tiêu chí / search by exactly one criterion."""
        criterion, value = request.criterion
        started = time.perf_counter()
        candidate_plan = plan(criterion, value, request.party_type)
        if not candidate_plan.normalised:
            raise errors.InvalidQueryError(problem(criterion, "no_searchable_characters"))
        watermark = _watermark(es, settings)
        outcome = search(es, settings.index_alias, criterion, value,
                         party_type=request.party_type, include_deleted=request.include_deleted,
                         close_cap=settings.close_tier_cap, candidate_plan=candidate_plan)
        page = outcome.exact[request.exact_offset: request.exact_offset + request.exact_limit]
        metrics.search_seconds.labels(criterion).observe(time.perf_counter() - started)
        metrics.searches.labels(criterion, "200").inc()
        return SearchResponse(
            criterion=CriterionEcho(name=criterion, value=value, normalised=outcome.normalised,
                                    party_type=request.party_type),
            include_deleted=request.include_deleted,
            watermark=watermark,
            exact=ExactTier(count=len(outcome.exact), offset=request.exact_offset,
                            results=[_result(m) for m in page]),
            close=CloseTier(count=len(outcome.close) + outcome.close_left_out,
                            shown=len(outcome.close), left_out=outcome.close_left_out,
                            results=[_result(m) for m in outcome.close]),
        )

    return app
