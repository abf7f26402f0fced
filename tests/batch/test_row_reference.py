"""A file row's own reference (its ``client_reference`` column) is stored with the row and
written into every results format, whatever the row's status (real PostgreSQL)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from typing import Any

import orjson
import psycopg
import pytest
from openpyxl import load_workbook

import accounts
from batch import store
from batch.csv_parts import FORMULA_STARTS, lookup_lines
from batch.export import HEADER, KEYS, csv_chunks, jsonl_chunks, write_xlsx
from batch.parse import parse
from batch.report import check_file
from batch.results import lookup_key, lookup_of, lookup_result, row_result
from batch.stored_rows import iter_rows
from core.settings import Settings
from query.search import SearchOutcome

pytestmark = pytest.mark.services

CSV = ("Số giấy tờ,Mã hồ sơ\n"
       "012345678901,HĐ-001\n"        # 2: valid
       "012345678901, HĐ-002 \n"      # 3: a duplicate of 2, with its own reference
       "!!!,HĐ-003\n"                 # 4: invalid (nothing to search), reference fine
       "098765432109,=CMD()\n"        # 5: invalid reference, echoed as entered
       "011111111111,\n").encode()    # 6: no reference
#: Each row's reference in the results.
EXPECTED = {2: "HĐ-001", 3: "HĐ-002", 4: "HĐ-003", 5: "=CMD()", 6: None}
#: Each row's status once its chunks are written.
STATUS = {2: "done", 3: "done", 4: "invalid", 5: "invalid", 6: "done"}


@pytest.fixture()
def conn(app_database: str, settings: Settings) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(settings.app_dsn, autocommit=True) as connection:
        yield connection


def _job(conn: psycopg.Connection[Any]) -> uuid.UUID:
    account = accounts.create_account(conn, f"ref-{uuid.uuid4().hex[:8]}", "customer")
    report = check_file(parse(CSV, "csv"), max_rows=100, chunk_rows=1)
    assert [r.row for r in report.rows if not r.valid] == [4, 5]
    return store.create_job(conn, accounts.caller_of(conn, account), None, "book.csv", report,
                            False)


def _write_all(conn: psycopg.Connection[Any], job: uuid.UUID) -> None:
    """Every chunk written as a worker would, each lookup finding nothing."""
    chunks = conn.execute("SELECT chunk FROM batch_chunks WHERE job_id = %s ORDER BY chunk",
                          (job,)).fetchall()
    for (chunk,) in chunks:
        work = store.claim_chunk(conn, job, chunk, "test")
        assert work is not None
        lookups = {}
        for row in work.rows:
            for criterion in row.criteria:
                result = lookup_result(SearchOutcome(normalised=criterion.value))
                lookups[lookup_key(lookup_of(criterion))] = store.NewLookup(
                    result, lookup_lines(result))
        results = [(row.row, row_result(row.criteria, {}, row.duplicate_of))
                   for row in work.rows]
        assert store.write_chunk(conn, job, chunk, lookups, results, 0,
                                 "2026-12-07T02:00:00+00:00", "0/1")


def _csv_references(conn: psycopg.Connection[Any], job: uuid.UUID, status: str
                    ) -> dict[int, str]:
    text = b"".join(csv_chunks(iter_rows(conn, job, csv_parts=True), status)).decode(
        "utf-8-sig")
    lines = list(csv.reader(io.StringIO(text, newline="")))
    assert lines[0] == HEADER
    column = KEYS.index("client_reference")
    found: dict[int, str] = {}
    for line in lines[1:]:
        assert not any(cell.startswith(FORMULA_STARTS) for cell in line), line
        assert found.setdefault(int(line[0]), line[column]) == line[column]
    return found


def _jsonl(conn: psycopg.Connection[Any], job: uuid.UUID, status: str
           ) -> dict[int, dict[str, Any]]:
    text = b"".join(jsonl_chunks(iter_rows(conn, job), status))
    return {obj["row"]: obj for obj in map(orjson.loads, text.splitlines())}


def _xlsx_references(conn: psycopg.Connection[Any], job: uuid.UUID, status: str
                     ) -> dict[int, str | None]:
    path = write_xlsx(iter_rows(conn, job), status, [("Lô", str(job))])
    try:
        sheet = load_workbook(path, read_only=True).worksheets[0]
        lines = list(sheet.iter_rows(values_only=True))
    finally:
        path.unlink()
    column = KEYS.index("client_reference")
    assert list(lines[0]) == HEADER
    # a read-only sheet leaves out a line's empty cells at its end
    return {int(str(line[0])): line[column] if column < len(line) else None
            for line in lines[1:]}


def _in_csv(reference: str | None) -> str:
    """How the CSV shows a reference: formula starts neutralised, none as an empty cell."""
    if reference is None:
        return ""
    return "'" + reference if reference.startswith(FORMULA_STARTS) else reference


def test_each_rows_reference_is_in_every_format_whatever_its_status(
        conn: psycopg.Connection[Any]) -> None:
    job = _job(conn)
    stored = dict(conn.execute("SELECT row_number, client_reference FROM batch_rows"
                               " WHERE job_id = %s", (job,)).fetchall())
    assert stored == EXPECTED
    # before any chunk ran: valid rows are pending, and still carry their references
    pending = _jsonl(conn, job, "running")
    assert {row: obj["status"] for row, obj in pending.items()} == {
        row: "pending" if status == "done" else status for row, status in STATUS.items()}
    assert {row: obj["client_reference"] for row, obj in pending.items()} == EXPECTED
    assert _csv_references(conn, job, "running") == {
        row: _in_csv(ref) for row, ref in EXPECTED.items()}

    _write_all(conn, job)
    done = _jsonl(conn, job, "done")
    assert {row: obj["status"] for row, obj in done.items()} == STATUS
    assert done[3]["duplicate_of"] == 2
    assert {row: obj["client_reference"] for row, obj in done.items()} == EXPECTED
    assert _csv_references(conn, job, "done") == {
        row: _in_csv(ref) for row, ref in EXPECTED.items()}
    # XLSX cells are typed text: the reference as entered, never a formula
    assert _xlsx_references(conn, job, "done") == EXPECTED
