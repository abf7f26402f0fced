"""The verification page: the one the certificate's QR code and printed link open
(``/verify/{number}?sha256=…``), and the form at ``/xac-minh`` that checks a number and
hash, or a PDF someone uploads.

The verdict comes from the API's own functions (``api.verify_routes.by_number`` and
``of_upload``), its words from the one table of messages keyed by verdict
(``api.verify_routes.VERDICT_MESSAGES``, through ``answer``), so the page and the JSON
cannot disagree. Anonymous verifications are limited per client as on the JSON routes;
past the limit the page says so politely (429) instead of answering JSON.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api import verify_routes
from api.deps import ResourcesDep, limit_verification
from api.errors import ApiProblemError
from api.heavy import run_heavy
from api.openapi import ErrorBody
from api.resources import Resources
from api.upload_limit import read_one_file
from web.pages import page

router = APIRouter()

#: ``/verify/{number}`` as the OpenAPI document declares it: past the limit a browser is
#: answered the page, JSON clients the error body.
RESPONSES: dict[int | str, dict[str, Any]] = {
    **verify_routes.NEGOTIATED,
    429: {"model": ErrorBody, "content": {"text/html": {}},
          "description": "Too many verifications from this client this minute (the page "
                         "to a browser)"}}


def _limited(request: Request, resources: Resources) -> ApiProblemError | None:
    """The rate limit's refusal, if this client is past it."""
    try:
        limit_verification(request, resources)
    except ApiProblemError as exc:
        return exc
    return None


def _refused(request: Request, exc: ApiProblemError, **form: str) -> HTMLResponse:
    return page(request, "verify.html", status=exc.status, headers=exc.headers,
                refusal=(exc.message_vi, exc.message_en),
                retry_after=exc.headers.get("Retry-After"), form=form)


async def _verdict(resources: Resources, number: str, sha256: str | None) -> dict[str, Any]:
    try:
        return await run_heavy(verify_routes.by_number, resources, number, sha256)
    except ApiProblemError:
        return verify_routes.not_a_number(number)


@router.get("/verify/{number}", responses=RESPONSES)
async def verification_page(request: Request, number: str, resources: ResourcesDep,
                            sha256: str | None = None) -> Response:
    """The page the QR code and printed link open (Vietnamese with English alongside);
    the same answer as JSON to ``Accept: application/json``."""
    if verify_routes.wants_json(request, default_json=False):
        limit_verification(request, resources)  # JSON refusals, as on /v1
        return JSONResponse(await run_heavy(verify_routes.by_number, resources, number,
                                            sha256))
    form = {"number": number, "sha256": sha256 or ""}
    refused = _limited(request, resources)
    if refused is not None:
        return _refused(request, refused, **form)
    return page(request, "verify.html", verdict=await _verdict(resources, number, sha256),
                form=form)


@router.get("/xac-minh", response_class=HTMLResponse, include_in_schema=False)
@router.get("/verify", response_class=HTMLResponse, include_in_schema=False)
async def verification_form(request: Request, resources: ResourcesDep,
                            number: str | None = None, sha256: str | None = None) -> Response:
    """Xác minh văn bản chứng nhận: the form; with a number, its verdict."""
    form = {"number": (number or "").strip(), "sha256": (sha256 or "").strip()}
    if not form["number"]:
        return page(request, "verify.html", form=form)
    refused = _limited(request, resources)
    if refused is not None:
        return _refused(request, refused, **form)
    verdict = await _verdict(resources, form["number"], form["sha256"] or None)
    return page(request, "verify.html", verdict=verdict, form=form)


@router.post("/xac-minh", response_class=HTMLResponse, include_in_schema=False)
async def verification_upload(request: Request, resources: ResourcesDep) -> Response:
    """A PDF uploaded from the form (field ``file``): its verdict, or why it was refused
    (too large, no file) beside the field."""
    refused = _limited(request, resources)
    if refused is not None:
        return _refused(request, refused)
    try:
        pdf = await read_one_file(request, "file", resources.settings.verify_max_upload_bytes)
    except ApiProblemError as exc:
        return page(request, "verify.html", status=exc.status, form={},
                    file_problem=(exc.message_vi, exc.message_en))
    verdict = await run_heavy(verify_routes.of_upload, resources, pdf)
    return page(request, "verify.html", verdict=verdict, form={}, uploaded=True)
