"""A complete batch stack on the real services, with names of its own.

Its own registry and service databases, index alias, replication slot, Redis
database and queue, so these tests neither see nor disturb the other service
tests; the indexer and the Celery workers are real child processes.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import psycopg
import redis

from tests.conftest import REPO, drop_slot, recreate_databases, wait_until
from tests.service_env import TEST_REDIS_DB, named

REGISTRY_DB = named("regsearch_batch_test")
APP_DB = named("regsearch_app_batch_test")
ALIAS = named("test-batch-registrations", "-")
SLOT = named("test_batch_indexer")
QUEUE = named("test-regsearch-batch", "-")
REDIS_DB = TEST_REDIS_DB
#: Short enough that a chunk stranded by a killed worker comes back within the test.
VISIBILITY_TIMEOUT_S = 8
CHUNK_ROWS = 100
ROW_FEE_VND = 100


def _server(dsn: str) -> str:
    return dsn.rsplit("/", 1)[0]


def environment() -> dict[str, str]:
    """The settings of this stack, as ``REGSEARCH_*`` variables."""
    server = _server(os.environ["REGSEARCH_PG_DSN"])
    redis_base = os.environ.get("REGSEARCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    return {
        "REGSEARCH_PG_DSN": f"{server}/{REGISTRY_DB}",
        "REGSEARCH_APP_DSN": f"{server}/{APP_DB}",
        "REGSEARCH_INDEX_ALIAS": ALIAS,
        "REGSEARCH_REPLICATION_SLOT": SLOT,
        "REGSEARCH_BATCH_BROKER_URL": f"{redis_base.rsplit('/', 1)[0]}/{REDIS_DB}",
        "REGSEARCH_BATCH_QUEUE": QUEUE,
        "REGSEARCH_BATCH_CHUNK_ROWS": str(CHUNK_ROWS),
        "REGSEARCH_BATCH_VISIBILITY_TIMEOUT_S": str(VISIBILITY_TIMEOUT_S),
        "REGSEARCH_BATCH_RESTORE_INTERVAL_S": "1",
        "REGSEARCH_BATCH_ROW_FEE_VND": str(ROW_FEE_VND),
    }


def settings() -> Any:
    from core.settings import Settings

    overrides: dict[str, Any] = {key.removeprefix("REGSEARCH_").lower(): value
                                 for key, value in environment().items()}
    return Settings(**overrides)


def child_env() -> dict[str, str]:
    return {**os.environ, **environment()}


def drop_slots() -> None:
    """No replication slot of this stack is left to hold WAL on the shared server."""
    with psycopg.connect(os.environ["REGSEARCH_ADMIN_DSN"], autocommit=True) as conn:
        for (slot,) in conn.execute("SELECT slot_name FROM pg_replication_slots"
                                    " WHERE database = %s", (REGISTRY_DB,)).fetchall():
            # a previous run's indexer may still hold it for a moment
            drop_slot(conn, slot)


def reset(es: Any) -> None:
    """Empty databases, no index, no indexer state, an empty broker database."""
    import mappings
    from registry.schema import ensure_schema

    stack = settings()
    recreate_databases(REGISTRY_DB, APP_DB)
    with psycopg.connect(stack.pg_dsn) as conn:
        ensure_schema(conn)
        conn.commit()
    from migrations import runner

    runner.upgrade(stack.app_dsn)
    for name in es.indices.get(index=f"{ALIAS}-v*", allow_no_indices=True):
        es.options(ignore_status=404).indices.delete(index=name)
    if es.indices.exists(index=mappings.STATE_INDEX):
        es.options(ignore_status=404).delete(index=mappings.STATE_INDEX, id=SLOT, refresh=True)
    redis.Redis.from_url(stack.batch_broker_url).flushdb()


def load(registrations: Iterable[dict[str, Any]]) -> None:
    from registry.loader import load_lines

    lines = [json.dumps(r, ensure_ascii=False) for r in registrations]
    with psycopg.connect(settings().pg_dsn) as conn:
        report = load_lines(lines, conn, batch_size=500)
    assert report.rejected == 0, report.problems[:5]


def caught_up(es: Any) -> bool:
    from indexer import state
    from indexer.lsn import lsn_to_int

    with psycopg.connect(settings().pg_dsn) as conn:
        row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    current = state.load(es, SLOT)
    return bool(row and current and current.snapshot_done
                and current.checked_upto_lsn_int >= lsn_to_int(str(row[0])))


class Child:
    """A child process in its own process group, logging to a file."""

    def __init__(self, args: list[str], log_path: Path, env: dict[str, str] | None = None
                 ) -> None:
        self.args, self.log_path, self.env = args, log_path, env or {}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Child:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT,
                                            cwd=REPO, env={**child_env(), **self.env},
                                            start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill_group(self) -> None:
        """SIGKILL the process and every process it started (a worker and its pool)."""
        if self.alive():
            os.killpg(self.pid, signal.SIGKILL)
            assert self.process is not None
            self.process.wait(timeout=20)

    def stop(self) -> None:
        if not self.alive():
            return
        assert self.process is not None
        os.killpg(self.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill_group()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def indexer(log_dir: Path) -> Child:
    return Child([sys.executable, "-m", "regsearch.cli", "indexer"],
                 log_dir / "indexer.log").start()


def worker(log_dir: Path, name: str, env: dict[str, str] | None = None) -> Child:
    celery = str(Path(sys.executable).parent / "celery")
    return Child([celery, "-A", "batch.worker", "worker", "--concurrency", "1",
                  "--loglevel", "INFO", "--hostname", f"{name}@%h", "--without-gossip",
                  "--without-mingle", "--without-heartbeat", "-Q", QUEUE],
                 log_dir / f"{name}.log", env).start()


def pool_pids(parent: int) -> list[int]:
    """The pool processes a worker started (its children)."""
    found = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True,
                           check=False)
    return [int(pid) for pid in found.stdout.split()]


def worker_ready(child: Child) -> bool:
    return "ready." in child.log_text()


def wait_ready(*children: Child) -> None:
    for child in children:
        wait_until(lambda c=child: worker_ready(c), deadline_s=60,  # type: ignore[misc]
                   what=f"celery worker ready: {child.log_text()[-2000:]}")


def _pid(claimed_by: str) -> int:
    return int(claimed_by.rsplit(":", 1)[1])


def _in_transaction(conn: psycopg.Connection[Any], pid: int) -> bool:
    found = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
        " AND state <> 'idle'", (f"regsearch-batch {socket.gethostname()}:{pid}",)).fetchone()
    return bool(found and found[0])


def kill_mid_chunk(conn: psycopg.Connection[Any], batch_id: str,
                   victims: Callable[[], set[int]],
                   signal_victim: Callable[[int, int], None]) -> int:
    """SIGKILL a worker process that has claimed a chunk and not begun writing it.

    The process is frozen (SIGSTOP) first, so that what is checked stays true: the
    chunk is claimed by it and still open, and its database session is idle, so
    no write of that chunk can land after the kill."""
    def claimed() -> tuple[int, int] | None:
        pids = victims()
        for chunk, claimed_by in conn.execute(
                "SELECT chunk, claimed_by FROM batch_chunks WHERE job_id = %s"
                " AND state = 'queued' AND claimed_by IS NOT NULL", (batch_id,)).fetchall():
            if _pid(claimed_by) in pids:
                return int(chunk), _pid(claimed_by)
        return None

    for _ in range(50):
        chunk, pid = wait_until(claimed, deadline_s=60, interval_s=0.02,
                                what="a chunk running on the victim")
        signal_victim(pid, signal.SIGSTOP)
        state = conn.execute("SELECT state, claimed_by FROM batch_chunks WHERE job_id = %s"
                             " AND chunk = %s", (batch_id, chunk)).fetchone()
        if (not _in_transaction(conn, pid) and state is not None and state[0] == "queued"
                and _pid(state[1]) == pid):
            signal_victim(pid, signal.SIGKILL)
            return chunk
        signal_victim(pid, signal.SIGCONT)
    raise AssertionError("no chunk could be caught mid-way")
