"""The registry's current commit position and its logical replication slots, read from
PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from core.settings import Settings
from indexer import slot
from indexer.lsn import lsn_to_int


def current_lsn(settings: Settings, timeout_s: int = 3) -> int:
    with psycopg.connect(settings.pg_dsn, connect_timeout=timeout_s, autocommit=True) as conn:
        return lsn_to_int(slot.current_lsn(conn))


@dataclass(frozen=True)
class SlotRetention:
    """A logical replication slot of the registry's database and the WAL it holds back.

    A slot nobody reads (an indexer stopped for good, a rebuild's slot left behind) keeps
    every WAL segment from its restart position on: the registry's disk fills until
    PostgreSQL stops. Such a slot must be seen and dropped."""

    name: str
    active: bool
    retained_bytes: int


@dataclass(frozen=True)
class RegistryPosition:
    head_lsn: int
    slots: list[SlotRetention]


def registry_position(settings: Settings, timeout_s: int = 3) -> RegistryPosition:
    """The current position and every logical slot of the registry's database."""
    with psycopg.connect(settings.pg_dsn, connect_timeout=timeout_s, autocommit=True) as conn:
        head = lsn_to_int(slot.current_lsn(conn))
        rows = conn.execute(
            "SELECT slot_name, active, coalesce(pg_current_wal_lsn() - restart_lsn, 0)::bigint"
            " FROM pg_replication_slots WHERE slot_type = 'logical'"
            " AND database = current_database() ORDER BY slot_name").fetchall()
    return RegistryPosition(head, [SlotRetention(str(r[0]), bool(r[1]), max(0, int(r[2])))
                                   for r in rows])
