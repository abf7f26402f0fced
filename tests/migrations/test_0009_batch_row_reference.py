"""Revision 0009 on a database at 0008 with a batch: its rows read back without a
reference (and export as before, the reference empty), and batches stored afterwards keep
each row's reference."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.service_env import named

pytestmark = pytest.mark.services


@pytest.fixture()
def db_at_0008() -> Iterator[str]:
    from migrations import runner

    name = named("regsearch_migration_0009_test")
    admin = os.environ["REGSEARCH_ADMIN_DSN"]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = f"{admin.rsplit('/', 1)[0]}/{name}"
    runner.upgrade(dsn, "0008")
    yield dsn
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_rows_stored_before_have_no_reference_and_new_rows_keep_theirs(db_at_0008: str
                                                                        ) -> None:
    import accounts
    from batch import store
    from batch.export import json_objects
    from batch.parse import parse
    from batch.report import check_file
    from batch.stored_rows import iter_rows
    from migrations import runner

    old_job = uuid.uuid4()
    with psycopg.connect(db_at_0008, autocommit=True) as conn:
        account = accounts.create_account(conn, "Ngân hàng Cũ", "customer")
        conn.execute(
            "INSERT INTO batch_jobs (id, account_id, caller, file_name, file_format,"
            " include_deleted, status, rows_total, rows_valid, rows_invalid, rows_duplicate,"
            " chunks_total, report) VALUES (%s, %s, '{}', 'old.csv', 'csv', false, 'queued',"
            " 1, 1, 0, 0, 1, '{}')", (old_job, account))
        conn.execute(
            "INSERT INTO batch_rows (job_id, row_number, chunk, criteria) VALUES (%s, 2, 0,"
            " '[{\"criterion\": \"id_number\", \"value\": \"012345678901\","
            " \"column\": \"CCCD\", \"party_type\": null}]')", (old_job,))
    runner.upgrade(db_at_0008)
    with psycopg.connect(db_at_0008, autocommit=True) as conn:
        [old] = json_objects(iter_rows(conn, old_job), "queued")
        assert (old["row"], old["status"], old["client_reference"]) == (2, "pending", None)
        report = check_file(parse("CCCD,Mã hồ sơ\n012345678901,HĐ-7\n".encode(), "csv"),
                            max_rows=10, chunk_rows=10)
        job = store.create_job(conn, accounts.caller_of(conn, account), None, "new.csv",
                               report, False)
        [new] = json_objects(iter_rows(conn, job), "queued")
        assert (new["row"], new["client_reference"]) == (2, "HĐ-7")
