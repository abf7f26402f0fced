"""The registry's current commit position, read from PostgreSQL."""

from __future__ import annotations

import psycopg

from indexer import slot
from indexer.lsn import lsn_to_int
from regsearch.settings import Settings


def current_lsn(settings: Settings, timeout_s: int = 3) -> int:
    with psycopg.connect(settings.pg_dsn, connect_timeout=timeout_s, autocommit=True) as conn:
        return lsn_to_int(slot.current_lsn(conn))
