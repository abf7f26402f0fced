"""Session advisory locks in the registry's database, one per indexer name or copy slot.

The indexer holds the lock of its name for as long as it runs (one indexer per name);
a copy runs under the lock of the slot it copies for (``index rebuild``: its new slot).
PostgreSQL releases a session lock when the session ends, so a crashed process holds
nothing: a lock that is held means a live process.
"""

from __future__ import annotations

from typing import Any

import psycopg

#: The first half of every lock key ("regs"); the second is ``hashtext(name)``.
LOCK_CLASS = 0x72656773


def try_lock(conn: psycopg.Connection[Any], name: str) -> bool:
    """Take the session lock of ``name`` on ``conn``; False if another session holds it."""
    got = conn.execute(
        "SELECT pg_try_advisory_lock(%s, hashtext(%s))", (LOCK_CLASS, name)).fetchone()
    return bool(got and got[0])


def held_elsewhere(conn: psycopg.Connection[Any], name: str) -> bool:
    """Whether a session other than ``conn``'s holds the lock of ``name``."""
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        " AND classid = %s::bigint::oid AND objid = hashtext(%s)::oid AND objsubid = 2"
        " AND pid <> pg_backend_pid())", (LOCK_CLASS, name)).fetchone()
    return bool(row and row[0])
