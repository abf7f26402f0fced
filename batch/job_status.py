"""A batch job's progress as the API reports it (``GET /v1/batch/{id}``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from batch.store import OPEN, Conn, JobNotFoundError


@dataclass(frozen=True)
class JobStatus:
    id: uuid.UUID
    status: str
    file_name: str
    file_format: str
    include_deleted: bool
    rows_total: int
    rows_valid: int
    rows_invalid: int
    rows_duplicate: int
    chunks_total: int
    report: dict[str, Any]
    rows_charged: int | None
    fee_vnd: int | None
    free_ground: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    rows_done: int
    chunks_done: int
    chunks_failed: int
    row_errors: int
    registry_from: datetime | None
    registry_to: datetime | None
    last_done_at: datetime | None
    now: datetime

    @property
    def elapsed_s(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at or self.now
        if self.status in ("done", "failed") and self.last_done_at is not None:
            end = self.last_done_at
        return max((end - self.started_at).total_seconds(), 0.0)

    @property
    def rows_per_second(self) -> float | None:
        elapsed = self.elapsed_s
        if not elapsed or not self.rows_done:
            return None
        return self.rows_done / elapsed

    @property
    def seconds_left(self) -> float | None:
        if self.status not in OPEN:
            return 0.0 if self.status in ("done", "failed") else None
        rate = self.rows_per_second
        if rate is None:
            return None
        return (self.rows_valid - self.rows_done) / rate


def job_status(conn: Conn, job_id: uuid.UUID, account_id: int | None) -> JobStatus:
    found = conn.execute(
        "SELECT j.id, j.status, j.file_name, j.file_format, j.include_deleted, j.rows_total,"
        " j.rows_valid, j.rows_invalid, j.rows_duplicate, j.chunks_total, j.report,"
        " j.rows_charged, j.fee_vnd, j.free_ground, j.created_at, j.started_at, j.finished_at,"
        " coalesce(sum(c.rows) FILTER (WHERE c.state = 'done'), 0),"
        " count(c.chunk) FILTER (WHERE c.state = 'done'),"
        " count(c.chunk) FILTER (WHERE c.state = 'failed'),"
        " coalesce(sum(c.row_errors), 0) + coalesce(sum(c.rows) FILTER"
        " (WHERE c.state = 'failed'), 0),"
        " min(c.registry_current_as_of), max(c.registry_current_as_of), max(c.done_at), now()"
        " FROM batch_jobs j LEFT JOIN batch_chunks c ON c.job_id = j.id"
        " WHERE j.id = %s AND j.account_id = %s GROUP BY j.id", (job_id, account_id)).fetchone()
    if found is None:
        raise JobNotFoundError(str(job_id))
    return JobStatus(*found)


def links(job_id: uuid.UUID, base: str = "") -> dict[str, str]:
    """A batch's links (``GET /v1/batches/{id}`` and the callback's body), under ``base``."""
    path = f"{base}/v1/batches/{job_id}"
    return {"self": path, "cancel": f"{path}/cancel", "certificate": f"{path}/certificate",
            **{f"results_{kind}": f"{path}/results?format={kind}"
               for kind in ("csv", "xlsx", "jsonl")}}
