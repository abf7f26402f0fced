"""Closing a batch is the use case's (``batch.closing``): the store only stores, and a
batch is charged once, whatever is retried (real PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

import accounts
from batch import closing, store
from batch.parse import parse
from batch.report import check_file
from core.settings import Settings

CSV = "Số giấy tờ\n012345678901\n098765432109\n".encode()


@pytest.fixture()
def conn(app_database: str, settings: Settings) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(settings.app_dsn, autocommit=True) as connection:
        yield connection


def _job(conn: psycopg.Connection[Any]) -> tuple[uuid.UUID, int]:
    account = accounts.create_account(conn, f"closing-{uuid.uuid4().hex[:8]}", "customer")
    report = check_file(parse(CSV, "csv"), max_rows=100, chunk_rows=1)
    assert report.chunks == 2, report.file_part()
    job = store.create_job(conn, accounts.caller_of(conn, account), None, "a.csv", report,
                           False)
    return job, account


def _ledger(conn: psycopg.Connection[Any], job: uuid.UUID) -> list[tuple[Any, ...]]:
    return conn.execute("SELECT kind, rows, fee_vnd FROM usage_ledger WHERE reference = %s",
                        (str(job),)).fetchall()


def _write(conn: psycopg.Connection[Any], job: uuid.UUID, chunk: int,
           settings: Settings) -> bool:
    store.claim_chunk(conn, job, chunk, "test")  # as a worker does (None once closed)
    return closing.write_chunk(conn, job, chunk, {}, [], 0, None,
                               settings.model_copy(update={"batch_row_fee_vnd": 100}))


def test_a_batch_is_charged_once_even_when_its_last_chunk_is_retried(
        conn: psycopg.Connection[Any], settings: Settings) -> None:
    job, _ = _job(conn)
    assert _write(conn, job, 0, settings)
    assert _ledger(conn, job) == []  # a chunk is still queued: nothing charged yet
    assert store.write_chunk(conn, job, 1, {}, [], 0, None)  # the store alone never charges
    assert _ledger(conn, job) == []
    conn.execute("UPDATE batch_chunks SET state = 'queued' WHERE job_id = %s AND chunk = 1",
                 (job,))
    assert _write(conn, job, 1, settings)  # the last chunk: closed and charged
    assert _ledger(conn, job) == [("batch", 2, 200)]
    assert not _write(conn, job, 1, settings)  # retried: nothing written, nothing charged
    conn.execute("UPDATE batch_chunks SET state = 'queued' WHERE job_id = %s AND chunk = 1",
                 (job,))
    assert not _write(conn, job, 1, settings)  # the job is closed: nothing again
    closing.fail_chunk(conn, job, 1, "abc", settings)
    assert _ledger(conn, job) == [("batch", 2, 200)]
    status = conn.execute("SELECT status, rows_charged, fee_vnd FROM batch_jobs WHERE id = %s",
                          (job,)).fetchone()
    assert status == ("done", 2, 200)


def test_cancelling_charges_what_was_searched_once(
        conn: psycopg.Connection[Any], settings: Settings) -> None:
    job, account = _job(conn)
    priced = settings.model_copy(update={"batch_row_fee_vnd": 100})
    assert _write(conn, job, 0, settings)
    assert closing.cancel(conn, job, account, priced) == "cancelled"
    assert closing.cancel(conn, job, account, priced) == "cancelled"
    assert not _write(conn, job, 1, settings)  # a chunk finishing after it lands nowhere
    assert _ledger(conn, job) == [("batch", 1, 100)]
    with pytest.raises(store.JobNotFoundError):
        closing.cancel(conn, job, account + 1, priced)
