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


def test_an_index_of_an_older_mapping_version_is_copied_afresh_at_start(
        fresh_registry: Any, es_client: Any, indexer: IndexerProcess) -> None:
    import mappings
    from indexer import state

    _seed_registry(30, seed=8)
    wait_until(lambda: _caught_up(fresh_registry, es_client), deadline_s=60, what="caught up")
    indexer.stop()
    current = state.load(es_client, fresh_registry.replication_slot)
    assert current is not None
    older = f"{fresh_registry.index_alias}-v1-older"
    es_client.options(ignore_status=404).indices.delete(index=older)
    es_client.indices.create(index=older)  # as a version-1 index would be: no packed values
    current.index = older
    state.save(es_client, current)
    indexer.start()
    prefix = f"{fresh_registry.index_alias}-v{mappings.REGISTRATIONS_VERSION}-"
    wait_until(lambda: _alias_target(es_client, fresh_registry.index_alias).startswith(prefix)
               and _caught_up(fresh_registry, es_client), deadline_s=60,
               what="a fresh copy behind the alias: " + indexer.log_text()[-1000:])
    es_client.indices.refresh(index=fresh_registry.index_alias)
    assert es_client.count(index=fresh_registry.index_alias)["count"] == 30
    assert "another mapping version" in indexer.log_text()
    es_client.options(ignore_status=404).indices.delete(index=older)


def _alias_target(es_client: Any, alias: str) -> str:
    found = es_client.options(ignore_status=404).indices.get_alias(name=alias)
    return next(iter(found.body), "") if found.meta.status == 200 else ""
