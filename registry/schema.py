"""Create the registry schema (idempotent)."""

from __future__ import annotations

from importlib import resources

import psycopg

from registry.db import connect


def schema_sql() -> str:
    return resources.files("registry").joinpath("schema.sql").read_text(encoding="utf-8")


def ensure_schema(conn: psycopg.Connection[tuple[object, ...]] | None = None) -> None:
    if conn is None:
        with connect() as own:
            own.execute(schema_sql())
        return
    conn.execute(schema_sql())
