"""What a crashed copy, rebuild or handover left behind, found and removed.

A copy killed part-way leaves an index that nothing points to (gigabytes, for a large
registry); an ``index rebuild`` killed part-way also leaves its replication slot, which
keeps the registry's write-ahead log for ever; an indexer killed between moving the
alias and deleting the index the alias left keeps that index.

Every copy records the slot it copies for in its index's mapping (``_meta.copy_slot``)
and runs under that slot's session lock (``indexer.locks``: the indexer's own name, or a
rebuild's new slot), which PostgreSQL releases when the process dies. So, for an indexer
named ``key`` behind ``alias``:

* an index of the alias is in use when the alias points to it, the indexer's state or a
  pending handover names it, or another session holds the lock of the slot it records;
* a slot of the indexer (``key`` itself, or ``key_r<time>`` of a rebuild) is in use when
  the indexer's state or a pending handover names it, or another session holds its lock.

Everything else of the indexer's is a leftover. An index copied for another slot (a
benchmark's throw-away copy, another indexer's) is not this indexer's business; one made
by code that did not record its slot is reported, never deleted.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import psycopg
from elasticsearch import Elasticsearch

from indexer import es, locks, slot, state

log = logging.getLogger("regsearch.indexer")


@dataclass(frozen=True)
class Leftovers:
    #: Indices nothing uses, to delete.
    indices: tuple[str, ...]
    #: Slots nobody follows, to drop (with a rebuild's prepared state, if saved).
    slots: tuple[str, ...]
    #: Indices nothing uses that do not record their slot (older code): kept, reported.
    unrecorded: tuple[str, ...]


def _slot_pattern(key: str) -> re.Pattern[str]:
    """The slots of the indexer named ``key``: its name, and a rebuild's ``key_r<time>``."""
    return re.compile(rf"{re.escape(key)}(_r\d{{14}})?")


def _indexer_slots(conn: psycopg.Connection[Any], key: str) -> list[str]:
    pattern = _slot_pattern(key)
    rows = conn.execute(
        "SELECT slot_name FROM pg_replication_slots"
        " WHERE database = current_database() AND NOT active").fetchall()
    return sorted(str(row[0]) for row in rows if pattern.fullmatch(str(row[0])))


def find(conn: psycopg.Connection[Any], client: Elasticsearch, key: str,
         alias: str) -> Leftovers:
    """The leftovers of the indexer named ``key`` whose index is behind ``alias``."""
    current = state.load(client, key)
    handover = state.pending_handover(client, key)
    used_indices = {es.alias_target(client, alias)}
    used_slots: set[str] = set()
    if current is not None:
        used_indices.add(current.index)
        used_slots.add(current.stream_slot)
    if handover is not None:
        used_indices.add(handover.index)
        used_slots.add(handover.slot)
    indices: list[str] = []
    unrecorded: list[str] = []
    ours = _slot_pattern(key)
    for index, copy_slot in sorted(es.registrations_indices(client, alias).items()):
        if index in used_indices:
            continue
        if copy_slot is None:
            unrecorded.append(index)
        elif ours.fullmatch(copy_slot) and not locks.held_elsewhere(conn, copy_slot):
            indices.append(index)
    slots = [name for name in _indexer_slots(conn, key)
             if name not in used_slots and not locks.held_elsewhere(conn, name)]
    return Leftovers(tuple(indices), tuple(slots), tuple(unrecorded))


def drop_slots(conn: psycopg.Connection[Any], client: Elasticsearch,
               found: Leftovers) -> None:
    """Drop the leftover slots, and the state a rebuild saved for one of them."""
    for name in found.slots:
        log.warning("dropping replication slot %s: left by a copy or rebuild that did not "
                    "finish; it kept the registry's write-ahead log", name)
        slot.drop_slot(conn, name)
        state.delete(client, name)
    for index in found.unrecorded:
        log.warning("index %s is not in use but does not record which copy made it (older "
                    "code): delete it by hand if nothing needs it", index)


def delete_indices(client: Elasticsearch, indices: tuple[str, ...]) -> None:
    for index in indices:
        log.warning("deleting index %s: left by a copy or handover that did not finish",
                    index)
        client.options(ignore_status=404).indices.delete(index=index)
