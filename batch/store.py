"""Batch jobs, rows, chunks and results in the search service's own database.

Every state change that must not be half-done is one transaction:

* submission: the job, all its rows and chunks (and the open-batch limit, under
  a lock on the account row, so two uploads cannot both pass it);
* a chunk's results: the job row is locked, a cancelled job writes nothing, the
  rows are upserted by (job, row) and the chunk is marked done;
* closing a job (its last chunk written, or cancelled): under the same lock, so a
  chunk finishing at that moment either lands before the cancellation or not at all.

The store only stores: what a finished job costs, and its line in the usage ledger, are
decided by the use case (``batch.closing``), in the transaction that closes the job.
Reading rows back is ``batch.stored_rows``, a job's progress ``batch.job_status``,
what a batch certificate needs ``batch.certificate_requests``.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import psycopg
from psycopg.types.json import Json, Jsonb

import accounts
from batch.report import FileReport
from batch.results import lookup_refs
from batch.rows import RowCriterion

OPEN = ("queued", "running")

Conn = psycopg.Connection[Any]


class OpenBatchesError(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"{limit} open batches")
        self.limit = limit


class JobNotFoundError(Exception):
    pass


class JobFinishedError(Exception):
    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


# --- submission ---------------------------------------------------------------------


def create_job(conn: Conn, caller: accounts.Caller, client: str | None, file_name: str,
               report: FileReport, include_deleted: bool, client_reference: str | None = None,
               callback: tuple[str, str] | None = None) -> uuid.UUID:
    """Store the job with every row and chunk; raises ``OpenBatchesError`` over the limit.
    ``callback``: the URL and secret of its completion callback (``batch.callback``)."""
    job_id = uuid.uuid4()
    chunk_rows: dict[int, list[int]] = {}
    for row in report.rows:
        if row.chunk is not None:
            counts = chunk_rows.setdefault(row.chunk, [0, 0])
            counts[0] += 1
            counts[1] += row.duplicate_of is None
    with conn.transaction():
        conn.execute("SELECT 1 FROM accounts WHERE id = %s FOR UPDATE", (caller.account_id,))
        found = conn.execute("SELECT count(*) FROM batch_jobs WHERE account_id = %s"
                             " AND status IN ('queued', 'running')",
                             (caller.account_id,)).fetchone()
        if found is not None and int(found[0]) >= caller.max_open_batches:
            raise OpenBatchesError(caller.max_open_batches)
        conn.execute(
            "INSERT INTO batch_jobs (id, account_id, user_id, caller, client, file_name,"
            " file_format,"
            " include_deleted, status, rows_total, rows_valid, rows_invalid, rows_duplicate,"
            " chunks_total, report, client_reference, callback_url, callback_secret)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'queued', %s, %s, %s, %s, %s, %s, %s, %s,"
            " %s)",
            (job_id, caller.account_id, caller.user_id, Jsonb(dataclasses.asdict(caller)),
             client, file_name, report.format, include_deleted, report.total, report.valid,
             report.invalid, report.duplicates, report.chunks, Jsonb(report.file_part()),
             client_reference, *(callback or (None, None))))
        with conn.cursor() as cur, cur.copy(
                "COPY batch_rows (job_id, row_number, chunk, duplicate_of, criteria, problems,"
                " notes, client_reference) FROM STDIN") as copy:
            for row in report.rows:
                copy.write_row((
                    str(job_id), row.row, row.chunk, row.duplicate_of,
                    json.dumps([c.as_dict() for c in row.criteria], ensure_ascii=False),
                    json.dumps([p.as_dict() for p in row.problems], ensure_ascii=False),
                    json.dumps([n.as_dict() for n in row.notes], ensure_ascii=False),
                    row.client_reference))
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO batch_chunks (job_id, chunk, rows, searched) VALUES (%s, %s, %s, %s)",
                [(job_id, chunk, rows, searched)
                 for chunk, (rows, searched) in sorted(chunk_rows.items())])
    return job_id


def mark_published(conn: Conn, job_id: uuid.UUID, chunks: list[int]) -> None:
    conn.execute("UPDATE batch_chunks SET published_at = now() WHERE job_id = %s"
                 " AND chunk = ANY(%s)", (job_id, chunks))


# --- workers --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChunkRow:
    row: int
    criteria: list[RowCriterion]
    duplicate_of: int | None


@dataclass(frozen=True)
class ChunkWork:
    include_deleted: bool
    attempt: int
    rows: list[ChunkRow]


def claim_chunk(conn: Conn, job_id: uuid.UUID, chunk: int, worker: str) -> ChunkWork | None:
    """The chunk's rows, or None when it is done already or its job is no longer open."""
    with conn.transaction():
        found = conn.execute(
            "UPDATE batch_chunks c SET attempts = c.attempts + 1, claimed_at = now(),"
            " claimed_by = %s FROM batch_jobs j WHERE c.job_id = %s AND c.chunk = %s"
            " AND c.state = 'queued' AND j.id = c.job_id AND j.status IN ('queued', 'running')"
            " RETURNING j.include_deleted, c.attempts", (worker, job_id, chunk)).fetchone()
        if found is None:
            return None
        conn.execute("UPDATE batch_jobs SET status = 'running', started_at = now()"
                     " WHERE id = %s AND status = 'queued'", (job_id,))
    rows = conn.execute("SELECT row_number, criteria, duplicate_of FROM batch_rows"
                        " WHERE job_id = %s AND chunk = %s ORDER BY row_number",
                        (job_id, chunk)).fetchall()
    return ChunkWork(bool(found[0]), int(found[1]), [
        ChunkRow(int(r[0]), [RowCriterion.from_dict(c) for c in r[1]], r[2]) for r in rows])


def _lock_open_chunk(conn: Conn, job_id: uuid.UUID, chunk: int) -> bool:
    status = conn.execute("SELECT status FROM batch_jobs WHERE id = %s FOR UPDATE",
                          (job_id,)).fetchone()
    if status is None or status[0] not in OPEN:
        return False
    state = conn.execute("SELECT state FROM batch_chunks WHERE job_id = %s AND chunk = %s"
                         " FOR UPDATE", (job_id, chunk)).fetchone()
    return state is not None and state[0] == "queued"


def known_lookups(conn: Conn, job_id: uuid.UUID, keys: list[str]) -> set[str]:
    """Which of the lookups (``results.lookup_key``) the job has searched already."""
    found = conn.execute("SELECT key FROM batch_lookups WHERE job_id = %s AND key = ANY(%s)",
                         (job_id, keys)).fetchall()
    return {str(r[0]) for r in found}


Mark = tuple[str | None, str | None]


def earliest(marks: Iterable[Mark]) -> Mark:
    """The earliest of watermarks (commit time as ISO text, log position); unknown if any
    is unknown."""
    chosen: Mark | None = None
    for mark in marks:
        if mark[0] is None:
            return None, None
        if chosen is None or (datetime.fromisoformat(mark[0])
                              < datetime.fromisoformat(str(chosen[0]))):
            chosen = mark
    return chosen or (None, None)


@dataclass(frozen=True)
class NewLookup:
    """A lookup a chunk searched: its result and its CSV parts
    (``csv_parts.lookup_lines``)."""

    result: dict[str, Any]
    csv: list[Any]


def write_chunk(conn: Conn, job_id: uuid.UUID, chunk: int,
                lookups: Mapping[str, NewLookup], results: list[tuple[int, dict[str, Any]]],
                row_errors: int, registry_current_as_of: str | None,
                registry_lsn: str | None = None) -> bool:
    """Write a chunk's new lookups and its rows' results in one transaction; False when
    there was nothing to write (the chunk was written before, or the job was cancelled
    meanwhile). ``registry_current_as_of`` and ``registry_lsn`` are the watermark read
    before the chunk was searched; the chunk and its rows get the earliest watermark of
    the lookups they use (some may have been searched by earlier chunks). Whether the job
    is now complete is the caller's to ask (``completed``), in its own transaction."""
    with conn.transaction():
        if not _lock_open_chunk(conn, job_id, chunk):
            return False
        with conn.cursor() as cur:
            # chunks of a job are written one at a time (the job row is locked above)
            cur.executemany(
                "INSERT INTO batch_lookups (job_id, key, result, csv, registry_current_as_of,"
                " registry_lsn) VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (job_id, key) DO NOTHING",
                [(job_id, key, Json(lookups[key].result, dumps=orjson.dumps),
                  orjson.dumps(lookups[key].csv).decode("utf-8"), registry_current_as_of,
                  registry_lsn) for key in sorted(lookups)])
        used = sorted({key for _, result in results for key in lookup_refs(result)})
        marks: list[Mark] = [(registry_current_as_of, registry_lsn)]
        if used:
            marks += conn.execute(
                "SELECT DISTINCT registry_current_as_of, registry_lsn FROM batch_lookups"
                " WHERE job_id = %s AND key = ANY(%s)", (job_id, used)).fetchall()
        as_of, lsn = earliest(marks)
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO batch_results (job_id, row_number, result) VALUES (%s, %s, %s)"
                " ON CONFLICT (job_id, row_number) DO UPDATE SET result = EXCLUDED.result,"
                " written_at = now()",
                [(job_id, row, Jsonb({**result, "registry_current_as_of": as_of},
                                     dumps=orjson.dumps)) for row, result in results])
        conn.execute("UPDATE batch_chunks SET state = 'done', done_at = now(), row_errors = %s,"
                     " registry_current_as_of = %s, registry_lsn = %s, error = NULL"
                     " WHERE job_id = %s AND chunk = %s",
                     (row_errors, as_of, lsn, job_id, chunk))
    return True


def fail_chunk(conn: Conn, job_id: uuid.UUID, chunk: int, error: str) -> bool:
    """A chunk that cannot be done: its rows are reported as errors with the reference;
    False when there was nothing to mark (done before, or the job is no longer open)."""
    with conn.transaction():
        if not _lock_open_chunk(conn, job_id, chunk):
            return False
        conn.execute("UPDATE batch_chunks SET state = 'failed', done_at = now(), error = %s"
                     " WHERE job_id = %s AND chunk = %s", (error, job_id, chunk))
    return True


def searched_rows(conn: Conn, job_id: uuid.UUID) -> int:
    """How many rows the job's done chunks searched (what a batch is charged for)."""
    found = conn.execute("SELECT coalesce(sum(searched), 0) FROM batch_chunks"
                         " WHERE job_id = %s AND state = 'done'", (job_id,)).fetchone()
    return int(found[0]) if found else 0


def completed(conn: Conn, job_id: uuid.UUID) -> str | None:
    """The status the job is to close with once none of its chunks is queued ('failed'
    when one failed, else 'done'); None while chunks are queued."""
    found = conn.execute(
        "SELECT count(*) FILTER (WHERE state = 'queued'), count(*) FILTER (WHERE state ="
        " 'failed') FROM batch_chunks WHERE job_id = %s", (job_id,)).fetchone()
    if found is None or found[0]:
        return None
    return "failed" if found[1] else "done"


@dataclass(frozen=True)
class LockedJob:
    """A job, its row locked until the transaction ends."""

    caller: accounts.Caller
    client: str | None
    status: str


def lock_job_of(conn: Conn, job_id: uuid.UUID, account_id: int | None,
                any_account: bool = False) -> LockedJob:
    """The job of ``account_id`` (of any account with ``any_account``: a worker's) with the
    caller that submitted it, its row locked. Raises ``JobNotFoundError``."""
    found = conn.execute(
        "SELECT caller, client, status FROM batch_jobs WHERE id = %s"
        " AND (%s OR account_id = %s) FOR UPDATE",
        (job_id, any_account, account_id)).fetchone()
    if found is None:
        raise JobNotFoundError(str(job_id))
    return LockedJob(accounts.Caller(**found[0]), found[1], str(found[2]))


def close_job(conn: Conn, job_id: uuid.UUID, status: str, rows_charged: int,
              fee: accounts.Fee) -> bool:
    """Mark an open job finished with what it was charged; False when it was closed before
    (the transition from open happens once: the caller records the charge only on True)."""
    closed = conn.execute(
        "UPDATE batch_jobs SET status = %s, finished_at = now(), rows_charged = %s,"
        " fee_vnd = %s, free_ground = %s WHERE id = %s AND status IN ('queued', 'running')",
        (status, rows_charged, fee.amount_vnd, fee.free_ground, job_id))
    return closed.rowcount == 1


def purge_finished(conn: Conn, older_than_days: int) -> int:
    """Delete the batches finished more than ``older_than_days`` days ago, with their rows,
    chunks, lookups and results; how many. A batch with a certificate is kept: the
    certificate links to it. The usage ledger keeps its record."""
    with conn.transaction():
        deleted = conn.execute(
            "DELETE FROM batch_jobs j WHERE j.status IN ('done', 'failed', 'cancelled')"
            " AND j.finished_at < now() - make_interval(days => %s)"
            " AND NOT EXISTS (SELECT 1 FROM batch_certificates c WHERE c.job_id = j.id)",
            (older_than_days,))
        return deleted.rowcount


def republish_candidates(conn: Conn, stale_after_s: float, queue_empty: bool,
                         unpublished_after_s: float = 30.0) -> list[tuple[uuid.UUID, int]]:
    """Open chunks the broker may not hold: never published (the API stopped between
    storing the job and publishing), or, when the queue is empty, not published nor
    claimed for ``stale_after_s`` (the broker lost the message). Marked published now."""
    rows = conn.execute(
        "UPDATE batch_chunks c SET published_at = now() FROM batch_jobs j"
        " WHERE j.id = c.job_id AND j.status IN ('queued', 'running') AND c.state = 'queued'"
        " AND ((c.published_at IS NULL AND j.created_at < now() - make_interval(secs => %s))"
        " OR (%s AND greatest(c.published_at, c.claimed_at)"
        " < now() - make_interval(secs => %s)))"
        " RETURNING c.job_id, c.chunk",
        (unpublished_after_s, queue_empty, stale_after_s)).fetchall()
    return [(r[0], int(r[1])) for r in rows]
