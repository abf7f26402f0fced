"""Connections to the registry database."""

from __future__ import annotations

import psycopg

from core.settings import get_settings


def connect(autocommit: bool = False) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(get_settings().pg_dsn, autocommit=autocommit)
