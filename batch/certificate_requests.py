"""What a batch certificate needs of the batch store: the job's lock, the link to its
certificate, the requests a worker is to issue, and the watermarks its chunks were searched
at."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from batch.store import Conn, JobNotFoundError
from certify.batch_snapshot import SearchedAt


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
class Watermarks:
    """The watermarks a job's done chunks were searched at."""

    earliest: SearchedAt
    latest: SearchedAt
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
    return Watermarks(SearchedAt(commit_time=found[2], lsn=found[3]),
                      SearchedAt(commit_time=found[4], lsn=found[5]),
                      int(found[0]), int(found[1]))
