"""The registry's current commit position, read from PostgreSQL."""

from __future__ import annotations

import psycopg

from indexer.lsn import lsn_to_int
from regsearch.settings import Settings


def current_lsn(settings: Settings, timeout_s: int = 3) -> int:
    with psycopg.connect(settings.pg_dsn, connect_timeout=timeout_s, autocommit=True) as conn:
        row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    assert row is not None
    return lsn_to_int(str(row[0]))
