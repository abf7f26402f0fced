"""The indexer never loses, duplicates or reorders a change, whatever dies.

Each test streams thousands of registrations, amendments and deletions through
the real registry while something fails, then checks with `index verify` that
the index equals the registry: every registration present, same content hash,
same status.
"""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest

from tests.conftest import IndexerProcess, wait_until

pytestmark = pytest.mark.services


def _generated(seed: int) -> Any:
    from registry.synthetic.generator import iter_registrations

    return iter_registrations(count=100_000, seed=seed)


def _seed_registry(count: int, seed: int) -> Any:
    import json

    from registry.db import connect
    from registry.loader import load_lines

    source = _generated(seed)
    lines = [json.dumps(next(source), ensure_ascii=False) for _ in range(count)]
    with connect() as conn:
        report = load_lines(lines, conn, batch_size=100)
    assert report.rejected == 0, report.problems[:5]
    return source


class Writer(threading.Thread):
    """The simulator in a thread: one transaction per change."""

    def __init__(self, source: Any, changes: int, rate: float | None, seed: int) -> None:
        super().__init__(daemon=True)
        self.source, self.changes, self.rate, self.seed = source, changes, rate, seed
        self.commits: list[Any] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        from registry.db import connect
        from registry.simulator import simulate

        try:
            with connect() as conn:
                simulate(conn, self.source, self.changes, rate_per_s=self.rate, seed=self.seed,
                         on_commit=self.commits.append)
        except BaseException as exc:  # reported by the test
            self.error = exc


def _caught_up(settings: Any, es_client: Any) -> bool:
    from indexer import state
    from indexer.lsn import lsn_to_int
    from registry.db import connect

    with connect() as conn:
        row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    current = state.load(es_client, settings.replication_slot)
    return bool(row and current and current.checked_upto_lsn_int >= lsn_to_int(str(row[0])))


def _assert_index_equals_registry(settings: Any, es_client: Any, indexer: IndexerProcess,
                                  writes: int) -> None:
    from indexer.verify import verify
    from registry.db import connect

    wait_until(lambda: _caught_up(settings, es_client), deadline_s=120,
               what="indexer caught up: " + indexer.log_text()[-2000:])
    assert verify() == 0
    with connect() as conn:
        row = conn.execute("SELECT count(*) FROM registrations").fetchone()
    assert row is not None and int(row[0]) > 0
    assert writes > 1000


def test_sigkill_at_random_points(fresh_registry: Any, es_client: Any,
                                  indexer: IndexerProcess) -> None:
    source = _seed_registry(300, seed=11)
    writer = Writer(source, changes=3000, rate=300, seed=12)
    writer.start()
    rng = random.Random(5)
    kills = 0
    while writer.is_alive():
        target = len(writer.commits) + rng.randint(50, 400)
        wait_until(lambda t=target: len(writer.commits) >= t or not writer.is_alive(),  # type: ignore[misc]
                   deadline_s=60, what="writes")
        indexer.stop(kill=True)  # SIGKILL: no chance to clean up
        kills += 1
        indexer.start()
    writer.join()
    assert writer.error is None, writer.error
    assert kills >= 5
    _assert_index_equals_registry(fresh_registry, es_client, indexer, len(writer.commits))


def test_elasticsearch_stopped_mid_stream(fresh_registry: Any, es_client: Any,
                                          indexer: IndexerProcess) -> None:
    from services import stack

    source = _seed_registry(200, seed=21)
    writer = Writer(source, changes=2500, rate=300, seed=22)
    writer.start()
    wait_until(lambda: len(writer.commits) >= 500, deadline_s=60, what="writes before outage")
    stack.stop_service("elasticsearch")
    try:
        resume_at = len(writer.commits) + 600
        wait_until(lambda: len(writer.commits) >= resume_at or not writer.is_alive(),
                   deadline_s=60, what="writes during the outage")
    finally:
        stack.up()
    writer.join()
    assert writer.error is None, writer.error
    _assert_index_equals_registry(fresh_registry, es_client, indexer, len(writer.commits))


def test_postgresql_restarted_mid_stream(fresh_registry: Any, es_client: Any,
                                         indexer: IndexerProcess) -> None:
    from services import stack

    source = _seed_registry(200, seed=31)
    first = Writer(source, changes=1000, rate=None, seed=32)
    first.run()
    assert first.error is None, first.error
    stack.stop_service("postgresql")
    stack.up()
    second = Writer(source, changes=1000, rate=None, seed=33)
    second.run()
    assert second.error is None, second.error
    _assert_index_equals_registry(fresh_registry, es_client, indexer,
                                  len(first.commits) + len(second.commits))
    assert "registry unavailable" in indexer.log_text()
