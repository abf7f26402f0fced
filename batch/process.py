"""Run one chunk: claim it, search its rows with one multi-search, write its results.

Nothing here is Celery's: the task in ``batch.tasks`` calls ``run_chunk``
and decides what to do with the exceptions ``is_transient`` names (retry later).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from typing import Literal

import psycopg
import psycopg_pool
import redis
from elasticsearch import ApiError, Elasticsearch, TransportError

from batch import closing, store
from batch.csv_parts import FewValues, lookup_lines
from batch.results import lookup_key, lookup_of, lookup_result, row_result
from core import elastic
from core.settings import Settings
from freshness import guarantee, watermark
from freshness.errors import FreshnessError
from migrations import runner
from query.multi import Lookup, search_many
from query.search import SearchOutcome

log = logging.getLogger("regsearch.batch")

ChunkOutcome = Literal["done", "skipped"]


@dataclass
class WorkerResources:
    """A worker process's own clients (created in the process that uses them)."""

    settings: Settings
    es: Elasticsearch
    pool: psycopg_pool.ConnectionPool

    @classmethod
    def create(cls, settings: Settings) -> WorkerResources:
        pool = psycopg_pool.ConnectionPool(
            settings.app_dsn, min_size=1, max_size=2, open=True, timeout=10,
            kwargs={"autocommit": True, "application_name": f"regsearch-batch {worker_name()}"})
        try:
            with pool.connection() as conn:
                runner.check(conn)  # the tables exist: `regsearch db upgrade` made them
        except Exception:
            pool.close()
            raise
        return cls(settings, elastic.client(settings.es_url, request_timeout=60, max_retries=0),
                   pool)

    def close(self) -> None:
        self.pool.close()
        self.es.close()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def is_transient(exc: BaseException) -> bool:
    """A failure that passes by itself: a service down or overloaded."""
    if isinstance(exc, ApiError):
        return exc.status_code in (429, 500, 502, 503, 504)
    return isinstance(exc, TransportError | FreshnessError | psycopg.OperationalError
                      | psycopg_pool.PoolTimeout | redis.RedisError | TimeoutError)


def _search(resources: WorkerResources, lookups: list[Lookup], include_deleted: bool
            ) -> tuple[dict[Lookup, SearchOutcome], dict[Lookup, str]]:
    """Every lookup's outcome; a lookup whose search fails for a reason that will not pass
    is answered by an error reference instead, so it cannot fail the others."""
    settings = resources.settings

    def many(group: list[Lookup]) -> dict[Lookup, SearchOutcome]:
        return search_many(resources.es, settings.index_alias, group,
                           include_deleted=include_deleted,
                           close_cap=settings.close_tier_cap).outcomes

    try:
        return many(lookups), {}
    except Exception as exc:
        if is_transient(exc):
            raise
    outcomes: dict[Lookup, SearchOutcome] = {}
    failed: dict[Lookup, str] = {}
    for lookup in dict.fromkeys(lookups):
        try:
            outcomes.update(many([lookup]))
        except Exception as exc:
            if is_transient(exc):
                raise
            failed[lookup] = uuid.uuid4().hex[:12]
            log.exception("batch lookup failed, reference %s", failed[lookup])
    return outcomes, failed


def run_chunk(resources: WorkerResources, job_id: uuid.UUID, chunk: int) -> ChunkOutcome:
    """Search the chunk's lookups the job has not searched yet and write the new lookups
    with the rows' results in one transaction."""
    with resources.pool.connection() as conn:
        work = store.claim_chunk(conn, job_id, chunk, worker_name())
        if work is None:
            return "skipped"
        keys = {lookup: lookup_key(lookup) for row in work.rows for lookup in map(
            lookup_of, row.criteria)}
        known = store.known_lookups(conn, job_id, list(keys.values())) if keys else set()
    mark, current = watermark.read(resources.es, resources.settings)
    # a batch's results can be certified: wait (retry) while other code's keys are indexed
    guarantee.require_keys_of_this_code(current)
    todo = [lookup for lookup, key in keys.items() if key not in known]
    outcomes, failed = _search(resources, todo, work.include_deleted)
    few = FewValues()
    lookups = {}
    for lookup, outcome in outcomes.items():
        result = lookup_result(outcome)
        lookups[keys[lookup]] = store.NewLookup(result, lookup_lines(result, few))
    results = [(row.row, row_result(row.criteria, failed, row.duplicate_of))
               for row in work.rows]
    errors = sum(1 for _, result in results if result["error"])
    with resources.pool.connection() as conn:
        closing.write_chunk(conn, job_id, chunk, lookups, results, errors,
                          mark.registry_current_as_of, resources.settings,
                          registry_lsn=mark.applied_lsn if mark.registry_current_as_of else None)
    return "done"


def fail_chunk(resources: WorkerResources, job_id: uuid.UUID, chunk: int, reference: str) -> None:
    with resources.pool.connection() as conn:
        closing.fail_chunk(conn, job_id, chunk, reference, resources.settings)
