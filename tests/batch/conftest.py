"""Fixtures of the batch tests: one indexed corpus for the whole package, real workers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from fastapi.testclient import TestClient

from tests.batch import stack
from tests.conftest import wait_until

#: Registrations in the corpus every batch test searches.
CORPUS_SIZE = 8000
CORPUS_SEED = 20260107


@dataclass
class BatchStack:
    settings: Any
    es: Any
    client: TestClient
    corpus: list[dict[str, Any]]
    log_dir: Path
    workers: list[stack.Child] = field(default_factory=list)

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.settings.app_dsn, autocommit=True)

    def account(self, role: str = "customer", max_batch_rows: int = 100_000,
                max_open_batches: int = 5) -> str:
        """A new account's API key."""
        import accounts

        with self.connect() as conn:
            account_id = accounts.create_account(
                conn, f"Tài khoản thử {role}", role,  # type: ignore[arg-type]
                agency_kind="court" if role == "agency" else None,
                max_batch_rows=max_batch_rows, max_open_batches=max_open_batches)
            return accounts.issue_key(conn, account_id)

    def start_workers(self, *names: str, env: dict[str, str] | None = None
                      ) -> list[stack.Child]:
        """Workers with the stack's settings (and ``env`` on top)."""
        started = [stack.worker(self.log_dir, name, env) for name in names]
        self.workers += started
        stack.wait_ready(*started)
        return started

    def stop_workers(self) -> None:
        for child in self.workers:
            child.stop()
        self.workers = []

    def broker_idle(self) -> bool:
        """Nothing queued and nothing delivered but unacknowledged."""
        client = redis.Redis.from_url(self.settings.batch_broker_url)
        try:
            return client.llen(stack.QUEUE) == 0 and client.hlen("unacked") == 0
        finally:
            client.close()

    def run_to_end(self, file_name: str, data: bytes, worker: str
                   ) -> tuple[str, str, dict[str, Any]]:
        """A new customer's batch of ``data``, run to the end by a worker on an empty
        broker: (key, batch id, final status)."""
        self.stop_workers()
        redis.Redis.from_url(self.settings.batch_broker_url).flushdb()
        self.start_workers(worker)
        key = self.account()
        response = self.client.post("/v1/batches", headers={"x-api-key": key},
                                    files={"file": (file_name, data, "text/csv")})
        assert response.status_code == 202, response.text
        batch_id: str = response.json()["batch"]["id"]
        final = self.wait_finished(key, batch_id, deadline_s=180)
        self.stop_workers()
        return key, batch_id, final

    def wait_finished(self, key: str, batch_id: str, deadline_s: float = 240) -> dict[str, Any]:
        def finished() -> dict[str, Any] | None:
            body: dict[str, Any] = self.client.get(f"/v1/batches/{batch_id}",
                                                   headers={"x-api-key": key}).json()
            return body if body["status"] in ("done", "failed", "cancelled") else None

        logs = " | ".join(w.log_text()[-1500:] for w in self.workers)
        return wait_until(finished, deadline_s=deadline_s, interval_s=0.25,
                          what=f"batch {batch_id} finished; workers: {logs}")


@pytest.fixture(scope="package")
def batch_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BatchStack]:
    from elasticsearch import Elasticsearch

    from registry.synthetic.generator import iter_registrations
    from server.app import create_app

    settings = stack.settings()
    es = Elasticsearch(settings.es_url, request_timeout=60)
    log_dir = tmp_path_factory.mktemp("batch")
    stack.reset(es)
    corpus = list(iter_registrations(CORPUS_SIZE, CORPUS_SEED))
    stack.load(corpus)
    indexer = stack.indexer(log_dir)
    try:
        wait_until(lambda: stack.caught_up(es), deadline_s=180, interval_s=0.2,
                   what="batch corpus indexed: " + indexer.log_text()[-2000:])
        with TestClient(create_app(settings)) as client:
            found = BatchStack(settings, es, client, corpus, log_dir)
            try:
                yield found
            finally:
                found.stop_workers()
    finally:
        indexer.stop()
        stack.drop_slots()
        es.close()


@pytest.fixture()
def fresh_broker(batch_stack: BatchStack) -> Iterator[Callable[..., list[stack.Child]]]:
    """An empty broker; ``start(*names)`` starts workers, all stopped at the end."""
    batch_stack.stop_workers()
    redis.Redis.from_url(batch_stack.settings.batch_broker_url).flushdb()
    yield batch_stack.start_workers
    batch_stack.stop_workers()
