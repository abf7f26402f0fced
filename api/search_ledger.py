"""The usage-ledger entries of searches, written with group commit.

Every search is recorded in the usage ledger before it is answered, as before; but
the searches that arrive together share one INSERT and one commit. A request hands its
entry to the writer thread and waits until the transaction that holds it has committed
(or failed: the request then fails as it did when it wrote its own entry). One search
alone waits for one commit, as before; eight at once wait for one or two commits, not
eight, which is what the ledger cost under load (a round trip and a WAL flush each).
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from psycopg_pool import ConnectionPool

from accounts import Caller, Fee
from audit import Searched

log = logging.getLogger("regsearch.api")

#: Entries one transaction takes at most.
MAX_GROUP = 500
#: One statement for a whole group: one round trip, atomic on its own (the pool's
#: connections are in autocommit), prepared by the server after a few uses. It replaced
#: BEGIN, a pipelined INSERT per entry and COMMIT: three round trips a group. The group
#: goes as one JSON text (written by orjson) rather than nine arrays, which psycopg's
#: Python-level array dumpers cost a few percent of an ID search's CPU to write. The same
#: statement writes each search's audit row (``audit``): what was searched and found.
_COLUMNS = ("account_id", "user_id", "kind", "criterion", "reference", "rows", "fee_vnd",
            "free_ground", "client", "client_reference", "at")
_AUDIT = ("key_hash", "value", "party_type", "include_deleted", "exact_count", "close_count")
_INSERT = (
    "WITH e AS (SELECT * FROM jsonb_to_recordset(%s::jsonb) AS e(account_id bigint,"
    " user_id bigint,"
    " kind text, criterion text, reference text, rows int, fee_vnd bigint, free_ground text,"
    " client text, client_reference text, at timestamptz, key_hash text, value text,"
    " party_type text,"
    " include_deleted boolean, exact_count int, close_count int)),"
    f" ledger AS (INSERT INTO usage_ledger ({', '.join(_COLUMNS)})"
    f" SELECT {', '.join(_COLUMNS)} FROM e)"
    " INSERT INTO audit_log (at, kind, client, account_id, user_id, key_hash, criterion,"
    " value, party_type, include_deleted, exact_count, close_count)"
    " SELECT at, kind, client, account_id, user_id, key_hash, criterion, value, party_type,"
    " include_deleted, exact_count, close_count FROM e WHERE value IS NOT NULL")


class LedgerWriteError(RuntimeError):
    """The entry's transaction did not commit (or the writer did not answer in time)."""


@dataclass
class _Entry:
    values: tuple[Any, ...]
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class SearchLedger:
    """One writer thread per application; ``record`` blocks until the entry is durable."""

    def __init__(self, pool: ConnectionPool, wait_s: float = 10.0) -> None:
        self._pool = pool
        self._wait_s = wait_s
        self._queue: queue.SimpleQueue[_Entry | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def record(self, caller: Caller, fee: Fee, criterion: str, client: str | None,
               searched: Searched | None = None, client_reference: str | None = None
               ) -> None:
        """The search's ledger entry (with the caller's own ``client_reference``) and, given
        what it searched and found, its audit row."""
        audit = (None,) * len(_AUDIT) if searched is None else (
            caller.key_hash, searched.value, searched.party_type, searched.include_deleted,
            searched.exact_count, searched.close_count)
        entry = _Entry((caller.account_id, caller.user_id, "search", criterion, None, 1,
                        fee.amount_vnd, fee.free_ground, client, client_reference,
                        datetime.now(UTC), *audit))
        self._ensure_started()
        self._queue.put(entry)
        if not entry.done.wait(self._wait_s):
            raise LedgerWriteError("the usage ledger did not answer in time")
        if entry.error is not None:
            raise LedgerWriteError(str(entry.error)) from entry.error

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=self._wait_s)

    def _ensure_started(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="search-ledger",
                                                    daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            stop = False
            while len(group) < MAX_GROUP:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                group.append(more)
            self._write(group)
            if stop:
                return

    def _write(self, group: list[_Entry]) -> None:
        error: BaseException | None = None
        try:
            rows = orjson.dumps([dict(zip(_COLUMNS + _AUDIT, entry.values, strict=True))
                                 for entry in group]).decode()
            with self._pool.connection() as conn:
                conn.execute(_INSERT, (rows,))
        except Exception as exc:  # every waiting request fails with it
            log.warning("usage ledger write of %d entries failed: %s", len(group), exc)
            error = exc
        for entry in group:
            entry.error = error
            entry.done.set()
