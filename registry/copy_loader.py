"""The bulk path: new registrations written with COPY instead of one statement a table
and a row, for loading a large registry (the 10,000,000-registration benchmark).

The loader (``registry.loader``) writes about 2,500 registrations a second: an upsert
a registration, then its children, through ``executemany``. COPY streams the same rows
(``registry.rows``, shared with the loader) in one command a table. It only adds: a
registration number already in the registry, or twice in one call, fails the whole
call (the unique constraint), so amendments and deletions go through the loader. The
change stream sees ordinary inserts (COPY is logged and decoded like INSERT).

Text is escaped by psycopg's COPY writer (``Copy.write_row``), not by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from registry.format import Registration
from registry.rows import (
    ASSET_COLUMNS,
    EVENT_COLUMNS,
    PARTY_COLUMNS,
    REGISTRATION_COLUMNS,
    asset_rows,
    event_rows,
    party_rows,
    registration_row,
)


def allocate_ids(cur: psycopg.Cursor[tuple[object, ...]], count: int) -> list[int]:
    """``count`` ids from the registrations' own sequence, as the loader's inserts take."""
    cur.execute("SELECT nextval(pg_get_serial_sequence('registrations', 'id'))"
                " FROM generate_series(1, %s)", (count,))
    return [int(str(row[0])) for row in cur.fetchall()]


def copy_registrations(
    cur: psycopg.Cursor[tuple[object, ...]], regs: Sequence[Registration],
    ids: Sequence[int] | None = None,
) -> list[int]:
    """Insert new registrations with their parties, assets and events by COPY.

    ``ids``: the registrations' ids, one each (a caller loading a fresh registry on
    several connections gives each registration its place in the stream, and sets the
    sequence past them with ``advance_sequence``); by default taken from the sequence.
    """
    chosen = list(ids) if ids is not None else allocate_ids(cur, len(regs))
    if len(chosen) != len(regs):
        raise ValueError(f"{len(chosen)} ids for {len(regs)} registrations")
    with cur.copy(f"COPY registrations (id, {REGISTRATION_COLUMNS}) FROM STDIN") as copy:
        for reg_id, reg in zip(chosen, regs, strict=True):
            copy.write_row((reg_id, *registration_row(reg)))
    tables = ((f"parties ({PARTY_COLUMNS})", party_rows(chosen, regs)),
              (f"assets ({ASSET_COLUMNS})", asset_rows(chosen, regs)),
              (f"events ({EVENT_COLUMNS})", event_rows(chosen, regs)))
    for target, rows in tables:
        if rows:
            with cur.copy(f"COPY {target} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    return chosen


def advance_sequence(cur: psycopg.Cursor[tuple[object, ...]]) -> None:
    """Set the registrations' id sequence past the largest id written (after ``ids``)."""
    cur.execute("SELECT setval(pg_get_serial_sequence('registrations', 'id'),"
                " GREATEST((SELECT max(id) FROM registrations), 1))")
