"""Batch lookups from the account pages: upload a file, read its report, follow the
progress bar to the end, download the results.

* ``GET /tai-khoan/lo``: the form (a CSV, XLSX or JSONL file).
* ``POST /tai-khoan/lo``: "Kiểm tra" checks the file only (the validation report of
  ``POST /v1/batches?validate_only=true``, as a page); "Gửi lô" submits it: the report
  and the progress of the new batch.
* ``GET /tai-khoan/lo/{id}``: the batch's progress; the page follows it by
  ``web/static/batch.js`` polling ``GET /tai-khoan/lo/{id}/tien-do`` (the JSON of
  ``GET /v1/batches/{id}``), or without JavaScript by refreshing itself every few seconds
  until the batch has ended.
* ``GET /tai-khoan/lo/{id}/ket-qua?format=csv|xlsx|jsonl``: the results file.

Each runs the API's own functions (``api.batch_routes``) as the signed-in user's account,
so the limits, the suspension for unpaid fees, the fee and the ledger are those of
``POST /v1/batches`` with the account's key.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api import batch_routes as batch_api
from api.batch_models import BatchStatus, BatchSubmitted
from api.deps import ResourcesDep, require_paid_service
from api.errors import ApiProblemError
from web.pages import page
from web.session import CsrfDep, SignedInDep

router = APIRouter(include_in_schema=False)
HOME = "/tai-khoan/lo"
#: Seconds between two refreshes of the progress page without JavaScript.
REFRESH_S = 3
ENDED = frozenset({"done", "failed", "cancelled"})


def _form_page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    return page(request, "batch.html", status=status, **context)


@router.get(HOME, response_class=HTMLResponse)
def batch_form(request: Request, user: SignedInDep) -> Response:
    """Tra cứu theo lô: the upload form."""
    return _form_page(request)


@router.post(HOME, response_class=HTMLResponse)
async def batch_upload(request: Request, resources: ResourcesDep, user: SignedInDep,
                       _: CsrfDep, file: Annotated[UploadFile, File()],
                       action: Annotated[str, Form()] = "check",
                       include_deleted: Annotated[bool, Form()] = False) -> Response:
    """The file checked (``action=check``) or submitted (``action=submit``)."""
    try:
        caller = require_paid_service(user.caller, resources)
        answer = await batch_api.submit_batch(request, file, resources, caller,
                                              validate_only=action != "submit",
                                              include_deleted=include_deleted)
    except ApiProblemError as exc:
        return _form_page(request, status=exc.status, headers=exc.headers,
                          problem=(exc.message_vi, exc.message_en))
    if isinstance(answer, BatchSubmitted):
        return page(request, "batch_progress.html", batch=answer.batch,
                    report=answer.report, fee_estimate=answer.fee_estimate_vnd,
                    refresh=REFRESH_S, ended=False)
    body = _json(answer)
    if "error" in body:  # no valid row: refused with the report
        error = body["error"]
        return _form_page(request, status=answer.status_code, report=error.get("report"),
                          problem=(error["message_vi"], error["message_en"]))
    return _form_page(request, report=body["report"], checked=file.filename or "")


def _json(answer: Any) -> dict[str, Any]:
    """The body of the API's own JSON answer (the report alone, or its 422)."""
    assert isinstance(answer, JSONResponse)
    body: dict[str, Any] = orjson.loads(answer.body)
    return body


def _status(resources: Any, user: Any, batch_id: uuid.UUID) -> BatchStatus:
    return batch_api.get_batch(batch_id, resources, user.caller)


@router.get(HOME + "/{batch_id}", response_class=HTMLResponse)
def batch_page(request: Request, batch_id: uuid.UUID, resources: ResourcesDep,
               user: SignedInDep) -> Response:
    """One batch: its progress until it ends, then its results to download."""
    try:
        status = _status(resources, user, batch_id)
    except ApiProblemError as exc:
        return _form_page(request, status=exc.status, problem=(exc.message_vi, exc.message_en))
    return page(request, "batch_progress.html", batch=status, refresh=REFRESH_S,
                ended=status.status in ENDED)


@router.get(HOME + "/{batch_id}/tien-do")
def batch_progress(batch_id: uuid.UUID, resources: ResourcesDep,
                   user: SignedInDep) -> Response:
    """The batch's status as ``GET /v1/batches/{id}`` answers it (for the progress bar)."""
    status = _status(resources, user, batch_id)
    return Response(status.model_dump_json(), media_type="application/json",
                    headers={"Cache-Control": "no-store"})


@router.get(HOME + "/{batch_id}/ket-qua")
def batch_download(batch_id: uuid.UUID, resources: ResourcesDep, user: SignedInDep,
                   format: batch_api.ExportFormat = "csv") -> Response:
    """The results file (as ``GET /v1/batches/{id}/results``)."""
    return batch_api.batch_results(batch_id, resources, user.caller, format)
