"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import (
    certificate_routes,
    errors,
    health_routes,
    search_routes,
    spread,
    verify_routes,
    watch_routes,
)
from api.batch import routes as batch_routes
from api.resources import Resources
from indexer import built_by
from regsearch import gc_tuning
from regsearch.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    resources = Resources.create(settings or get_settings())
    built_by.this_code()  # the fingerprint of the query code as imported, for /readyz

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        resources.open()
        gc_tuning.tune(resources.settings)
        yield
        resources.close()

    app = FastAPI(
        title="regsearch",
        summary="Tra cứu giao dịch bảo đảm / Secured transactions registry search",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.resources = resources
    errors.install(app)
    app.include_router(health_routes.router)
    app.include_router(search_routes.router)
    app.include_router(certificate_routes.router)
    app.include_router(verify_routes.router)
    app.include_router(batch_routes.router)
    app.include_router(watch_routes.router)
    board = spread.board_from_environment()
    if board is not None:  # one of several workers
        app.add_middleware(spread.SpreadConnections, board=board)
    return app
