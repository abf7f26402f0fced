"""The public pages: search at ``/`` and ``/tra-cuu``, the offline API docs, the font.

Each search runs the JSON route's own use case (``api.search_routes.search_as``) with the
browser's request and caller (the public, or the signed-in user: ``web.session``), so the
public rate limit, the usage ledger, the metrics and what the caller may see apply to the
page exactly as to ``POST /v1/search``; the page renders the body that use case answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

import accounts
from api import errors, search_routes
from api.auth import caller_of
from api.deps import ResourcesDep
from certify import fonts
from query.problems import Problem, from_pydantic, problem
from query.request import SearchRequest
from web import view
from web.pages import HERE, page
from web.session import SessionUserDep

router = APIRouter(include_in_schema=False)

#: The fonts the pages use: Debian's DejaVu (fonts-dejavu-core), the certificates' own,
#: which prints every Vietnamese letter; read from the installed files, never committed.
FONTS = {"DejaVuSans.ttf": fonts.DEFAULT_REGULAR, "DejaVuSans-Bold.ttf": fonts.DEFAULT_BOLD}
#: Swagger UI's files, from the installed ``swagger-ui-bundle`` package.
DOCS_ASSETS = frozenset({"swagger-ui-bundle.js", "swagger-ui.css"})


def static_files() -> StaticFiles:
    """The pages' CSS, script and icon, mounted at ``/static`` by ``server.app``."""
    return StaticFiles(directory=HERE / "static")


def _request(criterion: str, party_type: str | None, value: str, page: int) -> SearchRequest:
    return SearchRequest.model_validate({
        criterion: value, "party_type": party_type,
        "exact_offset": view.offset_of(page), "exact_limit": view.PAGE_SIZE})


def _page_number(text: str) -> int:
    return int(text) if text.isdigit() and 0 < len(text) < 7 else 1


@router.get("/", response_class=HTMLResponse)
@router.get("/tra-cuu", response_class=HTMLResponse)
def search_page(request: Request, resources: ResourcesDep, user: SessionUserDep,
                criterion: str = "debtor_name", value: str | None = None,
                page_number: Annotated[str, Query(alias="page")] = "1") -> Response:
    """Tra cứu / search (a form; results when a value is given): the public's, or a
    signed-in user's with what their account may see (``search_as``, as their API key)."""
    chosen = criterion if criterion in view.CHOICE_VALUES else "debtor_name"
    form = {"criterion": chosen, "value": value or ""}
    if value is None:
        return page(request, "search.html", form=form)
    name, party_type = view.choice(chosen)
    current = _page_number(page_number)
    found: list[Problem] = []
    try:
        body = _request(name, party_type, value, current)
        caller = user.caller if user else caller_of(request, resources)
        answer = search_routes.search_as(body, request, resources, caller)
    except ValidationError as exc:
        found = [from_pydantic(dict(error)) for error in exc.errors()]
    except errors.InvalidQueryError as exc:
        found = list(exc.problems) or [problem(name, "invalid")]
    except errors.ApiProblemError as exc:
        template = "rate_limited.html" if exc.status == 429 else "refused.html"
        return page(request, template, status=exc.status, headers=exc.headers, form=form,
                    message=(exc.message_vi, exc.message_en),
                    retry_after=exc.headers.get("Retry-After"))
    except Exception as exc:  # Elasticsearch, the ledger or the index unavailable: a page
        words = errors.unavailable_message(exc)
        if words is None:
            raise
        return page(request, "refused.html", status=503, headers={"Retry-After": "5"},
                    form=form, message=words, retry_after="5")
    if found:
        return page(request, "search.html", status=422, form=form, problems=found)
    result = orjson.loads(answer.body)
    fee = accounts.fee_for(user.caller, "certificate", resources.settings) if user else None
    return page(request, "search.html", form=form, result=result, fee=fee,
                pages=view.pages(result["exact"]["count"], current))


@router.get("/fonts/{name}")
def font(name: str) -> Response:
    """DejaVu Sans, as installed by Debian (the file certificates embed)."""
    path = FONTS.get(name)
    if path is None or not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, media_type="font/ttf",
                       headers={"Cache-Control": "public, max-age=86400"})


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    """Swagger UI with every file served here: it works on a network without internet."""
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url or "/openapi.json",
        title="regsearch — API (Swagger UI)",
        swagger_js_url="/docs/assets/swagger-ui-bundle.js",
        swagger_css_url="/docs/assets/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg")


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> Response:
    if name not in DOCS_ASSETS:
        return Response(status_code=404)
    # revalidated each time (by ETag): a new Swagger UI version must not meet a cached one
    return FileResponse(Path(swagger_ui_path) / name, headers={"Cache-Control": "no-cache"})
