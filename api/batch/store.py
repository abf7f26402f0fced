"""Batch jobs, rows, chunks and results in the search service's own database.

Every state change that must not be half-done is one transaction:

* submission: the job, all its rows and chunks (and the open-batch limit, under
  a lock on the account row, so two uploads cannot both pass it);
* a chunk's results: the job row is locked, a cancelled job writes nothing, the
  rows are upserted by (job, row), the chunk is marked done and, when it was the
  last one, the job is finished and its usage recorded in the ledger;
* cancellation: under the same lock, so a chunk finishing at that moment either
  lands before the cancellation or not at all.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import psycopg
from psycopg.types.json import Json, Jsonb, set_json_loads

import accounts
from api.batch.csv_parts import CSV_FORMAT, CsvLookup, FewValues
from api.batch.report import FileReport
from api.batch.results import expanded, lookup_refs
from api.batch.rows import Criterion
from regsearch.settings import Settings

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
               report: FileReport, include_deleted: bool) -> uuid.UUID:
    """Store the job with every row and chunk; raises ``OpenBatchesError`` over the limit."""
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
            " chunks_total, report) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'queued', %s, %s,"
            " %s, %s, %s, %s)",
            (job_id, caller.account_id, caller.user_id, Jsonb(dataclasses.asdict(caller)),
             client, file_name, report.format, include_deleted, report.total, report.valid,
             report.invalid, report.duplicates, report.chunks, Jsonb(report.file_part())))
        with conn.cursor() as cur, cur.copy(
                "COPY batch_rows (job_id, row_number, chunk, duplicate_of, criteria, problems,"
                " notes) FROM STDIN") as copy:
            for row in report.rows:
                copy.write_row((
                    str(job_id), row.row, row.chunk, row.duplicate_of,
                    json.dumps([c.as_dict() for c in row.criteria], ensure_ascii=False),
                    json.dumps([p.as_dict() for p in row.problems], ensure_ascii=False),
                    json.dumps([n.as_dict() for n in row.notes], ensure_ascii=False)))
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
    criteria: list[Criterion]
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
        ChunkRow(int(r[0]), [Criterion.from_dict(c) for c in r[1]], r[2]) for r in rows])


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
                row_errors: int, registry_current_as_of: str | None, settings: Settings,
                registry_lsn: str | None = None) -> bool:
    """Write a chunk's new lookups and its rows' results in one transaction; False when
    there was nothing to write (the chunk was written before, or the job was cancelled
    meanwhile). ``registry_current_as_of`` and ``registry_lsn`` are the watermark read
    before the chunk was searched; the chunk and its rows get the earliest watermark of
    the lookups they use (some may have been searched by earlier chunks)."""
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
        _finish_if_complete(conn, job_id, settings)
    return True


def fail_chunk(conn: Conn, job_id: uuid.UUID, chunk: int, error: str,
               settings: Settings) -> None:
    """A chunk that cannot be done: its rows are reported as errors with the reference."""
    with conn.transaction():
        if not _lock_open_chunk(conn, job_id, chunk):
            return
        conn.execute("UPDATE batch_chunks SET state = 'failed', done_at = now(), error = %s"
                     " WHERE job_id = %s AND chunk = %s", (error, job_id, chunk))
        _finish_if_complete(conn, job_id, settings)


def _searched_rows(conn: Conn, job_id: uuid.UUID) -> int:
    found = conn.execute("SELECT coalesce(sum(searched), 0) FROM batch_chunks"
                         " WHERE job_id = %s AND state = 'done'", (job_id,)).fetchone()
    return int(found[0]) if found else 0


def _finish_if_complete(conn: Conn, job_id: uuid.UUID, settings: Settings) -> None:
    found = conn.execute(
        "SELECT count(*) FILTER (WHERE state = 'queued'), count(*) FILTER (WHERE state ="
        " 'failed') FROM batch_chunks WHERE job_id = %s", (job_id,)).fetchone()
    if found is None or found[0]:
        return
    _close_job(conn, job_id, "failed" if found[1] else "done", settings)


def _close_job(conn: Conn, job_id: uuid.UUID, status: str, settings: Settings) -> None:
    """Finish the job and record what was searched in the usage ledger, with its fee."""
    found = conn.execute("SELECT caller, client FROM batch_jobs WHERE id = %s",
                         (job_id,)).fetchone()
    assert found is not None
    caller = accounts.Caller(**found[0])
    searched = _searched_rows(conn, job_id)
    fee = accounts.fee_for(caller, "batch", settings, rows=searched)
    accounts.record_usage(conn, caller, "batch", fee, reference=str(job_id), rows=searched,
                          client=found[1])
    conn.execute("UPDATE batch_jobs SET status = %s, finished_at = now(), rows_charged = %s,"
                 " fee_vnd = %s, free_ground = %s WHERE id = %s",
                 (status, searched, fee.amount_vnd, fee.free_ground, job_id))


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


# --- the API --------------------------------------------------------------------------


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


def cancel(conn: Conn, job_id: uuid.UUID, account_id: int | None, settings: Settings) -> str:
    """Cancel an open job (idempotent); raises ``JobFinishedError`` for a finished one."""
    with conn.transaction():
        found = conn.execute("SELECT status FROM batch_jobs WHERE id = %s AND account_id = %s"
                             " FOR UPDATE", (job_id, account_id)).fetchone()
        if found is None:
            raise JobNotFoundError(str(job_id))
        status = str(found[0])
        if status == "cancelled":
            return status
        if status not in OPEN:
            raise JobFinishedError(status)
        _close_job(conn, job_id, "cancelled", settings)
    return "cancelled"


@dataclass(frozen=True)
class StoredRow:
    """One input row with whatever is known about it, for the exports."""

    row: int
    criteria: list[Criterion]
    problems: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    duplicate_of: int | None
    chunk_state: str | None
    chunk_error: str | None
    result: dict[str, Any] | None
    #: ``iter_rows(csv_parts=True)``: the CSV parts of the lookups ``result`` refers to
    #: (the result is then not expanded).
    csv_lookups: Mapping[str, CsvLookup] = dataclasses.field(default_factory=dict)


class _LookupCache:
    """One job's lookups as read (results, or ``CsvLookup`` for the CSV export), least
    recently used dropped first; bounded by the number of matches held. Rows asking the
    same lookup get the same objects."""

    def __init__(self, max_matches: int) -> None:
        self.max_matches = max_matches
        self.held = 0
        self.entries: OrderedDict[str, tuple[Any, int]] = OrderedDict()

    def get(self, key: str) -> Any:
        found = self.entries.get(key)
        if found is None:
            return None
        self.entries.move_to_end(key)
        return found[0]

    def put(self, key: str, value: Any, weight: int) -> None:
        self.entries[key] = (value, weight)
        self.held += weight
        while self.held > self.max_matches and len(self.entries) > 1:
            _, (_, dropped) = self.entries.popitem(last=False)
            self.held -= dropped


#: Matches of parsed lookups ``iter_rows`` keeps for rows further on (about 1 KB each).
LOOKUP_CACHE_MATCHES = 200_000
_ROWS_PER_FETCH = 2000


def _lookups(conn: Conn, job_id: uuid.UUID, keys: set[str], cache: _LookupCache,
             csv_parts: bool) -> dict[str, Any]:
    """Each lookup's result, or with ``csv_parts`` its ``CsvLookup`` (rendered from the
    result when not stored in the current format)."""
    found: dict[str, Any] = {}
    missing = []
    for key in keys:
        value = cache.get(key)
        if value is None:
            missing.append(key)
        else:
            found[key] = value
    if not missing:
        return found
    if not csv_parts:
        for key, text in conn.execute(
                "SELECT key, result::text FROM batch_lookups WHERE job_id = %s"
                " AND key = ANY(%s)", (job_id, missing)):
            found[key] = orjson.loads(text)
            cache.put(key, found[key], _matches_of(found[key]))
        return found
    few = FewValues()
    for key, lines, result in conn.execute(
            "SELECT key, csv, CASE WHEN csv IS NULL OR NOT starts_with(csv, %s)"
            " THEN result::text END FROM batch_lookups WHERE job_id = %s AND key = ANY(%s)",
            (f"[{CSV_FORMAT},", job_id, missing)):
        parts = CsvLookup.of_stored(orjson.loads(lines)) if result is None else None
        found[key] = parts or CsvLookup.of_result(orjson.loads(result), few)
        cache.put(key, found[key], 1 + len(found[key].lines))
    return found


def _matches_of(result: dict[str, Any]) -> int:
    return 1 + sum(len(result.get(tier, {}).get("results", ())) for tier in ("exact", "close"))


def iter_rows(conn: Conn, job_id: uuid.UUID, csv_parts: bool = False,
              lookup_cache_matches: int = LOOKUP_CACHE_MATCHES) -> Iterator[StoredRow]:
    """Every row of the job in file order (a server-side cursor: any size), each result
    with its lookups' tiers in place; with ``csv_parts``, the result as stored and the
    CSV parts of its lookups (``StoredRow.csv_lookups``), for the CSV export."""
    cache = _LookupCache(lookup_cache_matches)
    with conn.transaction(), conn.cursor(name=f"batch_rows_{job_id.hex}") as cur:
        set_json_loads(orjson.loads, cur)  # results are big: decode them with orjson
        # Each row's result and chunk are looked up by their whole keys (correlated
        # subqueries): a join let the planner, with statistics taken before a big job's
        # rows arrived, pair every row with every result of the job (measured: 70 s for
        # 20,000 rows, and quadratic).
        cur.execute(
            "SELECT r.row_number, r.criteria, r.problems, r.notes, r.duplicate_of,"
            " (SELECT c.state FROM batch_chunks c WHERE c.job_id = r.job_id"
            "  AND c.chunk = r.chunk),"
            " (SELECT c.error FROM batch_chunks c WHERE c.job_id = r.job_id"
            "  AND c.chunk = r.chunk),"
            " (SELECT res.result FROM batch_results res WHERE res.job_id = r.job_id"
            "  AND res.row_number = r.row_number)"
            " FROM batch_rows r WHERE r.job_id = %s ORDER BY r.row_number", (job_id,))
        while batch := cur.fetchmany(_ROWS_PER_FETCH):
            keys = {key for r in batch if r[7] for key in lookup_refs(r[7])}
            lookups = _lookups(conn, job_id, keys, cache, csv_parts) if keys else {}
            for r in batch:
                criteria = [Criterion.from_dict(c) for c in r[1]]
                if csv_parts:
                    yield StoredRow(int(r[0]), criteria, r[2], r[3], r[4], r[5], r[6], r[7],
                                    lookups)
                else:
                    yield StoredRow(int(r[0]), criteria, r[2], r[3], r[4], r[5], r[6],
                                    expanded(r[7], lookups) if r[7] else None)


# --- certificates ---------------------------------------------------------------------


def lock_job(conn: Conn, job_id: uuid.UUID, account_id: int | None) -> str:
    """The job's status, its row locked until the transaction ends (one certificate at a
    time per job); raises ``JobNotFoundError`` for another account's or no job."""
    found = conn.execute("SELECT status FROM batch_jobs WHERE id = %s AND account_id = %s"
                         " FOR UPDATE", (job_id, account_id)).fetchone()
    if found is None:
        raise JobNotFoundError(str(job_id))
    return str(found[0])


def certificate_of(conn: Conn, job_id: uuid.UUID) -> str | None:
    """The number of the certificate issued for the job, if any."""
    found = conn.execute("SELECT number FROM batch_certificates WHERE job_id = %s",
                         (job_id,)).fetchone()
    return str(found[0]) if found else None


def link_certificate(conn: Conn, job_id: uuid.UUID, number: str) -> None:
    conn.execute("INSERT INTO batch_certificates (job_id, number) VALUES (%s, %s)",
                 (job_id, number))
    conn.execute("DELETE FROM batch_certificate_requests WHERE job_id = %s", (job_id,))


@dataclass(frozen=True)
class CertificateRequest:
    """A certificate a worker is to issue (``batch_certificate_requests``)."""

    job_id: uuid.UUID
    account_id: int
    client: str | None
    requested_at: datetime
    #: The log reference of the last attempt, when it failed for good.
    failure: str | None
    #: who asked (None: a request made before users existed)
    user_id: int | None = None


def request_certificate(conn: Conn, job_id: uuid.UUID, account_id: int | None,
                        client: str | None, user_id: int | None = None) -> bool:
    """Record that the job's certificate is to be issued by a worker; True when the task
    must be published (a new request, or one whose last attempt failed)."""
    row = conn.execute(
        "INSERT INTO batch_certificate_requests (job_id, account_id, client, user_id)"
        " VALUES (%s, %s, %s, %s) ON CONFLICT (job_id) DO UPDATE"
        " SET failure = NULL, failed_at = NULL, published_at = now(), client = excluded.client,"
        " user_id = excluded.user_id"
        " WHERE batch_certificate_requests.failure IS NOT NULL"
        " RETURNING job_id", (job_id, account_id, client, user_id)).fetchone()
    return row is not None


def certificate_request(conn: Conn, job_id: uuid.UUID) -> CertificateRequest | None:
    row = conn.execute("SELECT job_id, account_id, client, requested_at, failure, user_id"
                       " FROM batch_certificate_requests WHERE job_id = %s",
                       (job_id,)).fetchone()
    if row is None:
        return None
    return CertificateRequest(row[0], int(row[1]), row[2], row[3], row[4], row[5])


def certificate_failed(conn: Conn, job_id: uuid.UUID, reference: str) -> None:
    conn.execute("UPDATE batch_certificate_requests SET failure = %s, failed_at = now()"
                 " WHERE job_id = %s", (reference, job_id))


def stale_certificate_requests(conn: Conn, stale_after_s: float) -> list[uuid.UUID]:
    """Requests not done nor failed, published more than ``stale_after_s`` ago (the broker
    lost the task, or the API stopped before publishing it), and whose job no worker is
    issuing now (a worker holds the job row's lock while it issues). Marked published now."""
    rows = conn.execute(
        "UPDATE batch_certificate_requests r SET published_at = now()"
        " WHERE r.job_id IN (SELECT j.id FROM batch_jobs j JOIN batch_certificate_requests q"
        " ON q.job_id = j.id WHERE q.failure IS NULL"
        " AND q.published_at < now() - make_interval(secs => %s)"
        " FOR UPDATE OF j SKIP LOCKED)"
        " RETURNING r.job_id", (stale_after_s,)).fetchall()
    return [r[0] for r in rows]


@dataclass(frozen=True)
class Watermark:
    commit_time: datetime
    lsn: str | None


@dataclass(frozen=True)
class Watermarks:
    """The watermarks a job's done chunks were searched at."""

    earliest: Watermark
    latest: Watermark
    chunks: int
    unknown: int
    """Done chunks without a watermark (the index had not applied any commit yet)."""


def watermarks(conn: Conn, job_id: uuid.UUID) -> Watermarks | None:
    """Earliest and latest watermark of the job's done chunks; None when none has one."""
    found = conn.execute(
        "SELECT count(*) FILTER (WHERE registry_current_as_of IS NOT NULL),"
        " count(*) FILTER (WHERE registry_current_as_of IS NULL),"
        " (array_agg(registry_current_as_of ORDER BY registry_current_as_of, chunk)"
        "  FILTER (WHERE registry_current_as_of IS NOT NULL))[1],"
        " (array_agg(registry_lsn ORDER BY registry_current_as_of, chunk)"
        "  FILTER (WHERE registry_current_as_of IS NOT NULL))[1],"
        " (array_agg(registry_current_as_of ORDER BY registry_current_as_of DESC, chunk DESC)"
        "  FILTER (WHERE registry_current_as_of IS NOT NULL))[1],"
        " (array_agg(registry_lsn ORDER BY registry_current_as_of DESC, chunk DESC)"
        "  FILTER (WHERE registry_current_as_of IS NOT NULL))[1]"
        " FROM batch_chunks WHERE job_id = %s AND state = 'done'", (job_id,)).fetchone()
    if found is None or not found[0]:
        return None
    return Watermarks(Watermark(found[2], found[3]), Watermark(found[4], found[5]),
                      int(found[0]), int(found[1]))
