"""The Celery app of the batch workers: one task per chunk, on the Redis broker.

What keeps every row when a worker dies (``docs/batch.md`` has the whole story):

* ``acks_late``: a chunk's message is acknowledged only after its results are
  committed, so a worker that dies mid-chunk never loses it;
* ``task_reject_on_worker_lost``: when a pool process is killed, its chunk goes
  back to the queue at once;
* ``worker_prefetch_multiplier = 1``: a worker holds no more chunks than it runs,
  so a dead worker strands at most its running chunks;
* the broker's ``visibility_timeout``: a chunk delivered to a worker that
  vanished altogether (SIGKILL, machine lost) is given to another worker after
  that many seconds; the workers look for such chunks every
  ``batch_restore_interval_s``;
* the recovery sweep (each worker, at start and then on the same interval):
  chunks PostgreSQL says are open but the broker may not hold (never published,
  or lost with the broker) are published again;
* a chunk done twice is written once: results are upserted by (job, row), and a
  chunk already done is skipped.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, NoReturn

import psycopg
import redis
from celery import Celery, bootsteps

from batch import certificate, certificate_requests, process, store
from certify.signer import load_signer
from certify.signing import SigningKey
from core import gc_tuning
from core.settings import Settings

log = logging.getLogger("regsearch.batch")

TASK_NAME = "regsearch.batch.process_chunk"
CERTIFICATE_TASK_NAME = "regsearch.batch.issue_certificate"
_RETRY_CAP_S = 60

_resources: dict[int, process.WorkerResources] = {}
_signing_keys: dict[int, SigningKey] = {}
_producers: dict[tuple[str, str], Celery] = {}


def broker_url(settings: Settings) -> str:
    return settings.batch_broker_url or settings.redis_url


def _worker_resources(settings: Settings) -> process.WorkerResources:
    """The pool process's clients, made on first use (after the fork)."""
    found = _resources.get(id(settings))
    if found is None:
        found = _resources[id(settings)] = process.WorkerResources.create(settings)
        gc_tuning.tune(settings)
    return found


def _retry(task: Any, exc: Exception) -> NoReturn:
    """Run the chunk again later (backoff up to a minute): a service is down."""
    countdown = min(_RETRY_CAP_S, 2 ** min(int(task.request.retries), 6))
    log.warning("chunk %s: %s; retry in %ss", task.request.args, exc, countdown)
    raise task.retry(exc=exc, countdown=countdown)


def _process_chunk(task: Any, job_id: str, chunk: int) -> str:
    """Run the chunk; retry while a service is down; record a chunk that cannot be done.
    No exception but a lasting failure to record that leaves here (its message would be
    acknowledged and the chunk left to the recovery sweep)."""
    settings: Settings = task.app.regsearch_settings
    try:
        return process.run_chunk(_worker_resources(settings), uuid.UUID(job_id), chunk)
    except Exception as exc:
        if process.is_transient(exc):
            _retry(task, exc)
        reference = uuid.uuid4().hex[:12]
        log.exception("chunk %s/%s failed, reference %s", job_id, chunk, reference)
    try:
        process.fail_chunk(_worker_resources(settings), uuid.UUID(job_id), chunk, reference)
    except Exception as exc:
        if process.is_transient(exc):
            _retry(task, exc)
        raise
    return "failed"


def _signing_key(settings: Settings) -> SigningKey:
    found = _signing_keys.get(id(settings))
    if found is None:
        found = _signing_keys[id(settings)] = load_signer(settings).key
    return found


def _issue_certificate(task: Any, job_id: str) -> str:
    """Issue a requested batch certificate; retry while a service is down; record an
    attempt that cannot be done (asking again tries again)."""
    settings: Settings = task.app.regsearch_settings
    try:
        number = certificate.issue_requested(_worker_resources(settings).pool, settings,
                                             _signing_key(settings), uuid.UUID(job_id))
        log.info("batch %s: certificate %s", job_id, number)
        return number or "none"
    except Exception as exc:
        if process.is_transient(exc):
            _retry(task, exc)
        reference = uuid.uuid4().hex[:12]
        log.exception("certificate of batch %s failed, reference %s", job_id, reference)
    try:
        certificate.record_failure(_worker_resources(settings).pool, uuid.UUID(job_id),
                                   reference)
    except Exception as exc:
        if process.is_transient(exc):
            _retry(task, exc)
        raise
    return "failed"


def publish_certificate(app: Celery, job_id: uuid.UUID) -> None:
    """Put a batch certificate's request on the queue."""
    app.tasks[CERTIFICATE_TASK_NAME].apply_async(args=[str(job_id)])


def publish(app: Celery, job_id: uuid.UUID, chunks: list[int]) -> None:
    """Put the chunks on the queue."""
    task = app.tasks[TASK_NAME]
    with app.producer_or_acquire() as producer:
        for chunk in chunks:
            task.apply_async(args=[str(job_id), chunk], producer=producer)


def sweep(app: Celery) -> int:
    """Publish again the open chunks and certificate requests the broker may have lost;
    how many."""
    settings: Settings = app.regsearch_settings
    stale_after = settings.batch_visibility_timeout_s + 2 * settings.batch_restore_interval_s
    client = redis.Redis.from_url(broker_url(settings), socket_timeout=5)
    try:
        queue_empty = client.llen(settings.batch_queue) == 0
    finally:
        client.close()
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        found = store.republish_candidates(conn, stale_after, queue_empty)
        requests = certificate_requests.stale_certificate_requests(conn, stale_after)
    by_job: dict[uuid.UUID, list[int]] = {}
    for job_id, chunk in found:
        by_job.setdefault(job_id, []).append(chunk)
    for job_id, chunks in by_job.items():
        log.warning("republishing %d chunks of batch %s", len(chunks), job_id)
        publish(app, job_id, chunks)
    for job_id in requests:
        log.warning("republishing the certificate request of batch %s", job_id)
        publish_certificate(app, job_id)
    return len(found) + len(requests)


def purge(app: Celery) -> int:
    """Delete the batches past their retention (``batch_retention_days``); how many."""
    settings: Settings = app.regsearch_settings
    if settings.batch_retention_days <= 0:
        return 0
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        deleted = store.purge_finished(conn, settings.batch_retention_days)
    if deleted:
        log.info("deleted %d batches finished over %d days ago", deleted,
                 settings.batch_retention_days)
    return deleted


def _purge_logged(app: Celery) -> None:
    try:
        purge(app)
    except Exception:  # the next round tries again
        log.exception("batch purge failed")


def _sweep_logged(app: Celery) -> None:
    try:
        sweep(app)
    except Exception:  # the next sweep tries again; the worker must go on
        log.exception("batch recovery sweep failed")


class RecoverySweep(bootsteps.StartStopStep):  # type: ignore[misc]
    """Runs ``sweep`` in the worker's main process at start and then periodically, and
    ``purge`` likewise on its own, longer interval."""

    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.timer_entries: list[Any] = []

    def start(self, worker: Any) -> None:
        app = worker.app
        settings: Settings = app.regsearch_settings
        _sweep_logged(app)
        _purge_logged(app)
        self.timer_entries = [
            worker.timer.call_repeatedly(settings.batch_restore_interval_s, _sweep_logged,
                                         (app,), priority=10),
            worker.timer.call_repeatedly(settings.batch_purge_interval_s, _purge_logged,
                                         (app,), priority=20)]

    def stop(self, worker: Any) -> None:
        for entry in self.timer_entries:
            entry.cancel()


def create_app(settings: Settings) -> Celery:
    url = broker_url(settings)
    app = Celery("regsearch_batch", broker=url, backend=url, set_as_current=False)
    app.conf.update(
        task_default_queue=settings.batch_queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        worker_concurrency=settings.batch_worker_concurrency,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": settings.batch_visibility_timeout_s,
            "unacked_restore_interval": settings.batch_restore_interval_s,
            "unacked_restore_throttle": 1,
        },
    )
    app.regsearch_settings = settings
    app.task(name=TASK_NAME, bind=True, acks_late=True, reject_on_worker_lost=True,
             ignore_result=True, max_retries=None)(_process_chunk)
    app.task(name=CERTIFICATE_TASK_NAME, bind=True, acks_late=True,
             reject_on_worker_lost=True, ignore_result=True,
             max_retries=None)(_issue_certificate)
    app.steps["worker"].add(RecoverySweep)
    return app


def producer_app(settings: Settings) -> Celery:
    """The app the API publishes with, one per broker and queue."""
    key = (broker_url(settings), settings.batch_queue)
    found = _producers.get(key)
    if found is None:
        found = _producers[key] = create_app(settings)
    return found
