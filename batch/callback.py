"""A batch's client reference and completion callback (issue 24).

* **Client reference**: the bank's own reference for the whole batch
  (``core.client_reference``), given at submission, kept on the job, echoed in its status,
  on its line of the usage ledger, in its callback and on its certificate.
* **Callback**: an optional URL given at submission (``url_problem``: https outside
  development, no credentials, at most 2,000 characters). When the job closes (done,
  failed or cancelled) the transaction that closes it (``batch.closing``) writes a
  row in ``batch_callbacks`` holding the exact JSON body (``enqueue``); the webhook
  delivery loop (``core.webhooks``, ``regsearch watch deliver``: ``outbox``) POSTs it signed
  with the batch's own secret (shown once, in the submission's answer), retries it with
  back-off and marks it dead after the last try. The worker's chunk processing never
  waits for it, and a worker, a delivery process or the broker lost at any moment loses
  nothing: the row is in PostgreSQL with the job's closing.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import orjson

from batch import job_status
from batch.store import Conn
from core import webhooks
from core.settings import Settings

NOTIFY_CHANNEL = "regsearch_batch_callback"
EVENT = "batch.finished"


def allow_http(settings: Settings) -> bool:
    """Plain-http callbacks: as ``batch_callback_allow_http`` says, else in development."""
    if settings.batch_callback_allow_http is not None:
        return settings.batch_callback_allow_http
    return settings.env == "development"


def url_problem(url: str, settings: Settings) -> str | None:
    """The rule the URL breaks (``core.webhooks.url_problem``), or None."""
    return webhooks.url_problem(url, allow_http(settings))


@dataclass(frozen=True)
class Callback:
    """A callback asked for at submission: where, and the secret its body is signed with."""

    url: str
    secret: str

    @classmethod
    def new(cls, url: str) -> Callback:
        return cls(url, secrets.token_urlsafe(32))

    def shown(self) -> dict[str, str]:
        """What the submission answers (the only time the secret is shown)."""
        return {"url": self.url, "secret": self.secret,
                "signature_header": webhooks.SIGNATURE_HEADER}


def client_reference_of(conn: Conn, job_id: uuid.UUID) -> str | None:
    found = conn.execute("SELECT client_reference FROM batch_jobs WHERE id = %s",
                         (job_id,)).fetchone()
    return None if found is None else found[0]


def body_of(conn: Conn, job_id: uuid.UUID, settings: Settings) -> bytes:
    """The callback's JSON: the batch's id, status, counts, fee, client reference and
    links (absolute, under ``public_base_url``), in the words of the batch's status."""
    account = conn.execute("SELECT account_id FROM batch_jobs WHERE id = %s",
                           (job_id,)).fetchone()
    assert account is not None
    job = job_status.job_status(conn, job_id, account[0])
    fee = None if job.rows_charged is None or job.fee_vnd is None else {
        "rows_charged": job.rows_charged, "fee_vnd": job.fee_vnd,
        "free_ground": job.free_ground}
    return orjson.dumps({
        "type": EVENT,
        "batch": {
            "id": str(job.id), "status": job.status,
            "client_reference": client_reference_of(conn, job_id),
            "file_name": job.file_name,
            "rows": {"total": job.rows_total, "valid": job.rows_valid,
                     "invalid": job.rows_invalid, "duplicate": job.rows_duplicate,
                     "done": job.rows_done, "errors": job.row_errors},
            "fee": fee,
            "finished_at": None if job.finished_at is None else job.finished_at.isoformat(),
            "links": job_status.links(job.id, settings.public_base_url.rstrip("/")),
        },
    }, option=orjson.OPT_SORT_KEYS)


def enqueue(conn: Conn, job_id: uuid.UUID, settings: Settings) -> bool:
    """In the transaction that closes the job: its callback's delivery row, if it asked
    for one (and a ``NOTIFY`` that wakes the delivery loop at commit)."""
    found = conn.execute("SELECT callback_url FROM batch_jobs WHERE id = %s",
                         (job_id,)).fetchone()
    if found is None or found[0] is None:
        return False
    conn.execute("INSERT INTO batch_callbacks (job_id, body) VALUES (%s, %s)"
                 " ON CONFLICT (job_id) DO NOTHING", (job_id, body_of(conn, job_id, settings)))
    conn.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, str(job_id)))
    return True


def state_of(conn: Conn, job_id: uuid.UUID) -> dict[str, Any]:
    """What ``GET /v1/batches/{id}`` adds: the client reference and the callback's URL
    and delivery (``pending`` before the batch finishes)."""
    found = conn.execute(
        "SELECT j.client_reference, j.callback_url, c.state, c.attempts, c.last_error,"
        " c.delivered_at FROM batch_jobs j LEFT JOIN batch_callbacks c ON c.job_id = j.id"
        " WHERE j.id = %s", (job_id,)).fetchone()
    if found is None:
        return {}
    callback = None if found[1] is None else {
        "url": found[1], "state": found[2] or "waiting", "attempts": found[3] or 0,
        "last_error": found[4],
        "delivered_at": None if found[5] is None else found[5].isoformat()}
    return {"client_reference": found[0], "callback": callback}


def _next_due(conn: Conn) -> webhooks.Due | None:
    row = conn.execute(
        "SELECT c.job_id, c.attempts, j.callback_url, j.callback_secret, c.body"
        " FROM batch_callbacks c JOIN batch_jobs j ON j.id = c.job_id"
        " WHERE c.state = 'pending' AND c.next_at <= now()"
        " ORDER BY c.next_at LIMIT 1 FOR UPDATE OF c SKIP LOCKED").fetchone()
    if row is None:
        return None
    return webhooks.Due(row[0], int(row[1]), str(row[2]), str(row[3]), bytes(row[4]),
                        f"batch-{row[0]}")


def outbox(settings: Settings) -> webhooks.Outbox:
    """The batches' callbacks, for the webhook delivery loop (``core.webhooks.run``)."""
    return webhooks.Outbox(
        "batch_callbacks", "job_id", NOTIFY_CHANNEL,
        webhooks.Retry(settings.batch_callback_attempts, settings.batch_callback_backoff_s),
        _next_due, user_agent="regsearch-batch/1")

