"""What the watch follower reads and writes in the service database, in bulk per round."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg

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


def entries_by_key(conn: psycopg.Connection[Any], keys: Iterable[str]
                   ) -> dict[str, list[Entry]]:
    """The entries stored under each key (by its 64-bit form, ``watch.keys.stored``)."""
    by_hash: dict[int, list[str]] = defaultdict(list)
    for key in keys:
        by_hash[stored(key)].append(key)
    if not by_hash:
        return {}
    # one row per candidate entry with the keys it shares (a common name shares tens of
    # keys with each namesake: one row per key and entry was the round's bottleneck)
    rows = conn.execute(
        "SELECT array_agg(k.key), e.id, e.account_id, e.criterion, e.value, e.party_type,"
        " e.client_reference, e.alert_on_deletion"
        " FROM watch_keys k JOIN watch_entries e ON e.id = k.entry_id"
        " WHERE k.key = ANY(%s) GROUP BY e.id", (sorted(by_hash),)).fetchall()
    found: dict[str, list[Entry]] = defaultdict(list)
    for shared, *fields in rows:
        entry = Entry(*fields)
        for key in shared:
            for text in by_hash[int(key)]:
                found[text].append(entry)
    return dict(found)


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


def _alert_row(alert: Alert) -> tuple[Any, ...]:
    hit = alert.hit
    m = hit.match
    return (hit.entry.account_id, hit.entry.id, hit.entry.client_reference,
            alert.registration_id, alert.registration_number, alert.change_lsn,
            alert.committed_at, alert.event, hit.entry.criterion, hit.entry.value,
            hit.field_path, m.value_as_registered, m.tier, list(m.reasons), m.score)


def save(conn: psycopg.Connection[Any], batch: Batch) -> int:
    """Write the round (inside the caller's transaction); returns the alerts new here."""
    new_ids: list[int] = []
    with conn.cursor() as cur:
        if batch.alerts:
            cur.executemany(
                "INSERT INTO watch_alerts (account_id, entry_id, client_reference,"
                " registration_id, registration_number, change_lsn, committed_at, event,"
                " criterion, watched_value, field, registered_value, tier, reasons, score)"
                " VALUES (%s, %s, %s, %s, %s, %s::pg_lsn, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (entry_id, registration_id, change_lsn) DO NOTHING"
                " RETURNING id",
                [_alert_row(a) for a in batch.alerts], returning=True)
            while True:
                row = cur.fetchone()
                if row is not None:
                    new_ids.append(int(row[0]))
                if not cur.nextset():
                    break
        if new_ids:
            cur.execute(
                "INSERT INTO watch_deliveries (alert_id, account_id)"
                " SELECT a.id, a.account_id FROM watch_alerts a"
                " JOIN watch_webhooks w ON w.account_id = a.account_id"
                " WHERE a.id = ANY(%s) ON CONFLICT DO NOTHING", (new_ids,))
            cur.execute("SELECT pg_notify('regsearch_watch_delivery', '')")
        if batch.reported:
            cur.executemany(
                "INSERT INTO watch_reported (entry_id, registration_id, value_key)"
                " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING", batch.reported)
        if batch.marks:
            cur.executemany(
                "INSERT INTO watch_marks (registration_id, notices, deleted) VALUES (%s, %s, %s)"
                " ON CONFLICT (registration_id) DO UPDATE"
                " SET notices = EXCLUDED.notices, deleted = EXCLUDED.deleted",
                [(reg_id, m.notices, m.deleted) for reg_id, m in batch.marks.items()])
    return len(new_ids)


def save_position(conn: psycopg.Connection[Any], name: str, applied: str, checked: str) -> None:
    conn.execute(
        "INSERT INTO watch_follower (name, applied_lsn, checked_upto, updated_at)"
        " VALUES (%s, %s::pg_lsn, %s::pg_lsn, now()) ON CONFLICT (name) DO UPDATE"
        " SET applied_lsn = greatest(watch_follower.applied_lsn, EXCLUDED.applied_lsn),"
        " checked_upto = greatest(watch_follower.checked_upto, EXCLUDED.checked_upto),"
        " updated_at = now()", (name, applied, checked))
