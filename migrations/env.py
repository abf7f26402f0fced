"""Alembic's environment: the connection ``migrations.runner.upgrade`` opened (and locked)
or, when Alembic's own command line is used, one to ``settings.app_dsn``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given = context.config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    from core.settings import get_settings
    from migrations.runner import sqlalchemy_url

    engine = create_engine(sqlalchemy_url(get_settings().app_dsn), poolclass=NullPool)
    with engine.begin() as connection:
        _run(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported")
run_migrations_online()
