"""Run the migrations: upgrade a database to the newest revision, or check that it is there.

``upgrade`` takes a PostgreSQL advisory lock inside the transaction that migrates, so two
``regsearch db upgrade`` run at once (several workers or ``make`` targets starting
together) apply each revision once: the second waits, then finds the database current.
PostgreSQL's DDL is transactional, so a revision that fails leaves nothing half made.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

HERE = Path(__file__).resolve().parent
#: pg_advisory_xact_lock key for schema migrations ("rsdb").
LOCK_KEY = 0x72736462

NOT_MIGRATED_VI = ("Cơ sở dữ liệu của dịch vụ chưa được cập nhật lược đồ ({found}, cần {head})."
                   " Hãy chạy: regsearch db upgrade")
NOT_MIGRATED_EN = ("The service database's schema is not up to date ({found}, need {head})."
                   " Run: regsearch db upgrade")


class SchemaNotCurrentError(RuntimeError):
    """The database is not at the newest revision: the operator runs ``db upgrade``."""


def config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    return cfg


def head() -> str:
    found = ScriptDirectory.from_config(config()).get_current_head()
    assert found is not None
    return found


def sqlalchemy_url(dsn: str) -> str:
    """The psycopg (version 3) driver for a ``postgresql://`` DSN."""
    for scheme in ("postgresql://", "postgres://"):
        if dsn.startswith(scheme):
            return "postgresql+psycopg://" + dsn[len(scheme):]
    return dsn


def upgrade(dsn: str, revision: str = "head") -> None:
    """Apply every revision up to ``revision`` in one transaction, under the advisory lock."""
    engine = create_engine(sqlalchemy_url(dsn), poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
            cfg = config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def current(conn: psycopg.Connection[tuple[object, ...]]) -> str | None:
    """The revision the database is at (None: never migrated)."""
    if conn.execute("SELECT to_regclass('alembic_version')").fetchone() in (None, (None,)):
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def check(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """Raise ``SchemaNotCurrentError`` (Vietnamese and English) unless at the newest revision."""
    found, newest = current(conn), head()
    if found != newest:
        values = {"found": found or "—", "head": newest}
        raise SchemaNotCurrentError(NOT_MIGRATED_VI.format(**values) + " / "
                                    + NOT_MIGRATED_EN.format(**values))
