"""Load registrations, amendments and deletions from the JSON Lines format.

A line whose registration number is new is a registration; a line with a
number already in the registry replaces its parties, assets and events (an
amendment, or a deletion when its status is ``deleted``). Each batch of lines
is one transaction. A bad line is reported with its line number, the field and
the rule, and skipped; lines already accepted are never lost.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import psycopg
from pydantic import ValidationError

from registry.db import connect
from registry.format import Registration, describe_errors, parse_registration
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
from registry.schema import ensure_schema


@dataclass
class LoadReport:
    accepted: int = 0
    rejected: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Line:
    number: int
    registration: Registration


def _parse_lines(lines: Iterable[str], report: LoadReport) -> Iterator[_Line]:
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text:
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            report.rejected += 1
            report.problems.append(
                f"dòng {number}: không phải JSON hợp lệ / line {number}: not valid JSON ({exc.msg})"
            )
            continue
        try:
            yield _Line(number, parse_registration(obj))
        except ValidationError as exc:
            report.rejected += 1
            for problem in describe_errors(exc):
                report.problems.append(f"dòng {number} / line {number}: {problem}")


def write_registrations(
    cur: psycopg.Cursor[tuple[object, ...]], regs: Sequence[Registration]
) -> list[int]:
    """Insert or replace registrations with their parties, assets and events.

    One statement per table for the whole list: an upsert of the registrations
    (an existing number is an amendment or deletion, whose parties, assets and
    events are replaced), then the children.
    """
    cur.executemany(
        f"""
        INSERT INTO registrations ({REGISTRATION_COLUMNS}, updated_at)
        VALUES (%s, %s, %s, %s, %s, now())
        ON CONFLICT (registration_number) DO UPDATE
           SET kind = EXCLUDED.kind, registered_at = EXCLUDED.registered_at,
               status = EXCLUDED.status, obligation = EXCLUDED.obligation, updated_at = now()
        RETURNING id, (xmax = 0) AS inserted
        """,
        [registration_row(reg) for reg in regs],
        returning=True,
    )
    ids: list[int] = []
    replaced: list[int] = []
    while True:
        row = cur.fetchone()
        assert row is not None
        ids.append(int(str(row[0])))
        if not row[1]:
            replaced.append(ids[-1])
        if not cur.nextset():
            break
    if replaced:
        for table in ("parties", "assets", "events"):
            cur.execute(f"DELETE FROM {table} WHERE registration_id = ANY(%s)", (replaced,))
    cur.executemany(
        f"INSERT INTO parties ({PARTY_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        party_rows(ids, regs),
    )
    assets = asset_rows(ids, regs)
    if assets:
        cur.executemany(
            f"INSERT INTO assets ({ASSET_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)", assets)
    events = event_rows(ids, regs)
    if events:
        cur.executemany(f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (%s, %s, %s, %s, %s)",
                        events)
    return ids


def write_registration(cur: psycopg.Cursor[tuple[object, ...]], reg: Registration) -> int:
    """Insert or replace one registration with its parties, assets and events."""
    return write_registrations(cur, [reg])[0]


def _last_of_each(batch: list[_Line]) -> list[Registration]:
    """A number twice in one batch: its last line wins, as if written one after another."""
    latest = {line.registration.registration_number: line.registration for line in batch}
    return list(latest.values())


def _write_batch(
    conn: psycopg.Connection[tuple[object, ...]], batch: list[_Line], report: LoadReport
) -> None:
    try:
        with conn.transaction(), conn.cursor() as cur:
            write_registrations(cur, _last_of_each(batch))
        report.accepted += len(batch)
        return
    except psycopg.Error:
        if len(batch) == 1:
            raise
    # One line spoiled the batch: write each on its own so the good ones are kept.
    for line in batch:
        try:
            with conn.transaction(), conn.cursor() as cur:
                write_registration(cur, line.registration)
            report.accepted += 1
        except psycopg.Error as exc:
            report.rejected += 1
            detail = (exc.diag.message_primary or str(exc)).strip()
            report.problems.append(
                f"dòng {line.number}: cơ sở dữ liệu từ chối / line {line.number}: "
                f"rejected by the registry database ({detail})"
            )


def load_lines(
    lines: Iterable[str],
    conn: psycopg.Connection[tuple[object, ...]],
    batch_size: int = 1,
) -> LoadReport:
    """Write every valid line; a batch of ``batch_size`` lines is one transaction."""
    report = LoadReport()
    batch: list[_Line] = []
    for line in _parse_lines(lines, report):
        batch.append(line)
        if len(batch) >= batch_size:
            _write_batch(conn, batch, report)
            batch = []
    if batch:
        _write_batch(conn, batch, report)
    return report


def load_file(path: Path, batch_size: int = 1, err: TextIO = sys.stderr) -> bool:
    """CLI entry: load a JSONL file (``-`` for standard input); True when no line was rejected."""
    with connect() as conn:
        ensure_schema(conn)
        conn.commit()
        if str(path) == "-":
            report = load_lines(sys.stdin, conn, batch_size)
        else:
            if not path.is_file():
                err.write(f"Không tìm thấy tệp / file not found: {path}\n")
                return False
            with path.open(encoding="utf-8") as handle:
                report = load_lines(handle, conn, batch_size)
    for problem in report.problems:
        err.write(problem + "\n")
    err.write(
        f"đã ghi {report.accepted}, bị từ chối {report.rejected} / "
        f"accepted {report.accepted}, rejected {report.rejected}\n"
    )
    return report.rejected == 0
