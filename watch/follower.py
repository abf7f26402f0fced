"""The watch follower: the registry's change stream, matched in reverse, recorded as alerts.

It follows its own logical replication slot (``watch_slot``) with the indexer's
machinery (``indexer.slot``: peek and advance; ``indexer.pgoutput``: the decoder;
``indexer.source``: whole registrations read back), in the indexer's order of work:

1. read the registry's position ``upto``; peek whole transactions committed up to it;
2. read back every registration they touched, find the entries its values' keys name
   (``watch_keys``), classify each pair (``watch.match``);
3. in ONE transaction of the service database: the alerts (unique per entry,
   registration and commit LSN), the values reported, the marks (notices, deleted) and
   the follower's position;
4. only then acknowledge the slot.

A crash before 3 commits replays the round; a crash between 3 and 4 replays it too, and
finds its alerts, values and marks already there: the marks make the replay "nothing
new", and the unique key would refuse a second alert anyway. Nothing lost, nothing
doubled (``tests/watch/test_follower.py`` kills it with SIGKILL mid-stream).

The slot is created at the first start, without a copy: a watch sees the changes
committed from then on.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import psycopg

from core.settings import Settings, get_settings
from indexer import slot, source
from indexer.locks import try_lock
from indexer.lsn import int_to_lsn
from indexer.pgoutput import Decoder, Transaction
from watch import record
from watch.keyfilter import KeyFilter
from watch.match import Entry, Hit, Mark, event_of, hits, lookup_keys, mark_of

log = logging.getLogger("regsearch.watch")

#: Its sessions' name in ``pg_stat_activity`` (the benchmark counts their CPU).
APPLICATION_NAME = "regsearch-watch-follow"
#: A round that takes longer is logged with the time of each of its parts.
_SLOW_ROUND_S = 1.0


def ensure_slot(conn: psycopg.Connection[Any], name: str) -> None:
    if not slot.slot_exists(conn, name):
        conn.execute("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (name,))
        log.info("created replication slot %s: watching changes from now on", name)


class WatchFollower:
    def __init__(self, registry: psycopg.Connection[Any], app: psycopg.Connection[Any],
                 settings: Settings) -> None:
        self.registry, self.app, self.settings = registry, app, settings
        self.slot = settings.watch_slot
        self._acknowledged = ""
        self.alerts_recorded = 0
        #: Seconds spent in each part of the current round (logged when it is slow).
        self._timings: dict[str, float] = {}
        self.entries = record.EntryCache()
        self.keys: KeyFilter | None = None

    def prepare(self) -> None:
        if not try_lock(self.registry, self.slot):
            raise RuntimeError(f"another watch follower of slot {self.slot} is running")
        source.prepare_session(self.registry)
        slot.ensure_publication(self.registry)
        ensure_slot(self.registry, self.slot)
        started = time.monotonic()
        self.keys = KeyFilter(self.app)
        log.info("key filter: about %d keys in %.1fs", self.keys.approx_keys,
                 time.monotonic() - started)

    def step(self) -> int:
        """One round; returns the number of transactions matched."""
        started = time.monotonic()
        upto = slot.current_lsn(self.registry)
        batch = self.settings.cdc_batch_changes
        messages = slot.peek(self.registry, self.slot, upto, batch)
        transactions = Decoder().feed(messages)
        self._timings = {"peek": time.monotonic() - started}
        drained = len(messages) < batch
        position = upto if drained else (
            int_to_lsn(transactions[-1].end_lsn) if transactions else "")
        if transactions or (drained and upto != self._acknowledged):
            self.apply(transactions, position)
        if position and position != self._acknowledged:
            slot.advance(self.registry, self.slot, position)
            self._acknowledged = position
        if time.monotonic() - started >= _SLOW_ROUND_S:
            log.info("slow round: %d transactions, %s", len(transactions), ", ".join(
                f"{part} {seconds:.2f}s" for part, seconds in self._timings.items()))
        return len(transactions)

    def apply(self, transactions: list[Transaction], position: str) -> None:
        newest: dict[int, Transaction] = {}
        inserted: set[int] = set()
        for txn in transactions:
            for reg_id in txn.registration_ids:
                newest[reg_id] = txn
            inserted |= txn.inserted_ids
        mark = time.monotonic()
        current = source.fetch_by_ids(self.registry, sorted(newest)) if newest else {}
        self._timings["read back"], mark = time.monotonic() - mark, time.monotonic()
        keys_of = {reg_id: lookup_keys(reg) for reg_id, reg in current.items()}
        if self.keys is None:
            self.keys = KeyFilter(self.app)
        self.keys.refresh(self.app)  # every entry committed before this round
        self._timings["keys"], mark = time.monotonic() - mark, time.monotonic()
        self.entries.read_s = 0.0
        by_key = record.entries_by_key(self.app, set().union(*keys_of.values()),
                                       self.entries, self.keys)
        self._timings["lookup"], mark = time.monotonic() - mark, time.monotonic()
        self._timings["of which entries"] = self.entries.read_s
        watched = {reg_id for reg_id, keys in keys_of.items() if any(k in by_key for k in keys)}
        marks = record.marks(self.app, watched)
        reported = record.reported(self.app, watched)
        self._timings["marks"], mark = time.monotonic() - mark, time.monotonic()
        batch = record.Batch()
        for reg_id in sorted(watched):
            registration = current[reg_id]
            candidates: dict[int, Entry] = {}
            for key in keys_of[reg_id]:
                for entry in by_key.get(key, ()):
                    candidates[entry.id] = entry
            self._match(batch, reg_id, registration, candidates, marks.get(reg_id),
                        reg_id in inserted, newest[reg_id], reported.get(reg_id, {}))
        last = transactions[-1] if transactions else None
        self._timings["match"], mark = time.monotonic() - mark, time.monotonic()
        with self.app.transaction():
            self.alerts_recorded += record.save(self.app, batch)
            record.save_position(self.app, self.slot,
                                 int_to_lsn(last.end_lsn) if last else position, position)
        self._timings["save"] = time.monotonic() - mark

    def _match(self, batch: record.Batch, reg_id: int, registration: dict[str, Any],
               candidates: dict[int, Entry], mark: Mark | None, inserted: bool,
               txn: Transaction, reported: dict[int, frozenset[str]]) -> None:
        event = event_of(registration, mark, inserted)
        batch.marks[reg_id] = mark_of(registration)
        if event is None:
            return
        found: list[Hit] = hits(reg_id, registration, candidates.values(),
                                reported if event == "amendment" else None)
        if event == "deletion":
            found = [h for h in found if h.entry.alert_on_deletion]
        for hit in found:
            batch.alerts.append(record.Alert(hit, reg_id, registration["registration_number"],
                                             int_to_lsn(txn.commit_lsn), txn.commit_time,
                                             event))
            batch.reported.extend((hit.entry.id, reg_id, key) for key in hit.value_keys)

    def follow(self, once: bool = False) -> None:
        while True:
            applied = self.step()
            if once and applied == 0:
                return
            if applied == 0:
                time.sleep(self.settings.cdc_poll_interval_s)


def run(once: bool = False) -> None:
    """Follow for ever (or until drained, with ``once``); reconnect when a database is down."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = get_settings()
    backoff = 0.5
    while True:
        try:
            with psycopg.connect(settings.pg_dsn, autocommit=True,
                                 application_name=APPLICATION_NAME) as registry, \
                    psycopg.connect(settings.app_dsn, autocommit=True,
                                    application_name=APPLICATION_NAME) as app:
                follower = WatchFollower(registry, app, settings)
                follower.prepare()
                backoff = 0.5
                follower.follow(once)
                return
        except psycopg.OperationalError as exc:
            log.warning("a database is unavailable (%s); reconnecting in %.1fs", exc, backoff)
        except psycopg.errors.UndefinedTable as exc:
            log.error("the service database has no watch tables (%s): run `regsearch db "
                      "upgrade`; trying again in %.1fs", exc, backoff)
        time.sleep(backoff)
        backoff = min(backoff * 2, 10.0)

