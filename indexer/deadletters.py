"""Changes that can never be indexed: kept in a table with the error, and reported."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

DDL = """
CREATE SCHEMA IF NOT EXISTS regsearch_indexer;
CREATE TABLE IF NOT EXISTS regsearch_indexer.dead_letters (
    id              bigserial PRIMARY KEY,
    registration_id bigint,
    lsn             text        NOT NULL,
    error           text        NOT NULL,
    document        jsonb,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
"""


def ensure_table(conn: psycopg.Connection[Any]) -> None:
    conn.execute(DDL)


def record(
    conn: psycopg.Connection[Any],
    registration_id: int | None,
    lsn: str,
    error: str,
    document: dict[str, Any] | None,
) -> None:
    conn.execute(
        "INSERT INTO regsearch_indexer.dead_letters (registration_id, lsn, error, document)"
        " VALUES (%s, %s, %s, %s)",
        (registration_id, lsn, error[:4000], Jsonb(document) if document is not None else None),
    )


def count(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT count(*) FROM regsearch_indexer.dead_letters").fetchone()
    return int(row[0]) if row else 0
