"""The indexer's main loop: snapshot once, then follow the change stream.

Order of work in every round, which is what makes a crash at any point safe:
read the registry's current position ``upto``; read (peek) whole transactions
committed up to it; rebuild every touched registration from the registry and
write it versioned by its commit LSN; refresh; save the watermark; only then
acknowledge the slot. A crash before the acknowledgement replays the round,
and the external versions make the replay a no-op.

When the indexer must copy the registry afresh, and the copy itself, are in
``indexer.snapshot_copy``.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

import psycopg
from elasticsearch import ApiError, Elasticsearch, TransportError

from core import gc_tuning
from core.settings import Settings, get_settings
from indexer import (
    built_by,
    deadletters,
    documents,
    es,
    leftovers,
    slot,
    source,
    state,
)
from indexer.locks import try_lock
from indexer.lsn import int_to_lsn, lsn_to_int
from indexer.pgoutput import Decoder, Transaction
from indexer.snapshot_copy import copy_reason, copy_snapshot
from indexer.writer import Write, write_all

log = logging.getLogger("regsearch.indexer")

_HEARTBEAT_S = 1.0
#: How often a handover this indexer cannot take is reported again.
_REFUSAL_REPEAT_S = 60.0
#: How long an index the alias left is kept for searches still reading it.
_GRACE_S = 5.0
#: How often the indexer looks for what a crashed copy or rebuild left (``leftovers``).
_LEFTOVERS_EVERY_S = 300.0


class Follower:
    def __init__(self, conn: psycopg.Connection[Any], client: Elasticsearch,
                 settings: Settings) -> None:
        self.conn = conn
        self.es = client
        self.settings = settings
        #: The indexer's name: its lock, its state document.
        self.key = settings.replication_slot
        self.state: state.IndexerState | None = None
        self._last_save = 0.0
        self._window = (time.monotonic(), 0)
        #: The position last acknowledged to the stream slot by ``step``.
        self._acknowledged = ""
        self._unrefreshed = False
        self._refused_at = -_REFUSAL_REPEAT_S
        #: index → when to delete it: indices the alias left, and leftovers of crashed
        #: copies, deleted after a grace period for searches still reading them.
        self._delete_later: dict[str, float] = {}
        self._leftovers_checked = 0.0

    # --- start-up ------------------------------------------------------------
    def prepare(self) -> state.IndexerState:
        if not try_lock(self.conn, self.key):
            raise RuntimeError(f"another indexer named {self.key} is already running")
        source.prepare_session(self.conn)
        slot.ensure_publication(self.conn)
        deadletters.ensure_table(self.conn)
        es.ensure_state_index(self.es)
        self._remove_leftovers()
        current = state.load(self.es, self.key)
        if current is not None and self._handover_for_this_code() is not None:
            # `index rebuild` prepared an index with this code while an indexer on other
            # code ran (a normaliser change being deployed): take it instead of copying
            self.state = current
            old_index = current.index
            self.take_handover()
            current = self.state
            if old_index != current.index:
                self._delete_later[old_index] = time.monotonic() + _GRACE_S
        reason = copy_reason(
            current,
            slot_exists=current is not None and slot.slot_exists(self.conn, current.stream_slot),
            index_exists=current is not None and bool(self.es.indices.exists(index=current.index)))
        if reason is not None:
            log.info("copying the registry into a new index: %s", reason)
            current = self.initial_copy()
        assert current is not None
        es.apply_operational_settings(self.es, current.index)
        self.state = current
        self._window = (time.monotonic(), current.events_applied)
        return current

    def initial_copy(self) -> state.IndexerState:
        """Copy the registry in the slot's exported snapshot into a new index, behind the alias."""
        previous = state.load(self.es, self.key)
        if previous is not None and previous.stream_slot:
            slot.drop_slot(self.conn, previous.stream_slot)
        slot.drop_slot(self.conn, self.key)
        new_state = copy_snapshot(self.conn, self.es, self.settings, self.key, self.key)
        old = es.alias_target(self.es, self.settings.index_alias)
        es.point_alias(self.es, self.settings.index_alias, new_state.index)
        if old and old != new_state.index:
            self.es.indices.delete(index=old)
        state.save(self.es, new_state)
        return new_state

    # --- streaming -----------------------------------------------------------
    def step(self) -> int:
        """One round; returns the number of transactions applied.

        Writes are acknowledged to the slot as soon as Elasticsearch has accepted them
        (durably: its translog is synced per request). Making them visible (refresh)
        and saving the watermark happen when the backlog is drained, or once a second
        while it is not, so the watermark never runs ahead of what searches can see.
        """
        assert self.state is not None
        upto = slot.current_lsn(self.conn)
        messages = slot.peek(self.conn, self.state.stream_slot, upto,
                             self.settings.cdc_batch_changes)
        transactions = Decoder().feed(messages)
        if transactions:
            self.apply(transactions)
            self._unrefreshed = True
        drained = len(messages) < self.settings.cdc_batch_changes
        now = time.monotonic()
        heartbeat = now - self._last_save >= _HEARTBEAT_S
        if drained or heartbeat:
            if self._unrefreshed:
                self.es.indices.refresh(index=self.state.index)
                self._unrefreshed = False
            moved = drained and upto != self.state.checked_upto_lsn
            if drained:
                self.state.checked_upto_lsn = upto
                self.state.checked_upto_lsn_int = lsn_to_int(upto)
                self.state.checked_at = datetime.now(UTC)
            if transactions or moved or heartbeat:
                self._rate(now)
                state.save(self.es, self.state)
                self._last_save = now
        if drained and upto != self._acknowledged:
            # Everything committed before ``upto`` has been applied (or was not ours: other
            # databases of the cluster, other tables). Acknowledging it lets the slot move
            # on, so the next peek does not decode that write-ahead log again.
            slot.advance(self.conn, self.state.stream_slot, upto)
            self._acknowledged = upto
        elif transactions:
            slot.advance(self.conn, self.state.stream_slot, int_to_lsn(transactions[-1].end_lsn))
        return len(transactions)

    def _rate(self, now: float) -> None:
        assert self.state is not None
        window_start, applied_then = self._window
        if now - window_start >= 5.0:
            self.state.events_per_second = round(
                (self.state.events_applied - applied_then) / (now - window_start), 2)
            self._window = (now, self.state.events_applied)

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
        self.state.applied_lsn = int_to_lsn(last.end_lsn)
        self.state.applied_commit_time = last.commit_time
        self.state.events_applied += len(transactions)

    def _dead_letters(self, rejected: list[Any], lsn: str) -> None:
        for item in rejected:
            log.error("dead letter: registration %s: %s", item.write.doc_id, item.error)
            deadletters.record(self.conn, int(item.write.doc_id), lsn, item.error,
                               item.write.document_dict())
            if self.state is not None:
                self.state.dead_letters += 1

    def _handover_for_this_code(self) -> tuple[state.Handover, state.IndexerState] | None:
        """The pending handover and its prepared state, when this code built that index.

        An index `index rebuild` prepared with other code is not taken: this indexer would
        write documents keyed by its own code into it. It stays pending (its slot keeps
        the write-ahead log) until an indexer on that code starts and takes it, and this
        indexer goes on keeping the current index up to date meanwhile."""
        handover = state.pending_handover(self.es, self.key)
        if handover is None:
            return None
        prepared = state.load(self.es, handover.slot)
        prepared_by = prepared.documents_built_by if prepared is not None else ""
        if prepared is None or prepared_by != built_by.this_code():
            now = time.monotonic()
            if now - self._refused_at >= _REFUSAL_REPEAT_S:
                self._refused_at = now
                log.warning(
                    "handover waiting: %s was built by code %s, this indexer runs %s; restart "
                    "the indexer on that code to take it (or `regsearch index rebuild "
                    "--cancel`); its slot %s keeps the write-ahead log meanwhile",
                    handover.index, prepared_by or "(not recorded)", built_by.this_code(),
                    handover.slot)
            return None
        return handover, prepared

    def _delete_when_due(self) -> None:
        """Delete the indices scheduled for deletion, once searches still reading them
        are done (``_GRACE_S``), without holding up the stream meanwhile."""
        now = time.monotonic()
        due = tuple(index for index, when in self._delete_later.items() if when <= now)
        leftovers.delete_indices(self.es, due)
        for index in due:
            del self._delete_later[index]

    def _remove_leftovers(self) -> None:
        """Drop what crashed copies and rebuilds left (``indexer.leftovers``): their slots
        now, their indices after the grace period."""
        self._leftovers_checked = time.monotonic()
        found = leftovers.find(self.conn, self.es, self.key, self.settings.index_alias)
        leftovers.drop_slots(self.conn, self.es, found)
        for index in found.indices:
            self._delete_later.setdefault(index, self._leftovers_checked + _GRACE_S)

    def take_handover(self) -> None:
        """Switch to the slot and index `index rebuild` prepared, then move the alias."""
        assert self.state is not None
        found = self._handover_for_this_code()
        if found is None:
            return
        handover, prepared = found
        old_slot, old_index = self.state.stream_slot, self.state.index
        self._acknowledged = ""
        self.state.stream_slot, self.state.index = handover.slot, handover.index
        self.state.applied_lsn = prepared.applied_lsn
        self.state.applied_commit_time = prepared.applied_commit_time
        self.state.documents_built_by = prepared.documents_built_by
        while self.step() > 0:
            pass  # catch the new index up before searches see it
        es.point_alias(self.es, self.settings.index_alias, handover.index)
        state.save(self.es, self.state)
        if old_slot != handover.slot:
            slot.drop_slot(self.conn, old_slot)
        state.delete(self.es, handover.slot)
        state.delete(self.es, state.handover_id(self.key))
        log.info("handover: now %s from slot %s (was %s from %s)", handover.index,
                 handover.slot, old_index, old_slot)

    def follow(self, once: bool) -> None:
        if self.state is None:
            self.prepare()
        while True:
            self.take_handover()
            applied = self.step()
            if time.monotonic() - self._leftovers_checked >= _LEFTOVERS_EVERY_S:
                self._remove_leftovers()
            self._delete_when_due()
            if once and applied == 0:
                if self._delete_later:
                    time.sleep(max(0.0, max(self._delete_later.values()) - time.monotonic()))
                    self._delete_when_due()
                return
            if applied == 0:
                time.sleep(self.settings.cdc_poll_interval_s)


def run(once: bool = False) -> None:
    """Follow the registry for ever (or until drained, with ``once``); survive restarts."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
    settings = get_settings()
    gc_tuning.tune(settings)
    log.info("documents are built by code %s", built_by.this_code())  # as imported now
    client = es.client()
    backoff = 0.5
    while True:
        try:
            with psycopg.connect(settings.pg_dsn, autocommit=True) as conn:
                follower = Follower(conn, client, settings)
                follower.prepare()
                backoff = 0.5
                follower.follow(once)
                return
        except psycopg.OperationalError as exc:
            log.warning("registry unavailable (%s); reconnecting in %.1fs", exc, backoff)
        except (TransportError, ApiError) as exc:
            if isinstance(exc, ApiError) and 400 <= exc.status_code < 500 and \
                    exc.status_code not in (408, 429):
                log.error("elasticsearch refused a request the indexer cannot retry: %s", exc)
                raise
            # Nothing was acknowledged past what Elasticsearch accepted: start the round again.
            log.warning("elasticsearch unavailable (%s); resuming in %.1fs", exc, backoff)
        time.sleep(backoff)
        backoff = min(backoff * 2, 10.0)
