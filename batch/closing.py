"""Closing a batch job, the use case: when its last chunk is written (or failed), or when
it is cancelled, the job is closed and what it searched is charged, in one transaction.

The store only stores (``batch.store``); the fee is decided here (``accounts.fee_for``)
and the usage ledger's line recorded here. A job is charged once: closing is the job's one
transition from open (``store.close_job`` answers False when it was closed before, and then
nothing is recorded), made under the lock on the job's row, so a retried last chunk, or a
chunk finishing while the job is cancelled, cannot charge it again. The same transaction
writes the job's completion callback, when it asked for one (``batch.callback``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import accounts
from batch import callback, store
from batch.store import Conn
from core.settings import Settings


def _close(conn: Conn, job_id: uuid.UUID, job: store.LockedJob, status: str,
           settings: Settings) -> bool:
    searched = store.searched_rows(conn, job_id)
    fee = accounts.fee_for(job.caller, "batch", settings, rows=searched)
    if not store.close_job(conn, job_id, status, searched, fee):
        return False
    accounts.record_usage(conn, job.caller, "batch", fee, reference=str(job_id), rows=searched,
                          client=job.client,
                          client_reference=callback.client_reference_of(conn, job_id))
    callback.enqueue(conn, job_id, settings)  # delivered later, from its row: never lost
    return True


def _close_if_complete(conn: Conn, job_id: uuid.UUID, settings: Settings) -> bool:
    status = store.completed(conn, job_id)
    if status is None:
        return False
    return _close(conn, job_id, store.lock_job_of(conn, job_id, None, any_account=True),
                  status, settings)


def write_chunk(conn: Conn, job_id: uuid.UUID, chunk: int,
                lookups: Mapping[str, store.NewLookup],
                results: list[tuple[int, dict[str, Any]]], row_errors: int,
                registry_current_as_of: str | None, settings: Settings,
                registry_lsn: str | None = None) -> bool:
    """Store a chunk's results (``store.write_chunk``) and, when it was the job's last,
    close and charge the job, in one transaction; False when there was nothing to write."""
    with conn.transaction():
        if not store.write_chunk(conn, job_id, chunk, lookups, results, row_errors,
                                 registry_current_as_of, registry_lsn=registry_lsn):
            return False
        _close_if_complete(conn, job_id, settings)
    return True


def fail_chunk(conn: Conn, job_id: uuid.UUID, chunk: int, error: str,
               settings: Settings) -> None:
    """Mark a chunk failed (``store.fail_chunk``) and close the job if it was the last."""
    with conn.transaction():
        if store.fail_chunk(conn, job_id, chunk, error):
            _close_if_complete(conn, job_id, settings)


def cancel(conn: Conn, job_id: uuid.UUID, account_id: int | None, settings: Settings) -> str:
    """Cancel an open job (idempotent), charging what it searched so far; raises
    ``store.JobFinishedError`` for a finished one, ``store.JobNotFoundError`` for none."""
    with conn.transaction():
        job = store.lock_job_of(conn, job_id, account_id)
        if job.status == "cancelled":
            return job.status
        if job.status not in store.OPEN:
            raise store.JobFinishedError(job.status)
        _close(conn, job_id, job, "cancelled", settings)
    return "cancelled"
