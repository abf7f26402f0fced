"""Shared fixtures. Service tests run against the real Elasticsearch, PostgreSQL and
Redis started by ``regsearch services up`` (``make test`` does that first)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import settings as hypothesis_settings

from tests import service_env

service_env.configure()

# The submission gate (.ci/run) draws the same examples on every run (derandomize), so
# that what passed here passes there; `make test` on a workstation draws new examples
# each run and remembers failing ones in .hypothesis/ (session 14's landing failed on a
# new draw that found a real bug, now a test of its own: see tests/benchmarks).
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("REGSEARCH_HYPOTHESIS_PROFILE", "default"))

T = TypeVar("T")
REPO = Path(__file__).resolve().parent.parent


def wait_until(probe: Callable[[], T | None], deadline_s: float = 20.0,
               interval_s: float = 0.05, what: str = "condition") -> T:
    """Poll ``probe`` until it returns something truthy; fail after the deadline."""
    deadline = time.monotonic() + deadline_s
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {deadline_s}s waiting for {what} (last: {last!r})")


@pytest.fixture(scope="session")
def settings() -> Any:
    from core.settings import get_settings

    return get_settings()


@pytest.fixture(scope="session")
def es_client(settings: Any) -> Iterator[Any]:
    from elasticsearch import Elasticsearch

    client = Elasticsearch(settings.es_url, request_timeout=30)
    yield client
    client.close()


def drop_slot(conn: Any, slot: str) -> None:
    """Drop a slot, ending the session that still holds it: a previous test's indexer
    exits before PostgreSQL has always noticed that its backend is gone."""
    import psycopg

    for _ in range(50):
        conn.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                     " WHERE slot_name = %s AND active_pid IS NOT NULL", (slot,))
        try:
            conn.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
            return
        except psycopg.errors.ObjectInUse:
            time.sleep(0.1)
        except psycopg.errors.UndefinedObject:
            return  # gone meanwhile (its indexer, just stopped, dropped it)
    raise RuntimeError(f"replication slot {slot} stays in use")


def recreate_databases(registry_db: str, *others: str) -> None:
    """``registry_db`` and ``others`` empty and new, and no replication slot left on the
    registry to hold WAL on the shared server."""
    import psycopg

    with psycopg.connect(os.environ["REGSEARCH_ADMIN_DSN"], autocommit=True) as conn:
        for (slot,) in conn.execute(
            "SELECT slot_name FROM pg_replication_slots WHERE database = %s", (registry_db,),
        ).fetchall():
            drop_slot(conn, slot)
        for db in (registry_db, *others):
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{db}"')


def _reset_registry(settings: Any) -> None:
    recreate_databases(service_env.TEST_DB, service_env.TEST_APP_DB)
    from registry.schema import ensure_schema

    ensure_schema()
    upgrade_app_database(os.environ["REGSEARCH_APP_DSN"])


@pytest.fixture(scope="session")
def app_database() -> str:
    """The service's own test database exists (accounts, ledger, certificates, batches)."""
    import psycopg

    with psycopg.connect(os.environ["REGSEARCH_ADMIN_DSN"], autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            (service_env.TEST_APP_DB,)).fetchone():
            conn.execute(f'CREATE DATABASE "{service_env.TEST_APP_DB}"')
    upgrade_app_database(os.environ["REGSEARCH_APP_DSN"])
    return service_env.TEST_APP_DB


def upgrade_app_database(dsn: str) -> None:
    """The schema as ``make test`` leaves it: ``regsearch db upgrade`` (the migrations)."""
    from migrations import runner

    runner.upgrade(dsn)


def _reset_index(es: Any, settings: Any) -> None:
    import mappings
    from indexer import state

    found = es.indices.get(index=f"{settings.index_alias}-v*", allow_no_indices=True)
    for name in found:
        es.options(ignore_status=404).indices.delete(index=name)
    if es.indices.exists(index=mappings.STATE_INDEX):
        # the indexer's state, and a rebuild's handover request and prepared state
        key = settings.replication_slot
        es.indices.refresh(index=mappings.STATE_INDEX)
        found = es.search(index=mappings.STATE_INDEX, size=1000, source=False)
        for hit in found["hits"]["hits"]:
            if hit["_id"] in (key, state.handover_id(key)) or hit["_id"].startswith(f"{key}_r"):
                es.options(ignore_status=404).delete(index=mappings.STATE_INDEX,
                                                     id=hit["_id"], refresh=True)


@pytest.fixture()
def fresh_registry(settings: Any, es_client: Any) -> Iterator[Any]:
    """An empty test registry database and no test index or indexer state."""
    _reset_registry(settings)
    _reset_index(es_client, settings)
    yield settings


class IndexerProcess:
    """The real ``regsearch indexer`` command, run as a child process."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "regsearch.cli", "indexer"],
            stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env=dict(os.environ))

    def stop(self, kill: bool = False) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        self.process.wait(timeout=20)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture()
def indexer(fresh_registry: Any, tmp_path: Path) -> Iterator[IndexerProcess]:
    proc = IndexerProcess(tmp_path / "indexer.log")
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture()
def api_client(indexer: IndexerProcess) -> Iterator[Any]:
    """The API (in process, real services) once the indexer has made the index ready."""
    from fastapi.testclient import TestClient

    from server.app import create_app

    with TestClient(create_app()) as client:
        wait_until(lambda: client.get("/readyz").status_code == 200, deadline_s=60,
                   what="indexer ready: " + indexer.log_text()[-2000:])
        yield client
