"""One certificate for a whole finished batch (``POST /v1/batches/{id}/certificate``).

Decisions (``docs/batch.md``):

* only a batch whose every valid row was searched (status ``done``) is certified;
  queued or running, cancelled and failed batches are refused (409), without charge;
* the certificate states the range of registry watermarks its chunks were searched
  at; the earliest is what the whole batch is current as of;
* it summarises the rows and embeds the batch's JSON Lines results (byte for byte the
  ``GET /v1/batches/{id}/results?format=jsonl`` export), whose SHA-256 it prints;
* one certificate per batch: asking again returns the one issued, not charged again
  (the job row is locked while issuing, so two requests at once issue one);
* a batch of more than ``batch_certificate_inline_rows`` rows is certified by a worker
  (Celery task ``regsearch.batch.issue_certificate``): the request answers 202 at once,
  and ``GET /v1/batches/{id}/certificate`` says when the certificate is there (a
  100,000-row batch takes minutes, longer than clients and proxies wait);
* the fee is ``fee_for(caller, "batch_certificate")`` (agencies free), in the usage
  ledger as ``kind = 'certificate'``, ``criterion = 'batch'``, reference = its number.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg_pool import ConnectionPool

import accounts
import audit
from batch import callback, certificate_requests, export, job_status, store, stored_rows
from batch.certificate_summary import BatchSummary
from certify import store as certificate_store
from certify.batch_render import render_batch_pdf
from certify.batch_snapshot import (
    AttachedFile,
    BatchCertificateSnapshot,
    BatchInfo,
    SearchedRange,
    batch_snapshot_from_json,
)
from certify.from_search import SEARCH_LOGIC_VERSION
from certify.issue import issue
from certify.issuing import requester_of, snapshot_fee
from certify.signing import SigningKey
from core.settings import Settings

#: ``certificates.criterion`` and the ledger's ``criterion`` of a batch certificate.
BATCH_CRITERION = "batch"
RESULTS_MEDIA_TYPE = "application/x-ndjson"


class NotCertifiableError(Exception):
    """The batch cannot be certified; ``code`` names the reason (``batch.messages``)."""

    def __init__(self, code: str, status: str) -> None:
        super().__init__(code)
        self.code, self.status = code, status


_REFUSALS = {"queued": "batch_not_finished", "running": "batch_not_finished",
             "cancelled": "batch_cancelled_no_certificate",
             "failed": "batch_failed_no_certificate"}


@dataclass(frozen=True)
class BatchCertificate:
    snapshot: BatchCertificateSnapshot
    content_hash: str
    existing: bool
    """Issued by an earlier request (returned again, not charged again)."""


def results_name(job_id: uuid.UUID) -> str:
    """The name of the JSON Lines export, also the embedded file's."""
    return f"batch-{job_id}.jsonl"


def _existing(conn: store.Conn, number: str) -> BatchCertificate:
    found = certificate_store.load(conn, number)
    if found is None:  # the link and the certificate are written in one transaction
        raise RuntimeError(f"batch certificate {number} is linked but not stored")
    return BatchCertificate(batch_snapshot_from_json(found.snapshot), found.content_hash, True)


def _searched_range(conn: store.Conn, job_id: uuid.UUID) -> SearchedRange:
    marks = certificate_requests.watermarks(conn, job_id)
    if marks is None or marks.unknown:
        raise NotCertifiableError("batch_watermark_unknown", "done")
    return SearchedRange(
        earliest=marks.earliest, latest=marks.latest, chunks=marks.chunks)


def _results(conn: store.Conn, job_id: uuid.UUID) -> tuple[bytes, BatchSummary]:
    """The JSON Lines export and its summary, in one pass over the rows."""
    summary = BatchSummary()
    objects = export.json_objects(stored_rows.iter_rows(conn, job_id), "done")
    data = b"".join(export.jsonl_encode(summary.observe(objects)))
    return data, summary


def _check(job: job_status.JobStatus, summary: BatchSummary) -> None:
    counts = summary.counts()
    stored = (job.rows_total, job.rows_valid, job.rows_invalid, job.rows_duplicate)
    if (counts.total, counts.valid, counts.invalid, counts.duplicate) != stored:
        raise RuntimeError(f"batch {job.id}: rows {counts} differ from the job's {stored}")


@dataclass(frozen=True)
class Pending:
    """A certificate a worker is issuing (the batch is bigger than
    ``batch_certificate_inline_rows``)."""

    job_id: uuid.UUID
    requested_at: datetime
    #: The task is to be published: a new request, or one asked again after a failure.
    publish: bool
    #: The log reference of the last attempt, when it failed for good.
    failure: str | None = None


def _issue(conn: store.Conn, settings: Settings, key: SigningKey, caller: accounts.Caller,
           job: job_status.JobStatus, client: str | None) -> BatchCertificate:
    """Issue the job's certificate in the caller's transaction, the job row locked."""
    job_id = job.id
    searched_range = _searched_range(conn, job_id)
    data, summary = _results(conn, job_id)
    _check(job, summary)
    fee = accounts.fee_for(caller, "batch_certificate", settings)
    reference = callback.client_reference_of(conn, job_id)  # the batch's, printed on it
    attached = AttachedFile(
        name=results_name(job_id), media_type=RESULTS_MEDIA_TYPE, size=len(data),
        sha256=certificate_store.sha256(data), lines=summary.total)

    def build(number: str, issued_at: datetime) -> BatchCertificateSnapshot:
        assert job.finished_at is not None
        return BatchCertificateSnapshot(
            number=number, issued_at=issued_at, requester=requester_of(caller),
            fee=snapshot_fee(fee, settings), search_logic_version=SEARCH_LOGIC_VERSION,
            include_deleted=job.include_deleted,
            batch=BatchInfo(id=str(job_id), file_name=job.file_name,
                            file_format=job.file_format,  # type: ignore[arg-type]
                            submitted_at=job.created_at, finished_at=job.finished_at),
            registry_current_as_of=searched_range, counts=summary.counts(),
            by_criterion=summary.by_criterion(),
            rows_with_matches=tuple(summary.lines),
            error_rows=tuple(summary.error_rows), results_file=attached,
            client_reference=reference)

    def render(snapshot: BatchCertificateSnapshot) -> bytes:
        return render_batch_pdf(snapshot, data, verify_base_url=settings.public_base_url)

    issued = issue(conn, key, build=build, render=render, account_id=caller.account_id,
                   user_id=caller.user_id, criterion=BATCH_CRITERION, fee_vnd=fee.amount_vnd,
                   client_reference=reference)
    certificate_requests.link_certificate(conn, job_id, issued.number)
    accounts.record_usage(conn, caller, "certificate", fee, criterion=BATCH_CRITERION,
                          reference=issued.number, rows=summary.counts().searched,
                          client=client, client_reference=reference)
    counts = summary.counts()  # the audit trail: the batch and rows found (exact, close only)
    audit.record_certificate(conn, caller, client, audit.Searched(
        BATCH_CRITERION, f"{job.file_name} ({job_id})", None, job.include_deleted,
        counts.with_exact, counts.close_only), issued.number)
    return BatchCertificate(issued.snapshot, issued.content_hash, False)


def issue_for_batch(pool: ConnectionPool, settings: Settings, signer: Callable[[], SigningKey],
                    caller: accounts.Caller, job_id: uuid.UUID, client: str | None
                    ) -> BatchCertificate | Pending:
    """The batch's certificate, issued now or before; or, for a batch of more than
    ``batch_certificate_inline_rows`` rows, the request a worker issues it from (publish
    the task when ``Pending.publish``). Raises ``store.JobNotFoundError`` (not the caller's
    batch) and ``NotCertifiableError``."""
    with pool.connection() as conn, conn.transaction():
        status = certificate_requests.lock_job(conn, job_id, caller.account_id)
        number = certificate_requests.certificate_of(conn, job_id)
        if number is not None:
            return _existing(conn, number)
        if status != "done":
            raise NotCertifiableError(_REFUSALS.get(status, "batch_not_finished"), status)
        job = job_status.job_status(conn, job_id, caller.account_id)
        if job.rows_total <= settings.batch_certificate_inline_rows:
            return _issue(conn, settings, signer(), caller, job, client)
        publish = certificate_requests.request_certificate(conn, job_id, caller.account_id, client,
                                                           caller.user_id)
        request = certificate_requests.certificate_request(conn, job_id)
        assert request is not None
        return Pending(job_id, request.requested_at, publish)


def certificate_state(pool: ConnectionPool, caller: accounts.Caller, job_id: uuid.UUID
                      ) -> BatchCertificate | Pending | None:
    """The batch's certificate if issued, its request while a worker issues it, or None
    when none was asked for. Raises ``store.JobNotFoundError``."""
    with pool.connection() as conn:
        job_status.job_status(conn, job_id, caller.account_id)
        number = certificate_requests.certificate_of(conn, job_id)
        if number is not None:
            return _existing(conn, number)
        request = certificate_requests.certificate_request(conn, job_id)
        if request is None:
            return None
        return Pending(job_id, request.requested_at, False, request.failure)


def issue_requested(pool: ConnectionPool, settings: Settings, key: SigningKey,
                    job_id: uuid.UUID) -> str | None:
    """A worker's part: issue the requested certificate of the job; its number, or None
    when there is neither a request nor a certificate (the batch was deleted)."""
    with pool.connection() as conn, conn.transaction():
        request = certificate_requests.certificate_request(conn, job_id)
        if request is None:
            return certificate_requests.certificate_of(conn, job_id)
        status = certificate_requests.lock_job(conn, job_id, request.account_id)
        number = certificate_requests.certificate_of(conn, job_id)
        if number is not None:  # issued by another worker while this one waited
            return number
        if status != "done":
            raise RuntimeError(f"batch {job_id} is {status}: its certificate was asked "
                               "for when it was done")
        caller = accounts.caller_of(conn, request.account_id, request.user_id)
        job = job_status.job_status(conn, job_id, caller.account_id)
        return _issue(conn, settings, key, caller, job, request.client).snapshot.number


def record_failure(pool: ConnectionPool, job_id: uuid.UUID, reference: str) -> None:
    """The worker could not issue the certificate; asking again tries again."""
    with pool.connection() as conn:
        certificate_requests.certificate_failed(conn, job_id, reference)


def response_body(found: BatchCertificate, links: dict[str, str]) -> dict[str, Any]:
    """What ``POST /v1/batches/{id}/certificate`` answers."""
    snapshot = found.snapshot
    marks = snapshot.registry_current_as_of
    return {
        "number": snapshot.number,
        "issued_at": snapshot.issued_at.isoformat(),
        "existing": found.existing,
        "batch_id": snapshot.batch.id,
        "file_name": snapshot.batch.file_name,
        "registry_current_as_of": marks.earliest.commit_time.isoformat(),
        "registry_searched_at": {
            "earliest": marks.earliest.model_dump(mode="json"),
            "latest": marks.latest.model_dump(mode="json"), "chunks": marks.chunks},
        "rows": snapshot.counts.model_dump(),
        "rows_listed": len({line.row for line in snapshot.rows_with_matches}),
        "fee_vnd": snapshot.fee.amount_vnd,
        "free_ground": snapshot.fee.free_ground,
        "content_hash": found.content_hash,
        "client_reference": snapshot.client_reference,
        "results_file": snapshot.results_file.model_dump(),
        "links": links,
    }
