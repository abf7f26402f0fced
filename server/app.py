"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import (
    account_routes,
    batch_routes,
    billing_routes,
    body_limit,
    certificate_routes,
    errors,
    health_routes,
    search_routes,
    staff_routes,
    verify_routes,
    watch_routes,
)
from api.resources import Resources
from core import gc_tuning
from core.settings import Settings, check, get_settings
from indexer import built_by
from web import account_routes as web_account_routes
from web import batch_routes as web_batch_routes
from web import billing_routes as web_billing_routes
from web import certificate_routes as web_certificate_routes
from web import routes as web_routes
from web import signin_routes
from web import verify as web_verify


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    check(settings)  # refuses development settings outside development
    resources = Resources.create(settings)
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
        docs_url=None,  # served offline by web.routes
        redoc_url=None,
    )
    app.state.resources = resources
    errors.install(app)
    account_routes.install(app)
    app.include_router(health_routes.router)
    app.include_router(search_routes.router)
    app.include_router(certificate_routes.router)
    app.include_router(verify_routes.router)
    app.include_router(batch_routes.router)
    app.include_router(billing_routes.router)
    app.include_router(account_routes.router)
    app.include_router(staff_routes.router)
    body_limit.install(app, resources.settings)
    if resources.settings.trusted_proxies:  # else the client is the socket's peer
        app.add_middleware(ProxyHeadersMiddleware,
                           trusted_hosts=resources.settings.trusted_proxies)
    app.include_router(web_routes.router)
    app.include_router(web_verify.router)
    signin_routes.install(app, resources.settings)  # the pages' session cookie, CSRF refusals
    app.include_router(signin_routes.router)
    app.include_router(web_account_routes.router)
    app.include_router(web_certificate_routes.router)
    app.include_router(web_billing_routes.router)
    app.include_router(web_batch_routes.router)
    app.mount("/static", web_routes.static_files(), name="static")
    app.include_router(watch_routes.router)
    return app
