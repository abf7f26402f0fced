"""``regsearch db upgrade``: old databases upgraded in place, concurrent runs safe, and the
API refusing to start (with the command to run) on a database never migrated."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.service_env import named

pytestmark = pytest.mark.services
DATA = Path(__file__).parent / "data"


@pytest.fixture()
def empty_db() -> Iterator[str]:
    name = named("regsearch_migrations_test")
    admin = os.environ["REGSEARCH_ADMIN_DSN"]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{admin.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_database_made_by_the_old_ensure_schema_is_upgraded_in_place(empty_db: str) -> None:
    import accounts
    from migrations import runner

    with psycopg.connect(empty_db, autocommit=True) as conn:
        for part in ("api_schema.sql", "batch_schema.sql", "certify_schema.sql"):
            conn.execute((DATA / part).read_text(encoding="utf-8"))
        # as the code before revision 0003 made an account and its key
        row = conn.execute("INSERT INTO accounts (name, role) VALUES"
                           " ('Ngân hàng cũ / old bank', 'customer') RETURNING id").fetchone()
        assert row is not None
        account = int(row[0])
        conn.execute("INSERT INTO api_keys (key_hash, account_id) VALUES (%s, %s)",
                     (hashlib.sha256(b"rs_old").hexdigest(), account))
        conn.execute("SELECT nextval('certificate_seq')")
        with pytest.raises(runner.SchemaNotCurrentError, match="regsearch db upgrade"):
            runner.check(conn)
    runner.upgrade(empty_db)
    runner.upgrade(empty_db)  # again: nothing to do
    with psycopg.connect(empty_db, autocommit=True) as conn:
        runner.check(conn)
        assert accounts.caller_of(conn, account).name == "Ngân hàng cũ / old bank"
        # the sequence kept its place: numbers are never issued twice
        assert conn.execute("SELECT nextval('certificate_seq')").fetchone() == (2,)
        assert conn.execute("SELECT to_regclass('audit_log')").fetchone() != (None,)
        key = accounts.issue_key(conn, account)
        assert accounts.authenticate(conn, key).account_id == account
        # revision 0003: a code, active, one placeholder administrator who holds the old key
        assert accounts.authenticate(conn, "rs_old").account_id == account
        assert conn.execute("SELECT code, status FROM accounts WHERE id = %s",
                            (account,)).fetchone() == ("KH000001", "active")
        assert conn.execute(
            "SELECT u.email, u.role, u.password_hash FROM api_keys k JOIN users u"
            " ON u.id = k.user_id WHERE k.key_hash = %s",
            (hashlib.sha256(b"rs_old").hexdigest(),)).fetchone() == (
                "kh000001@placeholder.invalid", "admin", None)


def test_two_upgrades_at_once_both_succeed(empty_db: str) -> None:
    from migrations import runner

    failures: list[BaseException] = []

    def one() -> None:
        try:
            runner.upgrade(empty_db)
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    with psycopg.connect(empty_db) as conn:
        runner.check(conn)
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)


def test_the_command_works_from_any_directory(empty_db: str, tmp_path: Path) -> None:
    env = {**os.environ, "REGSEARCH_APP_DSN": empty_db}
    done = subprocess.run([sys.executable, "-m", "regsearch.cli", "db", "upgrade"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    from migrations import runner

    assert runner.head() in done.stdout
    with psycopg.connect(empty_db) as conn:
        runner.check(conn)


def test_the_api_does_not_start_without_the_tables_and_says_what_to_run(
        empty_db: str, settings: Any) -> None:
    from fastapi.testclient import TestClient

    from migrations import runner
    from server.app import create_app

    app = create_app(settings.model_copy(update={"app_dsn": empty_db}))
    with pytest.raises(runner.SchemaNotCurrentError) as raised, TestClient(app):
        pass
    assert "regsearch db upgrade" in str(raised.value)
    assert "chưa được cập nhật" in str(raised.value)
    with psycopg.connect(empty_db) as conn:  # and it made none of them
        assert conn.execute("SELECT to_regclass('accounts')").fetchone() == (None,)


def test_the_audit_log_refuses_update_delete_and_truncate(empty_db: str) -> None:
    from migrations import runner

    runner.upgrade(empty_db)
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("INSERT INTO audit_log (kind, criterion, value, exact_count, close_count)"
                     " VALUES ('search', 'id_number', '001234567890', 1, 0)")
        for statement in ("UPDATE audit_log SET value = 'x'", "DELETE FROM audit_log",
                          "TRUNCATE audit_log"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(statement)
        assert conn.execute("SELECT value FROM audit_log").fetchall() == [("001234567890",)]


def test_the_api_command_says_what_to_run_without_a_trace(empty_db: str) -> None:
    env = {**os.environ, "REGSEARCH_APP_DSN": empty_db}
    done = subprocess.run([sys.executable, "-m", "regsearch.cli", "api", "--port", "0"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Hãy chạy: regsearch db upgrade" in done.stderr
    assert "Run: regsearch db upgrade" in done.stderr
    assert "Traceback" not in done.stderr
