"""Plain SQL inside a revision: run by the driver itself, several statements at once."""

from __future__ import annotations

from pathlib import Path

from alembic import op


def run_file(name: str) -> None:
    """Execute ``versions/<name>`` on the migration's connection (inside its transaction).

    Through psycopg directly, without parameters: SQLAlchemy's ``text`` would read the
    ``%`` of ``RAISE EXCEPTION '%'`` and the colons of casts as placeholders.
    """
    sql = (Path(__file__).resolve().parent / "versions" / name).read_text(encoding="utf-8")
    driver = op.get_bind().connection.driver_connection
    assert driver is not None
    driver.execute(sql)
