"""Copying the registry afresh: when the indexer must (``copy_reason``) and how
(``copy_snapshot``, an exported snapshot of a new slot copied into a new index).

The follower (``indexer.runner``) and the rebuild (``indexer.rebuild``) both start here.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import psycopg
from elasticsearch import Elasticsearch

import mappings
from core.settings import Settings
from indexer import built_by, copy_builders, deadletters, es, slot, source, state
from indexer.locks import try_lock
from indexer.lsn import lsn_to_int
from indexer.writer import Rejected, Write, write_all

log = logging.getLogger("regsearch.indexer")

#: Bulk requests the snapshot copy keeps in flight when builder processes build for it.
COPY_BULK_IN_FLIGHT = 3


def copy_reason(current: state.IndexerState | None, *, slot_exists: bool, index_exists: bool,
                code: str | None = None) -> str | None:
    """Why the indexer must copy the registry afresh at start (None: it can stream on).
    ``code``: the fingerprint of the code running here (default: ``built_by.this_code``)."""
    if current is None:
        return "first start"
    if not current.snapshot_done:
        return "the last copy did not finish"
    if not slot_exists:
        return f"replication slot {current.stream_slot} is gone"
    if not index_exists:
        return f"index {current.index} is gone"
    if f"-v{mappings.REGISTRATIONS_VERSION}-" not in current.index:
        # built by an older version: searches cannot use it
        return (f"index {current.index} has another mapping version than "
                f"v{mappings.REGISTRATIONS_VERSION}")
    code = built_by.this_code() if code is None else code
    if current.documents_built_by != code:
        # its candidate keys may not be the ones this code computes for a query
        return (f"the documents of index {current.index} were built by other normaliser or "
                f"document code ({current.documents_built_by or 'not recorded'}; this code: "
                f"{code})")
    return None



def copy_snapshot(conn: psycopg.Connection[Any], client: Elasticsearch, settings: Settings,
                  key: str, slot_name: str) -> state.IndexerState:
    """Create ``slot_name`` with an exported snapshot and copy the registry as of it into a
    new index. Documents carry the slot's consistent point as their version; every change
    after it is in the slot. Returns the state of a follower of that slot and index.

    The copy takes the session lock of ``slot_name`` on ``conn`` and leaves it held: while
    ``conn`` is open, the new index and slot are in use (``indexer.leftovers``)."""
    if not try_lock(conn, slot_name):
        raise RuntimeError(f"another process is copying the registry for slot {slot_name}")
    index = es.create_registrations_index(client, settings.index_alias, slot_name)
    # While copying: no refreshes, and the translog synced in the background; a crash
    # during the copy starts the copy again, so nothing relies on the unsynced tail.
    client.indices.put_settings(index=index, settings={
        "refresh_interval": "-1", "translog.durability": "async"})
    started = time.monotonic()
    copied = 0
    rejected = 0
    with slot.create_with_snapshot(settings.pg_dsn, slot_name) as exported, \
            psycopg.connect(settings.pg_dsn, autocommit=True) as reader:
        version = lsn_to_int(exported.consistent_point)
        # Every registry commit up to this moment is in the snapshot.
        snapshot_taken_at = datetime.now(UTC)
        reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        reader.execute(f"SET TRANSACTION SNAPSHOT '{exported.snapshot_name}'")
        source.prepare_session(reader)

        def settle(done: Future[list[Rejected]]) -> None:
            nonlocal rejected
            for item in done.result():
                rejected += 1
                log.error("dead letter: registration %s: %s", item.write.doc_id, item.error)
                deadletters.record(conn, int(item.write.doc_id), exported.consistent_point,
                                   item.error, item.write.document_dict())

        found = reader.execute("SELECT count(*) FROM registrations").fetchone()
        parallel = found is not None and int(found[0]) >= settings.copy_parallel_from
        processes = settings.copy_build_processes if parallel else 0
        # Worker processes build the next batches while Elasticsearch takes earlier ones;
        # with builders elsewhere, three bulk requests at a time keep both its write
        # threads busy: with two, a write thread waited for the next request (the machine
        # was 9% idle; three copied 2-5% faster in alternating runs). The copy writes each
        # document once, so their order is free.
        senders = COPY_BULK_IN_FLIGHT if processes else 1
        with ThreadPoolExecutor(max_workers=senders) as sender:
            in_flight: deque[Future[list[Rejected]]] = deque()
            for batch in copy_builders.built_batches(source.iter_raw(reader),
                                                     exported.consistent_point, processes):
                writes = [Write(str(reg_id), version, document) for reg_id, document in batch]
                if len(in_flight) >= senders:
                    settle(in_flight.popleft())
                in_flight.append(sender.submit(write_all, client, index, writes))
                copied += len(batch)
            while in_flight:
                settle(in_flight.popleft())
        reader.execute("COMMIT")
        consistent_point = exported.consistent_point
    client.indices.put_settings(index=index, settings={
        "refresh_interval": settings.index_refresh_interval, "translog.durability": "request"})
    client.indices.refresh(index=index)
    client.indices.flush(index=index)
    elapsed = time.monotonic() - started
    log.info("snapshot: %d registrations in %.1fs (%.0f/s) into %s", copied, elapsed,
             copied / elapsed if elapsed else 0.0, index)
    return state.IndexerState(
        slot=key, index=index, stream_slot=slot_name, snapshot_done=True,
        applied_lsn=consistent_point, applied_commit_time=snapshot_taken_at,
        checked_upto_lsn=consistent_point,
        checked_upto_lsn_int=lsn_to_int(consistent_point), checked_at=datetime.now(UTC),
        dead_letters=rejected, documents_built_by=built_by.this_code(),
    )
