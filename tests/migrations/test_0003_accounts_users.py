"""Revision 0003 on a database at 0002 with accounts, keys, ledger lines and audit rows:
every account gets a code, the status active with one history row, and a placeholder
administrator who holds its keys; old rows keep no user; the new constraints hold."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

import psycopg
import pytest

from tests.service_env import named

pytestmark = pytest.mark.services


@pytest.fixture()
def db_at_0002() -> Iterator[str]:
    from migrations import runner

    name = named("regsearch_migration_0003_test")
    admin = os.environ["REGSEARCH_ADMIN_DSN"]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = f"{admin.rsplit('/', 1)[0]}/{name}"
    runner.upgrade(dsn, "0002")
    yield dsn
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _old_key(n: int) -> str:
    return hashlib.sha256(f"rs_old_{n}".encode()).hexdigest()


def test_old_accounts_upgrade_in_place(db_at_0002: str) -> None:
    import accounts
    from accounts import records, status, users
    from migrations import runner

    with psycopg.connect(db_at_0002, autocommit=True) as conn:
        ids = [conn.execute("INSERT INTO accounts (name, role, agency_kind) VALUES (%s, %s, %s)"
                            " RETURNING id", row).fetchone()[0]  # type: ignore[index]
               for row in (("Ngân hàng A", "customer", None), ("Tòa án B", "agency", "court"),
                           ("Cục Đăng ký", "admin", None))]
        for n, account in enumerate(ids):
            conn.execute("INSERT INTO api_keys (key_hash, account_id) VALUES (%s, %s)",
                         (_old_key(n), account))
        conn.execute("INSERT INTO usage_ledger (account_id, kind, fee_vnd) VALUES"
                     " (%s, 'certificate', 30000)", (ids[0],))
    runner.upgrade(db_at_0002)
    with psycopg.connect(db_at_0002, autocommit=True) as conn:
        runner.check(conn)
        found = [records.get(conn, account) for account in ids]
        assert [a.code for a in found] == ["KH000001", "KH000002", "KH000003"]
        assert {a.status for a in found} == {"active"}
        for n, account in enumerate(ids):
            assert status.current(conn, account).reason_code == "opened"
            (admin,) = users.list_users(conn, account)
            assert (admin.role, admin.has_password) == ("admin", False)
            assert admin.email == f"kh00000{n + 1}@placeholder.invalid"
            caller = accounts.authenticate(conn, f"rs_old_{n}")
            assert (caller.account_id, caller.user_id) == (account, admin.id)
        assert conn.execute("SELECT user_id FROM usage_ledger").fetchall() == [(None,)]
        # new accounts go on from the codes given
        new = records.create_account(conn, "Ngân hàng mới", "customer")
        assert records.get(conn, new).code == "KH000004"
        # an agency of another competent body is now allowed; a kind out of the list not
        conn.execute("INSERT INTO accounts (name, role, agency_kind) VALUES"
                     " ('Cơ quan khác', 'agency', 'other')")
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO accounts (name, role, agency_kind) VALUES"
                         " ('X', 'agency', 'bank')")
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("DELETE FROM account_status_history")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO users (account_id, name, email, role) VALUES"
                         " (%s, 'x', 'KH000001@PLACEHOLDER.INVALID', 'user')", (ids[1],))
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE users SET role = 'user' WHERE account_id = %s", (ids[0],))
