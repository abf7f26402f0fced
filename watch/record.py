"""What the watch follower reads and writes in the service database, in bulk per round."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from cachetools import LRUCache

from watch.keys import stored
from watch.match import Entry, Hit, Mark


@dataclass(frozen=True, slots=True)
class Alert:
    hit: Hit
    registration_id: int
    registration_number: str
    change_lsn: str
    committed_at: datetime
    event: str


@dataclass
class Batch:
    """One round's writes, saved in one transaction by :func:`save`."""

    alerts: list[Alert] = field(default_factory=list)
    reported: list[tuple[int, int, str]] = field(default_factory=list)
    marks: dict[int, Mark] = field(default_factory=dict)


#: How many entries the follower keeps in memory between rounds (an entry never changes:
#: it is added or deleted, so a kept one is never stale; one deleted is no longer named by
#: any key, so never looked up again). About 300 bytes each.
ENTRY_CACHE_SIZE = 200_000


class EntryCache:
    """Entries by id, the most recently used kept (``cachetools.LRUCache``)."""

    def __init__(self, size: int = ENTRY_CACHE_SIZE) -> None:
        self._kept: LRUCache[int, Entry] = LRUCache(maxsize=size)
        self.hits = self.misses = 0
        #: Seconds spent reading entries (the follower logs it with a slow round).
        self.read_s = 0.0

    def fetch(self, conn: psycopg.Connection[Any], ids: Iterable[int]) -> dict[int, Entry]:
        found: dict[int, Entry] = {}
        missing: list[int] = []
        for entry_id in ids:
            entry = self._kept.get(entry_id)
            if entry is None:
                missing.append(entry_id)
            else:
                found[entry_id] = entry
        self.hits += len(found)
        self.misses += len(missing)
        if missing:
            started = time.monotonic()
            for row in conn.execute(
                    "SELECT e.id, e.account_id, e.criterion, e.value, e.party_type,"
                    " e.client_reference, e.alert_on_deletion FROM unnest(%s::bigint[])"
                    " AS q(id) CROSS JOIN LATERAL (SELECT * FROM watch_entries w"
                    " WHERE w.id = q.id) e",
                    (sorted(missing),)).fetchall():
                entry = Entry(*row)
                found[entry.id] = self._kept[entry.id] = entry
            self.read_s += time.monotonic() - started
        return found


def entries_by_key(conn: psycopg.Connection[Any], keys: Iterable[str],
                   cache: EntryCache | None = None,
                   present: Container[int] | None = None) -> dict[str, list[Entry]]:
    """The entries stored under each key (by its 64-bit form, ``watch.keys.stored``);
    only the keys ``present`` may hold are looked up (``watch.keyfilter``).

    Two queries: the entry ids under each key (an index-only scan of ``watch_keys``'s
    primary key per key), then the entries not already in ``cache``. Each is a LATERAL
    probe per key or id on purpose: given tens of thousands of keys in ``= ANY(...)``,
    PostgreSQL chose a parallel scan of the whole table (18 million rows at 1,000,000
    entries: 4 s a round, ``benchmarks/HISTORY.md``, issue 24)."""
    by_hash: dict[int, list[str]] = defaultdict(list)
    for key in keys:
        hashed = stored(key)
        if present is None or hashed in present:
            by_hash[hashed].append(key)
    if not by_hash:
        return {}
    rows = conn.execute(
        "SELECT q.key, a.ids FROM unnest(%s::bigint[]) AS q(key) CROSS JOIN LATERAL"
        " (SELECT array_agg(k.entry_id) AS ids FROM watch_keys k WHERE k.key = q.key) a"
        " WHERE a.ids IS NOT NULL", (sorted(by_hash),)).fetchall()
    ids = {int(i) for _key, found in rows for i in found}
    entries = (cache or EntryCache()).fetch(conn, ids)
    found_by_key: dict[str, list[Entry]] = defaultdict(list)
    for key, entry_ids in rows:
        named = [entries[int(i)] for i in entry_ids if int(i) in entries]
        for text in by_hash[int(key)]:
            found_by_key[text].extend(named)
    return dict(found_by_key)


def marks(conn: psycopg.Connection[Any], reg_ids: Iterable[int]) -> dict[int, Mark]:
    ids = sorted(reg_ids)
    if not ids:
        return {}
    rows = conn.execute("SELECT registration_id, notices, deleted FROM watch_marks"
                        " WHERE registration_id = ANY(%s)", (ids,)).fetchall()
    return {int(r[0]): Mark(int(r[1]), bool(r[2])) for r in rows}


def reported(conn: psycopg.Connection[Any], reg_ids: Iterable[int]
             ) -> dict[int, dict[int, frozenset[str]]]:
    """Per registration, per entry: the value keys already alerted."""
    ids = sorted(reg_ids)
    if not ids:
        return {}
    rows = conn.execute("SELECT entry_id, registration_id, value_key FROM watch_reported"
                        " WHERE registration_id = ANY(%s)", (ids,)).fetchall()
    found: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for entry_id, reg_id, key in rows:
        found[int(reg_id)][int(entry_id)].add(str(key))
    return {reg: {e: frozenset(k) for e, k in per.items()} for reg, per in found.items()}


#: Between an alert's reasons in the one INSERT of a round (reasons are codes).
_SEPARATOR = "\x1f"


def _alert_row(alert: Alert) -> tuple[Any, ...]:
    hit = alert.hit
    m = hit.match
    return (hit.entry.account_id, hit.entry.id, hit.entry.client_reference,
            alert.registration_id, alert.registration_number, alert.change_lsn,
            alert.committed_at, alert.event, hit.entry.criterion, hit.entry.value,
            hit.field_path, m.value_as_registered, m.tier, _SEPARATOR.join(m.reasons), m.score)


def save(conn: psycopg.Connection[Any], batch: Batch) -> int:
    """Write the round (inside the caller's transaction); returns the alerts new here."""
    new_ids: list[int] = []
    with conn.cursor() as cur:
        if batch.alerts:
            # one statement for the round's alerts, columns as arrays (each alert's
            # reasons joined by a unit separator): executemany's statement per alert was
            # half of the follower's CPU at 1,000,000 entries (py-spy, HISTORY.md)
            columns = [list(c) for c in zip(*map(_alert_row, batch.alerts), strict=True)]
            cur.execute(
                "INSERT INTO watch_alerts (account_id, entry_id, client_reference,"
                " registration_id, registration_number, change_lsn, committed_at, event,"
                " criterion, watched_value, field, registered_value, tier, reasons, score)"
                " SELECT a, e, cr, r, rn, l::pg_lsn, ca, ev, c, wv, f, rv, t,"
                " string_to_array(rs, E'\\x1f'), s FROM unnest(%s::bigint[], %s::bigint[],"
                " %s::text[], %s::bigint[], %s::text[], %s::text[], %s::timestamptz[],"
                " %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],"
                " %s::text[], %s::real[]) AS x(a, e, cr, r, rn, l, ca, ev, c, wv, f, rv, t,"
                " rs, s) ON CONFLICT (entry_id, registration_id, change_lsn) DO NOTHING"
                " RETURNING id", columns)
            new_ids = [int(row[0]) for row in cur.fetchall()]
        if new_ids:
            cur.execute(
                "INSERT INTO watch_deliveries (alert_id, account_id)"
                " SELECT a.id, a.account_id FROM watch_alerts a"
                " JOIN watch_webhooks w ON w.account_id = a.account_id"
                " WHERE a.id = ANY(%s) ON CONFLICT DO NOTHING", (new_ids,))
            cur.execute("SELECT pg_notify('regsearch_watch_delivery', '')")
        # one statement a table (arrays unnested), not one a row: a round of a thousand
        # registrations at 1,000,000 entries writes thousands of values reported
        if batch.reported:
            cur.execute(
                "INSERT INTO watch_reported (entry_id, registration_id, value_key)"
                " SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::text[])"
                " ON CONFLICT DO NOTHING", [list(c) for c in zip(*batch.reported, strict=True)])
        if batch.marks:
            cur.execute(
                "INSERT INTO watch_marks (registration_id, notices, deleted)"
                " SELECT * FROM unnest(%s::bigint[], %s::int[], %s::boolean[])"
                " ON CONFLICT (registration_id) DO UPDATE"
                " SET notices = EXCLUDED.notices, deleted = EXCLUDED.deleted",
                (list(batch.marks), [m.notices for m in batch.marks.values()],
                 [m.deleted for m in batch.marks.values()]))
    return len(new_ids)


def save_position(conn: psycopg.Connection[Any], name: str, applied: str, checked: str) -> None:
    conn.execute(
        "INSERT INTO watch_follower (name, applied_lsn, checked_upto, updated_at)"
        " VALUES (%s, %s::pg_lsn, %s::pg_lsn, now()) ON CONFLICT (name) DO UPDATE"
        " SET applied_lsn = greatest(watch_follower.applied_lsn, EXCLUDED.applied_lsn),"
        " checked_upto = greatest(watch_follower.checked_upto, EXCLUDED.checked_upto),"
        " updated_at = now()", (name, applied, checked))
