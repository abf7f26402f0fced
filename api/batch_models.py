"""Response bodies of the batch API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from batch.job_status import JobStatus, links

JobState = Literal["queued", "running", "done", "failed", "cancelled"]


class BatchRows(BaseModel):
    total: int = Field(description="Data rows in the file")
    valid: int = Field(description="Rows that pass validation (duplicates included)")
    invalid: int = Field(description="Rows with a problem: reported, not searched")
    duplicate: int = Field(description="Valid rows repeating an earlier row: searched once")
    done: int = Field(description="Valid rows with their result")
    errors: int = Field(description="Rows whose search failed (see the results)")


class BatchProgress(BaseModel):
    percent: float
    chunks_total: int
    chunks_done: int
    rows_per_second: float | None
    estimated_seconds_left: float | None
    started_at: datetime | None
    finished_at: datetime | None


class RegistryCurrentAsOf(BaseModel):
    """The registry watermarks the rows were searched at (each chunk reads it once)."""

    earliest: datetime | None
    latest: datetime | None


class BatchFee(BaseModel):
    rows_charged: int = Field(description="Rows searched (valid, duplicates once)")
    fee_vnd: int
    free_ground: str | None


class BatchStatus(BaseModel):
    id: str
    status: JobState
    file_name: str
    format: str
    include_deleted: bool
    created_at: datetime
    rows: BatchRows
    progress: BatchProgress
    registry_current_as_of: RegistryCurrentAsOf
    fee: BatchFee | None = Field(description="In the usage ledger once the batch has finished")
    file_report: dict[str, Any] = Field(description="Columns recognised, file notes")
    links: dict[str, str]
    client_reference: str | None = Field(default=None, description="As given at submission")
    callback: BatchCallbackState | None = Field(
        default=None, description="The completion callback asked for, and its delivery")


class BatchCallbackState(BaseModel):
    url: str
    state: Literal["waiting", "pending", "delivered", "dead"] = Field(
        description="waiting: the batch has not finished; pending: being delivered (retried"
                    " with back-off); dead: every try failed")
    attempts: int
    last_error: str | None
    delivered_at: str | None


class BatchCallbackShown(BaseModel):
    url: str
    secret: str = Field(description="The HMAC-SHA256 key of the callback's signature; shown"
                                    " only here")
    signature_header: str


class BatchSubmitted(BaseModel):
    callback: BatchCallbackShown | None = None
    batch: BatchStatus
    fee_estimate_vnd: int = Field(description="Fee for the rows to search, if all complete")
    report: dict[str, Any] = Field(description="The validation report, row by row")


class ValidationOnly(BaseModel):
    validate_only: Literal[True] = True
    report: dict[str, Any]


def batch_status(job: JobStatus) -> BatchStatus:
    rate = job.rows_per_second
    left = job.seconds_left
    return BatchStatus(
        id=str(job.id), status=job.status,  # type: ignore[arg-type]
        file_name=job.file_name, format=job.file_format, include_deleted=job.include_deleted,
        created_at=job.created_at,
        rows=BatchRows(total=job.rows_total, valid=job.rows_valid, invalid=job.rows_invalid,
                       duplicate=job.rows_duplicate, done=job.rows_done, errors=job.row_errors),
        progress=BatchProgress(
            percent=round(100.0 * job.rows_done / job.rows_valid, 1) if job.rows_valid else 100.0,
            chunks_total=job.chunks_total, chunks_done=job.chunks_done,
            rows_per_second=None if rate is None else round(rate, 1),
            estimated_seconds_left=None if left is None else round(left, 1),
            started_at=job.started_at, finished_at=job.finished_at),
        registry_current_as_of=RegistryCurrentAsOf(earliest=job.registry_from,
                                                   latest=job.registry_to),
        fee=None if job.rows_charged is None or job.fee_vnd is None else BatchFee(
            rows_charged=job.rows_charged, fee_vnd=job.fee_vnd, free_ground=job.free_ground),
        file_report=job.report,
        links=links(job.id),
    )
