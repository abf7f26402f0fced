"""Liveness, readiness and metrics."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from api import errors
from api.deps import ResourcesDep
from api.openapi import DESCRIPTIONS, ErrorBody, refusals
from indexer import built_by
from indexer import state as indexer_state

router = APIRouter()


class Alive(BaseModel):
    status: str = Field(description="ok")


class Readiness(BaseModel):
    """How far the index follows the registry (and, when not ready, why)."""

    status: str = Field(description="ready, lagging, or index_built_by_other_code")
    lag_seconds: float
    applied_lsn: str
    checked_upto_lsn: str
    registry_current_as_of: str | None
    documents_built_by: str | None = None
    this_code: str | None = None


@router.get("/healthz", response_model=Alive, responses=refusals())
def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, responses={
    **refusals(), 503: {"model": Readiness | ErrorBody, "description": DESCRIPTIONS[503]
                        + "; lagging, or the index built by other code"}})
def readyz(resources: ResourcesDep) -> JSONResponse:
    """Ready when Elasticsearch answers, the indexer is caught up, and the index's documents
    were built by the normaliser code this API keys its queries with."""
    try:
        resources.es.cluster.health(timeout="2s")
        current = indexer_state.load(resources.es, resources.settings.replication_slot)
    except Exception:
        return errors.unavailable_response(*errors.SEARCH_DOWN)
    if current is None or current.checked_at is None:
        return errors.unavailable_response(
            "Chỉ mục tra cứu đang được xây dựng.", "The search index is being built.")
    lag = (datetime.now(UTC) - current.checked_at).total_seconds()
    body: dict[str, Any] = {
        "status": "ready", "lag_seconds": round(lag, 3), "applied_lsn": current.applied_lsn,
        "checked_upto_lsn": current.checked_upto_lsn,
        "registry_current_as_of": (current.applied_commit_time.isoformat()
                                   if current.applied_commit_time else None)}
    if not current.built_by_this_code():
        # a query keyed by this code can miss what the index's keys were built to find
        body.update(status="index_built_by_other_code",
                    documents_built_by=current.documents_built_by or None,
                    this_code=built_by.this_code())
        return JSONResponse(status_code=503, content=body)
    if lag > resources.settings.ready_max_lag_s:
        body["status"] = "lagging"
        return JSONResponse(status_code=503, content=body)
    return JSONResponse(content=body)


@router.get("/metrics", include_in_schema=False)
def prometheus_metrics(resources: ResourcesDep) -> Response:
    body, content_type = resources.metrics.render(resources.es, resources.settings)
    return Response(content=body, media_type=content_type)
