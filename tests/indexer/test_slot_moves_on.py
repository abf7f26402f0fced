"""A quiet registry in a busy cluster: the indexer acknowledges write-ahead log that holds
nothing for it, so its slot moves on and each poll decodes only what is new."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.conftest import IndexerProcess, wait_until
from tests.indexer.test_crash_recovery import _caught_up, _seed_registry

pytestmark = pytest.mark.services


def _confirmed(conn: psycopg.Connection[Any], slot: str) -> int:
    row = conn.execute(
        "SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots"
        " WHERE slot_name = %s", (slot,)).fetchone()
    assert row is not None
    return int(row[0])


def test_the_slot_moves_past_log_that_holds_no_registry_change(
        fresh_registry: Any, es_client: Any, indexer: IndexerProcess) -> None:
    from indexer import state

    _seed_registry(20, seed=7)
    wait_until(lambda: _caught_up(fresh_registry, es_client), deadline_s=60, what="caught up")
    stream_slot = state.load(es_client, fresh_registry.replication_slot).stream_slot  # type: ignore[union-attr]
    with psycopg.connect(fresh_registry.pg_dsn, autocommit=True) as conn:
        applied = _confirmed(conn, stream_slot)
        # write-ahead log that is not the registry's: another database of the cluster
        with psycopg.connect(fresh_registry.app_dsn, autocommit=True) as other:
            other.execute("CREATE TABLE IF NOT EXISTS wal_noise (x text)")
            for _ in range(20):
                other.execute("INSERT INTO wal_noise SELECT repeat('x', 1000)"
                              " FROM generate_series(1, 100)")
            other.execute("DROP TABLE wal_noise")
            row = other.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn").fetchone()
            assert row is not None
            noise_end = int(row[0])
        assert noise_end - applied > 1_000_000
        wait_until(lambda: _confirmed(conn, stream_slot) >= noise_end, deadline_s=30,
                   what="the slot acknowledged the other database's log")
    assert "Traceback" not in indexer.log_text()

