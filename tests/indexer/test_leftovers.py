"""What a crashed copy or rebuild leaves is found and removed; what a live one uses is not.

Against the real PostgreSQL and Elasticsearch: slots are real replication slots, locks
real session locks, indices real indices of the test alias.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.conftest import REPO, IndexerProcess, wait_until

pytestmark = pytest.mark.services

STAMP = "20261124000000"


def _create_slot(conn: psycopg.Connection[Any], name: str) -> None:
    conn.execute("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (name,))


def _slots(conn: psycopg.Connection[Any]) -> set[str]:
    return {str(row[0]) for row in conn.execute(
        "SELECT slot_name FROM pg_replication_slots WHERE database = current_database()")}


def _unrecorded_index(es_client: Any, alias: str, suffix: str) -> str:
    """An index as code before ``_meta.copy_slot`` made it."""
    import mappings

    name = mappings.registrations_index_name(alias, suffix)
    body = mappings.load("registrations", mappings.REGISTRATIONS_VERSION)
    es_client.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
    return name


@pytest.fixture()
def indexer_session(fresh_registry: Any) -> Iterator[psycopg.Connection[Any]]:
    """A registry connection holding the indexer's own lock, as the indexer does."""
    from indexer import locks

    with psycopg.connect(fresh_registry.pg_dsn, autocommit=True) as conn:
        assert locks.try_lock(conn, fresh_registry.replication_slot)
        yield conn


def test_leftovers_are_what_nothing_uses_and_no_live_copy_holds(
        fresh_registry: Any, es_client: Any, indexer_session: psycopg.Connection[Any]) -> None:
    from indexer import es, leftovers, locks, state

    settings = fresh_registry
    key, alias, conn = settings.replication_slot, settings.index_alias, indexer_session
    es.ensure_state_index(es_client)
    # In use: the alias target (the state names it and its slot), a pending handover.
    current = es.create_registrations_index(es_client, alias, key)
    _create_slot(conn, key)
    es.point_alias(es_client, alias, current)
    state.save(es_client, state.IndexerState(slot=key, index=current, stream_slot=key,
                                             snapshot_done=True))
    handover_slot = f"{key}_r{STAMP[:-1]}1"
    handover_index = es.create_registrations_index(es_client, alias, handover_slot)
    _create_slot(conn, handover_slot)
    state.request_handover(es_client, key, state.Handover(handover_slot, handover_index))
    # Left: a rebuild killed after saving its prepared state, the indexer's own copy
    # killed part-way (its slot is the indexer's name: the lock is this session's).
    crashed_slot = f"{key}_r{STAMP[:-1]}2"
    crashed_index = es.create_registrations_index(es_client, alias, crashed_slot)
    _create_slot(conn, crashed_slot)
    state.save(es_client, state.IndexerState(slot=crashed_slot, index=crashed_index,
                                             stream_slot=crashed_slot, snapshot_done=True))
    own_copy = es.create_registrations_index(es_client, alias, key)
    # Older code's index: reported, kept. Another slot's copy and another indexer's slot:
    # not this indexer's business.
    unrecorded = _unrecorded_index(es_client, alias, "20261124t000000000003")
    other_slot = f"other_{key}_r{STAMP}"
    _create_slot(conn, other_slot)
    others_copy = es.create_registrations_index(es_client, alias, f"{key}_backfill")
    # A rebuild copying now, in another session that holds its slot's lock.
    live_slot = f"{key}_r{STAMP[:-1]}4"
    live = psycopg.connect(settings.pg_dsn, autocommit=True)
    try:
        assert locks.try_lock(live, live_slot)
        live_index = es.create_registrations_index(es_client, alias, live_slot)
        _create_slot(conn, live_slot)

        found = leftovers.find(conn, es_client, key, alias)
        assert found == leftovers.Leftovers(
            indices=tuple(sorted((crashed_index, own_copy))), slots=(crashed_slot,),
            unrecorded=(unrecorded,))
    finally:
        live.close()
    # The live copy's process is gone: its lock went with its session.
    found = wait_until(lambda: f if live_slot in (f := leftovers.find(
        conn, es_client, key, alias)).slots else None, what="the lock released")
    assert found.slots == (crashed_slot, live_slot)
    assert set(found.indices) == {crashed_index, own_copy, live_index}

    leftovers.drop_slots(conn, es_client, found)
    leftovers.delete_indices(es_client, found.indices)
    try:
        assert _slots(conn) >= {key, handover_slot, other_slot}
        assert not _slots(conn) & {crashed_slot, live_slot}
        assert state.load(es_client, crashed_slot) is None
        assert state.load(es_client, key) is not None
        assert state.pending_handover(es_client, key) is not None
        left = set(es.registrations_indices(es_client, alias))
        assert left == {current, handover_index, unrecorded, others_copy}
        assert leftovers.find(conn, es_client, key, alias) == leftovers.Leftovers(
            (), (), (unrecorded,))
    finally:
        conn.execute("SELECT pg_drop_replication_slot(%s)", (other_slot,))


def _seed(count: int) -> None:
    from registry.db import connect
    from registry.loader import load_lines
    from registry.synthetic.generator import iter_registrations

    generated = iter_registrations(count=count, seed=23)
    lines = [json.dumps(next(generated), ensure_ascii=False) for _ in range(count)]
    with connect() as conn:
        report = load_lines(lines, conn, batch_size=500)
    assert report.rejected == 0, report.problems[:5]


def test_a_rebuild_killed_mid_copy_leaves_nothing_after_the_indexer_restarts(
        settings: Any, es_client: Any, indexer: IndexerProcess) -> None:
    """SIGKILL `index rebuild` once its slot exists (copying, or a little later: the
    outcome must be the same), restart the indexer: only the index behind the alias and
    the slot the indexer follows remain, and the index equals the registry."""
    from indexer import es, leftovers, locks, state
    from indexer.verify import verify
    from registry.db import connect

    key, alias = settings.replication_slot, settings.index_alias
    _seed(4000)
    wait_until(lambda: (s := state.load(es_client, key)) is not None and s.snapshot_done,
               deadline_s=60, what="first copy: " + indexer.log_text()[-2000:])
    rebuild = subprocess.Popen([sys.executable, "-m", "regsearch.cli", "index", "rebuild"],
                               cwd=REPO, env=dict(os.environ), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    with connect() as conn:
        try:
            rebuild_slot = wait_until(
                lambda: next((s for s in _slots(conn) if s.startswith(f"{key}_r")), None),
                deadline_s=60, interval_s=0.01, what="the rebuild's slot")
        finally:
            rebuild.send_signal(signal.SIGKILL)
            rebuild.wait(timeout=10)
        # PostgreSQL ends the killed process's sessions, and with them its lock.
        wait_until(lambda: not locks.held_elsewhere(conn, rebuild_slot), what="lock released")
        left_before = set(es.registrations_indices(es_client, alias))
        indexer.stop()
        indexer.start()

        def tidy() -> bool:
            current = state.load(es_client, key)
            slots = {s for s in _slots(conn) if s == key or s.startswith(f"{key}_r")}
            return (current is not None and slots == {current.stream_slot}
                    and set(es.registrations_indices(es_client, alias))
                    == {current.index} == {es.alias_target(es_client, alias)})

        wait_until(tidy, deadline_s=60, what="leftovers removed: " + indexer.log_text()[-3000:])
        assert len(left_before) >= 2  # the killed rebuild had made its index
        assert leftovers.find(conn, es_client, key, alias) == leftovers.Leftovers((), (), ())
    assert verify() == 0


def test_an_indexer_killed_in_its_first_copy_copies_again_and_leaves_nothing(
        settings: Any, es_client: Any, fresh_registry: Any, tmp_path: Any) -> None:
    """SIGKILL the indexer once its first copy's index exists: restarted, it copies
    again, deletes the half-made index and follows the registry exactly."""
    from indexer import es, leftovers, state
    from indexer.verify import verify
    from registry.db import connect

    key, alias = settings.replication_slot, settings.index_alias
    _seed(4000)
    indexer = IndexerProcess(tmp_path / "indexer.log")
    indexer.start()
    try:
        half_made = wait_until(lambda: set(es.registrations_indices(es_client, alias)),
                               deadline_s=60, interval_s=0.01, what="the copy's index")
        assert indexer.process is not None
        indexer.process.send_signal(signal.SIGKILL)
        indexer.process.wait(timeout=10)
        indexer.start()
        with connect() as conn:
            def tidy() -> bool:
                current = state.load(es_client, key)
                return (current is not None and current.snapshot_done
                        and set(es.registrations_indices(es_client, alias))
                        == {current.index} == {es.alias_target(es_client, alias)}
                        and leftovers.find(conn, es_client, key, alias)
                        == leftovers.Leftovers((), (), ()))

            wait_until(tidy, deadline_s=60, what="copied again: " + indexer.log_text()[-3000:])
        final = state.load(es_client, key)
        assert final is not None
        if final.index not in half_made:  # killed before the copy finished (the usual case)
            assert not half_made & set(es.registrations_indices(es_client, alias))
        assert verify() == 0
    finally:
        indexer.stop()
