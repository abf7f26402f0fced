"""The indexer's main loop: snapshot once, then follow the change stream.

Order of work in every round, which is what makes a crash at any point safe:
read the registry's current position ``upto``; read (peek) whole transactions
committed up to it; rebuild every touched registration from the registry and
write it versioned by its commit LSN; refresh; save the watermark; only then
acknowledge the slot. A crash before the acknowledgement replays the round,
and the external versions make the replay a no-op.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

import psycopg
from elasticsearch import Elasticsearch

from indexer import deadletters, documents, es, slot, source, state
from indexer.lsn import int_to_lsn, lsn_to_int
from indexer.pgoutput import Decoder, Transaction
from indexer.writer import Write, write_all
from regsearch.settings import Settings, get_settings

log = logging.getLogger("regsearch.indexer")

_LOCK_KEY = 0x7265677365617263  # "regsearc": one indexer per slot at a time
_HEARTBEAT_S = 1.0


class Follower:
    def __init__(self, conn: psycopg.Connection[Any], client: Elasticsearch,
                 settings: Settings) -> None:
        self.conn = conn
        self.es = client
        self.settings = settings
        self.slot = settings.replication_slot
        self.state: state.IndexerState | None = None
        self._last_save = 0.0

    # --- start-up ------------------------------------------------------------
    def prepare(self) -> state.IndexerState:
        got = self.conn.execute(
            "SELECT pg_try_advisory_lock(%s, hashtext(%s))", (_LOCK_KEY >> 32, self.slot)
        ).fetchone()
        if not got or not got[0]:
            raise RuntimeError(f"another indexer is already following slot {self.slot}")
        source.prepare_session(self.conn)
        slot.ensure_publication(self.conn)
        deadletters.ensure_table(self.conn)
        es.ensure_state_index(self.es)
        current = state.load(self.es, self.slot)
        if (
            current is None
            or not current.snapshot_done
            or not slot.slot_exists(self.conn, self.slot)
            or not self.es.indices.exists(index=current.index)
        ):
            current = self.initial_copy()
        self.state = current
        return current

    def initial_copy(self) -> state.IndexerState:
        """Copy the registry in the slot's exported snapshot into a new index."""
        slot.drop_slot(self.conn, self.slot)
        index = es.create_registrations_index(self.es, self.settings.index_alias)
        self.es.indices.put_settings(index=index, settings={"refresh_interval": "-1"})
        started = time.monotonic()
        copied = 0
        with slot.create_with_snapshot(self.settings.pg_dsn, self.slot) as exported, \
                psycopg.connect(self.settings.pg_dsn) as reader:
            version = lsn_to_int(exported.consistent_point)
            reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            reader.execute(f"SET TRANSACTION SNAPSHOT '{exported.snapshot_name}'")
            source.prepare_session(reader)
            for batch in source.iter_all(reader):
                writes = [
                    Write(str(reg_id), version, documents.build(reg_id, reg,
                                                                exported.consistent_point))
                    for reg_id, reg in batch
                ]
                self._dead_letters(write_all(self.es, index, writes), exported.consistent_point)
                copied += len(batch)
            reader.rollback()
            consistent_point = exported.consistent_point
        self.es.indices.put_settings(index=index, settings={"refresh_interval": "1s"})
        self.es.indices.refresh(index=index)
        old = es.alias_target(self.es, self.settings.index_alias)
        es.point_alias(self.es, self.settings.index_alias, index)
        if old and old != index:
            self.es.indices.delete(index=old)
        log.info("snapshot: %d registrations in %.1fs into %s", copied,
                 time.monotonic() - started, index)
        new_state = state.IndexerState(
            slot=self.slot, index=index, snapshot_done=True,
            applied_lsn=consistent_point, checked_upto_lsn=consistent_point,
            checked_upto_lsn_int=lsn_to_int(consistent_point), checked_at=datetime.now(UTC),
        )
        state.save(self.es, new_state)
        return new_state

    # --- streaming -----------------------------------------------------------
    def step(self) -> int:
        """One round; returns the number of transactions applied."""
        assert self.state is not None
        upto = slot.current_lsn(self.conn)
        messages = slot.peek(self.conn, self.slot, upto, self.settings.cdc_batch_changes)
        transactions = Decoder().feed(messages)
        if transactions:
            self.apply(transactions)
        drained = len(messages) < self.settings.cdc_batch_changes
        now = time.monotonic()
        moved = drained and upto != self.state.checked_upto_lsn
        if drained:
            self.state.checked_upto_lsn = upto
            self.state.checked_upto_lsn_int = lsn_to_int(upto)
            self.state.checked_at = datetime.now(UTC)
        if transactions or moved or now - self._last_save >= _HEARTBEAT_S:
            state.save(self.es, self.state)
            self._last_save = now
        if transactions:
            slot.advance(self.conn, self.slot, int_to_lsn(transactions[-1].end_lsn))
        return len(transactions)

    def apply(self, transactions: list[Transaction]) -> None:
        assert self.state is not None
        newest: dict[int, int] = {}
        for txn in transactions:
            for reg_id in txn.registration_ids:
                newest[reg_id] = max(newest.get(reg_id, 0), txn.commit_lsn)
            if txn.truncated_tables:
                deadletters.record(
                    self.conn, None, int_to_lsn(txn.commit_lsn),
                    f"TRUNCATE of {', '.join(txn.truncated_tables)}: run `regsearch index "
                    "verify --repair`", None,
                )
        current = source.fetch_by_ids(self.conn, sorted(newest))
        writes = [
            Write(str(reg_id), lsn,
                  documents.build(reg_id, current[reg_id], int_to_lsn(lsn))
                  if reg_id in current else None)
            for reg_id, lsn in newest.items()
        ]
        last = transactions[-1]
        self._dead_letters(write_all(self.es, self.state.index, writes), int_to_lsn(last.end_lsn))
        self.es.indices.refresh(index=self.state.index)
        self.state.applied_lsn = int_to_lsn(last.end_lsn)
        self.state.applied_commit_time = last.commit_time
        self.state.events_applied += len(transactions)

    def _dead_letters(self, rejected: list[Any], lsn: str) -> None:
        for item in rejected:
            log.error("dead letter: registration %s: %s", item.write.doc_id, item.error)
            deadletters.record(self.conn, int(item.write.doc_id), lsn, item.error,
                               item.write.document)
            if self.state is not None:
                self.state.dead_letters += 1

    def follow(self, once: bool) -> None:
        self.prepare()
        while True:
            applied = self.step()
            if once and applied == 0:
                return
            if applied == 0:
                time.sleep(self.settings.cdc_poll_interval_s)


def run(once: bool = False) -> None:
    """Follow the registry for ever (or until drained, with ``once``); survive restarts."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = get_settings()
    client = es.client()
    backoff = 0.5
    while True:
        try:
            with psycopg.connect(settings.pg_dsn, autocommit=True) as conn:
                Follower(conn, client, settings).follow(once)
                return
        except psycopg.OperationalError as exc:
            log.warning("registry unavailable (%s); reconnecting in %.1fs", exc, backoff)
            time.sleep(backoff)
            backoff = min(backoff * 2, 10.0)
