"""The registry's logical replication slot: creation with an exported snapshot,
reading changes without consuming them, and acknowledging what was applied.

Changes are read with ``pg_logical_slot_peek_binary_changes`` (``pgoutput``,
built into PostgreSQL) and acknowledged with ``pg_replication_slot_advance``
only after Elasticsearch accepted everything before that position. Until then
the slot keeps the WAL, so a crash anywhere replays from the last acknowledged
transaction and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

PUBLICATION = "regsearch"
TABLES = ("registrations", "parties", "assets", "events")


@dataclass(frozen=True)
class ExportedSlot:
    name: str
    consistent_point: str
    snapshot_name: str


def ensure_publication(conn: psycopg.Connection[Any]) -> None:
    exists = conn.execute(
        "SELECT 1 FROM pg_publication WHERE pubname = %s", (PUBLICATION,)
    ).fetchone()
    if not exists:
        conn.execute(f"CREATE PUBLICATION {PUBLICATION} FOR TABLE {', '.join(TABLES)}")


def slot_exists(conn: psycopg.Connection[Any], slot: str) -> bool:
    row = conn.execute("SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", (slot,))
    return row.fetchone() is not None


def drop_slot(conn: psycopg.Connection[Any], slot: str) -> None:
    if slot_exists(conn, slot):
        conn.execute("SELECT pg_drop_replication_slot(%s)", (slot,))


@contextmanager
def create_with_snapshot(dsn: str, slot: str) -> Iterator[ExportedSlot]:
    """Create the slot and export the snapshot at its consistent point.

    The snapshot stays importable (``SET TRANSACTION SNAPSHOT``) while this
    context is open: copy the registry inside it, and every change after the
    copy is in the slot, with no gap and no overlap.
    """
    params = conninfo_to_dict(dsn)
    params["replication"] = "database"
    with psycopg.connect(make_conninfo("", **params), autocommit=True) as repl:
        row = repl.execute(
            f'CREATE_REPLICATION_SLOT "{slot}" LOGICAL pgoutput (SNAPSHOT \'export\')'
        ).fetchone()
        assert row is not None
        yield ExportedSlot(name=str(row[0]), consistent_point=str(row[1]),
                           snapshot_name=str(row[2]))


def current_lsn(conn: psycopg.Connection[Any]) -> str:
    row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    assert row is not None
    return str(row[0])


def fresh_position(conn: psycopg.Connection[Any]) -> str:
    """A position strictly after every change written so far.

    A non-transactional logical message moves the write-ahead log on even when
    the registry is idle (``pgoutput`` does not send such messages unless asked),
    so the returned position is greater than the end of every commit before it.
    """
    conn.execute("SELECT pg_logical_emit_message(false, 'regsearch', 'position')")
    row = conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
    assert row is not None
    return str(row[0])


def peek(
    conn: psycopg.Connection[Any], slot: str, upto_lsn: str, max_changes: int
) -> list[bytes]:
    """Decoded messages of whole transactions committed up to ``upto_lsn``."""
    rows = conn.execute(
        "SELECT data FROM pg_logical_slot_peek_binary_changes(%s, %s::pg_lsn, %s,"
        " 'proto_version', '1', 'publication_names', %s)",
        (slot, upto_lsn, max_changes, PUBLICATION),
    ).fetchall()
    return [bytes(row[0]) for row in rows]


def advance(conn: psycopg.Connection[Any], slot: str, lsn: str) -> None:
    """Acknowledge: the registry may recycle WAL before ``lsn``."""
    conn.execute("SELECT pg_replication_slot_advance(%s, %s::pg_lsn)", (slot, lsn))
