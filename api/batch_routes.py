"""Batch lookups over HTTP: submit a file, follow it, fetch its results, cancel it.

* ``POST /v1/batches`` (customer or agency key): a CSV, XLSX or JSONL file;
  every row is checked first. ``?validate_only=true`` returns just the report.
  Otherwise the job is created with its good rows (invalid rows are in the
  report and in the results with status ``invalid``) and 202 is returned.
* ``GET /v1/batches/{id}``: status, rows done, rows per second, time left.
* ``GET /v1/batches/{id}/results?format=csv|xlsx|jsonl``.
* ``POST /v1/batches/{id}/cancel`` or ``DELETE /v1/batches/{id}``: stop the
  remaining chunks; rows already searched keep their results.
* ``POST /v1/batches/{id}/certificate``: one signed certificate for the whole finished
  batch (``batch.certificate``), downloaded and verified like any certificate; a big
  batch's is issued by a worker (202), and ``GET /v1/batches/{id}/certificate`` says when
  it is there.

A batch belongs to the account that sent it; others get 404.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import IO, Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

import accounts
from api.auth import SUSPENDED, client_address
from api.batch_models import (
    BatchCallbackShown,
    BatchCallbackState,
    BatchStatus,
    BatchSubmitted,
    ValidationOnly,
    batch_status,
)
from api.batch_options import Submission, submission
from api.certificate_models import BatchCertificateIssued, CertificateIssuing
from api.deps import AccountDep, PaidServiceDep, ResourcesDep
from api.errors import ApiProblemError, error_response
from api.heavy import run_heavy
from api.openapi import binary, refusals
from api.resources import Resources
from batch import (
    callback,
    certificate,
    closing,
    export,
    job_status,
    store,
    stored_rows,
    tasks,
)
from batch.limits import FileProblemError, Limits
from batch.messages import texts
from batch.parse import detect_format, parse
from batch.report import FileReport, TooManyRowsError, check_file
from certify.issuing import links

log = logging.getLogger("regsearch.batch")
router = APIRouter(tags=["batch"])

ExportFormat = Literal["csv", "xlsx", "jsonl"]
NO_BATCH = "Không có lô này của tài khoản / No such batch of this account"
_MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _problem(http_status: int, code: str, headers: dict[str, str] | None = None,
             field: str | None = None, **context: Any) -> ApiProblemError:
    vi, en = texts(code, **context)
    return ApiProblemError(http_status, code, vi, en, headers=headers, field=field)


def spooled_upload(file: UploadFile, limit: int) -> tuple[IO[bytes], bytes]:
    """The uploaded file (spooled to disk by the multipart parser: read as a stream, never
    whole in memory) and its first bytes."""
    source = file.file
    if source.seek(0, 2) > limit:
        raise _problem(413, "file_too_large", field="file", limit=limit)
    source.seek(0)
    head = source.read(8)
    source.seek(0)
    return source, head


def _check(file: UploadFile, caller: accounts.Caller, resources: Resources) -> FileReport:
    """Read and check the upload (in the bounded pool of heavy work: ``api.heavy``)."""
    settings = resources.settings
    try:
        source, head = spooled_upload(file, settings.batch_max_upload_bytes)
        kind = detect_format(file.filename, file.content_type, head)
        return check_file(parse(source, kind, Limits.of(settings)),
                          max_rows=caller.max_batch_rows, chunk_rows=settings.batch_chunk_rows)
    except FileProblemError as exc:
        raise _problem(422, exc.code, field="file", **exc.context) from exc
    except TooManyRowsError as exc:
        raise _problem(422, "batch_too_many_rows", field="file", limit=exc.limit) from exc


def _publish(resources: Resources, job_id: uuid.UUID, chunks: int) -> None:
    """Queue the chunks; if the broker is down, the workers' sweep publishes them later."""
    numbers = list(range(chunks))
    try:
        tasks.publish(tasks.producer_app(resources.settings), job_id, numbers)
    except Exception:
        log.exception("batch %s stored but not published; the recovery sweep will", job_id)
        return
    with resources.pool.connection() as conn:
        store.mark_published(conn, job_id, numbers)


@router.post("/v1/batches", status_code=202, response_model=BatchSubmitted,
             responses={200: {"model": ValidationOnly,
                              "description": "validate_only: the report, no batch"},
                        **refusals(400, 401, SUSPENDED, 413, 422, 429, 503)})
async def submit_batch(
    http: Request,
    file: Annotated[UploadFile, File(description="CSV, XLSX or JSONL; one row per lookup")],
    resources: ResourcesDep, caller: PaidServiceDep,
    validate_only: Annotated[bool, Query(description="Only check the rows; no batch")] = False,
    include_deleted: Annotated[bool, Query(description="Also match deleted ones")] = False,
    client_reference: Annotated[str | None, Query(
        description="Your own reference for the batch (loan book, file number): at most 64"
                    " characters, a letter or digit first, then letters, digits, spaces and"
                    " - _ . / : # ( )")] = None,
    callback_url: Annotated[str | None, Query(
        description="HTTPS URL POSTed (signed, retried) when the batch finishes")] = None,
) -> Any:
    """Tra cứu theo lô / submit a batch of lookups (customer or agency key)."""
    options = submission(client_reference, callback_url, resources.settings)
    report = await run_heavy(_check, file, caller, resources)
    return await run_in_threadpool(_submit, http, file.filename, report, validate_only,
                                   include_deleted, resources, caller, options)


def _submit(http: Request, filename: str | None, report: FileReport, validate_only: bool,
            include_deleted: bool, resources: Resources, caller: accounts.Caller,
            options: Submission) -> Any:
    if validate_only:
        return JSONResponse(status_code=200,
                            content=ValidationOnly(report=report.as_dict()).model_dump())
    if report.valid == 0:
        vi, en = texts("batch_no_valid_rows")
        return error_response(422, "batch_no_valid_rows", vi, en, field="file",
                              report=report.as_dict())
    with resources.pool.connection() as conn:
        try:
            job_id = store.create_job(
                conn, caller, client_address(http), filename or "upload", report,
                include_deleted, client_reference=options.client_reference,
                callback=None if options.callback is None
                else (options.callback.url, options.callback.secret))
        except store.OpenBatchesError as exc:
            raise _problem(429, "too_many_open_batches", headers={"Retry-After": "60"},
                           limit=exc.limit) from exc
    _publish(resources, job_id, report.chunks)
    estimate = accounts.fee_for(caller, "batch", resources.settings, rows=report.distinct)
    shown = None if options.callback is None else BatchCallbackShown(
        **options.callback.shown())
    return BatchSubmitted(batch=_status(resources, job_id, caller), callback=shown,
                          fee_estimate_vnd=estimate.amount_vnd, report=report.as_dict())


def _status(resources: Resources, job_id: uuid.UUID, caller: accounts.Caller) -> BatchStatus:
    with resources.pool.connection() as conn:
        try:
            found = batch_status(job_status.job_status(conn, job_id, caller.account_id))
        except store.JobNotFoundError as exc:
            raise _problem(404, "batch_not_found", field="batch_id") from exc
        state = callback.state_of(conn, job_id)
        if state.get("callback") is not None:
            state["callback"] = BatchCallbackState(**state["callback"])
        return found.model_copy(update=state)


@router.get("/v1/batches/{batch_id}", response_model=BatchStatus,
            responses=refusals(401, (404, NO_BATCH), 422, 503))
def get_batch(batch_id: uuid.UUID, resources: ResourcesDep, caller: AccountDep) -> BatchStatus:
    """Tiến độ của lô / a batch's status and progress."""
    return _status(resources, batch_id, caller)


def _cancel(resources: Resources, batch_id: uuid.UUID, caller: accounts.Caller) -> BatchStatus:
    with resources.pool.connection() as conn:
        try:
            closing.cancel(conn, batch_id, caller.account_id, resources.settings)
        except store.JobNotFoundError as exc:
            raise _problem(404, "batch_not_found", field="batch_id") from exc
        except store.JobFinishedError as exc:
            raise _problem(409, "batch_finished", status=exc.status) from exc
    return _status(resources, batch_id, caller)


_CANCEL_REFUSALS = refusals(401, (404, NO_BATCH), (409, "Lô đã kết thúc / The batch has "
                                                   "finished already"), 422, 503)


@router.post("/v1/batches/{batch_id}/cancel", response_model=BatchStatus,
             responses=_CANCEL_REFUSALS)
def cancel_batch(batch_id: uuid.UUID, resources: ResourcesDep, caller: AccountDep) -> BatchStatus:
    """Hủy lô / cancel a batch: remaining chunks are not searched."""
    return _cancel(resources, batch_id, caller)


@router.delete("/v1/batches/{batch_id}", response_model=BatchStatus,
               responses=_CANCEL_REFUSALS)
def delete_batch(batch_id: uuid.UUID, resources: ResourcesDep, caller: AccountDep) -> BatchStatus:
    """Same as cancel: the batch and the results of rows already searched are kept."""
    return _cancel(resources, batch_id, caller)


#: Seconds a client is asked to wait before asking again about a certificate being issued.
CERTIFICATE_RETRY_AFTER_S = 10


def _certificate_answer(resources: Resources,
                        found: certificate.BatchCertificate | certificate.Pending
                        ) -> JSONResponse:
    if isinstance(found, certificate.Pending):
        if found.failure is not None:
            raise _problem(500, "batch_certificate_failed", reference=found.failure)
        path = f"/v1/batches/{found.job_id}/certificate"
        return JSONResponse(
            status_code=202, headers={"Location": path,
                                      "Retry-After": str(CERTIFICATE_RETRY_AFTER_S)},
            content={"state": "issuing", "batch_id": str(found.job_id),
                     "requested_at": found.requested_at.isoformat(),
                     "retry_after_s": CERTIFICATE_RETRY_AFTER_S, "links": {"status": path}})
    body = certificate.response_body(found, links(resources.settings, found.snapshot.number,
                                                  found.content_hash))
    return JSONResponse(status_code=200 if found.existing else 201, content=body)


@router.post("/v1/batches/{batch_id}/certificate", status_code=201, response_model=None,
             responses={201: {"model": BatchCertificateIssued, "description": "Issued now"},
                        200: {"model": BatchCertificateIssued,
                              "description": "The certificate issued before (not charged again)"},
                        202: {"model": CertificateIssuing,
                              "description": "A worker is issuing it (big batch): GET the same "
                                             "address until it answers 200"},
                        **refusals(401, SUSPENDED, (404, NO_BATCH),
                                   (409, "The batch has not finished, or cannot be certified "
                                         "(cancelled, failed)"), 422, 503)})
def batch_certificate(batch_id: uuid.UUID, http: Request, resources: ResourcesDep,
                      caller: PaidServiceDep) -> JSONResponse:
    """Cấp văn bản chứng nhận cho cả lô / one certificate for the whole finished batch.

    201 with its number, counts, fee and links when issued now; 200 with the same when it
    was issued before (never charged twice). A batch of more than
    ``batch_certificate_inline_rows`` rows is certified by a worker: 202 with ``Location``
    and ``Retry-After``; ``GET`` that address until it answers 200.
    ``GET /v1/certificates/{number}.pdf`` gives the signed PDF, with every row's full
    result attached."""
    try:
        found = certificate.issue_for_batch(resources.pool, resources.settings,
                                            lambda: resources.signer().key, caller, batch_id,
                                            client_address(http))
    except store.JobNotFoundError as exc:
        raise _problem(404, "batch_not_found", field="batch_id") from exc
    except certificate.NotCertifiableError as exc:
        raise _problem(409, exc.code, status=exc.status) from exc
    if isinstance(found, certificate.Pending) and found.publish:
        try:
            tasks.publish_certificate(tasks.producer_app(resources.settings), batch_id)
        except Exception:
            log.exception("certificate of batch %s requested but not published; the "
                          "recovery sweep will", batch_id)
    return _certificate_answer(resources, found)


@router.get("/v1/batches/{batch_id}/certificate", response_model=None,
            responses={200: {"model": BatchCertificateIssued,
                             "description": "The certificate, issued"},
                       202: {"model": CertificateIssuing,
                             "description": "A worker is issuing it; ask again later"},
                       **refusals(401, (404, "No such batch of this account, or no "
                                       "certificate asked for"), 422, 503,
                                  (500, "The worker could not issue it; POST again"))})
def batch_certificate_state(batch_id: uuid.UUID, resources: ResourcesDep,
                            caller: AccountDep) -> JSONResponse:
    """Văn bản chứng nhận của lô / the batch's certificate: 200 when issued, 202 while a
    worker issues it."""
    try:
        found = certificate.certificate_state(resources.pool, caller, batch_id)
    except store.JobNotFoundError as exc:
        raise _problem(404, "batch_not_found", field="batch_id") from exc
    if found is None:
        raise _problem(404, "batch_certificate_not_requested", field="batch_id")
    return _certificate_answer(resources, found)


def _rows(resources: Resources, batch_id: uuid.UUID, csv_parts: bool = False
          ) -> Iterator[stored_rows.StoredRow]:
    with resources.pool.connection() as conn:
        yield from stored_rows.iter_rows(conn, batch_id, csv_parts=csv_parts)


def _summary(status: BatchStatus) -> list[tuple[str, Any]]:
    rows, mark = status.rows, status.registry_current_as_of
    return [
        ("Mã lô / Batch", status.id), ("Tệp / File", status.file_name),
        ("Trạng thái / Status", status.status),
        ("Số dòng / Rows", rows.total), ("Hợp lệ / Valid", rows.valid),
        ("Không hợp lệ / Invalid", rows.invalid), ("Trùng / Duplicate", rows.duplicate),
        ("Đã tra cứu / Done", rows.done), ("Lỗi / Errors", rows.errors),
        ("Dữ liệu đăng ký tính đến (sớm nhất) / Registry current as of (earliest)",
         mark.earliest.isoformat() if mark.earliest else None),
        ("Dữ liệu đăng ký tính đến (muộn nhất) / Registry current as of (latest)",
         mark.latest.isoformat() if mark.latest else None),
    ]


@router.get("/v1/batches/{batch_id}/results", response_model=None, response_class=Response,
            responses={**binary(*(t.split(";")[0] for t in _MEDIA_TYPES.values()),
                                description="The results file"),
                       **refusals(401, (404, NO_BATCH), 422, 503)})
def batch_results(
    batch_id: uuid.UUID, resources: ResourcesDep, caller: AccountDep,
    format: Annotated[ExportFormat, Query(description="csv | xlsx | jsonl")] = "jsonl",
) -> StreamingResponse | FileResponse:
    """Kết quả của lô / a batch's results, one line per match (CSV, XLSX) or per row (JSONL).

    Rows not searched yet are listed as ``pending``; fetch again when the batch is done."""
    status = _status(resources, batch_id, caller)
    name = f"batch-{batch_id}.{format}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    rows = _rows(resources, batch_id, csv_parts=format == "csv")
    if format == "xlsx":
        path = export.write_xlsx(rows, status.status, _summary(status))
        return FileResponse(path, media_type=_MEDIA_TYPES["xlsx"], headers=disposition,
                            background=BackgroundTask(path.unlink, missing_ok=True))
    chunks = (export.csv_chunks if format == "csv" else export.jsonl_chunks)(rows, status.status)
    return StreamingResponse(chunks, media_type=_MEDIA_TYPES[format], headers=disposition)
